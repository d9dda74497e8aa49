"""Parse C++ bytes with tree-sitter, chunk by chunk, recovering what it cannot read.

Before parsing, two spellings tree-sitter-cpp cannot read are overwritten
with spaces of the same length (byte offsets stay exact, so edits planned on
the trees apply to the original bytes):
- export macros in a class head (`class DLL_EXPORT Name : public Base {`
  makes the whole class an ERROR node), found by heads.py from code only;
- a member line that is one semicolon-less macro invocation
  (`SOME_METHODS_DECLARATION`, `DECLARE_METHODS(Foo)`), which tree-sitter
  reads as the start of the next member (or, last in a body, as an
  unfinished one): the class then parses, and an override is placed among
  its ordinary members, never after such a line.
The head macros are returned so the finder can report that it recovered them.

The file is then read in chunks (regions.py). A chunk whose tree has an
error, or in which a left-out body turns out not to be a block of
statements, is parsed again with its bodies in. A class head that the trees
do not yield as a class (a parse error elsewhere in its chunk can swallow a
well-formed class) is parsed again on its own: the class's statement, the
heads of the namespaces and classes around it and their closing braces, as
included ranges, so offsets, lines and scope stay exact (`reparse_class`).
"""

from __future__ import annotations

import re
from bisect import bisect_right, insort
from dataclasses import dataclass
from functools import partial

from tree_sitter import Node, Range, Tree

from codemod.cpp import regions
from codemod.cpp.focus import FOCUS_OVER, focused_marks
from codemod.cpp.heads import Head, class_heads, export_macros, keywords, objectwrap_heads
from codemod.cpp.lexer import BLANK, Lexed, lex
from codemod.cpp.limits import MAX_DEPTH, PARSE_LIMIT, Deadline, OverLimit
from codemod.queries import cpp_parser

# A member line that is one macro invocation: an all-caps name, perhaps with
# arguments, alone on its line and without a semicolon.
_MEMBER_MACRO = re.compile(
    rb"^[ \t]*(?P<macro>[A-Z_][A-Z0-9_]+(?:[ \t]*\([^()\n;{}]*(?:\([^()\n;{}]*\)[^()\n;{}]*)*\))?)[ \t]*\r?$", re.M
)
# What may follow such a line when it is not a macro but the head of a
# member continued on the next line (`Foo(int x)` / `: x_(x) {}`).
_CONTINUATION = re.compile(
    rb"\s*(?:[{:;,=)&]|->|(?:const|noexcept|override|final|throw|requires|try|volatile|mutable)\b)"
)
_LOOK_BACK = 4096


@dataclass(frozen=True)
class Prepared:
    data: bytes
    source: bytes  # what tree-sitter reads: `data` with head and member macros blanked
    lexed: Lexed
    heads: tuple[Head, ...]  # class heads with a base clause and a body, from code
    bodies: frozenset[int]  # where their bodies open
    objectwrap_heads: tuple[tuple[int, int], ...]  # (keyword, `{`) of heads naming ObjectWrap, read loosely
    chunks: tuple[regions.Chunk, ...]
    recovered_macros: tuple[tuple[int, str], ...]  # (byte offset, macro spelling)
    member_macros: tuple[tuple[int, int], ...]  # member macro lines left out of the parse


def prepare(data: bytes, deadline: Deadline) -> Prepared:
    """Everything read before parsing; OverLimit for a file too deep, too
    large to parse or too slow (limits.py)."""
    focus = partial(focused_marks, data=data, deadline=deadline) if len(data) > FOCUS_OVER else None
    lexed = lex(data, MAX_DEPTH, deadline, focus)
    if lexed.depth > MAX_DEPTH:
        raise OverLimit(f"braces nest more than {MAX_DEPTH} deep, over the parse limit; check it by hand")
    chunks = tuple(regions.chunks(lexed, PARSE_LIMIT, deadline))
    # Focused, only the heads the chunks read are looked for.
    read = regions.merge(sorted(r for chunk in chunks for r in chunk.ranges)) if lexed.focused else None
    starts = keywords(lexed.code, deadline, read)
    heads = tuple(class_heads(lexed.code, starts, deadline))
    blank: list[tuple[int, int]] = []
    recovered: list[tuple[int, str]] = []
    for head in heads:
        macros = export_macros(head, lexed.code)
        if macros:
            blank.extend(macros)
            spelled = " ".join(b" ".join(data[s:e].split()).decode("utf-8", "replace") for s, e in macros)
            recovered.append((macros[0][0], spelled))
    bodies = frozenset(head.body for head in heads)
    members = _member_macros(lexed, bodies, deadline)
    blank.extend(members)
    blank.append((lexed.open_tail, len(data)))
    return Prepared(
        data=data,
        source=_blanked(data, blank),
        lexed=lexed,
        heads=heads,
        bodies=bodies,
        objectwrap_heads=tuple(objectwrap_heads(lexed.code, starts, deadline)),
        chunks=chunks,
        recovered_macros=tuple(recovered),
        member_macros=tuple(members),
    )


