"""Positions in bytes: line numbers, line starts, indentation.

Shared by the C++ planner, the JSON editor and the presenters, so a "line"
means the same thing everywhere (split at \n; a CR stays in its line).
"""

from __future__ import annotations


def line_of(data: bytes, offset: int) -> int:
    """1-based line number of `offset`."""
    return data.count(b"\n", 0, offset) + 1


def line_start(data: bytes, offset: int) -> int:
    return data.rfind(b"\n", 0, offset) + 1


def starts_line(data: bytes, offset: int) -> bool:
    """Only blanks precede `offset` on its line."""
    return data[line_start(data, offset) : offset].strip(b" \t") == b""


def line_indent(data: bytes, offset: int) -> bytes:
    """The leading blanks of the line holding `offset`."""
    line = data[line_start(data, offset) : offset]
    return line[: len(line) - len(line.lstrip(b" \t"))]
