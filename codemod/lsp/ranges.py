"""Byte offsets <-> LSP positions, as the editor sees the text.

codemod/textpos.py counts lines and code units; this adds what an editor does to a
file it loads: it hides a UTF-8 byte order mark (VS Code and Neovim both
drop it from the text they edit), so a file read from disk is indexed
without it and its byte offsets are shifted to match. An open buffer's
bytes are the editor's own text and are indexed as they are.

Positions and ranges are built as the protocol's JSON (dicts), not as
lsprotocol objects: the first diagnostics go out before lsprotocol is
imported (start.py), and a dict costs nothing to serialize.
"""

from __future__ import annotations

from typing import Any, Callable

from codemod.sources.base import Sources, Unreadable
from codemod.textpos import LineIndex, bom_length

Position = dict[str, int]  # {"line", "character"}, as the protocol's JSON
Range = dict[str, Position]  # {"start", "end"}


def _hidden(data: bytes, from_disk: bool) -> int:
    """Bytes the editor hides at the start of `data`: a file's BOM."""
    return bom_length(data) if from_disk else 0


class TextIndex:
    def __init__(self, data: bytes, from_disk: bool = True, lines: LineIndex | None = None):
        self.skip = _hidden(data, from_disk)
        self.lines = lines or LineIndex(data[self.skip:])

    def updated(self, data: bytes, from_disk: bool) -> TextIndex:
        """The index of `data`, an edit of this index's text (LineIndex.updated)."""
        skip = _hidden(data, from_disk)
        if skip != self.skip:
            return TextIndex(data, from_disk)
        return TextIndex(data, from_disk, self.lines.updated(data[skip:]))

    def position(self, offset: int, encoding: str) -> Position:
        line, character = self.lines.position(max(offset - self.skip, 0), encoding)
        return {"line": line, "character": character}

    def range(self, start: int, end: int, encoding: str) -> Range:
        return {"start": self.position(start, encoding), "end": self.position(end, encoding)}

    def rows(self, start: int, end: int) -> tuple[int, int]:
        """The 0-based lines `range(start, end)` starts and ends on, without
        counting columns (which of thousands of findings meet a range)."""
        return self.lines.line_of(max(start - self.skip, 0)), self.lines.line_of(max(end - self.skip, 0))

    def line_range(self, line: int, encoding: str) -> Range:
        """The whole of 1-based `line`, without its line break."""
        start, end = self.lines.line_span(line - 1)
        return self.range(start + self.skip, end + self.skip, encoding)

    def offset(self, position: Any, encoding: str) -> int:
        """`position`: an lsprotocol Position, as a change from the client arrives."""
        return self.lines.offset(position.line, position.character, encoding) + self.skip


class Indexes:
    """The TextIndex of each file as the engine reads it (an open buffer, or
    the disk), rebuilt only when its bytes change: a 30,000-line lockfile
    is indexed once, not on every publish."""

    def __init__(self, sources: Sources, is_open: Callable[[str], bool]):
        self.sources = sources
        self.is_open = is_open
        self._held: dict[str, tuple[bytes, bool, TextIndex]] = {}

    def of(self, path: str, data: bytes | None = None) -> TextIndex:
        """`path`'s index; `data`: the bytes a plan was made on, when known."""
        if data is None:
            try:
                data = self.sources.read(path)
            except Unreadable:
                data = b""
        from_disk = not self.is_open(path)
        held = self._held.get(path)
        if held is not None and held[1] == from_disk and (held[0] is data or held[0] == data):
            return held[2]
        if held is not None and held[1] == from_disk:
            index = held[2].updated(data, from_disk)  # an edit re-counts only the lines it touched
        else:
            index = TextIndex(data, from_disk)
        self._held[path] = (data, from_disk, index)
        return index