def _member_macros(lexed: Lexed, bodies: frozenset[int], deadline: Deadline) -> list[tuple[int, int]]:
    """Semicolon-less macro lines directly in the body of a class with bases."""
    code = lexed.code
    found = []
    covered = -1
    for body in sorted(bodies):
        deadline.check()
        pair = lexed.after(body)
        close = lexed.closes[pair] if pair < len(lexed.opens) and lexed.opens[pair] == body else -1
        if close <= covered:
            continue  # a nested class: its lines were seen with its outer one's
        covered = close
        previous = body  # where the last candidate line ended: no byte is looked back at twice
        for m in _MEMBER_MACRO.finditer(code, body, close):
            start, end = m.span("macro")
            pair = lexed.enclosing(start)
            before = code[max(start - _LOOK_BACK, previous) : start].rstrip()
            after_macro = not before and bool(found) and found[-1][1] == previous  # macro line after macro line
            previous = end
            if pair < 0 or lexed.opens[pair] not in bodies:
                continue
            if (before[-1:] not in (b";", b"{", b"}", b":") and not after_macro) or _CONTINUATION.match(code, end):
                continue
            found.append((start, end))
    return found


def _blanked(data: bytes, spans: list[tuple[int, int]]) -> bytes:
    """`data` with `spans` overwritten by blanks (newlines kept)."""
    spans = [(start, end) for start, end in spans if end > start]
    if not spans:
        return data
    out = bytearray(data)
    for start, end in spans:
        out[start:end] = data[start:end].translate(BLANK)
    return bytes(out)


class Points:
    """(row, byte column) of offsets, as tree-sitter's ranges need them;
    counted from the nearest offset already asked for (chunks ask in order)."""

    def __init__(self, source: bytes):
        self._source = source
        self._offsets = [0]
        self._known: dict[int, tuple[int, int]] = {0: (0, 0)}  # offset -> (row, line start)

    def __call__(self, offset: int) -> tuple[int, int]:
        if offset not in self._known:
            base = self._offsets[bisect_right(self._offsets, offset) - 1]
            row, line_start = self._known[base]
            row += self._source.count(b"\n", base, offset)
            newline = self._source.rfind(b"\n", base, offset)
            self._known[offset] = (row, line_start if newline == -1 else newline + 1)
            if offset > self._offsets[-1]:
                self._offsets.append(offset)
            else:
                insort(self._offsets, offset)
        row, line_start = self._known[offset]
        return row, offset - line_start


class Budget:
    """What tree-sitter may still spend on one file: bytes read (limits.REPAIR_LIMIT) and time."""

    def __init__(self, read: int, deadline: Deadline):
        self.read = read
        self.deadline = deadline

    def allows(self, size: int) -> bool:
        return size <= self.read


_SLICE = 4096  # bytes handed to tree-sitter per read callback
# py-tree-sitter (0.26.1) never releases the bytes a read callback returns:
# each parse through one kept what it read, and the editor server grew by
# 80 MB over 1,000 edits of a 100 KB header. A read up to this size is parsed
# from the bytes themselves (tree-sitter parses 1 MB in well under a second,
# and the deadline is checked when it returns); only a larger one, rare and
# the one that needs stopping mid-way, goes through the callback.
_CALLBACK_OVER = 1 << 20


def parse_ranges(prepared: Prepared, ranges: list[tuple[int, int]], points: Points, budget: Budget) -> Tree:
    """The tree of `ranges` of the source. Past the deadline the read
    callback ends the text, tree-sitter stops, and OverLimit says so."""
    source, deadline = prepared.source, budget.deadline
    parser = cpp_parser()
    parser.included_ranges = [Range(points(s), points(e), s, e) for s, e in ranges]

    def read(offset: int, _point) -> bytes:
        return b"" if deadline.passed() else source[offset : offset + _SLICE]

    size = sum(end - start for start, end in ranges)
    budget.read -= size
    deadline.check()
    tree = parser.parse(source) if size <= _CALLBACK_OVER else parser.parse(read)
    deadline.check()
    return tree


