"""Class heads read from code alone (lexer.Lexed.code), in linear time.

A head is `class|struct [attributes] [MACRO[(args)] ...] Name [final] :
bases {`. tree-sitter-cpp cannot parse the export macros (the whole class
becomes an ERROR), and it can fail on a class for reasons outside it; the
finder reads heads textually to blank those macros before parsing, to
re-parse a class it did not yield, and to report any head naming ObjectWrap
that still yields no class.

Every scan is bounded: a head is read from its keyword only up to the next
`class`/`struct` keyword (so no byte is read for two keywords), never across
`;`, `{` or `}` before its body, over at most 8 words and 4 KB; a keyword
is never taken for a macro.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from codemod.cpp.limits import Deadline
from codemod.textpos import whole_words

_MAX_WORDS = 8  # export macros and attributes before the name, plus the name
_MAX_HEAD = 4096  # bytes from the keyword to the body's `{`

_SPACE = re.compile(rb"\s*")
_WORD = re.compile(rb"[A-Za-z_]\w*")
# A macro's or attribute's argument list, nested three deep
# (`__attribute__((visibility("default")))`, its string blanked).
_ARGS = re.compile(rb"\((?:[^(){};]|\((?:[^(){};]|\([^(){};]*\))*\))*\)")
_ATTRIBUTE = re.compile(rb"\[\[(?:[^\[\]{};]|\[[^\[\]{};]*\])*\]\]")
_TEMPLATE_ARGS = re.compile(rb"<(?:[^<>{};]|<(?:[^<>{};]|<[^<>{};]*>)*>)*>")
_STOP = re.compile(rb"[{};]")
_MACRO_CASE = re.compile(rb"[A-Z][A-Z0-9_]*")
_BASE_COLON = re.compile(rb"(?<!:):(?!:)")

# Spellings tree-sitter-cpp parses before a class name itself.
_NATIVE = frozenset((b"alignas", b"__attribute__", b"__declspec"))
_KEYWORDS = frozenset(
    b"""alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t class
    compl concept const consteval constexpr constinit const_cast continue co_await co_return co_yield decltype
    default delete do double dynamic_cast else enum explicit export extern false float for friend goto if inline
    int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private protected public
    register reinterpret_cast requires return short signed sizeof static static_assert static_cast struct
    template this thread_local throw true try typedef typeid typename union unsigned using virtual void volatile
    wchar_t while xor xor_eq final override""".split()
)


@dataclass(frozen=True)
class Head:
    keyword: int  # offset of `class` / `struct`
    macros: tuple[tuple[int, int], ...]  # words around the name that are no name, arguments included
    body: int  # the body's `{`


def keywords(code: bytes, deadline: Deadline, spans: list[tuple[int, int]] | None = None) -> list[int]:
    """Offsets of `class` and `struct` keywords in `code` (within `spans`
    when given), in order (not `enum class`)."""
    found = []
    for start, end in spans if spans is not None else [(0, len(code))]:
        for word in (b"class", b"struct"):
            for count, at in enumerate(whole_words(code, word, start, end), 1):
                found.append(at)
                if not count & 4095:
                    deadline.check()
    found.sort()
    return [at for at in found if not _after_enum(code, at)]


def class_heads(code: bytes, starts: list[int], deadline: Deadline) -> list[Head]:
    """Every head in `code` with a base clause and a body, in order;
    `starts`: keywords(code)."""
    heads = []
    for index, at in enumerate(starts):
        if not index & 1023:
            deadline.check()
        limit = starts[index + 1] if index + 1 < len(starts) else len(code)
        head = read_head(code, at, min(limit, at + _MAX_HEAD))
        if head is not None:
            heads.append(head)
    return heads


def read_head(code: bytes, at: int, limit: int) -> Head | None:
    """The head whose keyword is at `at`, read no further than `limit`."""
    stop = _STOP.search(code, at, limit)
    if stop is None or stop.group() != b"{" or code.find(b":", at, stop.start()) == -1:
        return None  # no body, or no base clause: most keywords end here
    pos = at + (5 if code.startswith(b"class", at) else 6)
    words: list[tuple[int, int]] = []  # (start, end) of each word, arguments included
    while len(words) <= _MAX_WORDS:
        pos = _SPACE.match(code, pos, limit).end()
        attribute = _ATTRIBUTE.match(code, pos, limit)
        if attribute is not None:
            pos = attribute.end()
            continue
        word = _WORD.match(code, pos, limit)
        if word is None:
            break
        spelled = word.group()
        if spelled in _KEYWORDS and not (spelled == b"final" and words):
            return None
        end = word.end()
        args = _ARGS.match(code, _SPACE.match(code, end, limit).end(), limit)
        if args is not None:
            end = args.end()
        words.append((word.start(), end))
        pos = end
    else:
        return None
    if not words:
        return None
    if code[words[-1][0] : words[-1][1]] == b"final":
        words.pop()
    named = _name_index(code, words)
    if named is None:
        return None
    name_end = words[named][1]
    if named == len(words) - 1:
        name_end = _qualified_end(code, name_end, limit)
    pos = _SPACE.match(code, max(name_end, words[-1][1]), limit).end()
    final = _WORD.match(code, pos, limit)
    if final is not None and final.group() == b"final":
        pos = _SPACE.match(code, final.end(), limit).end()
    if code[pos : pos + 1] != b":" or code[pos : pos + 2] == b"::":
        return None
    stop = _STOP.search(code, pos, limit)
    bases = code[pos + 1 : stop.start()]
    if bases.count(b"(") != bases.count(b")"):
        return None
    return Head(keyword=at, macros=tuple(w for i, w in enumerate(words) if i != named), body=stop.start())


def _name_index(code: bytes, words: list[tuple[int, int]]) -> int | None:
    """Which word is the class name: the last, unless it is an all-caps macro
    after a name that is not (`class Foo MOZ_FINAL : Base`)."""
    if not words:
        return None
    last = len(words) - 1
    if last and _MACRO_CASE.fullmatch(code, *words[last]) and not _MACRO_CASE.fullmatch(code, *words[last - 1]):
        last -= 1
    return None if code.find(b"(", *words[last]) != -1 else last


def objectwrap_heads(code: bytes, keywords: list[int], deadline: Deadline) -> list[tuple[int, int]]:
    """(keyword, `{`) of every head, read loosely, that names ObjectWrap in a
    base clause: a `class`/`struct` keyword, a single `:` after it, the
    mention, then `{` before any `;` or `}`, within 4 KB of it. Looser than
    read_head (any words may stand where the name goes), for the
    cross-check that no such class is lost without a word. The mentions are
    taken in order and what was searched is never searched again: a run of
    mentions costs its length, not 4 KB each."""
    found: dict[int, int] = {}
    last_stop, searched = -1, 0  # the last `;{}` in code[:searched]
    next_stop = None  # the first `;{}` at or after the mention
    colons: dict[int, int] = {}  # keyword -> its first base-clause `:` (or -1)
    for count, mention in enumerate(whole_words(code, b"ObjectWrap"), 1):
        if not count & 4095:
            deadline.check()
        stop = max(code.rfind(b";", searched, mention), code.rfind(b"{", searched, mention),
                   code.rfind(b"}", searched, mention))
        last_stop, searched = max(last_stop, stop), mention
        if next_stop is None or next_stop.start() < mention:
            next_stop = _STOP.search(code, mention)
        index = bisect_left(keywords, mention) - 1
        if index < 0 or keywords[index] <= max(last_stop, mention - _MAX_HEAD - 1):
            continue
        keyword = keywords[index]
        if next_stop is None or next_stop.group() != b"{" or next_stop.start() - mention > _MAX_HEAD:
            continue
        if keyword not in colons:
            colon = _BASE_COLON.search(code, keyword, keyword + _MAX_HEAD)
            colons[keyword] = colon.start() if colon is not None else -1
        if 0 <= colons[keyword] < mention:
            found.setdefault(keyword, next_stop.start())
    return sorted(found.items())


def _qualified_end(code: bytes, end: int, limit: int) -> int:
    """The end of a name spelled `ns::Name` or `Name<Args>` (a specialization)."""
    while True:
        pos = _SPACE.match(code, end, limit).end()
        if code.startswith(b"::", pos):
            word = _WORD.match(code, _SPACE.match(code, pos + 2, limit).end(), limit)
            if word is None:
                return end
            end = word.end()
        elif code.startswith(b"<", pos):
            args = _TEMPLATE_ARGS.match(code, pos, limit)
            if args is None:
                return end
            end = args.end()
        else:
            return end


def _after_enum(code: bytes, at: int) -> bool:
    before = code[max(0, at - 16) : at].rstrip()
    return before.endswith(b"enum") and (len(before) == 4 or not (before[-5:-4].isalnum() or before[-5:-4] == b"_"))


def export_macros(head: Head, code: bytes) -> list[tuple[int, int]]:
    """The words between keyword and name that tree-sitter cannot parse:
    everything but the spellings it knows (alignas, __attribute__, __declspec)."""
    return [(s, e) for s, e in head.macros if _WORD.match(code, s).group() not in _NATIVE]
