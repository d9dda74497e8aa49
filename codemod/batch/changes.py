"""A Report in the words a batch needs: what changes and why (for the
commit message and the pull request), how many pins and Finalize
insertions (for the table), and what a person must handle.

"Leak fixed" or "hygiene-only" follows from the fixes' applicability
(codemod/fixes.py): a repository whose written fixes are all HYGIENE (the
empty Finalize overrides) has not stopped its leak."""

from __future__ import annotations

from dataclasses import dataclass

from codemod.fixes import Fix, fixes_of
from codemod.present.paths import label
from codemod.present.words import notes, reason
from codemod.results import LEAK_RULES, PIN, Report
from codemod.rules import FIX, HYGIENE, MANUAL


@dataclass(frozen=True)
class Described:
    """A finding as a commit message or a pull request lists it."""

    path: str  # relative to the repository's root
    line: int
    reason: str


@dataclass(frozen=True)
class Changes:
    made: tuple[Described, ...] = ()  # one per finding whose own edits are written
    files: tuple[str, ...] = ()
    pins: int = 0
    finalize: int = 0
    attention: tuple[Described, ...] = ()  # MANUAL (NAPI005): a person must look
    notes: tuple[str, ...] = ()
    leak: bool = False  # the leak is there: a leaky release resolved or leaky headers compiled
    fixes: int = 0  # written fixes that stop or prevent the leak (FIX: everything but the Finalize overrides)

    @property
    def hygiene_only(self) -> bool:
        """Only empty Finalize overrides: nothing that stops a leak."""
        return bool(self.made) and not self.fixes


def describe(report: Report, root: str) -> Changes:
    fixes = fixes_of(report)
    made: list[Fix] = []  # whose finding's own edits are written
    described: list[Described] = []
    attention: list[Described] = []
    for result in report.files:
        where = label(result.path, root)
        for finding, fix in zip(result.findings, fixes.in_file(result)):
            if fix is None:
                continue
            if fix.applicability == MANUAL:
                attention.append(Described(where, finding.line, reason(finding)))
            if fix.carries_own:
                made.append(fix)
                described.append(Described(where, finding.line, reason(finding)))
    return Changes(
        tuple(described),
        tuple(label(r.path, root) for r in report.changed),
        pins=sum(fix.finding.kind == PIN for fix in made),
        finalize=sum(fix.applicability == HYGIENE for fix in made),
        attention=tuple(attention),
        notes=notes(report),
        leak=any(f.rule in LEAK_RULES for r in report.files for f in r.findings),
        fixes=sum(fix.applicability == FIX for fix in made),
    )


def only_attention(report: Report) -> bool:
    """Every error is one a person must handle (a yarn berry lock comes as
    an error carrying a NAPI005 finding): not a failure of the run."""
    return all(any(f.applicability == MANUAL for f in r.findings) for r in report.failed)
