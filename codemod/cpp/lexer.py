"""The code of a C++ file, in two linear passes: comments, literals and
directives set aside, then braces paired.

Every textual look the finder takes at C++ (export-macro heads, class heads,
brace pairing for left-out bodies and parse regions) reads `Lexed.code`: a
copy of the file, byte for byte the same length, in which comments, string
and character literals (raw ones too) and preprocessor directives are
blanks. Newlines stay, so an offset, a line and a column mean the same in
both. A `// class String` comment or a `"class"` literal can then never be
read as part of a head.

Braces are paired over the code, as parallel arrays in the order of their
`{` (a few bytes a pair: a 50 MB file holds millions). They are
trusted (`paired`) only when every brace pairs up and, in an `#if` with
`#else`/`#elif` branches, every branch leaves the depth as it found it; a
lone branch may open or close a brace (`#ifdef NS` `namespace NS {`
`#endif`). Otherwise the code view still holds, but no pairs are given.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from typing import Callable

from codemod.cpp.limits import MAX_DEPTH, Deadline
from codemod.textpos import whole_words

# Pass one: one token per match, the gap before it (no character that can
# start a token), then a comment, a literal, a directive's start or a stray
# `/` or quote. The gap is a negated class, so the regex engine runs at
# memchr speed between tokens, and nothing ever backtracks into it: every
# character it stops at starts some token. Block comments, raw strings and
# directives are only opened here and closed with bytes.find: a regex that
# fails on an unclosed one keeps a backtracking entry per byte (6 GB on a
# 50 MB file of unclosed `/*`). Every repetition that remains is an unrolled
# loop (`plain* (escape plain*)*`) or bounded.
_TOKEN = re.compile(
    rb"""[^/"'\#]*
    (?:(?P<line_comment>//[^\n\\]*(?:\\(?:\r\n|[\s\S])[^\n\\]*)*)
      |(?P<block_comment>/\*)
      |/
      |(?P<quote>")
      |(?<=[0-9A-Fa-f])'(?=[0-9A-Fa-f])
      |(?P<char>'(?:\\(?:[^\n]|\w{1,9})|[^'\\\n]){1,10}')
      |(?P<lone>')
      |(?P<directive>\#[ \t]*(?P<name>\w*)(?P<plain>[^\n\\/]*(?=\n))?)
    )?""",
    re.X,
)
_STRING = re.compile(rb'"[^"\\\n]*(?:\\(?:\r\n|[\s\S])[^"\\\n]*)*"')
_UNCLOSED_STRING = re.compile(rb'"[^\n]*')
_LINE_COMMENT = re.compile(rb"//[^\n\\]*(?:\\(?:\r\n|[\s\S])[^\n\\]*)*")
_RAW_OPEN = re.compile(rb'"([^()\\\s"]{0,16})\(')
_RAW_PREFIX = re.compile(rb"(?:^|[^\w])(?:u8|[uUL])?R$")
# Where a directive's line may go on: a newline ends it, unless escaped; a
# block comment may carry it over lines; a line comment runs to the newline.
_DIRECTIVE_STOP = re.compile(rb"\n|\\(?:\r\n|[\s\S])|/\*|//")
_CONDITIONAL_OPEN = frozenset((b"if", b"ifdef", b"ifndef"))
_CONDITIONAL_NEXT = frozenset((b"elif", b"elifdef", b"elifndef", b"else"))
# bytes.translate table: every byte a space but line breaks (offsets and lines stay).
BLANK = bytes(b if b in b"\r\n" else 0x20 for b in range(256))


def _nested_block(depth: int) -> bytes:
    """A brace block nested at most `depth` deep, as an unrolled loop
    (`{ plain (block plain)* }`): each run of plain bytes is one greedy class
    that stops at a brace, so the regex never backtracks into it."""
    block = rb"\{[^{}]*\}"
    for _ in range(depth - 1):
        block = rb"\{[^{}]*(?:" + block + rb"[^{}]*)*\}"
    return block


# Pass two, over the code: braces. A block that holds no keep mark (a plain
# function body, an initializer table) is matched whole, up to six deep, by
# the regex engine: the braces inside it are never needed one by one, and
# visiting them from Python was most of the time on large files.
_BRACE = re.compile(rb"[{}]")
_BLOCK = re.compile(_nested_block(6))
# What may stand between a function head's `)` and its body's `{`: blanks
# and qualifiers, one way only (`(?:\s+|...)*` would try every split of a
# run of blanks, and a blanked directive line makes long runs).
_QUALIFIED = re.compile(rb"\s*(?:(?:const|noexcept|override|final|mutable|volatile)(?!\w)\s*)*")
_BLANKS = frozenset(b" \t\r\n")
_PLAIN_BEFORE = frozenset(b")=,({[")
_WORD_END = frozenset(b"abcdefghijklmnopqrstuvwxyz")
# Words that keep the text around them in a parse: what the finder reads
# (classes with bases, aliases, usings, scopes, ObjectWrap) is always near
# one. `class`, `struct` and `union` count only where a head with a base
# clause follows (`:` before the `{`): a class without bases, a local one
# or `template <class T>` holds nothing the finder reads.
_KEEP_WORDS = (b"namespace", b"using", b"typedef", b"extern", b"ObjectWrap")
_CLASS_WORDS = (b"class", b"struct", b"union")
_HEAD_STOP = re.compile(rb"[{};]")
_BASE_COLON = re.compile(rb"(?<!:):(?!:)")

_CHECK_EVERY = 4096  # tokens between looks at the clock


@dataclass(frozen=True)
class Lexed:
    code: bytes  # same length as the file; comments, literals and directives blanked
    opens: array  # offset of each `{`, in order
    closes: array  # offset of its `}`
    parents: array  # index of the enclosing pair, -1 at file scope
    directives: array  # offset of each directive's `#`, in order
    marks: array  # offsets of every keep mark (keep_marks), in order
    paired: bool  # braces pair up (else opens/closes/parents are empty)
    # Where a comment or raw string that never closes starts (else the end):
    # tree-sitter re-reads such a tail from every `/*` in it, quadratically.
    open_tail: int
    depth: int  # how deep braces nest (blocks matched whole count as one level)
    focused: bool = False  # marks are focus.py's: only the regions around ObjectWrap are read

    def enclosing(self, offset: int) -> int:
        """Index of the innermost pair whose braces enclose `offset`, or -1."""
        index = bisect_left(self.opens, offset) - 1
        while index >= 0 and self.closes[index] < offset:
            index = self.parents[index]
        return index

    def after(self, offset: int) -> int:
        """Index of the first pair opening at or after `offset`."""
        return bisect_left(self.opens, offset)


def lex(data: bytes, max_depth: int = MAX_DEPTH, deadline: Deadline | None = None,
        focus: Callable[[bytes, array], array | None] | None = None) -> Lexed:
    """The file's code view and brace pairs; past `max_depth` nested braces
    the pairing stops (depth says how deep it got, paired is False). With a
    deadline, OverLimit once it passes (checked every _CHECK_EVERY tokens).
    `focus(code, directives)`: the keep marks to use instead of keep_marks
    (focus.py, for a large file), or None to use keep_marks after all."""
    check = deadline.check if deadline is not None else lambda: None
    code, directives, conditional_at, paired, tail = _code(data, check)
    marks = focus(code, directives) if focus is not None else None
    focused = marks is not None
    if marks is None:
        marks = keep_marks(code, directives, check)
    opens, closes, parents = array("q"), array("q"), array("q")
    stack: list[int] = []
    # Per open #if: [brace depth at the #if, seen an #else/#elif].
    conditionals: list[list] = []
    pending = iter(conditional_at)  # (offset, directive name), in order
    directive = next(pending, None)
    search, pos = _BRACE.search, 0
    depth = 0  # the deepest nesting seen
    count = 0
    while (m := search(code, pos)) is not None:
        count += 1
        if not count % _CHECK_EVERY:
            check()
        at = pos = m.start()
        while directive is not None and directive[0] < at:
            paired = _conditional(directive[1], conditionals, len(stack)) and paired
            directive = next(pending, None)
        pos += 1
        if code[at] == 0x7D:  # }
            if stack:
                closes[stack.pop()] = at
            else:
                paired = False
            continue
        parents.append(stack[-1] if stack else -1)
        opens.append(at)
        if len(stack) >= depth:
            depth = len(stack) + 1
            if depth > max_depth:
                paired = False
                break
        if _plain_block_head(code, at) and (block := _BLOCK.match(code, at)) is not None \
                and not marked(marks, at, block.end()):
            closes.append(block.end() - 1)
            pos = block.end()
        else:
            stack.append(len(closes))
            closes.append(-1)
    while directive is not None:
        paired = _conditional(directive[1], conditionals, len(stack)) and paired
        directive = next(pending, None)
    if stack or conditionals or not paired:
        return Lexed(code, array("q"), array("q"), array("q"), directives, marks, False, tail, depth, focused)
    return Lexed(code, opens, closes, parents, directives, marks, True, tail, depth, focused)


def keep_marks(code: bytes, directives: array, check: Callable[[], None] = lambda: None) -> array:
    """Sorted offsets of the keep words in code (a class word only before a
    base clause) and of every directive."""
    found = array("q", directives)
    class_words: list[int] = []
    count = 0
    for word in _KEEP_WORDS + _CLASS_WORDS:
        into = class_words if word in _CLASS_WORDS else found
        for at in whole_words(code, word):
            into.append(at)
            count += 1
            if not count % _CHECK_EVERY:
                check()
    class_words.sort()
    # A head is read up to the next class word at most: no byte twice.
    for index, at in enumerate(class_words):
        if not index % _CHECK_EVERY:
            check()
        limit = class_words[index + 1] if index + 1 < len(class_words) else len(code)
        if _has_bases(code, at, min(limit, at + 4096)):
            found.append(at)
    return array("q", sorted(found))


def _has_bases(code: bytes, keyword: int, limit: int) -> bool:
    """A head with a base clause may follow the class keyword at `keyword`:
    a `:` before its `{`, or before `limit` when the head runs on past it
    (`: Base<struct X> {` holds another class word)."""
    stop = _HEAD_STOP.search(code, keyword, limit)
    if stop is not None and stop.group() != b"{":
        return False
    return _BASE_COLON.search(code, keyword, stop.start() if stop is not None else limit) is not None


def marked(marks: array, start: int, end: int) -> bool:
    """Some keep mark lies in [start, end)."""
    index = bisect_left(marks, start)
    return index < len(marks) and marks[index] < end


def follows_function_head(code: bytes, open_at: int) -> bool:
    """The `{` follows `)` and any qualifiers: a function's, a lambda's or a
    statement's block. (`class X final {` ends in a qualifier but no `)`.)"""
    paren = code.rfind(b")", max(0, open_at - 64), open_at)
    return paren != -1 and _QUALIFIED.fullmatch(code, paren + 1, open_at) is not None


def _plain_block_head(code: bytes, open_at: int) -> bool:
    """A function's, lambda's or statement's block, or an initializer: never a scope."""
    before = open_at - 1
    while before >= 0 and code[before] in _BLANKS:
        before -= 1
    if before < 0:
        return False
    if code[before] in _PLAIN_BEFORE:  # `) {`, `= {`, `, {`, `( {`, `{ {`, `[ {`
        return True
    return code[before] in _WORD_END and follows_function_head(code, open_at)  # `) const {`


def _code(data: bytes, check: Callable[[], None]) -> tuple[bytes, array, list[tuple[int, bytes]], bool, int]:
    """The code view, the directives' offsets, the conditional directives
    ((offset, name)), whether every literal and comment closed, and where a
    comment or raw string that never closes starts (else the end)."""
    code = bytearray(data)
    directives = array("q")
    conditionals: list[tuple[int, bytes]] = []
    closed = True
    match = _TOKEN.match
    pos, size = 0, len(data)
    tail = size
    count = 0
    while pos < size:
        count += 1
        if not count % _CHECK_EVERY:
            check()
        m = match(data, pos)
        if m.end() == pos:
            break  # only at the end: every stop of the gap starts a token
        pos = m.end()
        kind = m.lastgroup
        if kind is None:  # a `/`, a digit separator
            continue
        if kind == "lone":  # a quote that opens no literal: leave it, trust no pairs
            closed = False
            continue
        start = m.start(kind)
        end = pos
        if kind == "block_comment":
            close = data.find(b"*/", pos)
            end = -1 if close == -1 else close + 2
        elif kind == "quote":
            end, ends_well = _literal_end(data, start)
            closed = closed and ends_well
        elif kind == "directive":
            directives.append(start)
            name = m.group("name")
            if name in _CONDITIONAL_OPEN or name in _CONDITIONAL_NEXT or name == b"endif":
                conditionals.append((start, name))
            # A line with no continuation and no comment ends at its newline.
            end = pos if m.group("plain") is not None else _directive_end(data, pos)
        if end < 0:  # a comment or raw string that never closes: to the end
            end, closed, tail = size, False, start
        code[start:end] = data[start:end].translate(BLANK)
        pos = end
    return bytes(code), directives, conditionals, closed, tail


def _literal_end(data: bytes, quote: int) -> tuple[int, bool]:
    """(end, closed) of the string literal opening at `quote`. A raw string
    that never closes ends nowhere (-1); a plain one ends with its line."""
    if _is_raw(data, quote):
        opening = _RAW_OPEN.match(data, quote)
        if opening is not None:
            close = data.find(b")" + opening.group(1) + b'"', opening.end())
            return (-1, False) if close == -1 else (close + len(opening.group(1)) + 2, True)
    string = _STRING.match(data, quote)
    if string is not None:
        return string.end(), True
    return _UNCLOSED_STRING.match(data, quote).end(), False


def _directive_end(data: bytes, pos: int) -> int:
    """Where the directive whose name ends at `pos` ends (before its newline);
    -1 when a block comment in it never closes."""
    while (m := _DIRECTIVE_STOP.search(data, pos)) is not None:
        stop = m.group()
        if stop == b"\n":
            return m.start()
        if stop == b"/*":
            close = data.find(b"*/", m.end())
            if close == -1:
                return -1
            pos = close + 2
        elif stop == b"//":
            line = _LINE_COMMENT.match(data, m.start())
            return line.end()
        else:  # an escaped character or newline
            pos = m.end()
    return len(data)


def _is_raw(data: bytes, quote: int) -> bool:
    """The `"` at `quote` opens a raw string: R, LR, uR, UR or u8R before it, not part of a longer name."""
    return data[quote - 1 : quote] == b"R" and _RAW_PREFIX.search(data, max(0, quote - 4), quote) is not None


def _conditional(name: bytes, conditionals: list[list], depth: int) -> bool:
    """Track `#if` groups; False when the braces can no longer be trusted."""
    if name in _CONDITIONAL_OPEN:
        conditionals.append([depth, False])
        return True
    if name not in _CONDITIONAL_NEXT and name != b"endif":
        return True
    if not conditionals:
        return False
    opened_at, alternatives = conditionals[-1]
    trusted = not ((name != b"endif" or alternatives) and opened_at != depth)
    if name == b"endif":
        conditionals.pop()
    else:
        conditionals[-1][1] = True
    return trusted

