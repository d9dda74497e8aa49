"""One Fix per finding, made from a Report by one function (`fixes_of`).

A fix says what writing it changes and how much that helps. How much is
its applicability, which the finding's rule owns (rules.py), so "fix" and
"hygiene" are never told apart by a title or a kind: SARIF's `fixes`, the
editor's quick fixes and fix-all (`isPreferred` only for FIX), batch's
statuses and commit text all read it here, and results.py's exit policy
reads the same applicability (MANUAL: undecided).
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
A MANUAL finding in a root that is pinned all the same (a build target's
headers napi-fix cannot read, beside a lock it moves) carries that root's
files, as SARIF has always shown them: writing them does not settle it.
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
from codemod.rules import FixFacts, fix_title, named


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

    @property
    def carries_own(self) -> bool:
        """Whether writing this fix writes its finding's own edits (a
        finding fixed by its root's edits alone has none of its own)."""
        return self.finding is not None and self.finding in self.carried


@dataclass(frozen=True)
class _Planned:
    """What a finding's fix writes, before it is a Fix."""

    files: tuple[FileEdits, ...] = ()
    carried: tuple[Finding, ...] = ()
    folder: str | None = None  # what a title names the files relative to, when the same for every finding (a root's)


NOTHING = _Planned()


class Fixes:
    """Every finding's fix, made file by file on first use: the editor asks
    for one file's fixes at a time, on every cursor move."""

    def __init__(self, report: Report):
        self.report = report
        self._members: dict[str, list[FileResult]] = defaultdict(list)
        for changed in report.changed:
            self._members[changed.unit].append(changed)
        self._roots: dict[str, _Planned] = {}
        self._by_range: dict[str, dict[tuple[int, int], list[int]]] = {}  # path -> where its edits are, by range

    def in_file(self, result: FileResult) -> tuple[Fix | None, ...]:
        """One per finding of `result`, in its order: the finding's fix, or
        None when there is nothing to act on (a safe spec, an existing override)."""
        return tuple(self.of(result, finding) for finding in result.findings)

    @property
    def all(self) -> tuple[Fix, ...]:
        """Every fix, in the Report's order."""
        return tuple(fix for result in self.report.files for fix in self.in_file(result) if fix is not None)

    def of(self, result: FileResult, finding: Finding) -> Fix | None:
        """One finding's fix (of those in_file gives): the editor asks for the few under the cursor."""
        applicability = finding.applicability
        if applicability is None:
            return None
        planned = self._planned(result, finding)
        return Fix(finding_key(finding), _title(result, finding, planned), applicability,
                   planned.files, finding, planned.carried)

    def _planned(self, result: FileResult, finding: Finding) -> _Planned:
        """The files `finding`'s fix writes, and the findings whose edits they carry."""
        if result.error is not None:
            return NOTHING
        if result.is_manifest:
            return self._root(result.unit)
        if not finding.edits or not result.edits:
            return NOTHING
        # Looked up by range, not searched (a generated header has thousands of edits).
        if result.path not in self._by_range:
            places = self._by_range[result.path] = defaultdict(list)
            for at, edit in enumerate(result.edits):
                places[(edit.start, edit.end)].append(at)
        places = self._by_range[result.path]
        wanted = {(e.start, e.end) for e in finding.edits}
        carried = tuple(result.edits[at] for at in sorted(at for r in wanted for at in places.get(r, ())))
        return _Planned((FileEdits(result.path, result.original, carried),), (finding,)) if carried else NOTHING

    def _root(self, unit: str) -> _Planned:
        """What every manifest finding of a package root writes: made once per root."""
        if unit not in self._roots:
            members = sorted(self._members.get(unit, ()), key=lambda r: r.path)
            files = tuple(FileEdits(r.path, r.original, r.edits) for r in members)
            self._roots[unit] = _Planned(files, tuple(f for r in members for f in r.findings if f.edits),
                                         unit) if files else NOTHING
        return self._roots[unit]


def fixes_of(report: Report) -> Fixes:
    """The one place fixes are made: one per finding that has a rule or
    edits of its own, for every file of `report` (a failed one included:
    its NAPI005 refusals are MANUAL fixes)."""
    return Fixes(report)


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


def _title(result: FileResult, finding: Finding, planned: _Planned) -> str:
    """What the editor's code action says: the finding's rule words it (rules.py)."""
    paths = tuple(part.path for part in planned.files)
    patches_copy = any(os.path.basename(path) in COPY_HEADERS for path in paths)
    return fix_title(finding.rule, FixFacts(finding.subject, finding.reason, paths,
                                            planned.folder or os.path.dirname(result.path), patches_copy))


def files_named(files: Iterable[FileEdits], folder: str) -> str:
    return named((part.path for part in files), folder)
