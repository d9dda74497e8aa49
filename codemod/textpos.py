"""The one text model: byte offsets <-> lines and columns, in every encoding.

A line ends at \\n, \\r\\n or a lone \\r, as the editor protocol (LSP) says
and as editors show a file; every line number napi-fix prints comes from
here. The CLI's, JSON's and SARIF's lines are 1-based (`line_of`), the
editor's 0-based (`LineIndex`), and both count the same breaks, so a finding
lands on one line whichever front-end shows it. C/C++ compilers (and
tree-sitter's rows) and `git diff` break lines at \\n only: in a file with a
lone \\r (classic Mac OS endings) our line 3 can be their line 2. We follow
the editor because the editor is where a person acts on a line; tree-sitter's
rows are converted here (`line_column`) rather than trusted. Three places
keep \\n-only lines on purpose, as their consumers count: a unified diff's
hunk headers (present/diff.py, for `patch` and `git apply`), the rows
tree-sitter is handed (cpp/parse.py) and preprocessor line continuations
(cpp/focus.py). None of them is a finding's line.

Columns: the CLI's are 1-based bytes from the line start; the editor's count
code units of the negotiated encoding (UTF-16 unless the client says
otherwise), as do SARIF's (`columnKind: utf16CodeUnits`). A tab is one unit,
a CJK character one, an emoji two in UTF-16. A byte that is not UTF-8 (a
Latin-1 file) counts as one unit, so every offset has a position and back.

The UTF-8 byte order mark is spelled here only: offsets count it (it is a
file's bytes) and so do lines; an editor hides it (lsp/ranges.py).
"""

from __future__ import annotations

import bisect
from itertools import accumulate
from typing import Any, Callable, Iterator

from codemod.difference import changed_span

BOM = b"\xef\xbb\xbf"
UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
ENCODINGS = (UTF8, UTF16, UTF32)


def bom_length(data: bytes) -> int:
    """Bytes of a UTF-8 byte order mark at the start of `data` (0 or 3)."""
    return len(BOM) if data.startswith(BOM) else 0


def without_bom(data: bytes) -> bytes:
    return data[bom_length(data):]


# -- 1-based lines and byte columns (the CLI, JSON, SARIF's inputs) -----------------------


def line_of(data: bytes, offset: int) -> int:
    """1-based line holding `offset`. Between the \\r and \\n of a \\r\\n is
    still the line the break ends (as LineIndex has it)."""
    offset = max(0, min(offset, len(data)))
    breaks = data.count(b"\n", 0, offset)
    crs = data.count(b"\r", 0, offset)
    if crs:
        # A \r\n is one break, counted at its \n; a \r\n split by `offset` is none yet.
        breaks += crs - data.count(b"\r\n", 0, min(offset + 1, len(data)))
    return breaks + 1


def lines_of(data: bytes, offsets) -> dict[int, int]:
    """line_of for many offsets in one sweep: linear where a call per offset
    would rescan the text before each (thousands of lock entries)."""
    lines: dict[int, int] = {}
    crs = b"\r" in data
    at, newlines, returns, pairs = 0, 0, 0, 0
    for offset in sorted(set(offsets)):
        offset = max(0, min(offset, len(data)))
        newlines += data.count(b"\n", at, offset)
        if crs:  # as line_of: a \r\n is one break, counted at its \n
            returns += data.count(b"\r", at, offset)
            pairs += data.count(b"\r\n", at, min(offset + 1, len(data)))
        lines[offset], at = newlines + returns - pairs + 1, offset
    return lines


def line_start(data: bytes, offset: int) -> int:
    """Offset of the first byte of the line holding `offset`."""
    end = max(0, min(offset, len(data)))
    while True:
        newline = data.rfind(b"\n", 0, end)
        cr = data.rfind(b"\r", newline + 1, end)  # only after the \n: a line's read, not the file's
        if cr == -1:
            return newline + 1
        if data[cr + 1 : cr + 2] != b"\n":
            return cr + 1
        end = cr  # `offset` is the \n of this \r\n: the line began before it


def line_column(data: bytes, offset: int) -> tuple[int, int]:
    """(1-based line, 1-based byte column) of `offset`: where a finding is."""
    return line_of(data, offset), offset - line_start(data, offset) + 1


def node_places(data: bytes) -> Callable[[Any], tuple[int, int]]:
    """node -> (1-based line, byte column) of a tree-sitter node's start in
    `data`. Tree-sitter's rows break at \n only: while every \r is part of a
    \r\n they are ours and cost nothing; a lone \r makes us count (once per
    file, for all its nodes)."""
    if data.count(b"\r") == data.count(b"\r\n"):
        return lambda node: (node.start_point[0] + 1, node.start_point[1] + 1)
    index = LineIndex(data)
    return lambda node: index.line_column(node.start_byte)


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


# -- 0-based lines and code-unit columns (the editor, SARIF's regions) ----------------------

class LineIndex:
    """Line starts of one text, for many conversions."""

    def __init__(self, data: bytes):
        self.data = data
        # Line ends summed at C speed (bytes.splitlines breaks at \n, \r\n and
        # \r only, as line_of does): the editor builds one per publish.
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

    def line_span(self, line: int) -> tuple[int, int]:
        """(first byte, end before its line break) of 0-based `line`, clamped to the text's lines."""
        line = min(max(line, 0), len(self.starts) - 1)
        start = self.starts[line]
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.data)
        return start, end - len(_trailing_break(self.data[start:end]))

    def line_column(self, offset: int) -> tuple[int, int]:
        """textpos.line_column, in log time: for the many offsets of one text."""
        offset = max(0, min(offset, len(self.data)))
        line = self.line_of(offset)
        return line + 1, offset - self.starts[line] + 1

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
        start, end = self.line_span(line)
        if encoding == UTF8:
            return start + min(max(character, 0), end - start)
        count = taken = 0
        for char in self.data[start:end].decode("utf-8", "surrogateescape"):
            if count >= character:
                break
            count += _width(char, encoding)
            taken += len(char.encode("utf-8", "surrogateescape"))
        return start + taken


def units(chunk: bytes, encoding: str = UTF16) -> int:
    """Length of `chunk` in code units of `encoding`."""
    if encoding == UTF8 or chunk.isascii():  # one unit a byte in every encoding (most lines of C++)
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
