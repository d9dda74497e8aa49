"""`napi-fix batch status LEDGER...`: where the pull requests of a batch
stand (open, merged, closed; their checks), asked of `gh` for every
repository whose branch the ledgers say was committed.

A fix is done when its pull request is merged: the exit code is 0 then
for every repository, 1 while any is open, closed unmerged or has none,
2 when gh cannot answer.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass

from codemod.batch import redact
from codemod.batch.git import NO_PROGRAMS, run
from codemod.batch.outcome import RepoOutcome

NONE = "none"  # no pull request for the branch
FIELDS = "state,url,isDraft,statusCheckRollup"


@dataclass(frozen=True)
class PullRequest:
    repo: str
    branch: str
    state: str  # open, merged, closed, or none
    checks: str = ""  # passing, failing, pending, or "" (none reported)
    url: str = ""
    draft: bool = False
    error: str = ""  # what gh said when it could not answer

    def to_json(self) -> dict:
        return {"type": "pr", "repo": self.repo, "branch": self.branch, "state": self.state, "checks": self.checks,
                "url": self.url, "draft": self.draft, "error": self.error}


def committed(outcomes) -> list[RepoOutcome]:
    """The repositories with a branch napi-fix committed (and so maybe a pull request)."""
    return sorted((o for o in outcomes if o.branch and o.commit), key=lambda o: o.repo)


def ask(outcome: RepoOutcome, remote: str) -> PullRequest:
    where = _gh_repository(outcome.repo, remote)
    if where is None:
        return PullRequest(outcome.repo, outcome.branch, NONE, error="no OWNER/NAME to ask gh about")
    done = run(["gh", "pr", "view", outcome.branch, "--repo", where, "--json", FIELDS], ".")
    if done.returncode != 0:
        said = redact.text(" ".join((done.stderr or done.stdout).split()))
        if "no pull requests found" in said.lower():
            return PullRequest(outcome.repo, outcome.branch, NONE)
        return PullRequest(outcome.repo, outcome.branch, NONE, error=f"gh pr view: {said or 'failed'}")
    try:
        found = json.loads(done.stdout)
    except ValueError:
        return PullRequest(outcome.repo, outcome.branch, NONE, error="gh pr view: not JSON")
    return PullRequest(outcome.repo, outcome.branch, str(found.get("state", "")).lower() or NONE,
                       checks(found.get("statusCheckRollup") or []), redact.text(str(found.get("url", ""))),
                       bool(found.get("isDraft")))


def checks(rollup: list[dict]) -> str:
    """One word for a pull request's checks (GitHub's check runs and statuses)."""
    if not rollup:
        return ""
    words = {str(c.get("conclusion") or c.get("state") or c.get("status") or "").upper() for c in rollup}
    if words & {"FAILURE", "ERROR", "TIMED_OUT", "CANCELLED", "ACTION_REQUIRED", "STARTUP_FAILURE"}:
        return "failing"
    if words <= {"SUCCESS", "NEUTRAL", "SKIPPED"}:
        return "passing"
    return "pending"


def _gh_repository(repo_id: str, remote: str) -> str | None:
    """OWNER/NAME for a URL id; for a local checkout, from its remote's
    URL as configured (never `git remote get-url`: see redact.py)."""
    url = repo_id
    if repo_id.startswith("/"):
        done = run(["git", *NO_PROGRAMS, "config", "--get", f"remote.{remote}.url"], repo_id)
        if done.returncode != 0:
            return None
        url = done.stdout.strip()
    return redact.gh_repository(url)


def exit_code(found: list[PullRequest]) -> int:
    if any(p.error for p in found):
        return 2
    return 0 if all(p.state == "merged" for p in found) else 1


def available() -> bool:
    return shutil.which("gh") is not None
