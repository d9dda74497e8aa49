"""What happened to one repository: a small frozen value that the ledger
stores, the report prints and the exit code is computed from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from codemod.batch import redact
from codemod.results import REMAINS_FAILED, REMAINS_LEAK, REMAINS_PENDING, REMAINS_UNDECIDED, exit_status

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
    remains: tuple[str, ...] | None = None  # what remains (results.REMAINS_*); None: an older ledger's record

    def __post_init__(self):
        if isinstance(self.remains, list):  # (read back from JSON)
            object.__setattr__(self, "remains", tuple(self.remains))
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


def remains(outcome: RepoOutcome) -> frozenset[str]:
    """What a repository's outcome leaves behind, in the words of the
    command line's exit-code table (results.py): for an outcome that says,
    what it says; for an older ledger's record, judged from its status."""
    if outcome.status == FAILED:
        return frozenset({REMAINS_FAILED})
    if outcome.remains is not None:
        return frozenset(outcome.remains)
    found = {REMAINS_UNDECIDED} if outcome.status == NEEDS_ATTENTION or outcome.attention else set()
    pending = outcome.status in (WOULD_FIX, HYGIENE_ONLY) or (outcome.status == SKIPPED and outcome.skip != SAME_CHANGE)
    if pending or (outcome.status == CLEAN and outcome.leak):
        found.add(REMAINS_PENDING if outcome.leak is False else REMAINS_LEAK)  # unknown counts as present
    return frozenset(found)


def repo_exit_code(outcome: RepoOutcome) -> int:
    return exit_status(remains(outcome))


def exit_code(outcomes) -> int:
    """The batch's exit code: the command line's, over what every repository leaves behind."""
    return exit_status(set().union(*(remains(o) for o in outcomes)))
