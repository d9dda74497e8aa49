"""Where findings are, in the units code scanning counts: 1-based lines and
1-based UTF-16 columns, the end column one past the last character (SARIF's
`columnKind: utf16CodeUnits`; GitHub's annotations count the same way).

A finding's span is in bytes of its file, so the bytes are needed: the ones
the edits were planned on when the report has them, else the file as the
sources read it now. A file that cannot be read falls back to the finding's
own line and byte column.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import quote_from_bytes

from codemod.textpos import LineIndex
from codemod.present.paths import label
from codemod.present.linehash import LineHashes
from codemod.results import Finding, Related, Report
from codemod.sources.base import Sources, Unreadable


@dataclass(frozen=True)
class Region:
    start_line: int
    start_column: int
    end_line: int
    end_column: int


class Places:
    """The bytes, line index and line hashes of every file a report points into, each read once."""

    def __init__(self, report: Report, sources: Sources | None = None):
        if sources is None:
            from codemod.sources.disk import DiskSources

            sources = DiskSources()
        self.sources = sources
        self.read: dict[str, bytes | None] = {r.path: r.original for r in report.files if r.original is not None}
        self.indexes: dict[str, LineIndex | None] = {}
        self.hashes: dict[str, LineHashes | None] = {}

    def data(self, path: str) -> bytes | None:
        if path not in self.read:
            try:
                self.read[path] = self.sources.read(path)
            except Unreadable:
                self.read[path] = None
        return self.read[path]

    def index(self, path: str) -> LineIndex | None:
        if path not in self.indexes:
            data = self.data(path)
            self.indexes[path] = None if data is None else LineIndex(data)
        return self.indexes[path]

    def line_hash(self, path: str, line: int) -> str | None:
        """GitHub's primaryLocationLineHash of `line`, or None for a file that cannot be read."""
        if path not in self.hashes:
            data = self.data(path)
            self.hashes[path] = None if data is None else LineHashes(data)
        found = self.hashes[path]
        return None if found is None else found.at(line)

    def of_finding(self, finding: Finding) -> Region:
        return self.region(finding.path, finding.span, finding.line, finding.column)

    def of_related(self, related: Related) -> Region:
        return self.region(related.path, related.span, related.line, 1)

    def region(self, path: str, span: tuple[int, int] | None, line: int, column: int) -> Region:
        """The span when there is one; else from the line and byte column
        (textpos.line_of's) to the end of that line."""
        index = self.index(path)
        if index is None:
            return Region(line, column, line, column)
        if span is None:
            size = len(index.data)
            first, end = index.line_span(line - 1) if line <= len(index.starts) else (size, size)
            start = min(first + column - 1, size)
            span = (start, max(start, end))
        return self.between(index, *span)

    @staticmethod
    def between(index: LineIndex, start: int, end: int) -> Region:
        (first, begin), (last, stop) = index.position(start), index.position(end)
        return Region(first + 1, begin + 1, last + 1, stop + 1)


def relative_uri(path: str, cwd: str) -> str | None:
    """`path` as a percent-encoded URI relative to `cwd` (forward slashes),
    or None when it lies outside `cwd`."""
    where = label(path, cwd)
    if where == ".." or where.startswith("../"):
        return None
    return quote_from_bytes(os.fsencode(where), safe="/")

