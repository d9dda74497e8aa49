"""Positions in bytes: line numbers, line starts, indentation, whole words.

Shared by the C++ planner, the JSON editor and the presenters, so a "line"
means the same thing everywhere (split at \n; a CR stays in its line).
"""

from __future__ import annotations

from typing import Iterator


def line_of(data: bytes, offset: int) -> int:
    """1-based line number of `offset`."""
    return data.count(b"\n", 0, offset) + 1


def lines_of(data: bytes, offsets) -> dict[int, int]:
    """line_of for many offsets in one sweep: linear where a call per offset
    would rescan the text before each (thousands of lock entries)."""
    lines, at, line = {}, 0, 1
    for offset in sorted(set(offsets)):
        line += data.count(b"\n", at, offset)
        lines[offset], at = line, offset
    return lines


def line_start(data: bytes, offset: int) -> int:
    return data.rfind(b"\n", 0, offset) + 1


def starts_line(data: bytes, offset: int) -> bool:
    """Only blanks precede `offset` on its line."""
    return data[line_start(data, offset) : offset].strip(b" \t") == b""


def line_indent(data: bytes, offset: int) -> bytes:
    """The leading blanks of the line holding `offset`."""
    line = data[line_start(data, offset) : offset]
    return line[: len(line) - len(line.lstrip(b" \t"))]


WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def whole_words(data: bytes, word: bytes, start: int = 0, end: int | None = None) -> Iterator[int]:
    """Offsets of `word` in data[start:end] with no letter, digit or `_` on
    either side. bytes.find runs at memchr speed; a regex with \\b does not."""
    end = len(data) if end is None else end
    at = data.find(word, start, end)
    while at != -1:
        after = at + len(word)
        if (at == 0 or data[at - 1] not in WORD_BYTES) and (after >= len(data) or data[after] not in WORD_BYTES):
            yield at
        at = data.find(word, after, end)
