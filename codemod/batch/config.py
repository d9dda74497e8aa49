"""What a batch was asked to do: the single run's analysis options plus
the batch's own modes, output and pacing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from codemod.options import Options
from codemod.settings import Settings

DEFAULT_BRANCH = "napi-fix/objectwrap-leak"
DEFAULT_PATCH_DIR = "napi-fix-patches"
CONFLICTS = ("skip", "replace")


@dataclass(frozen=True)
class Config:
    options: Options = Options()
    explicit: frozenset[str] = frozenset()  # "strategy", "pin": given as flags, they win over a repository's settings
    commit: bool = False  # False: a dry run (patches only)
    branch: str = DEFAULT_BRANCH
    conflict: str = "skip"  # an existing branch with a different change: skip or replace
    no_verify: bool = False  # skip git hooks
    verify: str | None = None  # a shell command run in the worktree after the edit
    push: bool = False
    remote: str = "origin"
    open_pr: bool = False
    commit_hygiene_only: bool = False  # commit (and push) repositories whose only change is hygiene
    message: str | None = None  # a commit message template (commit.fill)
    pr_title: str | None = None  # pull request title and body templates
    pr_body: str | None = None
    signoff: bool = False  # git commit --signoff (DCO)
    pr_options: tuple[str, ...] = ()
    fork: bool = False  # push to the user's fork, open the pull request from it  # for gh pr create: --draft, --label, --reviewer, --assignee
    max_pushes: int | None = None
    canary: int | None = None
    timeout: float | None = None  # seconds per repository
    patch_dir: str = DEFAULT_PATCH_DIR  # absolute once parsed
    ledger: str = ""  # absolute once parsed
    resume: bool = False
    only: tuple[str, ...] = ()  # statuses (from the ledger) to run again
    shard: tuple[int, int] | None = None  # (K, N), K in 1..N
    jobs: int = 1
    output: str = "text"

    def options_for(self, found: Settings) -> Options:
        """The options for a repository whose package.json says `found`."""
        o = self.options
        return found.options(o.strategy if "strategy" in self.explicit else None,
                             o.pin_mode if "pin" in self.explicit else None, o.patch_vendored)

    def options_hash(self) -> str:
        """Everything that changes what a run does to a repository: a ledger
        entry counts as done only for the same hash."""
        o = self.options
        relevant = [o.strategy, o.pin_mode, o.patch_vendored, self.commit, self.branch, self.conflict,
                    self.no_verify, self.verify, self.push, self.remote, self.open_pr]
        # (appended only when set: earlier ledgers keep their hash)
        relevant += [flag for flag, on in (("commit-hygiene-only", self.commit_hygiene_only), ("fork", self.fork)) if on]
        return hashlib.sha256(json.dumps(relevant).encode()).hexdigest()[:16]
