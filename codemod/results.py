"""Per-file results and the run's Report (which owns the exit code).

Results are small frozen values: a worker can return them, a presenter can
render them, the writer can apply them. A file that cannot be handled is a
FileResult with `error` set, never an exception that stops the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from codemod.controls import escaped
from codemod.edits import Edit

EXIT_CLEAN = 0  # nothing to change (or every change applied)
EXIT_PENDING = 1  # --dry-run: changes are pending
EXIT_FAILED = 2  # bad input or a failure

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

    def __post_init__(self) -> None:
        _escape_fields(self, "reason", "subject")


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

    def __post_init__(self) -> None:
        # A note can name a path from the repository (a package that is node-addon-api itself).
        object.__setattr__(self, "notes", tuple(escaped(note) for note in self.notes))

    @property
    def failed(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.error is not None)

    @property
    def changed(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.error is None and f.edits)

    def exit_code(self, dry_run: bool) -> int:
        if self.failed:
            return EXIT_FAILED
        if dry_run and self.changed:
            return EXIT_PENDING
        return EXIT_CLEAN
