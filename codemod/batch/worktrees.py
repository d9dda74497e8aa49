"""The base a repository is fixed from, and the throwaway git worktree the
work happens in. The user's checkout, its branch and its uncommitted
changes are never touched: a worktree is a second working tree on the same
object store, detached at the base commit, removed when the repo is done."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from codemod.batch.git import GitError, git, ok, rev


@dataclass(frozen=True)
class Base:
    branch: str  # the base branch's name
    commit: str


def resolve_base(git_dir: str, remote: str, branch: str | None, cached: bool) -> Base:
    """The base commit: what `remote` has on the branch as last fetched (a
    local branch may hold commits nobody published: they must never ride
    along in a push), or the local branch of a checkout without that remote."""
    branch = branch or default_branch(git_dir, remote, cached)
    refs = [f"refs/remotes/{remote}/{branch}"] + ([] if cached else [f"refs/heads/{branch}"])
    for ref in refs:
        commit = rev(git_dir, ref)
        if commit:
            return Base(branch, commit)
    raise GitError(f"no branch {branch!r} in {'the remote' if cached else git_dir}")


def default_branch(git_dir: str, remote: str, cached: bool) -> str:
    head = f"refs/remotes/{remote}/HEAD"
    if cached and not ok(git_dir, "symbolic-ref", "--quiet", head):
        git(git_dir, "remote", "set-head", remote, "--auto", check=False)
    named = git(git_dir, "symbolic-ref", "--quiet", "--short", head, check=False).strip()
    if named:
        return named.split("/", 1)[1]
    current = git(git_dir, "symbolic-ref", "--quiet", "--short", "HEAD", check=False).strip()
    if current and not cached:
        return current
    raise GitError(f"no default branch known for {remote!r}: name the base branch (the CSV's branch column)")


def add(git_dir: str, path: str, commit: str, timeout: float | None = None) -> str:
    git(git_dir, "worktree", "add", "--detach", "--quiet", path, commit, timeout=timeout)
    return path


def remove(git_dir: str, path: str) -> None:
    """Gone from disk and from the repository's list of worktrees."""
    if not ok(git_dir, "worktree", "remove", "--force", "--force", path):
        shutil.rmtree(path, ignore_errors=True)
        git(git_dir, "worktree", "prune", check=False)


def checked_out(git_dir: str, branch: str) -> str | None:
    """The worktree that has `branch` checked out, if any (moving that
    branch would pull the rug from under its working tree)."""
    current = None
    for line in git(git_dir, "worktree", "list", "--porcelain").splitlines():
        if line.startswith("worktree "):
            current = line[len("worktree "):]
        elif line == f"branch refs/heads/{branch}":
            return current
    return None
