"""A cache of the repositories given as URLs: partial clones
(`--filter=blob:none`: every commit and tree, blobs only when a worktree
needs them), made once and fetched on every later run."""

from __future__ import annotations

import os
import shutil
import tempfile

from codemod.batch.git import git
from codemod.cachedir import cache_dir


def cache_root() -> str:
    return cache_dir("clones")


REMOTE = "origin"  # the cache's name for the URL, whatever --remote says for local checkouts


def cached_clone(url: str, stem: str, timeout: float | None) -> str:
    """The cache's clone of `url` (in folder `stem`), fetched now; cloned first when new."""
    folder = os.path.join(cache_root(), stem)
    if os.path.isdir(os.path.join(folder, ".git")):
        # The URL as given this time: a token in it may have been renewed
        # since the clone (the clone's own config is the one place it is kept).
        git(folder, "config", f"remote.{REMOTE}.url", url)
        git(folder, "fetch", "--prune", "--quiet", REMOTE, timeout=timeout)
        return folder
    os.makedirs(cache_root(), exist_ok=True)
    # Cloned beside its final place and renamed: an interrupted clone never
    # looks like a cached one.
    temp = tempfile.mkdtemp(prefix=".cloning-", dir=cache_root())
    try:
        git(cache_root(), "clone", "--quiet", "--filter=blob:none", "--no-checkout", "--origin", REMOTE, "--", url, temp,
            timeout=timeout)
        try:
            os.rename(temp, folder)
        except OSError:
            if not os.path.isdir(os.path.join(folder, ".git")):
                raise
            # another batch on this machine cloned it meanwhile: theirs is as fresh
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return folder
