"""The base a repository is fixed from, and the throwaway git worktree the
work happens in. The user's checkout, its branch and its uncommitted
changes are never touched: a worktree is a second working tree on the same
object store, detached at the base commit, removed when the repo is done."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from dataclasses import dataclass

from codemod.batch.git import GitError, git
from codemod.cachedir import cache_dir


@dataclass(frozen=True)
class Base:
    branch: str  # the base branch's name
    commit: str
    note: str = ""  # what the user may not expect of it (local commits left out)


def resolve_base(git_dir: str, remote: str, branch: str | None, cached: bool) -> Base:
    """The base commit: what `remote` has on the branch as last fetched (a
    local branch may hold commits nobody published: they must never ride
    along in a push), or the local branch of a checkout without that remote."""
    known = refs(git_dir, remote)
    head = f"refs/remotes/{remote}/HEAD"
    if cached and branch is None and head not in known:
        git(git_dir, "remote", "set-head", remote, "--auto", check=False)
        known = refs(git_dir, remote)
    if branch is None and head in known:
        branch = known[head][1].removeprefix(f"refs/remotes/{remote}/")
    if branch is None and not cached:
        branch = git(git_dir, "symbolic-ref", "--quiet", "--short", "HEAD", check=False).strip() or None
    if branch is None:
        raise GitError(f"no default branch known for {remote!r}: name the base branch (the CSV's branch column)")
    for ref in [f"refs/remotes/{remote}/{branch}"] + ([] if cached else [f"refs/heads/{branch}"]):
        if ref in known:
            return Base(branch, known[ref][0], "" if cached else _ahead(git_dir, known, remote, branch))
    raise GitError(f"no branch {branch!r} in {'the remote' if cached else git_dir}")


def _ahead(git_dir: str, known: dict, remote: str, branch: str) -> str:
    """Say so when the local branch holds commits its remote does not."""
    local, published = known.get(f"refs/heads/{branch}"), known.get(f"refs/remotes/{remote}/{branch}")
    if not local or not published or local[0] == published[0]:
        return ""
    count = int(git(git_dir, "rev-list", "--count", f"{published[0]}..{local[0]}").strip() or 0)
    if not count:
        return ""
    return (f"{branch} is {count} commit{'s' if count > 1 else ''} ahead of {remote}/{branch}; "
            f"{'those commits are' if count > 1 else 'that commit is'} not included")


def refs(git_dir: str, remote: str) -> dict[str, tuple[str, str]]:
    """Branches here and of `remote`: name -> (commit, what a symbolic ref points to)."""
    out = git(git_dir, "for-each-ref", "--format=%(refname)%00%(objectname)%00%(symref)", "refs/heads/",
              f"refs/remotes/{remote}/")
    return {name: (commit, target) for name, commit, target in (line.split("\0") for line in out.splitlines())}


def add(git_dir: str, path: str, commit: str, only: tuple[str, ...] | None = None,
        timeout: float | None = None) -> str:
    """A worktree detached at `commit`; with `only`, just the files with
    those names. That is a sparse checkout switched on for one command (the
    repository's configuration is left alone; the pattern file lives in the
    worktree's own git folder), and a partial clone fetches those blobs in
    one request."""
    # Never `worktree add` with a checkout: that runs the repository's
    # post-checkout hook. The files come from `read-tree`, which runs none.
    git(git_dir, "worktree", "add", "--detach", "--quiet", "--no-checkout", path, commit, timeout=timeout)
    try:
        sparse = []
        if only is not None:
            patterns = os.path.join(_admin_dir(path), "info", "sparse-checkout")
            os.makedirs(os.path.dirname(patterns), exist_ok=True)
            with open(patterns, "w", encoding="utf-8") as handle:
                handle.write("".join(f"{name}\n" for name in only))  # no slash: a name at any depth
            sparse = ["-c", "core.sparseCheckout=true"]
        git(path, *sparse, "read-tree", "-mu", "HEAD", timeout=timeout)
    except (GitError, OSError):
        remove(git_dir, path)
        raise
    return path


def _admin_dir(path: str) -> str:
    """The worktree's own git folder ($GIT_DIR/worktrees/<id>), which its
    `.git` file names ("gitdir: ..."; relative to the worktree, or absolute)."""
    with open(os.path.join(path, ".git"), encoding="utf-8") as handle:
        return os.path.join(path, handle.read().strip().removeprefix("gitdir: "))


def remove(git_dir: str, path: str) -> None:
    """Gone from disk and from the repository's list of worktrees: the
    folder, then its administrative folder ($GIT_DIR/worktrees/<id>, which
    its `.git` file names). That is what `git worktree prune` does once the
    folder is gone, without two git processes per repository (a tenth of a
    batch's time once the analysis got fast)."""
    try:
        admin = os.path.normpath(_admin_dir(path))
    except OSError:
        admin = None
    shutil.rmtree(path, ignore_errors=True)
    if admin is not None and os.path.basename(os.path.dirname(admin)) == "worktrees":
        shutil.rmtree(admin, ignore_errors=True)
        try:
            os.rmdir(os.path.dirname(admin))  # as git leaves it: no empty worktrees/
        except OSError:
            pass  # another worktree is still there
    if os.path.exists(path) or admin is None or os.path.exists(admin):
        git(git_dir, "worktree", "prune", check=False)


# -- the one folder every batch's worktrees live in --------------------------------
#
# A batch killed by SIGKILL or the OOM killer cannot clean up: its worktrees
# stay on disk and registered in the user's repositories. They all live in
# one folder napi-fix owns, one subfolder per run holding a lock while the
# run lives; the next batch removes the subfolders whose run is gone, and
# forgets their registrations.


def owned_root() -> str:
    return cache_dir("worktrees")


class RunFolder:
    """This run's folder for worktrees, locked while the run lives."""

    def __enter__(self) -> str:
        os.makedirs(owned_root(), exist_ok=True)
        sweep()
        self.path = tempfile.mkdtemp(prefix="run-", dir=owned_root())
        self.lock = os.open(os.path.join(self.path, ".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        return self.path

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        os.close(self.lock)


def sweep() -> None:
    """Remove the folders of runs that are gone, and their registrations."""
    for name in os.listdir(owned_root()):
        folder = os.path.join(owned_root(), name)
        try:
            lock = os.open(os.path.join(folder, ".lock"), os.O_WRONLY)
        except OSError:
            continue  # being created, or not ours
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # its run is alive
        finally:
            os.close(lock)  # (an acquired lock goes with the descriptor)
        for entry in os.listdir(folder):
            path = os.path.join(folder, entry)
            if os.path.isdir(path):
                _forget(path)
        shutil.rmtree(folder, ignore_errors=True)


def _forget(path: str) -> None:
    try:
        admin = os.path.normpath(_admin_dir(path))
    except OSError:
        return
    if os.path.basename(os.path.dirname(admin)) == "worktrees":
        shutil.rmtree(admin, ignore_errors=True)


def prune_ours(git_dir: str) -> None:
    """Forget this repository's registrations of worktrees that were in
    napi-fix's folder and are gone (its own, not the user's stale ones)."""
    registry = os.path.join(git_dir, ".git", "worktrees")
    ours = tuple(os.path.join(root, "") for root in (owned_root(), os.path.realpath(owned_root())))
    try:
        names = os.listdir(registry)
    except OSError:
        return  # none, or a checkout whose .git is a file: left to `git worktree prune`
    for name in names:
        try:
            with open(os.path.join(registry, name, "gitdir"), encoding="utf-8") as handle:
                where = handle.read().strip()
        except OSError:
            continue
        if where.startswith(ours) and not os.path.exists(where):
            shutil.rmtree(os.path.join(registry, name), ignore_errors=True)


# The hooks git runs while the batch commits and pushes: a repository with
# any of them gets a complete worktree, whatever they may look at.
HOOKS = ("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit", "pre-push", "reference-transaction")


def has_hooks(git_dir: str) -> bool:
    folder = os.path.join(git_dir, git(git_dir, "rev-parse", "--git-path", "hooks").strip())
    return any(os.access(os.path.join(folder, name), os.X_OK) for name in HOOKS)


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
