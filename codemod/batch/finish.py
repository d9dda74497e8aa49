"""The commit and the push of a repository that is Ready, on the finishing
thread while the main thread analyses the next repository.

Until the branch moves, everything is in the throwaway worktree: when the
batch is stopping, finish returns None there and nothing of the repository
remains. From the branch's move on, the repository is finished (pushed too,
when asked). No signal reaches this thread: git commands that run hooks
get the time left of --timeout instead.
"""

from __future__ import annotations

import os
from typing import Callable

from codemod.batch import worktrees
from codemod.batch.commit import (WHY, commit, fill, listed, message, move_branch, same_change, subject,
                                  uses_conventional_commits)
from codemod.batch.fork import fork
from codemod.batch.git import GitError, git
from codemod.batch.log import writing_to
from codemod.batch.outcome import (CHECKED_OUT, DIFFERENT_CHANGE, FIXED, HYGIENE_COMMITTED, MAX_PUSHES, SAME_CHANGE,
                                   SKIPPED, RepoOutcome)
from codemod.batch.push import body, open_pr, push
from codemod.batch.repo import Ready, Work


def finish(ready: Ready, may_push: bool, stopping: Callable[[], bool]) -> RepoOutcome | None:
    work = ready.work
    try:
        with writing_to(work.checkout.log):
            return _commit_and_push(ready, may_push, stopping)
    except GitError as exc:
        if stopping():  # a Ctrl-C at the terminal reaches git too: not this repository's failure
            return None
        return work.failed(str(exc))
    except Exception as exc:  # a bug must cost one repository, never the batch
        return work.failed(f"internal error: {type(exc).__name__}: {exc}")


def _commit_and_push(ready: Ready, may_push: bool, stopping: Callable[[], bool]) -> RepoOutcome | None:
    work, changes, note = ready.work, ready.changes, ready.note
    config, checkout = work.config, work.checkout
    branch, git_dir, base = config.branch, checkout.git_dir, checkout.base
    work.facts["branch"] = branch
    if config.push and not may_push:
        return work.outcome(SKIPPED, retry=True, skip=MAX_PUSHES,
                            reason=f"not committed: --max-pushes {config.max_pushes} reached; run again with --resume")
    holder = None if checkout.spec.is_url else worktrees.checked_out(git_dir, branch)  # the cache checks out nothing
    if holder is not None:
        return work.outcome(SKIPPED, skip=CHECKED_OUT, reason=f"branch {branch} is checked out in {holder}")
    tips = worktrees.refs(git_dir, checkout.remote)
    local = tips.get(f"refs/heads/{branch}", ("",))[0] or None
    remote = tips.get(f"refs/remotes/{checkout.remote}/{branch}", ("",))[0] or None  # as last fetched
    conventional = uses_conventional_commits(work.root, base.commit)
    text = message(changes, conventional, config.message, _values(work, changes, conventional))
    new = commit(work.root, changes.files, text, config.no_verify, _left(work), config.signoff)
    differ = [t for t in (local, remote) if t and t != new and not same_change(git_dir, base.commit, new, t)]
    if differ and config.conflict == "skip":
        return work.outcome(SKIPPED, commit=differ[0], skip=DIFFERENT_CHANGE,
                            reason=f"branch {branch} exists with a different change (--conflict replace replaces it)")
    if not differ and remote:  # done before: a rerun still shows where its pull request is
        pr = _open_pr(work, changes, conventional) if config.open_pr else ""
        return work.outcome(SKIPPED, commit=remote, skip=SAME_CHANGE, pr=pr,
                            reason=f"branch {branch} exists on {checkout.remote} with the same change")
    if not differ and local and not config.push:
        return work.outcome(SKIPPED, commit=local, skip=SAME_CHANGE, reason=f"branch {branch} exists with the same change")
    if not differ and local:
        new = local  # made by an earlier run and not pushed yet: pushed now, not made again
    if stopping():
        return None  # rolled back: the commit stays unreferenced in the worktree that is removed
    work.facts["commit"] = new
    if new != local:
        move_branch(git_dir, branch, new, local)
    done = HYGIENE_COMMITTED if changes.hygiene_only else FIXED
    if not config.push:
        return work.outcome(done, reason=note)
    work.stage = "push"
    theirs = fork(_given_url(checkout), git_dir) if config.fork else None
    pushed = push(work.root, theirs.url if theirs else checkout.remote, branch, bool(differ), config.no_verify,
                  _left(work), lease=theirs is None)  # (a fork's branch is not fetched: nothing to lease on)
    pr = _open_pr(work, changes, conventional, theirs.owner if theirs else None) if config.open_pr else ""
    return work.outcome(done, pushed=pushed, pr=pr, reason=note)


def _left(work: Work) -> float | None:
    left = work.left()
    if left is not None and left <= 0:
        raise GitError(f"timed out after {work.config.timeout:g} s (--timeout)")
    return left


def _open_pr(work: Work, changes, conventional: bool, fork_owner: str | None = None) -> str:
    checkout, config = work.checkout, work.config
    body_file = os.path.join(config.patch_dir, checkout.spec.stem + ".pr.md")
    values = _values(work, changes, conventional)
    text = body(changes, checkout.base.branch) if config.pr_body is None else fill(config.pr_body, values)
    with open(body_file, "w", encoding="utf-8") as handle:
        handle.write(text)
    title = subject(changes, conventional) if config.pr_title is None else fill(config.pr_title, values).strip()
    head = f"{fork_owner}:{config.branch}" if fork_owner else config.branch
    return open_pr(checkout.git_dir, _given_url(checkout), head, checkout.base.branch, title, body_file,
                   config.pr_options)


def _values(work: Work, changes, conventional: bool) -> dict:
    """What a --message, --pr-title or --pr-body template may name."""
    return {"subject": subject(changes, conventional), "why": WHY, "repo": work.checkout.spec.id,
            "branch": work.config.branch, "base_branch": work.checkout.base.branch,
            "changes": "\n".join(listed(changes.made)), "needs_person": "\n".join(listed(changes.attention))}


def _given_url(checkout) -> str:
    """The repository's URL as the user wrote it: the URL listed, or the
    remote's URL in the checkout's config (`git remote get-url` would
    apply `url.*.insteadOf`, which is where CI recipes put their token)."""
    if checkout.spec.is_url:
        return checkout.spec.location
    return git(checkout.git_dir, "config", "--get", f"remote.{checkout.remote}.url").strip()
