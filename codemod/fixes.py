"""What one fix writes: the edits that fix a finding, from a Report.

Shared by every front-end that offers fixes one at a time (the editor's
quick fixes, SARIF's `fixes`), so a fix means the same everywhere:
- a manifest finding (a spec, a lock entry, a gyp target, a vendored copy)
  is fixed by every merged edit of its unit, the package root: the files
  the engine planned together are written together;
- a C++ finding is fixed by the merged edit that carries its own insertion.
Applied together, the fixes give the bytes `napi-fix PATH` writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from codemod.edits import Edit
from codemod.results import FileResult, Finding, Report


@dataclass(frozen=True)
class Change:
    """Edits to one file, and the bytes they were planned on."""

    path: str
    original: bytes
    edits: tuple[Edit, ...]


def fix_changes(report: Report, result: FileResult, finding: Finding) -> tuple[Change, ...]:
    """The changes that fix `finding` of `result`; none when nothing is
    planned for it (or its edits were withheld: the CLI would write nothing).
    A manifest finding without edits of its own (a vendored copy whose
    target is repointed) is fixed by its root's change all the same."""
    if result.error is not None:
        return ()
    if result.unit != result.path:
        return tuple(Change(r.path, r.original, r.edits) for r in report.changed if r.unit == result.unit)
    if not finding.edits or not result.edits:
        return ()
    wanted = {(e.start, e.end) for e in finding.edits}
    carried = tuple(e for e in result.edits if (e.start, e.end) in wanted)
    return (Change(result.path, result.original, carried),) if carried else ()
