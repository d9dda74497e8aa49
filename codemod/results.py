"""Per-file results and the run's Report (which owns the exit code).

Results are small frozen values: a worker can return them, a presenter can
render them, the writer can apply them. A file that cannot be handled is a
FileResult with `error` set, never an exception that stops the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class FileResult:
    path: str
    findings: tuple[Finding, ...] = ()
    error: str | None = None
    original: bytes | None = None  # the bytes the edits were planned on

    @property
    def edits(self) -> tuple[Edit, ...]:
        return tuple(e for f in self.findings for e in f.edits)


@dataclass(frozen=True)
class Report:
    strategy: str
    files: tuple[FileResult, ...] = ()
    notes: tuple[str, ...] = field(default=())

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
