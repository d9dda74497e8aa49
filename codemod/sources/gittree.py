"""A git tree, read from the object store as if it were checked out at `root`.

A batch dry run plans a repository as `napi-fix --dry-run .` plans its
checkout, but creating a checkout (a worktree, its files written, then
removed) is most of what a batch spends per repository. This source serves
one commit's tree instead: the listing comes from `git ls-tree` (given to
it), the bytes from one `git cat-file --batch` process started on the first
read. Paths outside `root` go to the disk, as they would from a checkout
there (a package.json above it, a link pointing out of it).

What a checkout at `root` would hold, it shows: regular and executable
files as files, symbolic links as links (followed within the tree as the
disk follows them), a submodule as the empty folder an uninitialised one
is, and the `.git` file a worktree has at its top. Whether the checkout's
bytes equal the blobs (no eol conversion, no filter) is for the caller to
decide before it chooses this source.

It crosses process boundaries (the engine's worker pool): the reader is
not pickled, a worker starts one for the tree on its first read and keeps
it for the next chunks of the same tree. `prefetch` (the sift's hint) asks
git for a chunk's files in one exchange, not one round trip per file.
"""

from __future__ import annotations

import os
import subprocess
import threading
import uuid

from codemod.sources.base import DIR, FILE, LINK, Entry, Sources, Unreadable, normal, within
from codemod.sources.disk import MAX_READ, DiskSources

LINK_MODE = "120000"
GITLINK_MODE = "160000"  # a submodule's commit: an empty folder in a checkout that did not init it
MAX_LINKS = 40  # as the kernel's ELOOP limit
PIPELINE = 512  # requests of 41 bytes written ahead: 21 kB, well inside a pipe's 64 kB


