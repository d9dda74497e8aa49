"""The one interface analysis reads through.

No analysis module opens, stats or lists anything itself: it asks a
`Sources`. The disk implementation guards every read (regular files only,
a size cap); an overlay puts editor buffers over another source, so a file
that exists only in an editor is discovered and analyzed like any other.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterator

FILE = "file"
DIR = "dir"
LINK = "link"  # a symbolic link, never followed by the walk
OTHER = "other"  # FIFO, socket, device: never read


class Unreadable(OSError):
    """A path analysis could not read; `reason` says why, for the report."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Entry:
    name: str
    path: str
    kind: str  # FILE, DIR, LINK or OTHER (the entry itself: links are not followed)


class Sources:
    """read, kind, list_dir; walk is built on list_dir for every source."""

    def read(self, path: str) -> bytes:
        """The file's bytes; raises Unreadable."""
        raise NotImplementedError

    def kind(self, path: str, follow: bool = True) -> str | None:
        """FILE, DIR, LINK (only when follow is False), OTHER, or None when missing."""
        raise NotImplementedError

    def list_dir(self, path: str) -> list[Entry]:
        """Entries sorted by name; raises Unreadable."""
        raise NotImplementedError

    def prefetch(self, paths) -> None:
        """A hint: these files are about to be read, in this order. A source
        whose reads each wait on another process fetches them in one go."""

    def why_missing(self, path: str) -> str:
        """Why `kind` found nothing at `path`, for the report."""
        return "no such file or directory"

    def exists(self, path: str) -> bool:
        return self.kind(path) is not None

    def is_file(self, path: str) -> bool:
        return self.kind(path) == FILE

    def is_dir(self, path: str) -> bool:
        return self.kind(path) == DIR

    def walk(self, top: str, prune=lambda entry: False, on_error=None) -> Iterator[tuple[str, list[Entry]]]:
        """(folder, entries) top-down in name order. Folders for which
        `prune(entry)` is true are not entered, links never are. A folder
        that cannot be listed goes to `on_error(Unreadable)` and the walk
        goes on (without `on_error` the Unreadable is raised)."""
        stack = [top]
        while stack:
            folder = stack.pop()
            try:
                entries = self.list_dir(folder)
            except Unreadable as exc:
                if on_error is None:
                    raise
                on_error(exc)
                continue
            yield folder, entries
            stack.extend(e.path for e in reversed(entries) if e.kind == DIR and not prune(e))


def normal(path: str) -> str:
    """The key a path is known by across sources: absolute and normalized."""
    return os.path.normpath(os.path.abspath(path))


def within(path: str, folder: str) -> bool:
    """`path` is `folder` or lies below it (both spelled alike: both
    absolute or both relative); a name that only begins like it does not."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
