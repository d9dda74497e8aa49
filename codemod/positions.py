"""Byte offsets <-> (line, character) in UTF-8, UTF-16 or UTF-32 code units.

The editor protocol counts characters in UTF-16 code units unless the
client negotiates otherwise, and SARIF's columns are UTF-16 units too; a
tab is one unit, a CJK character one, an emoji two (a surrogate pair). Lines
end at \\n, \\r\\n or \\r, as the protocol says. A byte that is not UTF-8
(a Latin-1 file) counts as one unit, so every offset has a position and back.
"""

from __future__ import annotations

import bisect
from itertools import accumulate

from codemod.difference import changed_span

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
ENCODINGS = (UTF8, UTF16, UTF32)


class LineIndex:
    """Line starts of one text, for many conversions."""

    def __init__(self, data: bytes):
        self.data = data
        # Line ends summed at C speed (bytes.splitlines breaks at \n, \r\n and
        # \r only, as the protocol does): the editor builds one per publish.
        self.starts = [0, *accumulate(map(len, data.splitlines(keepends=True)))]
        if not data.endswith((b"\n", b"\r")):
            self.starts.pop()  # the end of the text starts no line
        if not self.starts:
            self.starts = [0]

    def updated(self, data: bytes) -> "LineIndex":
        """The index of `data`, an edit of this index's text, counting again only
        the lines the edit touched (a 30,000-line buffer re-indexed on each
        keystroke). Equal to LineIndex(data)."""
        old, starts = self.data, self.starts
        start, old_end, new_end = changed_span(old, data)
        # From the start of the line holding the byte before the edit (a \r there
        # and a \n typed after it make one line break) to a line start at least
        # two bytes past it (so is a \r at its end followed by a \n).
        first = max(bisect.bisect_right(starts, start - 1) - 1, 0)
        last = bisect.bisect_right(starts, old_end + 1)
        if len(old) < 2 or last >= len(starts):
            return LineIndex(data)  # the edit reaches the last line: its end-of-text rule too
        delta = new_end - old_end
        resume = starts[last] + delta  # a line start in `data` as in `old`: the break before it is unchanged
        index = LineIndex.__new__(LineIndex)
        index.data = data
        index.starts = starts[:first] + [starts[first] + n for n in accumulate(
            map(len, data[starts[first]:resume].splitlines(keepends=True)), initial=0)][:-1] + [
            s + delta for s in starts[last:]]
        return index

    def line_of(self, offset: int) -> int:
        """0-based line holding `offset`."""
        return bisect.bisect_right(self.starts, max(0, min(offset, len(self.data)))) - 1

    def position(self, offset: int, encoding: str = UTF16) -> tuple[int, int]:
        """(0-based line, character in `encoding` code units)."""
        offset = max(0, min(offset, len(self.data)))
        line = self.line_of(offset)
        return line, units(self.data[self.starts[line]:offset], encoding)

    def offset(self, line: int, character: int, encoding: str = UTF16) -> int:
        """The byte offset of a position; past the end of its line (or of the
        text) it is clamped, as the protocol asks."""
        if line >= len(self.starts):
            return len(self.data)
        start = self.starts[max(line, 0)]
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.data)
        text = self.data[start:end]
        body = len(text) - len(_trailing_break(text))
        if encoding == UTF8:
            return start + min(max(character, 0), body)
        count = taken = 0
        for char in text[:body].decode("utf-8", "surrogateescape"):
            if count >= character:
                break
            count += _width(char, encoding)
            taken += len(char.encode("utf-8", "surrogateescape"))
        return start + taken


def units(chunk: bytes, encoding: str = UTF16) -> int:
    """Length of `chunk` in code units of `encoding`."""
    if encoding == UTF8:
        return len(chunk)
    text = chunk.decode("utf-8", "surrogateescape")
    if encoding == UTF32:
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _width(char: str, encoding: str) -> int:
    return 2 if encoding == UTF16 and ord(char) > 0xFFFF else 1


def _trailing_break(text: bytes) -> bytes:
    if text.endswith(b"\r\n"):
        return b"\r\n"
    if text.endswith((b"\n", b"\r")):
        return text[-1:]
    return b""
