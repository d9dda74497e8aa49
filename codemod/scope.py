"""Which files a run may edit: those under the paths it was given.

A vendored copy in a sibling folder, or a build file naming headers
elsewhere, can lead the planners outside what the user named; those edits
are refused, never written. The rule is checked twice from this one place:
the engine refuses such an edit in every report (a dry run shows the
refusal a real run would meet), and apply.py checks again just before the
writer, so a report that did not come from the engine cannot write outside
either.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Iterable

from codemod.results import FileResult
from codemod.sources.base import within

OUTSIDE = "refused: outside the paths given"
NAME_ITS_FOLDER = " (name its folder to edit it)"


class Scope:
    """The paths a run was given and the manifests brought beside a named one
    (discover.py: a package.json named alone brings its lockfiles)."""

    def __init__(self, paths: Iterable[str], brought: Iterable[str] = ()):
        # Real paths: an edit through a symbolic link is judged by where it lands.
        self._real = [real for real in map(_real, (*paths, *brought)) if real is not None]

    def admits(self, path: str) -> bool:
        real = _real(path)
        return real is not None and any(within(real, root) for root in self._real)

    def outside(self, paths: Iterable[str]) -> list[str]:
        """The `paths` this run may not edit."""
        return [p for p in paths if not self.admits(p)]


def _real(path: str) -> str | None:
    """`path` resolved; None for one no file can have (a NUL byte: an editor's
    folder URI may carry %00), which admits nothing and nothing lands in."""
    try:
        return os.path.realpath(path)
    except ValueError:
        return None


def refuse_outside(results: dict[str, FileResult], scope: Scope) -> dict[str, FileResult]:
    """Each result with edits outside `scope` loses them and says why: in a
    dry run as in a real one."""
    for path in scope.outside([p for p, result in results.items() if result.edits]):
        results[path] = replace(results[path], edits=(), original=None, error=OUTSIDE + NAME_ITS_FOLDER)
    return results
