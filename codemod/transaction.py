"""The only module that writes files: all of a run's files, or none.

1. Check: every target is a regular file (never a link), still holds the
   bytes napi-fix planned on, and is writable (a read-only file or folder
   is refused unless forced). Nothing is written when any check fails.
2. Prepare: new contents go to temp files beside their targets, with the
   target's mode, owner and group, and are fsynced.
3. Commit, with SIGINT and SIGTERM deferred (from the first temp file on;
   one that arrives before the first rename cancels the write): per target, a last look (inode,
   size, mtime, and the bytes again), a hard-link backup of the target, the
   rename, and a check that nobody wrote into the old file between the last
   look and the rename. On any failure every target already renamed is put
   back from its backup, so a concurrent writer's change always survives.
   The commit holds an advisory lock (flock) on each target's folder: two
   napi-fix runs commit there one after the other, and the second one's
   last look sees the first one's files.
4. Temp files and backups are removed in every outcome; the Outcome says
   exactly which files were written, restored or refused, and whether a
   signal arrived (the caller re-raises it after reporting).
"""

from __future__ import annotations

import fcntl
import os
import signal
import stat
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

DEFERRED = (signal.SIGINT, signal.SIGTERM)
PREFIX = ".napi-fix-"
LOCK_SECONDS = 30.0  # how long a commit waits for another napi-fix run's commit in the same folder


@dataclass(frozen=True)
class Change:
    """A file to write, bytes before and after. Not a fix (codemod/fixes.py):
    the writer knows nothing of findings, only what a file held and will hold."""

    path: str
    original: bytes  # what napi-fix read and planned on
    new: bytes


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)  # renamed, then put back when a later step failed
    failed: dict[str, str] = field(default_factory=dict)  # path -> why it was refused or failed
    signal: int | None = None  # SIGINT/SIGTERM that arrived during the commit

    @property
    def ok(self) -> bool:
        return not self.failed


class _Refused(Exception):
    def __init__(self, path: str, reason: str):
        super().__init__(reason)
        self.path = path
        self.reason = reason


@dataclass
class _Target:
    change: Change
    info: os.stat_result
    temp: str | None = None
    backup: str | None = None
    renamed: bool = False
    new_inode: int | None = None


def write_all(changes: list[Change], force: bool = False) -> Outcome:
    outcome = Outcome()
    targets: list[_Target] = []
    for change in changes:
        try:
            targets.append(_Target(change, _check(change, force)))
        except _Refused as exc:
            outcome.failed[exc.path] = exc.reason
    if outcome.failed:
        return outcome
    with _Deferred() as deferred:
        try:
            for target in targets:
                _prepare(target)
            def interrupted() -> bool:
                return deferred.received is not None

            if not interrupted():  # interrupted before the first rename: write nothing
                with _folders_locked(targets, interrupted):
                    if not interrupted():  # nor while waiting for another run's commit
                        _commit(targets, outcome)
        except _Refused as exc:
            outcome.failed[exc.path] = exc.reason
        finally:
            _clean(targets)
    outcome.signal = deferred.received
    if outcome.failed:
        outcome.written.clear()
    return outcome


def _check(change: Change, force: bool) -> os.stat_result:
    path = change.path
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise _Refused(path, f"refused: {exc.strerror or exc}") from None
    if stat.S_ISLNK(info.st_mode):
        raise _Refused(path, "refused: a symbolic link (napi-fix never edits through links)")
    if not stat.S_ISREG(info.st_mode):
        raise _Refused(path, "refused: not a regular file")
    try:
        current = _read(path)
    except OSError as exc:
        raise _Refused(path, f"refused: cannot read it again: {exc.strerror or exc}") from None
    if current != change.original:
        raise _Refused(path, "refused: the file changed since napi-fix read it")
    if not force:
        if not info.st_mode & 0o222:
            raise _Refused(path, "refused: the file is read-only (--force writes it anyway)")
        folder = os.lstat(os.path.dirname(os.path.abspath(path)))
        if not folder.st_mode & 0o222:
            raise _Refused(path, "refused: its folder is read-only (--force writes it anyway)")
    if os.geteuid() != 0 and info.st_uid != os.geteuid():
        raise _Refused(path, "refused: owned by another user, whose ownership a rewrite could not keep")
    return info


