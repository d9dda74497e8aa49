"""Function bodies a parse can leave out, and the words that keep text in.

Most bytes of a C++ file are function bodies, and nothing the finder looks
for lives inside a plain one: classes, aliases, usings, includes and macros
sit at namespace or class scope. Parsing a candidate file with such bodies
excluded (tree-sitter's included ranges keep every byte offset) costs a
fraction of a full parse.

A body's inside is left out only when that is plainly safe:
- its `{` follows a `)`, perhaps with qualifiers (`const`, `noexcept`, ...);
- its code holds no keep mark (lexer.keep_marks: a local class with bases,
  an alias, a directive, ObjectWrap: anything a report could quote stays
  in the parse);
- the braces of the whole file pair up (lexer.Lexed.paired).
parse.py checks the result as well: on any parse error, or a left-out
inside whose braces did not become a block of statements, the part of the
file is parsed again with every body in.
"""

from __future__ import annotations

from bisect import bisect_left

from codemod.cpp.lexer import Lexed, follows_function_head, marked

MIN_SKIP = 64  # insides shorter than this are not worth a range of their own


def skippable_bodies(lexed: Lexed, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Byte ranges in [start, end) (the insides of function bodies, braces
    excluded) that a parse may leave out, in order; none when the braces do
    not pair up. A body left out is jumped over whole: the pairs inside it
    are never visited."""
    opens, closes, code = lexed.opens, lexed.closes, lexed.code
    out: list[tuple[int, int]] = []
    index = bisect_left(opens, start)
    last = len(opens) if end is None else bisect_left(opens, end)
    while index < last:
        open_at, close_at = opens[index], closes[index]
        if (
            close_at - open_at - 1 >= MIN_SKIP
            and follows_function_head(code, open_at)
            and not marked(lexed.marks, open_at + 1, close_at)
        ):
            out.append((open_at + 1, close_at))
            index = bisect_left(opens, close_at, index + 1)
        else:
            index += 1
    return out
