"""What happened to one repository: a small frozen value that the ledger
stores, the report prints and the exit code is computed from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from codemod.batch import redact

FIXED = "fixed"  # the fix committed (and pushed when asked)
WOULD_FIX = "would-fix"  # a dry run found changes that fix or pin; the patch is written
# The empty Finalize overrides alone are hygiene: they do not stop the leak,
# and a project that never leaked gets no pull request unless asked.
HYGIENE_COMMITTED = "hygiene-committed"  # hygiene only, committed (--commit-hygiene-only)
HYGIENE_ONLY = "hygiene-only"  # hygiene only, planned (the patch is written), not committed
CLEAN = "clean"  # nothing to change
NEEDS_ATTENTION = "needs-attention"  # only findings a person must handle (NAPI005)
SKIPPED = "skipped"  # with a reason
FAILED = "failed"  # with a stage and a message
STATUSES = (FIXED, WOULD_FIX, HYGIENE_COMMITTED, HYGIENE_ONLY, CLEAN, NEEDS_ATTENTION, SKIPPED, FAILED)

# Why a repository was skipped (RepoOutcome.skip).
SAME_CHANGE = "same-change"  # its branch carries this very change already: done
DIFFERENT_CHANGE = "different-change"  # its branch carries another change (--conflict skip)
CHECKED_OUT = "checked-out"  # its branch is checked out in a worktree of the user's
MAX_PUSHES = "max-pushes"  # --max-pushes reached: --resume takes it up


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
    report: str = ""  # the file listing every finding (beside the patch)
    log: str = ""  # the file with what ran for it: git, --verify, napi-fix
    seconds: float = 0.0
    retry: bool = False  # a skip the next --resume should redo (a push limit)
    leak: bool | None = None  # the leak is there (NAPI001/NAPI003); None: not known (older ledgers)
    skip: str = ""  # skipped: one of SAME_CHANGE, DIFFERENT_CHANGE, CHECKED_OUT, MAX_PUSHES

    def __post_init__(self):
        # Whatever made this value, no URL in it carries a secret: every
        # output (table, JSON lines, markdown, the ledger) is made from it.
        for name in ("repo", "reason", "pr"):
            object.__setattr__(self, name, redact.text(getattr(self, name)))

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


# The exit-code table of the command line (codemod/results.py decides it for
# the CLI; this is the same table for repositories): 2 bad input or a
# failure; 1 the leak remains or napi-fix could not decide; 3 no leak now but
# changes are pending; 0 nothing remains. Precedence 2 > 1 > 3 > 0.
EXIT_CLEAN, EXIT_REMAINS, EXIT_FAILED, EXIT_PENDING = 0, 1, 2, 3
PRECEDENCE = (EXIT_FAILED, EXIT_REMAINS, EXIT_PENDING)


def repo_exit_code(outcome: RepoOutcome) -> int:
    """What one repository's outcome leaves behind, as an exit code."""
    if outcome.status == FAILED:
        return EXIT_FAILED
    if outcome.status == NEEDS_ATTENTION or outcome.attention:
        return EXIT_REMAINS  # a person must look (NAPI005)
    leak = outcome.leak is not False  # unknown counts as present
    pending = outcome.status in (WOULD_FIX, HYGIENE_ONLY) or (
        outcome.status == SKIPPED and outcome.skip != SAME_CHANGE)
    if pending:
        return EXIT_REMAINS if leak else EXIT_PENDING
    if outcome.status == CLEAN and outcome.leak:
        return EXIT_REMAINS  # found, and nothing this run could change
    return EXIT_CLEAN


def combined(codes) -> int:
    codes = set(codes)
    return next((code for code in PRECEDENCE if code in codes), EXIT_CLEAN)


def exit_code(outcomes) -> int:
    """The batch's exit code: the most serious of its repositories'."""
    return combined(repo_exit_code(o) for o in outcomes)
