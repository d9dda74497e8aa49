"""The disk, read through one guard.

A read opens without blocking (a FIFO would otherwise hang the run),
accepts only regular files (a link to /dev/zero would fill memory) and
stops at a size cap; whatever it refuses becomes an Unreadable that names
the reason, for the report.
"""

from __future__ import annotations

import os
import stat

from codemod.sources.base import DIR, FILE, LINK, OTHER, Entry, Sources, Unreadable

MAX_READ = 64 * 1024 * 1024  # no file napi-fix needs is near this; past it the read is refused


def _kind_of(mode: int) -> str:
    if stat.S_ISREG(mode):
        return FILE
    if stat.S_ISDIR(mode):
        return DIR
    if stat.S_ISLNK(mode):
        return LINK
    return OTHER


def special(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "not a regular file"


class DiskSources(Sources):
    def __init__(self, max_read: int = MAX_READ):
        self.max_read = max_read

    def read(self, path: str) -> bytes:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            raise Unreadable(path, f"cannot read: {exc.strerror or exc}") from None
        except ValueError:  # a NUL in the path (an editor's URI may carry %00)
            raise Unreadable(path, "cannot read: a NUL byte in the path") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise Unreadable(path, f"not read: {special(info.st_mode)}, not a regular file")
            if info.st_size > self.max_read:
                raise Unreadable(path, f"not read: {info.st_size / 2**20:.0f} MB, over the "
                                       f"{self.max_read // 2**20} MB limit")
            # One read sized by fstat (no copy through a buffer); a file that
            # grows meanwhile is read on to the cap, never past it.
            first = os.read(fd, info.st_size + 1)
            chunks = [first]
            total = len(chunks[0])
            while chunks[-1] and total <= self.max_read:
                chunks.append(os.read(fd, 1 << 20))
                total += len(chunks[-1])
            if total > self.max_read:
                raise Unreadable(path, f"not read: grew past the {self.max_read // 2**20} MB limit")
            # The common case, the whole file and then its end, is the first
            # read's bytes themselves: b"".join copies even [data, b""] (a
            # sixth of reading and sifting the npm-tarball corpus's C/C++ files).
            return first if len(chunks) == 2 and not chunks[1] else b"".join(chunks)
        except OSError as exc:
            if isinstance(exc, Unreadable):
                raise
            raise Unreadable(path, f"cannot read: {exc.strerror or exc}") from None
        finally:
            os.close(fd)

    def kind(self, path: str, follow: bool = True) -> str | None:
        try:
            info = os.stat(path) if follow else os.lstat(path)
        except (OSError, ValueError):  # ValueError: a NUL in the path
            return None
        return _kind_of(info.st_mode)

    def why_missing(self, path: str) -> str:
        try:
            os.lstat(path)
        except OSError as exc:
            return (exc.strerror or str(exc)).lower()
        except ValueError:
            return "a NUL byte in the path"
        return "no such file or directory"

    def list_dir(self, path: str) -> list[Entry]:
        try:
            with os.scandir(path) as found:
                entries = [Entry(e.name, e.path, _entry_kind(e)) for e in found]
        except OSError as exc:
            raise Unreadable(path, f"cannot list: {exc.strerror or exc}") from None
        return sorted(entries, key=lambda e: e.name)


def _entry_kind(entry: os.DirEntry) -> str:
    try:
        if entry.is_symlink():
            return LINK
        if entry.is_dir(follow_symlinks=False):
            return DIR
        if entry.is_file(follow_symlinks=False):
            return FILE
    except OSError:
        pass
    return OTHER
