"""The write policy, shared by every front-end that writes.

Nothing is written when anything failed (bad input anywhere, a conflict, a
refusal): the user fixes that first. Otherwise every changed file of the
report is written in one transaction (transaction.py), and what happened to
each file is merged back into the report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Sequence

from codemod.edits import apply_edits
from codemod.present.paths import label
from codemod.results import Report
from codemod.scope import OUTSIDE, Scope
from codemod.transaction import Change, Outcome, write_all

NOTHING_WRITTEN = "nothing written: fix the errors listed first"
INTERRUPTED = "interrupted before the first file was replaced: nothing written"


@dataclass(frozen=True)
class Applied:
    report: Report  # with write failures as file errors
    written: tuple[str, ...] = ()
    restored: tuple[str, ...] = ()
    signal: int | None = None  # an interrupt that arrived while writing: the caller re-raises it


def apply_report(report: Report, roots: Sequence[str], force: bool = False) -> Applied:
    """Write the report's changes under `roots` (the paths the run was given;
    a manifest named explicitly brings its folder's other manifests)."""
    if report.failed:
        return Applied(replace(report, notes=report.notes + (NOTHING_WRITTEN,)))
    # The engine refused these already (scope.py); checked again here, the last step before the writer.
    outside = Scope(roots, report.brought).outside(r.path for r in report.changed)
    if outside:
        return _failed(report, Outcome(failed={p: OUTSIDE for p in outside}))
    changes = [Change(r.path, r.original, apply_edits(r.original, r.edits)) for r in report.changed]
    outcome = write_all(changes, force)
    if outcome.failed:
        return _failed(report, outcome)
    if outcome.signal is not None and not outcome.written:
        return Applied(replace(report, notes=report.notes + (INTERRUPTED,)), (), (), outcome.signal)
    return Applied(report, tuple(outcome.written), (), outcome.signal)


def _failed(report: Report, outcome: Outcome) -> Applied:
    files = tuple(replace(r, error=outcome.failed[r.path]) if r.path in outcome.failed else r for r in report.files)
    # Paths enter absolute (discover.entry_path); the note names them as the user sees them.
    restored = sorted(label(os.path.normpath(p), os.getcwd()) for p in outcome.restored)
    note = "nothing written: " + (f"put back as they were: {', '.join(restored)}" if restored
                                  else "no file was changed")
    return Applied(replace(report, files=files, notes=report.notes + (note,)), (), tuple(outcome.restored),
                   outcome.signal)