class GitTreeSources(Sources):
    def __init__(self, git: list[str], env: dict[str, str], git_dir: str, root: str,
                 tree: dict[str, tuple[str, str]], base: Sources | None = None, max_read: int = MAX_READ):
        """`git`: the command line that runs git (with its safety options);
        `tree`: path relative to the top, "/"-separated -> (mode, object id),
        as `git ls-tree -r` lists it."""
        self.git, self.env, self.git_dir = list(git), dict(env), git_dir
        self.root = normal(root)
        self.tree = tree
        self.base = base or DiskSources()
        self.max_read = max_read
        self._folders = _folders_of(tree)
        self._reader: _Reader | None = None
        self._ahead: dict[str, tuple[int, bytes | None]] = {}  # object id -> what prefetch read of it
        self._copy = False  # unpickled in another process: reads through that process's one reader
        self._lock = threading.Lock()
        self._token = uuid.uuid4().hex  # names this tree to the copies of it
        self._packed: bytes | None = None

    # -- pickling: the reader stays in the process that started it --------------
    #
    # The engine sends the source with every chunk of files it gives a
    # worker. The tree goes as one bytes object (packed once), and a worker
    # unpacks it once per tree: a dict of a large repository's paths, pickled
    # and rebuilt for every chunk, cost more than reading the chunk.

    def __getstate__(self) -> dict:
        if self._packed is None:
            self._packed = "\0".join(f"{mode} {oid}\t{path}" for path, (mode, oid) in self.tree.items()).encode(
                "utf-8", "surrogateescape")
        state = {key: value for key, value in self.__dict__.items()
                 if key not in ("_reader", "_ahead", "_lock", "tree", "_folders")}
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._reader, self._ahead, self._copy, self._lock = None, {}, True, threading.Lock()
        with _SHARED_LOCK:
            known = _UNPACKED[0]
            if known is None or known[0] != self._token:
                tree = {}
                for record in filter(None, self._packed.decode("utf-8", "surrogateescape").split("\0")):
                    meta, _, path = record.partition("\t")
                    mode, _, oid = meta.partition(" ")
                    tree[path] = (mode, oid)
                known = _UNPACKED[0] = (self._token, tree, _folders_of(tree))
        self.tree, self._folders = known[1], known[2]

    def __del__(self) -> None:
        self.close()

    def close(self) -> None:
        reader, self._reader = getattr(self, "_reader", None), None
        if reader is not None and not self._copy:
            reader.close()

    # -- Sources ------------------------------------------------------------------

    def read(self, path: str) -> bytes:
        rel = self._relative(path)
        if rel is None:
            return self.base.read(path)
        if "\0" in rel:  # as the disk says it (no git path holds one)
            raise Unreadable(path, "cannot read: a NUL byte in the path")
        found = self._follow(rel, path)
        if found is None:
            raise Unreadable(path, "cannot read: Too many levels of symbolic links")
        if found.startswith(os.sep):  # a link led out of the tree
            return self.base.read(found)
        kind = self._kind_here(found)
        if kind is None:
            raise Unreadable(path, f"cannot read: {self._missing(found)}")
        if kind == DIR:
            raise Unreadable(path, "not read: a directory, not a regular file")
        if found not in self.tree:  # the worktree's .git file: nothing napi-fix reads
            raise Unreadable(path, "not read: git's own file")
        return self._blob(self.tree[found][1], path)

    def kind(self, path: str, follow: bool = True) -> str | None:
        rel = self._relative(path)
        if rel is None:
            return self.base.kind(path, follow)
        parent, _, name = rel.rpartition("/")
        try:  # as lstat: the folders above are followed, the last name only when asked
            found = self._follow(rel if follow else parent, path)
        except Unreadable:
            return None
        if found is None:
            return None
        if not follow and name:
            found = os.path.join(found, name) if found.startswith(os.sep) else f"{found}/{name}".lstrip("/")
        if found.startswith(os.sep):
            return self.base.kind(found, follow)
        return self._kind_here(found)

    def why_missing(self, path: str) -> str:
        rel = self._relative(path)
        if rel is None:
            return self.base.why_missing(path)
        return "a NUL byte in the path" if "\0" in rel else "no such file or directory"

    def list_dir(self, path: str) -> list[Entry]:
        rel = self._relative(path)
        if rel is None:
            return self.base.list_dir(path)
        found = self._follow(rel, path)  # as scandir, which follows a link to a folder
        if found is None:
            raise Unreadable(path, "cannot list: Too many levels of symbolic links")
        if found.startswith(os.sep):
            return [Entry(e.name, os.path.join(path, e.name), e.kind) for e in self.base.list_dir(found)]
        names = self._folders.get(found)
        if names is None:
            reason = "Not a directory" if self._kind_here(found) else self._missing(found)
            raise Unreadable(path, f"cannot list: {reason}")
        return [Entry(name, os.path.join(path, name), kind) for name, kind in sorted(names.items())]

    # -- the tree -------------------------------------------------------------------

    def _relative(self, path: str) -> str | None:
        """`path` relative to the top ("" for the top), "/"-separated; None outside."""
        key = normal(path)
        if not within(key, self.root):
            return None
        rel = os.path.relpath(key, self.root)
        return "" if rel == "." else rel.replace(os.sep, "/")

    def _kind_here(self, rel: str) -> str | None:
        if rel in self._folders:
            return DIR
        parent, _, name = rel.rpartition("/")
        return self._folders.get(parent, {}).get(name)

    def _missing(self, rel: str) -> str:
        """The system's word for a path that is not there: a file where a
        folder on its way should be is "Not a directory"."""
        parts = rel.split("/")
        for i in range(1, len(parts)):
            if self._kind_here("/".join(parts[:i])) not in (DIR, None):
                return "Not a directory"
        return "No such file or directory"

    def _follow(self, rel: str, path: str) -> str | None:
        """Where a path leads once its links are followed: a path in the tree,
        an absolute path on the disk (a link that leads out of the tree), or
        None for a loop."""
        for _ in range(MAX_LINKS):
            parts = rel.split("/") if rel else []
            for i in range(1, len(parts) + 1):
                prefix = "/".join(parts[:i])
                if self._kind_here(prefix) != LINK:
                    continue
                target = os.fsdecode(self._blob(self.tree[prefix][1], path))
                folder = os.path.join(self.root, *parts[:i - 1])
                joined = normal(os.path.join(folder, target, *parts[i:]))
                if not within(joined, self.root):
                    return joined
                rel = self._relative(joined)
                break
            else:
                return rel
        return None

    def prefetch(self, paths) -> None:
        """The blobs of these files (those that are files here, links not
        followed) in one exchange with git: each read otherwise waits for
        git's answer, which on a busy machine costs more than the read."""
        oids = []
        for path in paths:
            rel = self._relative(path)
            entry = self.tree.get(rel) if rel is not None else None
            if entry is not None and entry[0] not in (LINK_MODE, GITLINK_MODE):
                oids.append(entry[1])
        with self._lock:
            self._ahead.clear()
            try:
                reader = self._reader = self._reader or self._started()
                for start in range(0, len(oids), PIPELINE):
                    group = oids[start:start + PIPELINE]
                    reader.ask(group)
                    for oid in group:
                        self._ahead[oid] = reader.answer(self.max_read)
            except OSError:
                self._ahead.clear()
                self.close()  # each read asks again, and says what fails

    def _blob(self, oid: str, path: str) -> bytes:
        with self._lock:
            answer = self._ahead.pop(oid, None)
            if answer is None:
                try:
                    reader = self._reader = self._reader or self._started()
                    answer = reader.blob(oid, self.max_read)
                except OSError as exc:
                    self.close()
                    raise Unreadable(path, f"cannot read: git cat-file: {exc.strerror or exc}") from None
        size, data = answer
        if size < 0:
            raise Unreadable(path, f"cannot read: git has no object {oid}")
        if data is None:
            raise Unreadable(path, f"not read: {size / 2**20:.0f} MB, over the {self.max_read // 2**20} MB limit")
        return data

    def _started(self) -> _Reader:
        """This source's reader; a copy in a worker process shares the
        worker's one reader of the same repository (a task per chunk of
        files must not start a git process each), and replaces it when the
        batch has moved on to another repository."""
        key = (tuple(self.git), self.git_dir)
        if not self._copy:
            return _Reader(key, self.env)
        with _SHARED_LOCK:
            current = _SHARED[0]
            if current is None or current.key != key or current.broken:
                if current is not None:
                    current.close()
                _SHARED[0] = current = _Reader(key, self.env)
            return current


