"""Per-file results and the run's Report (which owns the exit code).

Results are small frozen values: a worker can return them, a presenter can
render them, the writer can apply them. A file that cannot be handled is a
FileResult with `error` set, never an exception that stops the run.

The exit status says what remains after the run, not whether edits were
planned: a CI gate fails a leaking tree in a dry run as in a real one, and
passes a tree that only has pins pending as "no leak now" (3). One table
(EXIT_TABLE), decided by one function (`exit_status`) over what remains, for
the command line in every format and for `napi-fix batch`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from codemod.controls import escaped
from codemod.edits import Edit
from codemod.rules import BY_ID, FIX, LEAKY_HEADERS, MANUAL, RESOLVES_BAD, WARNING

EXIT_CLEAN = 0  # nothing remains: no leak, nothing undecided, no change pending
EXIT_LEAKS = 1  # the leak remains, or napi-fix could not decide
EXIT_FAILED = 2  # bad input or a failure; nothing written
EXIT_PENDING = 3  # no leak now, but changes are pending

# What can remain after a run, each with the status it causes.
REMAINS_FAILED = "failed"  # a file napi-fix could not handle, a refused write, a conflict
REMAINS_LEAK = "leak"  # a leaky copy that is compiled into ObjectWrap classes (or may be), not fixed
REMAINS_UNDECIDED = "undecided"  # NAPI005: napi-fix could not decide; a person must look
REMAINS_PENDING = "pending"  # edits not written that fix no leak present today
_PRECEDENCE = ((REMAINS_FAILED, EXIT_FAILED), (REMAINS_LEAK, EXIT_LEAKS), (REMAINS_UNDECIDED, EXIT_LEAKS),
               (REMAINS_PENDING, EXIT_PENDING))

# (status, meaning, caused by): the table `napi-fix --help` and the README print.
EXIT_TABLE = (
    (EXIT_CLEAN, "nothing remains: no leak, nothing undecided, no change pending",
     "no finding, or notes only (NAPI004 when the strategy does not insert overrides); a real run that wrote "
     "every fix"),
    (EXIT_LEAKS, "the leak remains, or napi-fix could not decide",
     "NAPI001/NAPI003 whose leak is present or unknown and that this run did not fix (a dry run fixes "
     "nothing); any NAPI005 (but one about a build target's unreadable headers where no ObjectWrap class "
     "compiles, or beside the target's known node-addon-api); a file whose analysis did not finish"),
    (EXIT_FAILED, "bad input or a failure; nothing written",
     "invalid JSON/YAML/GYP, a refused write, an edit conflict, a usage error"),
    (EXIT_PENDING, "no leak now, but changes are pending",
     "a dry run with planned edits that are not leak fixes: NAPI002 pins, NAPI001/NAPI003 pins where no "
     "ObjectWrap class compiles against that copy, NAPI004 overrides the strategy asked for"),
)
EXIT_MEANING = {status: meaning for status, meaning, _ in EXIT_TABLE}


def exit_status(remaining: Iterable[str]) -> int:
    """The exit status for what remains after a run (REMAINS_* values), by
    precedence 2 > 1 > 3 > 0. The one decision: the CLI in every format and
    the batch runner call it."""
    remaining = set(remaining)
    return next((status for what, status in _PRECEDENCE if what in remaining), EXIT_CLEAN)

# Leak verdicts of a NAPI001/NAPI003 finding: is the leaky copy compiled into ObjectWrap classes?
LEAKING = "leaking"  # ObjectWrap classes compile against it
NOT_LEAKING = "not-leaking"  # none do today: pin to stay safe
LEAK_UNKNOWN = "unknown"  # could not be looked at (dependencies not installed, a file not analyzed)

# Finding kinds.
MISSING_OVERRIDE = "missing-finalize"  # a target without an override: the finalize strategy edits it
HAS_OVERRIDE = "has-finalize"
INTERMEDIATE_BASE = "intermediate-base"
INDIRECT = "indirect"
MANUAL = "manual"  # found, but no safe edit: macro-generated, unparsed, malformed body
PIN = "pin"  # a spec or lock entry admits or resolves 8.2.0/8.2.1: the pin strategy edits it
PIN_SAFE = "safe"
PIN_UNKNOWN = "unknown"  # git, file, link, workspace, tag: the lockfile decides
HEADERS = "headers"  # where a build target's headers come from
INSTALLED = "installed"  # a node_modules copy: version and fingerprint
MISMATCH = "mismatch"  # a version string and a header fingerprint disagree

# Hints: what a front-end may add to a reason (the CLI names a flag for each).
HINT_KEEP_COPY = "keep-copy"  # repointed; --patch-vendored would keep and fix the copy instead
HINT_NO_PACKAGE = "no-package"  # cannot repoint (no package.json): --patch-vendored can fix the copy
HINT_OTHER_PM = "other-pm"  # yarn/pnpm project: repoint by hand, or --patch-vendored
HINT_PATCH_COPY = "patch-copy"  # a leaky copy: --patch-vendored applies upstream's fix

# Why a finding's edits were withheld, when a front-end says it in its own
# terms (the command line names a flag, the editor a setting).
WITHHELD_NOT_ASKED = "not-asked"  # a pin the strategy does not plan (finalize only): the pin is the fix


@dataclass(frozen=True)
class Related:
    """Another place a finding points at (the lock entry behind a spec, and back)."""

    path: str
    line: int  # 1-based
    span: tuple[int, int] | None
    message: str

    def __post_init__(self) -> None:
        _escape_fields(self, "message")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int  # 1-based
    column: int  # 1-based, in bytes
    kind: str
    subject: str  # the class (qualified) or the macro
    wrapped_type: str
    reason: str
    edits: tuple[Edit, ...] = ()
    rule: str | None = None  # NAPI001..NAPI005 (codemod/rules.py); None: nothing to act on
    hint: str | None = None  # one of the HINT_* codes
    span: tuple[int, int] | None = None  # the bytes the finding is about, when known
    related: tuple[Related, ...] = ()
    # NAPI001/NAPI003: LEAKING, NOT_LEAKING or LEAK_UNKNOWN; a NAPI005 about a build target's headers:
    # NOT_LEAKING when it cannot bear on the leak (engine.py joins it).
    leak: str | None = None
    leak_detail: str = ""  # what compiles against the copy and what was found in it: the verdict's words
    withheld: str | None = None  # a WITHHELD_* code: its edits were not planned, for a reason a front-end words
    command: str = ""  # a refusal's (NAPI005): what a person runs instead, also named in the reason

    @property
    def level(self) -> str | None:
        """The SARIF level (rules.py), lowered to a warning for a leaky copy nothing leaks through today."""
        rule = BY_ID.get(self.rule or "")
        if rule is None:
            return None
        return WARNING if self.leak == NOT_LEAKING else rule.level

    @property
    def applicability(self) -> str | None:
        """What fixing this finding does (rules.py: FIX, HYGIENE, MANUAL).
        A finding without a rule but with edits is part of its package
        root's pin (the lock following its spec, a suppressed finding whose
        root is pinned all the same): FIX. None: nothing to act on."""
        rule = BY_ID.get(self.rule or "")
        if rule is not None:
            return rule.applicability
        return FIX if self.edits else None

    def remains(self, written: bool) -> str | None:
        """What this finding leaves behind (a REMAINS_* value, or None);
        `written`: the run wrote every edit it planned."""
        fixed = written and bool(self.edits)
        if self.applicability == MANUAL:
            # The headers of a build target napi-fix cannot read, in a package
            # that compiles no ObjectWrap class: undecided, but not about the leak.
            return None if self.leak == NOT_LEAKING else REMAINS_UNDECIDED
        if self.rule in LEAK_RULES and not fixed and self.leak != NOT_LEAKING:
            return REMAINS_LEAK
        # A hygiene fix not written leaves what a pin where nothing leaks
        # leaves: a change pending (3), never the leak (1).
        if self.edits and not fixed:
            return REMAINS_PENDING
        return None

    def __post_init__(self) -> None:
        _escape_fields(self, "reason", "subject")


LEAK_RULES = (RESOLVES_BAD.id, LEAKY_HEADERS.id)
COPY_HEADERS = ("napi-inl.h", "napi.h")  # a vendored copy's files (its NAPI003 edits are the patch)


@dataclass(frozen=True)
class FileResult:
    path: str
    findings: tuple[Finding, ...] = ()
    error: str | None = None
    error_line: int | None = None  # 1-based line the error is about (invalid JSON, YAML, GYP), when known
    original: bytes | None = None  # the bytes the edits were planned on
    edits: tuple[Edit, ...] = ()  # merged (codemod/merge.py): what apply_edits applies
    unit: str = ""  # files planned together (one package root) are written together

    def __post_init__(self) -> None:
        _escape_fields(self, "error")

    @property
    def is_manifest(self) -> bool:
        """Planned with its package root (package.json, a lockfile, a build
        file, a vendored copy's headers): its unit is the root's folder. A
        C/C++ source is its own unit."""
        return self.unit != self.path


def _escape_fields(value, *names: str) -> None:
    """Text from a repository (a gyp target name, a lock key) never reaches a
    terminal, a log or a PR body raw: escaped here, where every result is made."""
    for name in names:
        text = getattr(value, name)
        if text is not None and escaped(text) != text:
            object.__setattr__(value, name, escaped(text))


@dataclass(frozen=True)
class Report:
    strategy: str
    files: tuple[FileResult, ...] = ()
    notes: tuple[str, ...] = field(default=())
    brought: tuple[str, ...] = ()  # manifests planned beside one named explicitly: writable with it
    suppressed: int = 0  # findings the settings or an ignore comment silenced (codemod/settings.py)

    def __post_init__(self) -> None:
        # A note can name a path from the repository (a package that is node-addon-api itself).
        object.__setattr__(self, "notes", tuple(escaped(note) for note in self.notes))

    @property
    def failed(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.error is not None)

    @property
    def changed(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.error is None and f.edits)

    def remaining(self, written: bool) -> frozenset[str]:
        """What remains after the run (REMAINS_* values); `written`: a real
        run that wrote every planned edit (one that could not write has failed)."""
        # A target that compiles a vendored copy has no edit of its own when
        # the copy is patched (--patch-vendored): writing the patch fixes it.
        # (A repointed target leaves its copy behind: the copy's finding stays.)
        patched = {r.unit for r in self.files for f in r.findings
                   if written and f.rule == LEAKY_HEADERS.id and f.edits and r.path.endswith(COPY_HEADERS)}
        found = {None if r.unit in patched and f.rule == LEAKY_HEADERS.id else f.remains(written)
                 for r in self.files for f in r.findings}
        if self.failed:
            found.add(REMAINS_FAILED)
        return frozenset(found - {None})

    def exit_code(self, dry_run: bool) -> int:
        return exit_status(self.remaining(written=not dry_run))