def parse_chunk(prepared: Prepared, chunk: regions.Chunk, points: Points, budget: Budget) -> Tree:
    """The chunk's tree: bodies left out when that parses cleanly, else with
    them in (if the budget allows)."""
    tree = parse_ranges(prepared, chunk.included(), points, budget)
    if (
        chunk.skips
        and budget.allows(chunk.read(with_bodies=True))
        and (tree.root_node.has_error or not all(_is_block(tree.root_node, s, e) for s, e in chunk.skips))
    ):
        tree = parse_ranges(prepared, chunk.included(with_bodies=True), points, budget)
    return tree


def _is_block(root: Node, start: int, end: int) -> bool:
    """The braces around a left-out inside are those of a block of statements
    (a function's, a lambda's, an if's...), not a class body or a list."""
    brace = root.descendant_for_byte_range(start - 1, start)
    block = brace.parent if brace is not None else None
    return (
        block is not None
        and block.type == "compound_statement"
        and block.start_byte == start - 1
        and block.end_byte == end + 1
    )


def reparse_class(prepared: Prepared, head: Head, points: Points, budget: Budget) -> tuple[Tree, tuple[int, int]] | None:
    """The class at `head` parsed on its own (with the heads and closing braces
    of the scopes around it) and its span; None when no such parse is clean
    (within the budget), or the class sits inside something other than
    namespaces and classes (a function body)."""
    lexed, code = prepared.lexed, prepared.lexed.code
    if not lexed.paired:
        return None
    body = lexed.after(head.body)
    if body >= len(lexed.opens) or lexed.opens[body] != head.body:
        return None
    context = _scopes_around(prepared, lexed.parents[body])
    if context is None:
        return None
    heads, closers = context
    end = _through_semicolon(code, lexed.closes[body] + 1)
    floor = lexed.opens[lexed.parents[body]] + 1 if lexed.parents[body] >= 0 else 0
    for start in _starts(code, head.keyword, floor):
        ranges = regions.merge(heads + [(start, end)] + closers)
        if not budget.allows(sum(e - s for s, e in ranges)):
            return None
        tree = parse_ranges(prepared, ranges, points, budget)
        if not tree.root_node.has_error:
            return tree, (start, end)
    return None


def _scopes_around(prepared: Prepared, pair: int):
    """([heads], [closers]) of the namespaces and classes enclosing a pair, outermost first; None
    when one of them is neither."""
    lexed, code = prepared.lexed, prepared.lexed.code
    heads: list[tuple[int, int]] = []
    closers: list[tuple[int, int]] = []
    while pair >= 0:
        brace, close = lexed.opens[pair], lexed.closes[pair]
        parent = lexed.parents[pair]
        start = regions.statement_start(code, lexed.opens[parent] + 1 if parent >= 0 else 0, brace)
        scope_head = regions.scope_head_start(code, start, brace)
        if scope_head is not None:
            start = scope_head
            closers.append((close, close + 1))
        elif brace in prepared.bodies or _is_class_body(code, start, brace):
            closers.append((close, _through_semicolon(code, close + 1)))
        else:
            return None
        heads.insert(0, (start, brace + 1))
        pair = parent
    return heads, closers


_CLASS_KEYWORD = re.compile(rb"(?<![\w])(?:class|struct|union)(?![\w])")


def _is_class_body(code: bytes, start: int, brace: int) -> bool:
    return _CLASS_KEYWORD.search(code, start, brace) is not None


_SEMICOLON = re.compile(rb"\s*;")


def _through_semicolon(code: bytes, end: int) -> int:
    m = _SEMICOLON.match(code, end)
    return m.end() if m else end


_TEMPLATE = re.compile(rb"template\s*$")


def _starts(code: bytes, keyword: int, floor: int) -> list[int]:
    """Where the class's statement may start: after the previous `;{}`, at
    its `template <...>` prefix, at its keyword."""
    starts = [regions.statement_start(code, floor, keyword)]
    template = _template_start(code, keyword, max(floor, keyword - _LOOK_BACK))
    if template is not None:
        starts.append(template)
    starts.append(keyword)
    return sorted(set(starts))


def _template_start(code: bytes, keyword: int, floor: int) -> int | None:
    """Start of the `template <...>` right before `keyword`, if any."""
    pos = len(code[floor:keyword].rstrip()) + floor
    if code[pos - 1 : pos] != b">":
        return None
    depth = 0
    for at in range(pos - 1, floor - 1, -1):
        char = code[at]
        if char == 0x3E:  # >
            depth += 1
        elif char == 0x3C:  # <
            depth -= 1
            if depth == 0:
                m = _TEMPLATE.search(code, floor, at)
                return m.start() if m else None
        elif char in b";{}":
            return None
    return None