def _prepare(target: _Target) -> None:
    path, info = target.change.path, target.info
    try:
        fd, target.temp = tempfile.mkstemp(prefix=PREFIX, dir=os.path.dirname(os.path.abspath(path)))
    except OSError as exc:
        raise _Refused(path, f"cannot write: {exc.strerror or exc}") from None
    try:
        view = memoryview(target.change.new)
        while view:
            view = view[os.write(fd, view):]
        # Owner first: a change of owner clears the set-user-ID and
        # set-group-ID bits, so a mode set before it would lose them.
        if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
            os.fchown(fd, info.st_uid, info.st_gid)
        os.fchmod(fd, stat.S_IMODE(info.st_mode))
        os.fsync(fd)
        target.new_inode = os.fstat(fd).st_ino
    except OSError as exc:
        raise _Refused(path, f"cannot write: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _commit(targets: list[_Target], outcome: Outcome) -> None:
    current = targets[0] if targets else None
    try:
        for current in targets:
            path = current.change.path
            _last_look(current)
            current.backup = _backup(path)
            os.replace(current.temp, path)
            current.temp, current.renamed = None, True
            if _read(current.backup) != current.change.original:
                raise _Refused(path, "refused: the file changed while napi-fix was writing it; put back")
        for folder in {os.path.dirname(os.path.abspath(t.change.path)) for t in targets}:
            _fsync_dir(folder)
        outcome.written.extend(t.change.path for t in targets)
    except (OSError, _Refused) as exc:
        reason = exc.reason if isinstance(exc, _Refused) else f"cannot write: {exc.strerror or exc}"
        outcome.failed[current.change.path if current is not None else "?"] = reason
        _roll_back(targets, outcome)


@contextmanager
def _folders_locked(targets: list[_Target], interrupted: Callable[[], bool]):
    """An exclusive flock on each target's folder, taken in sorted order (two
    runs cannot deadlock) and released on leaving. Without it two runs can
    both pass their last looks, take their backups of the same old file and
    rename one after the other: the loser of a later step then rolls its
    renames back to the old bytes, under the other run's files (seen as a
    package.json pinned by one run beside its untouched lock). Writers other
    than napi-fix take no lock; the checks still catch them. A folder that
    cannot be locked (no flock there) is committed to without the lock. A
    signal stops the wait (`interrupted`); the caller then writes nothing."""
    first_in: dict[str, str] = {}  # folder -> the first target in it (what a refusal names)
    for target in targets:
        first_in.setdefault(os.path.dirname(os.path.abspath(target.change.path)), target.change.path)
    held = []
    try:
        for folder in sorted(first_in):
            try:
                fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            except OSError:
                continue
            held.append(fd)
            _lock(fd, folder, first_in[folder], interrupted)
        yield
    finally:
        for fd in held:
            os.close(fd)  # closing the descriptor releases its lock


def _lock(fd: int, folder: str, path: str, interrupted: Callable[[], bool]) -> None:
    deadline = time.monotonic() + LOCK_SECONDS
    while not interrupted():
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise _Refused(path, f"refused: another napi-fix run kept {folder} locked for "
                                     f"{LOCK_SECONDS:.0f} s while writing there") from None
            time.sleep(0.01)
        except OSError:
            return  # a file system without flock: the checks alone


def _last_look(target: _Target) -> None:
    path, before = target.change.path, target.info
    try:
        now = os.lstat(path)
    except OSError as exc:
        raise _Refused(path, f"refused: {exc.strerror or exc}") from None
    same = (now.st_ino, now.st_size, now.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
    if not same or _read(path) != target.change.original:
        raise _Refused(path, "refused: the file changed since napi-fix read it")


def _backup(path: str) -> str:
    """A second name for the target's current inode: after the rename it holds
    the old file, including anything written into it meanwhile."""
    folder = os.path.dirname(os.path.abspath(path))
    for attempt in range(100):
        backup = os.path.join(folder, f"{PREFIX}backup-{os.getpid()}-{attempt}-{os.path.basename(path)}")
        try:
            os.link(path, backup)
            return backup
        except FileExistsError:
            continue
        except OSError as exc:
            raise _Refused(path, f"cannot write: no backup could be made: {exc.strerror or exc}") from None
    raise _Refused(path, "cannot write: no free name for a backup")


def _roll_back(targets: list[_Target], outcome: Outcome) -> None:
    for target in reversed(targets):
        if not target.renamed:
            continue
        path = target.change.path
        try:
            if os.lstat(path).st_ino != target.new_inode:
                outcome.failed.setdefault(path, "not restored: it changed again after napi-fix wrote it")
                continue
            os.replace(target.backup, path)
            target.backup = None
            outcome.restored.append(path)
        except OSError as exc:
            outcome.failed.setdefault(path, f"written but not restored: {exc.strerror or exc}")


def _clean(targets: list[_Target]) -> None:
    for target in targets:
        for leftover in (target.temp, target.backup):
            if leftover is not None:
                try:
                    os.unlink(leftover)
                except FileNotFoundError:
                    pass


def _read(path: str) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _fsync_dir(folder: str) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Deferred:
    """SIGINT and SIGTERM wait until the temp files are cleaned and the
    renames done or undone; the caller learns which signal arrived."""

    def __init__(self):
        self.received: int | None = None
        self._previous = {}

    def __enter__(self):
        try:
            for signum in DEFERRED:
                self._previous[signum] = signal.signal(signum, self._hold)
        except ValueError:  # not the main thread: signals cannot arrive here anyway
            self._previous = {}
        return self

    def _hold(self, signum, frame) -> None:
        self.received = self.received or signum

    def __exit__(self, *exc) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
