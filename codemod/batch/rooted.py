"""The disk seen from one repository's root.

The batch plans each repository with the path "." (so every path, label
and reason reads exactly as in `napi-fix .` run in that repository) while
the main process stands in its worktree. The pool's workers were forked
once, elsewhere: a relative path must mean the same file there, so every
read is joined to the root here (absolute paths pass through unchanged).
"""

from __future__ import annotations

import os
from dataclasses import replace

from codemod.sources.base import Entry, Sources, Unreadable
from codemod.sources.disk import DiskSources


class RootedSources(Sources):
    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        self.disk = DiskSources()

    def _at(self, path: str) -> str:
        return os.path.join(self.root, path)

    def read(self, path: str) -> bytes:
        try:
            return self.disk.read(self._at(path))
        except Unreadable as exc:
            raise Unreadable(path, exc.reason) from None

    def kind(self, path: str, follow: bool = True) -> str | None:
        return self.disk.kind(self._at(path), follow)

    def list_dir(self, path: str) -> list[Entry]:
        try:
            entries = self.disk.list_dir(self._at(path))
        except Unreadable as exc:
            raise Unreadable(path, exc.reason) from None
        return [replace(e, path=os.path.join(path, e.name)) for e in entries]
