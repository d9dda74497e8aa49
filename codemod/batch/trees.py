"""A dry run reads the base commit from git's object store, not a worktree.

Adding a worktree, writing its files and removing it again was most of
what a batch spent on a repository that it only plans (bench/batch.py).
A dry run of a clean repository reads the commit's tree instead: one
`git ls-tree`, and one `git cat-file --batch` for the bytes the engine
asks for (codemod/sources/gittree.py). A worktree is still made for a
repository that is committed or verified (files are written there), and
for one whose checkout would not hold the blobs' bytes: git converts line
endings to CRLF on checkout (`eol=crlf`, `core.autocrlf=true`,
`core.eol=crlf`) or runs a filter, `ident` or an encoding over them; the
plan must be the plan of the files as checked out.
"""

from __future__ import annotations

import fnmatch
import os

from codemod.batch.git import NO_PROGRAMS, QUIET_ENV, git
from codemod.sources.base import Unreadable
from codemod.sources.gittree import LINK_MODE, GitTreeSources

# Attributes whose checkout is not the blob. `text`, `eol=lf`, `crlf` and
# `-text` leave a checkout on Linux as the blob is (git adds CRs on the
# way out only when the line ending asked for is CRLF).
CONVERTING = ("filter", "ident", "working-tree-encoding")
FETCHED = "napi-fix-blobs-of"  # in a cached clone's .git: the commit whose blobs it holds


def open_tree(git_dir: str, commit: str, root: str, prefetch: tuple[str, ...], remote: str | None,
              timeout: float | None) -> GitTreeSources | str:
    """The commit's tree served at `root`, or why a worktree is needed.
    `remote`: the partial clone's promisor, from which the blobs named by
    `prefetch` (file names or patterns) that it lacks are fetched in one
    request, not one by one as each is read."""
    config = _config(git_dir)
    for said, crlf in (("core.autocrlf=true", _true(config.get("core.autocrlf", "false"))),
                       ("core.eol=crlf", (config.get("core.eol") or "").lower() == "crlf")):
        if crlf:
            return f"{said}: text files are checked out with CRLF line endings"
    listing = git(git_dir, "ls-tree", "-r", "-z", "--full-tree", commit, timeout=timeout, errors="surrogateescape")
    tree = {}
    for record in listing.split("\0"):
        if record:
            meta, _, path = record.partition("\t")
            mode, _, oid = meta.split(" ")
            tree[path] = (mode, oid)
    if remote is not None:
        _fetch_missing(git_dir, commit, tree, prefetch, remote, timeout)
    sources = GitTreeSources(["git", *NO_PROGRAMS], QUIET_ENV, git_dir, root, tree)
    why = _converting_attributes(git_dir, sources, tree, config)
    if why:
        sources.close()
        return why
    return sources


def _config(git_dir: str) -> dict[str, str | None]:
    """The settings that change a checkout's bytes (None: set without a value)."""
    out = git(git_dir, "config", "-z", "--get-regexp", r"^core\.(autocrlf|eol|attributesfile)$", check=False)
    found = {}
    for record in out.split("\0"):
        key, newline, value = record.partition("\n")
        if key:
            found[key.lower()] = value if newline else None  # the last one wins, as for git
    return found


def _true(value: str | None) -> bool:
    """git's boolean (a key set without a value is true)."""
    return value is None or value.lower() in ("true", "yes", "on", "1")


def _fetch_missing(git_dir: str, commit: str, tree: dict, prefetch: tuple[str, ...], remote: str,
                   timeout: float | None) -> None:
    """A partial clone has the blobs earlier runs read; the others it would
    fetch one request per blob as they are read. The cache's clone notes
    the last commit whose blobs it holds: a re-run on the same base asks
    git nothing."""
    fetched = os.path.join(git_dir, ".git", FETCHED)
    try:
        with open(fetched, encoding="ascii") as handle:
            if handle.read().strip() == commit:
                return
    except (OSError, ValueError):
        pass
    out = git(git_dir, "rev-list", "--objects", "--missing=print", "--no-walk", commit, timeout=timeout)
    missing = {line[1:] for line in out.splitlines() if line.startswith("?")}
    wanted = sorted({oid for path, (mode, oid) in tree.items() if oid in missing and (
        mode == LINK_MODE or any(fnmatch.fnmatchcase(path.rpartition("/")[2], p) for p in prefetch))})
    if wanted:
        # What git itself runs to fetch a promised object (promisor-remote.c).
        git(git_dir, "-c", "fetch.negotiationAlgorithm=noop", "fetch", remote, "--no-tags", "--no-write-fetch-head",
            "--recurse-submodules=no", "--filter=blob:none", "--stdin", input="".join(f"{o}\n" for o in wanted),
            timeout=timeout)
    try:
        with open(fetched, "w", encoding="ascii") as handle:
            handle.write(commit + "\n")
    except OSError:
        pass  # asked again next time


def _converting_attributes(git_dir: str, sources: GitTreeSources, tree: dict, config: dict) -> str:
    """Why the checkout would differ from the blobs, by an attribute file."""
    # (git reads no .gitattributes that is a symbolic link, nor does this)
    files = [(path, lambda path=path: sources.read(os.path.join(sources.root, path)))
             for path, (mode, _) in tree.items() if path.rpartition("/")[2] == ".gitattributes" and mode != LINK_MODE]
    info = os.path.join(git_dir, git(git_dir, "rev-parse", "--git-path", "info/attributes").strip()) if not \
        os.path.isdir(os.path.join(git_dir, ".git")) else os.path.join(git_dir, ".git", "info", "attributes")
    home = config.get("core.attributesfile") or os.path.join(
        os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config"), "git", "attributes")
    for outside in (info, os.path.expanduser(home)):
        if os.path.isfile(outside):
            files.append((outside, lambda outside=outside: _read(outside)))
    for name, read in files:
        try:
            text = read().decode("utf-8", "replace")
        except (Unreadable, OSError) as exc:
            return f"{name}: cannot read it ({exc})"
        token = converting(text)
        if token:
            return f"{name} says {token}: the checkout's bytes are not the blobs'"
    return ""


def converting(text: str) -> str:
    """The first attribute in a .gitattributes text that makes a checkout
    differ from the blob ("" when none does)."""
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        for token in words[1:]:  # the pattern (or a macro's name) comes first
            if token.startswith(("-", "!")):
                continue
            name, _, value = token.partition("=")
            if name in CONVERTING or (name == "eol" and value == "crlf"):
                return token
    return ""


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()

