"""One Fix per finding, built once from a Report; every front-end reads it.

A fix says what writing it changes and how much that helps, so the words
"fix" and "hygiene" are decided here (from the rule, rules.py) and nowhere
else: SARIF's `fixes`, the editor's quick fixes and fix-all (`isPreferred`
only for FIX), batch's statuses and commit text.
- FIX stops or prevents the leak: a pin, a lock move, a repoint, upstream's
  patch to a vendored copy.
- HYGIENE is the empty Finalize override. Measured, it does NOT stop the
  8.2.0/8.2.1 leak (the leak is the same with and without one).
- MANUAL: napi-fix will not edit it (NAPI005, a refusal); a person must act,
  and the title is the finding's reason, which says what to do (the
  command to run, when there is one).

The files a fix writes:
- a manifest finding (a spec, a lock entry, a gyp target, a vendored copy)
  is fixed by every merged edit of its unit, the package root: the files
  the engine planned together are written together (a target whose copy is
  repointed has no edit of its own and is fixed by its root all the same);
- a C++ finding is fixed by the merged edit that carries its own insertion;
- none when nothing is planned for it (this strategy, a failed file, a
  withheld root: the CLI would write nothing).
Applied together, the FIX and HYGIENE fixes give the bytes `napi-fix PATH`
writes (tests/test_fix_model.py).
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from codemod.edits import Edit
from codemod.results import COPY_HEADERS, FileResult, Finding, Report
from codemod.rules import FIX, HYGIENE, LEAKY_HEADERS, MANUAL

APPLICABILITIES = (FIX, HYGIENE, MANUAL)


@dataclass(frozen=True)
class FileEdits:
    """Edits to one file, and the bytes they were planned on."""

    path: str
    original: bytes
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class Fix:
    key: str  # stable across re-plans of the same bytes: how the editor's codeAction/resolve finds it again
    title: str
    applicability: str  # FIX, HYGIENE or MANUAL (rules.py)
    files: tuple[FileEdits, ...] = ()  # by path (the Report's order); empty: nothing planned for it
    finding: Finding | None = None  # None: several fixes together (the editor's fix-all)
    carried: tuple[Finding, ...] = ()  # the findings whose own edits `files` write (SARIF says their reasons)

    def carries(self, finding: Finding) -> bool:
        """Whether writing this fix writes `finding`'s own edits."""
        return finding in self.carried


class Fixes:
    """Every finding's fix, in the Report's order."""

    def __init__(self, fixes: Iterable[Fix]):
        self.all = tuple(fixes)
        self._by_finding = {fix.finding: fix for fix in self.all}

    def of(self, finding: Finding) -> Fix | None:
        """`finding`'s fix; None when there is nothing to act on (a safe spec, an existing override)."""
        return self._by_finding.get(finding)



def fixes_of(report: Report) -> Fixes:
    """The one place fixes are made: one per finding that has a rule or
    edits of its own, for every file of `report` (a failed one included:
    its NAPI005 refusals are MANUAL fixes)."""
    units: dict[str, list[FileResult]] = defaultdict(list)
    for changed in report.changed:
        units[changed.unit].append(changed)
    roots = {unit: _root_fix_parts(members) for unit, members in units.items()}
    out = []
    for result in report.files:
        for finding in result.findings:
            applicability = finding.applicability
            if applicability is None:
                continue
            files, carried = _planned(result, finding, roots)
            out.append(Fix(finding_key(finding), _title(result, finding, applicability, files), applicability,
                           files, finding, carried))
    return Fixes(out)


def together(fixes: Iterable[Fix]) -> tuple[FileEdits, ...]:
    """The files of several fixes, each once, with every edit any of them
    writes there (in the merged order), by path: what writing them all writes."""
    originals: dict[str, bytes] = {}
    edits: dict[str, set[Edit]] = defaultdict(set)
    for fix in fixes:
        for part in fix.files:
            originals[part.path] = part.original
            edits[part.path].update(part.edits)
    return tuple(FileEdits(path, originals[path], tuple(sorted(edits[path], key=_merged_order)))
                 for path in sorted(originals))


def finding_key(finding: Finding) -> str:
    return f"{finding.rule}:{finding.span or finding.line}"


def _merged_order(edit: Edit) -> tuple[int, int]:
    return edit.start, edit.end  # merge.py's order (one edit per range once merged)


def _root_fix_parts(members: list[FileResult]) -> tuple[tuple[FileEdits, ...], tuple[Finding, ...]]:
    files = tuple(FileEdits(r.path, r.original, r.edits) for r in sorted(members, key=lambda r: r.path))
    return files, tuple(f for r in members for f in r.findings if f.edits)


def _planned(result: FileResult, finding: Finding, roots) -> tuple[tuple[FileEdits, ...], tuple[Finding, ...]]:
    """The files `finding`'s fix writes, and the findings whose edits they carry."""
    if result.error is not None:
        return (), ()
    if result.is_manifest:
        return roots.get(result.unit, ((), ()))
    if not finding.edits or not result.edits:
        return (), ()
    wanted = {(e.start, e.end) for e in finding.edits}
    carried = tuple(e for e in result.edits if (e.start, e.end) in wanted)
    return ((FileEdits(result.path, result.original, carried),), (finding,)) if carried else ((), ())


def _title(result: FileResult, finding: Finding, applicability: str, files: tuple[FileEdits, ...]) -> str:
    """What the editor's code action says."""
    if applicability == MANUAL:
        return f"napi-fix will not change this; a person must act: {finding.reason}"
    if applicability == HYGIENE:
        return (f"napi-fix: add an empty Finalize override to {finding.subject} "
                "(hygiene only: it does not stop the 8.2.0/8.2.1 leak)")
    named = files_named(files, result.unit if result.is_manifest else os.path.dirname(result.path)) or "not planned"
    if finding.rule == LEAKY_HEADERS.id:
        if any(os.path.basename(part.path) in COPY_HEADERS for part in files):
            return f"napi-fix: apply upstream's fix to the vendored node-addon-api headers ({named})"
        return f"napi-fix: build against the npm package node-addon-api instead of the leaky copy ({named})"
    return f"napi-fix: pin node-addon-api past 8.2.0/8.2.1 ({named})"


def files_named(files: Iterable[FileEdits], folder: str) -> str:
    return ", ".join(os.path.relpath(part.path, folder) for part in files)
