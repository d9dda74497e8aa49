"""What happened to one repository: a small frozen value that the ledger
stores, the report prints and the exit code is computed from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

FIXED = "fixed"  # committed (and pushed when asked)
WOULD_FIX = "would-fix"  # a dry run found changes; the patch is written
CLEAN = "clean"  # nothing to change
NEEDS_ATTENTION = "needs-attention"  # only findings a person must handle (NAPI005)
SKIPPED = "skipped"  # with a reason
FAILED = "failed"  # with a stage and a message
STATUSES = (FIXED, WOULD_FIX, CLEAN, NEEDS_ATTENTION, SKIPPED, FAILED)


@dataclass(frozen=True)
class RepoOutcome:
    repo: str  # the repository's id (inputs.RepoSpec.id)
    status: str
    stage: str = ""  # failed: clone, analyze, plan, apply, verify, commit or push
    reason: str = ""  # skipped: why; failed: the message; otherwise a note
    base: str = ""  # the base commit analysed
    base_branch: str = ""
    branch: str = ""
    commit: str = ""
    files: int = 0  # files changed (or that would be)
    pins: int = 0  # version pins (spec and lock entries)
    finalize: int = 0  # empty Finalize overrides inserted (hygiene only)
    attention: int = 0  # findings a person must handle
    pushed: bool = False
    pr: str = ""  # the pull request's URL, or the command that opens it
    patch: str = ""  # the patch file written
    seconds: float = 0.0
    retry: bool = False  # a skip the next --resume should redo (a push limit)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "RepoOutcome":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    @property
    def done(self) -> bool:
        """Whether --resume may leave this repository alone."""
        return self.status != FAILED and not self.retry


def exit_code(outcomes) -> int:
    """2 when any failed, 1 when any would fix or needs a person, else 0."""
    statuses = {o.status for o in outcomes}
    if FAILED in statuses:
        return 2
    if statuses & {WOULD_FIX, NEEDS_ATTENTION}:
        return 1
    return 0
