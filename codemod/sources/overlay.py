"""Editor buffers over another source.

`OverlaySources(base, {path: bytes})`: a buffer replaces the file's bytes on
disk, and a buffer for a file that is not on disk (a new, unsaved file)
exists, is listed in its folder and is read like any other. The editor
server owns the mapping and changes it as buffers open, change and close.
"""

from __future__ import annotations

import os

from codemod.sources.base import DIR, FILE, Entry, Sources, normal


class OverlaySources(Sources):
    def __init__(self, base: Sources, buffers: dict[str, bytes] | None = None):
        self.base = base
        self.buffers: dict[str, bytes] = {}
        self._folders: dict[str, set[str]] = {}  # folder -> names the buffers add under it
        for path, data in (buffers or {}).items():
            self.put(path, data)

    def put(self, path: str, data: bytes) -> None:
        key = normal(path)
        self.buffers[key] = data
        child = key
        parent = os.path.dirname(child)
        while parent != child:
            self._folders.setdefault(parent, set()).add(os.path.basename(child))
            child, parent = parent, os.path.dirname(parent)

    def drop(self, path: str) -> None:
        key = normal(path)
        if self.buffers.pop(key, None) is None:
            return
        self._folders.clear()
        for other in list(self.buffers):
            self.put(other, self.buffers[other])

    def read(self, path: str) -> bytes:
        data = self.buffers.get(normal(path))
        return data if data is not None else self.base.read(path)

    def kind(self, path: str, follow: bool = True) -> str | None:
        key = normal(path)
        if key in self.buffers:
            return FILE
        if key in self._folders:
            return self.base.kind(path, follow) or DIR
        return self.base.kind(path, follow)

    def why_missing(self, path: str) -> str:
        return self.base.why_missing(path)  # an unsaved buffer is never missing: the disk says why

    def list_dir(self, path: str) -> list[Entry]:
        key = normal(path)
        added = self._folders.get(key)
        if not added:
            return self.base.list_dir(path)
        entries = {e.name: e for e in self.base.list_dir(path)} if self.base.kind(path) == DIR else {}
        for name in added:
            child = os.path.join(path, name)
            kind = FILE if normal(child) in self.buffers else DIR
            entries[name] = Entry(name, child, kind)
        return sorted(entries.values(), key=lambda e: e.name)
