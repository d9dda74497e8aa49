"""Which bytes of a C++ file tree-sitter reads, in chunks of bounded size.

tree-sitter's cost grows with the bytes it reads (about 4 MB/s and 45 MB of
tree per MB of C++, measured), and with included ranges it searches the
range list from the start at every reset, so one parse with tens of
thousands of ranges is quadratic. A file is therefore cut, at namespace
scope, into chunks of at most CHUNK_BYTES read and MAX_RANGES ranges, each
parsed on its own: time stays linear and memory stays that of one chunk.

Within a chunk, tree-sitter does not read what the finder never looks at:
- a declaration at namespace scope that holds no keep mark
  (lexer.keep_marks: most function definitions, variables, initializer
  tables, classes without bases): left out whole;
- the inside of a plain function body (bodies.skippable_bodies).
A chunk that starts inside namespaces also reads their heads
(`namespace a {`), and one that ends inside them their closing braces, so
every class keeps its scope. The declarations themselves are found from the
lexer's brace pairs: a `;` or a function body's `}` at namespace scope ends
one, a `namespace`/`extern "C"` brace opens a scope.

Without trustworthy brace pairs there is no such outline: the file is one
chunk, read whole.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Iterator

from codemod.cpp.bodies import skippable_bodies
from codemod.cpp.lexer import Lexed, follows_function_head, marked
from codemod.cpp.limits import Deadline, OverLimit

CHUNK_BYTES = 1 << 20  # bytes read per parse: ~45 MB of tree
MAX_RANGES = 512  # included ranges per parse
# How far before a keep mark (or a `{`) its declaration may start, comments
# not counted: no declaration's code runs this long before its body, and
# garbage before a class (a run of unfinished heads, on which tree-sitter's
# error recovery is quadratic: 64 KB took 1 s) is not read with it.
MAX_STATEMENT = 4096

_SCOPE_HEAD = re.compile(rb"(?<![\w])(?:(?:inline\s+)?namespace(?![\w])[\w\s:]*|extern\s*)$")
_NEXT_CODE = re.compile(rb"\s*")


@dataclass(frozen=True)
class Chunk:
    context: tuple[tuple[int, int], ...]  # heads of the namespaces open where the chunk starts
    ranges: tuple[tuple[int, int], ...]  # what the chunk reads of its own part of the file
    skips: tuple[tuple[int, int], ...]  # function bodies left out of `ranges`
    closers: tuple[tuple[int, int], ...]  # closing braces of the namespaces open where it ends

    def included(self, with_bodies: bool = False) -> list[tuple[int, int]]:
        own = _fill(self.ranges, self.skips) if with_bodies else list(self.ranges)
        return merge(list(self.context) + own + list(self.closers))

    def read(self, with_bodies: bool = False) -> int:
        return sum(end - start for start, end in self.included(with_bodies))


def chunks(lexed: Lexed, read_limit: int, deadline: Deadline) -> list[Chunk]:
    """The chunks to parse; OverLimit when they would read more than `read_limit` bytes."""
    size = len(lexed.code)
    total = 0

    def over(cost: int) -> None:
        nonlocal total
        total += cost
        if total > read_limit:
            raise OverLimit(f"{_size(size)}, more than {_size(read_limit)} of it to parse, over the parse limit; "
                            "check it by hand")

    if not lexed.paired:
        over(size)
        return [Chunk((), ((0, size),), (), ())] if size else []
    out: list[Chunk] = []
    stack: list[tuple[int, int, int]] = []  # open namespaces: (head start, `{`, `}`)
    context: tuple[tuple[int, int], ...] = ()
    ranges: list[tuple[int, int]] = []
    chunk_skips: list[tuple[int, int]] = []
    read = 0

    def flush() -> None:
        nonlocal ranges, chunk_skips, read, context
        if ranges:
            closers = tuple((close, close + 1) for _, _, close in reversed(stack))
            out.append(Chunk(context, tuple(merge(ranges)), tuple(chunk_skips), closers))
        ranges, chunk_skips, read = [], [], 0
        context = tuple((head, brace + 1) for head, brace, _ in stack)

    for start, end, kind, pair in _pieces(lexed):
        deadline.check()
        inner = skippable_bodies(lexed, start, end) if kind == _ITEM else []
        if len(inner) > MAX_RANGES:  # one declaration with more bodies than a parse can take: keep the largest
            inner = sorted(sorted(inner, key=lambda r: r[0] - r[1])[:MAX_RANGES])
        cost = end - start - sum(e - s for s, e in inner)
        over(cost)
        if ranges and (read + cost > CHUNK_BYTES or len(ranges) + len(inner) + 1 > MAX_RANGES):
            flush()
        if kind == _OPEN:
            stack.append((start, end - 1, lexed.closes[pair]))
        elif kind == _CLOSE:
            stack.pop()
        ranges.extend(_holes((start, end), inner))
        chunk_skips.extend(inner)
        read += cost
    flush()
    return out


def _size(count: int) -> str:
    return f"{count / 2**20:.0f} MB" if count >= 1 << 20 else f"{count / 2**10:.0f} KB"


_OPEN, _CLOSE, _ITEM = "open", "close", "item"


def _pieces(lexed: Lexed) -> Iterator[tuple[int, int, str, int]]:
    """What a parse reads at namespace scope, in order: namespace heads
    (through `{`), namespace closing braces, and the declarations that hold a
    keep mark; the bytes between them hold none and are left out.

    The walk goes from keep mark to keep mark (every namespace and extern
    head holds one), so its cost follows the marks, not the declarations."""
    code, opens, closes, parents, marks = lexed.code, lexed.opens, lexed.closes, lexed.parents, lexed.marks
    cursor = 0
    stack: list[int] = []  # pair indices of the open namespaces
    while True:
        scope = stack[-1] if stack else -1
        scope_end = closes[scope] if stack else len(code)
        at = bisect_left(marks, cursor)
        mark = marks[at] if at < len(marks) else len(code)
        if mark >= scope_end:
            if not stack:
                return
            yield scope_end, scope_end + 1, _CLOSE, scope
            cursor = scope_end + 1
            stack.pop()
            continue
        holder = _holder(lexed, mark, scope)
        if holder is None:  # in the text between this scope's brace pairs
            following = bisect_right(opens, mark)
            limit = min(opens[following] if following < len(opens) else len(code), scope_end)
            semicolon = code.find(b";", mark, limit)
            if semicolon != -1:  # a declaration without braces
                yield statement_start(code, cursor, mark), semicolon + 1, _ITEM, -1
                cursor = semicolon + 1
                continue
            if following >= len(opens) or opens[following] >= scope_end:  # runs to the scope's end unfinished
                yield statement_start(code, cursor, mark), scope_end, _ITEM, -1
                cursor = scope_end
                continue
            holder = following  # the mark is in this pair's head
        brace = opens[holder]
        head = statement_start(code, cursor, brace)
        scope_head = scope_head_start(code, head, brace)
        if scope_head is not None:
            if marked(marks, head, scope_head):  # a directive before `namespace`; a macro line alone is left out
                yield head, scope_head, _ITEM, -1
            yield scope_head, brace + 1, _OPEN, holder
            cursor = brace + 1
            stack.append(holder)
            continue
        end = _item_end(lexed, holder, scope_end)
        yield head, end, _ITEM, -1
        cursor = end


def _holder(lexed: Lexed, mark: int, scope: int) -> int | None:
    """The pair directly in `scope` whose braces hold `mark`, if any."""
    pair = bisect_right(lexed.opens, mark) - 1
    while pair >= 0 and pair != scope and lexed.parents[pair] != scope:
        pair = lexed.parents[pair]
    if pair < 0 or pair == scope or lexed.closes[pair] < mark:
        return None
    return pair


def _item_end(lexed: Lexed, pair: int, scope_end: int) -> int:
    """Where the declaration around a pair at namespace scope ends: after a
    function body's `}` (and a `;` right after it), else through the next `;`
    (`struct S {...} a, b;`, `int t[] = {...};`) before the next brace."""
    code, opens = lexed.code, lexed.opens
    end = lexed.closes[pair] + 1
    following = bisect_right(opens, end - 1, pair + 1)
    limit = min(opens[following] if following < len(opens) else len(code), scope_end)
    if follows_function_head(code, opens[pair]):
        after = _NEXT_CODE.match(code, end, limit).end()
        return after + 1 if code[after : after + 1] == b";" else end
    semicolon = code.find(b";", end, limit)
    return semicolon + 1 if semicolon != -1 else end


def scope_head_start(code: bytes, head: int, brace: int) -> int | None:
    """Where `namespace [name]` or `extern "C"` starts when the `{` at `brace`
    opens such a scope (`head`: its statement's start); None otherwise."""
    m = _SCOPE_HEAD.search(code, head, brace)
    return m.start() if m else None


def statement_start(code: bytes, floor: int, at: int) -> int:
    """Where the declaration holding `at` starts: just after the last `;`,
    `{` or `}` before it (not before `floor`). Found within about
    MAX_STATEMENT bytes of code: past that, it starts at the first code there
    (comments are blank in the code and not counted: a long comment block
    above a class never cuts it)."""
    window = _code_back(code, floor, at)
    start = max(code.rfind(b";", window, at), code.rfind(b"{", window, at), code.rfind(b"}", window, at)) + 1
    if start:
        return start
    return floor if window == floor else _NEXT_CODE.match(code, window, at).end()


def _code_back(code: bytes, floor: int, at: int) -> int:
    """Start of the last MAX_STATEMENT-byte block before `at` that holds any
    code (blank blocks between count for nothing), not before `floor`."""
    start = at
    while start > floor:
        block = max(floor, start - MAX_STATEMENT)
        if code[block:start].strip():
            return block
        start = block
    return floor


def _holes(span: tuple[int, int], inner: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`span` minus the ranges in `inner` (sorted, inside it)."""
    out, cursor = [], span[0]
    for start, end in inner:
        out.append((cursor, start))
        cursor = end
    out.append((cursor, span[1]))
    return [(s, e) for s, e in out if e > s]


def _fill(ranges: tuple[tuple[int, int], ...], skips: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    return sorted(list(ranges) + list(skips))


def merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Touching ranges as one (tree-sitter reads them the same, with fewer ranges)."""
    out: list[tuple[int, int]] = []
    for start, end in ranges:
        if out and out[-1][1] == start:
            out[-1] = (out[-1][0], end)
        elif end > start:
            out.append((start, end))
    return out
