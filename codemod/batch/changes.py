"""A Report in the words a batch needs: what changes and why (for the
commit message and the pull request), how many pins and Finalize
insertions (for the table), and what a person must handle."""

from __future__ import annotations

from dataclasses import dataclass

from codemod.present.paths import label
from codemod.present.words import notes, reason
from codemod.results import MISSING_OVERRIDE, PIN, Report
from codemod.rules import LEAKY_HEADERS, NEEDS_PERSON, RESOLVES_BAD

LEAKING = (RESOLVES_BAD.id, LEAKY_HEADERS.id)  # a finding of these says the leak is there


@dataclass(frozen=True)
class Change:
    path: str  # relative to the repository's root
    line: int
    reason: str


@dataclass(frozen=True)
class Changes:
    made: tuple[Change, ...] = ()  # one per finding with edits
    files: tuple[str, ...] = ()
    pins: int = 0
    finalize: int = 0
    attention: tuple[Change, ...] = ()  # NAPI005: a person must look
    notes: tuple[str, ...] = ()
    leak: bool = False  # the leak is there: a leaky release resolved or leaky headers compiled
    fixes: int = 0  # changes that fix or pin (everything but the Finalize overrides)

    @property
    def hygiene_only(self) -> bool:
        """Only empty Finalize overrides: nothing that stops a leak."""
        return bool(self.made) and not self.fixes


def describe(report: Report, root: str) -> Changes:
    made, attention = [], []
    pins = finalize = fixes = 0
    leak = False
    for result in report.files:
        where = label(result.path, root)
        changed = result.error is None and bool(result.edits)
        for finding in result.findings:
            leak = leak or finding.rule in LEAKING
            if finding.rule == NEEDS_PERSON.id:
                attention.append(Change(where, finding.line, reason(finding)))
            if finding.edits and changed:
                made.append(Change(where, finding.line, reason(finding)))
                pins += finding.kind == PIN
                finalize += finding.kind == MISSING_OVERRIDE
                fixes += finding.kind != MISSING_OVERRIDE
    files = tuple(label(r.path, root) for r in report.changed)
    return Changes(tuple(made), files, pins, finalize, tuple(attention), notes(report), leak, fixes)


def only_attention(report: Report) -> bool:
    """Every error is one a person must handle (a yarn berry lock comes as
    an error carrying a NAPI005 finding): not a failure of the run."""
    return all(any(f.rule == NEEDS_PERSON.id for f in r.findings) for r in report.failed)
