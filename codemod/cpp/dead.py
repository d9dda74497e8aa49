"""Code the compiler never sees: the branches of `#if 0` / `#if false`.

A class in such a branch is no class of the build: it gets no edit and no
finding. Only literal conditions count (`0`, `false`, `1`, `true`, perhaps
in parentheses or followed by a comment). `#ifdef SOME_MACRO` is not dead
even when nothing defines the macro: the build may (`-DSOME_MACRO`).
"""

from __future__ import annotations

import re
from bisect import bisect_right

_DIRECTIVE = re.compile(rb"#[ \t]*(\w*)([^\n]*)")
_COMMENT = re.compile(rb"/\*.*?\*/|//.*", re.S)
_FALSE = frozenset((b"0", b"false"))
_TRUE = frozenset((b"1", b"true"))


def _condition(rest: bytes) -> bool | None:
    """True/False for a literal condition, None for anything else."""
    text = _COMMENT.sub(b" ", rest).strip()
    while text.startswith(b"(") and text.endswith(b")"):
        text = text[1:-1].strip()
    return False if text in _FALSE else True if text in _TRUE else None


def dead_spans(data: bytes, directives) -> tuple[tuple[int, int], ...]:
    """Sorted, disjoint (start, end) byte spans of branches that are never compiled."""
    spans: list[tuple[int, int]] = []
    # Per open conditional: [dead-from offset or -1, a branch before was surely taken]
    stack: list[list] = []
    for at in directives:
        m = _DIRECTIVE.match(data, at)
        if m is None:
            continue
        name, rest = m.group(1), m.group(2)
        if name in (b"if", b"ifdef", b"ifndef"):
            value = _condition(rest) if name == b"if" else None
            stack.append([m.end() if value is False else -1, value is True])
        elif name in (b"elif", b"elifdef", b"elifndef", b"else", b"endif") and stack:
            group = stack[-1]
            if group[0] >= 0:
                spans.append((group[0], at))
                group[0] = -1
            if name == b"endif":
                stack.pop()
                continue
            value = _condition(rest) if name == b"elif" else True if name == b"else" else None
            if group[1] or value is False:
                group[0] = m.end()
            group[1] = group[1] or value is True
    for group in stack:  # unterminated: dead to the end
        if group[0] >= 0:
            spans.append((group[0], len(data)))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def is_dead(spans: tuple[tuple[int, int], ...], offset: int) -> bool:
    at = bisect_right(spans, (offset, float("inf"))) - 1
    return at >= 0 and offset < spans[at][1]
