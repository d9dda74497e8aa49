"""The only module that writes files.

Each write is atomic (a temp file in the same folder, fsync, rename over the
original, mode kept) and refuses a file whose bytes changed since they were
read, or that lies outside the paths the run was given.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass

from codemod.edits import apply_edits
from codemod.results import FileResult


@dataclass(frozen=True)
class WriteOutcome:
    path: str
    error: str | None = None


def write_all(results: tuple[FileResult, ...], roots: tuple[str, ...]) -> list[WriteOutcome]:
    return [write_one(r, roots) for r in results if r.error is None and r.edits]


def write_one(result: FileResult, roots: tuple[str, ...]) -> WriteOutcome:
    path = result.path
    if result.original is None:
        return WriteOutcome(path, "internal: no original bytes recorded")
    if not _inside(path, roots):
        return WriteOutcome(path, "refused: outside the paths given")
    new = apply_edits(result.original, result.edits)
    try:
        with open(path, "rb") as f:
            current = f.read()
        if current != result.original:
            return WriteOutcome(path, "refused: the file changed since napi-fix read it")
        mode = stat.S_IMODE(os.stat(path).st_mode)
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".napi-fix-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(new)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        return WriteOutcome(path, f"cannot write: {exc.strerror or exc}")
    return WriteOutcome(path)


def _inside(path: str, roots: tuple[str, ...]) -> bool:
    real = os.path.realpath(path)
    for root in roots:
        real_root = os.path.realpath(root)
        if real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep):
            return True
    return False