class _Reader:
    """One `git cat-file --batch`: an object id in, its bytes out."""

    def __init__(self, key: tuple, env: dict[str, str]):
        self.key = key
        self.broken = False
        git, git_dir = key
        self.process = subprocess.Popen([*git, "cat-file", "--batch"], cwd=git_dir, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        env={**os.environ, **env}, start_new_session=True)

    def blob(self, oid: str, max_read: int) -> tuple[int, bytes | None]:
        self.ask([oid])
        return self.answer(max_read)

    def ask(self, oids: list[str]) -> None:
        """Requests, all written before any answer is read: at most
        PIPELINE of them, which fit in the pipe whatever git does meanwhile."""
        try:
            self.process.stdin.write(b"".join(o.encode("ascii") + b"\n" for o in oids))
            self.process.stdin.flush()
        except OSError as exc:
            self.broken = True
            raise OSError(str(exc)) from None

    def answer(self, max_read: int) -> tuple[int, bytes | None]:
        """The next object's size and bytes: size -1 when git has no such
        object, bytes None when there are more than `max_read` (not kept)."""
        try:
            header = self.process.stdout.readline().split()
            if len(header) != 3:
                if header[-1:] == [b"missing"]:
                    return -1, None
                raise OSError("no answer")
            size = int(header[2])
            if size > max_read:
                left = size + 1
                while left > 0 and (chunk := self.process.stdout.read(min(left, 1 << 20))):
                    left -= len(chunk)
                return size, None
            data = self.process.stdout.read(size + 1)[:size]  # the bytes, and git's newline after them
        except (OSError, ValueError) as exc:
            self.broken = True
            raise OSError(str(exc)) from None
        if len(data) != size:
            self.broken = True
            raise OSError("stopped early")
        return size, data

    def close(self) -> None:
        try:
            self.process.stdin.close()
        except OSError:
            pass
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()


_SHARED: list[_Reader | None] = [None]  # a worker process's reader, for the copies it unpickles
_UNPACKED: list[tuple | None] = [None]  # a worker's last tree unpacked: (token, tree, folders)
_SHARED_LOCK = threading.Lock()


def _folders_of(tree: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    """folder -> {name: kind} of what a checkout of `tree` holds."""
    folders: dict[str, dict[str, str]] = {"": {".git": FILE}}  # a worktree's top holds its .git file
    for path, (mode, _) in tree.items():
        parent, _, name = path.rpartition("/")
        folders.setdefault(parent, {})[name] = _kind_of_mode(mode)
        if mode == GITLINK_MODE:
            folders.setdefault(path, {})
        while parent:
            grand, _, name = parent.rpartition("/")
            known = folders.setdefault(grand, {})
            if known.get(name) == DIR:
                break  # its parents are known too
            known[name] = DIR
            parent = grand
    return folders


def _kind_of_mode(mode: str) -> str:
    if mode == LINK_MODE:
        return LINK
    if mode == GITLINK_MODE:
        return DIR
    return FILE
