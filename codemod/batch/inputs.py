"""Which repositories a batch covers: REPO arguments, --from FILE (one per
line with `#` comments, or a CSV with cloneUrl and optional branch columns)
and --under DIR (every git checkout below DIR), in that order, each once."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass

from codemod.batch import redact
from codemod.batch.git import NO_PROGRAMS, ok, run

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_SCP = re.compile(r"^[\w.-]+@[\w.-]+:")  # git@host:owner/name.git
# The transports a user means; anything else (git://, http://, ext::) is
# refused before git sees it.
TRANSPORTS = ("https", "ssh", "git+ssh", "ssh+git", "file")
SKIP_BELOW = frozenset(("node_modules", ".git"))


class InputError(ValueError):
    """The list of repositories itself cannot be read (exit 2)."""


@dataclass(frozen=True)
class RepoSpec:
    id: str  # the stable identity: ledger key, shard hash, table row
    location: str  # a git URL, or the absolute path of a local checkout
    branch: str | None = None  # the base branch; None: the default branch

    @property
    def is_url(self) -> bool:
        return is_url(self.location)

    @property
    def stem(self) -> str:
        """A file name for this repository's patch, worktree and clone:
        readable, and unique per id."""
        name = self.id.rstrip("/").split("/")[-1].split(":")[-1]
        readable = "".join(c if c.isalnum() or c in "._-" else "-" for c in name)[-40:] or "repo"
        return f"{readable}-{hashlib.sha256(self.id.encode()).hexdigest()[:8]}"


def is_url(text: str) -> bool:
    return bool(_SCHEME.match(text) or _SCP.match(text))


def collect(repos: list[str], from_file: str | None = None, under: str | None = None) -> list[RepoSpec]:
    specs = [spec(r) for r in repos]
    if from_file is not None:
        listed = read_list(from_file)
        if not listed:
            raise InputError(f"{from_file}: the list names no repositories")
        specs += listed
    if under is not None:
        found = checkouts_under(under)
        if not found:
            raise InputError(f"{under}: no git checkout below this folder")
        specs += [spec(path) for path in found]
    unique: dict[str, RepoSpec] = {}
    for s in specs:
        unique.setdefault(s.id, s)
    return list(unique.values())


def spec(text: str, branch: str | None = None, relative_to: str | None = None) -> RepoSpec:
    """`text` as a repository: a URL (its id without secrets: redact.py) or
    a local path (relative to `relative_to`, the folder of the list naming
    it, else the current folder)."""
    text = text.strip()
    if text.startswith("-") or (branch or "").startswith("-"):
        raise InputError(f"{redact.text(text)}{f' (branch {branch})' if branch else ''}: "
                         "a repository or branch cannot start with '-'")
    scheme = _SCHEME.match(text)
    if scheme and scheme.group(1).lower() not in TRANSPORTS:
        raise InputError(f"{redact.url(text)}: transport {scheme.group(1)!r} is not allowed "
                         "(https://, ssh://, file://, user@host:path or a local path)")
    if _SCP.match(text) and text.split("@", 1)[1].startswith("-"):
        raise InputError(f"{text}: a host cannot start with '-'")
    if is_url(text):
        redact.remember(text)
        return RepoSpec(redact.url(url_id(text)), text, branch or None)
    path = os.path.abspath(os.path.join(relative_to or os.getcwd(), os.path.expanduser(text)))
    top = run(["git", *NO_PROGRAMS, "rev-parse", "--show-toplevel"], path) if os.path.isdir(path) else None
    if top is not None and top.returncode == 0:
        path = os.path.realpath(top.stdout.strip())
    return RepoSpec(path, path, branch or None)


def url_id(url: str) -> str:
    """One spelling per repository: no trailing slash or .git."""
    url = url.rstrip("/")
    return url[:-4] if url.endswith(".git") else url


def read_list(path: str) -> list[RepoSpec]:
    """One repository per line (`#` starts a comment anywhere on a line;
    a relative path is relative to the list's folder), or a CSV whose
    header names a cloneUrl column."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    lines = [(n, line.split("#", 1)[0].strip()) for n, line in enumerate(text.splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line]
    header = next(csv.reader([lines[0][1]])) if lines else []
    if "cloneUrl" in header:
        return _read_csv(path, text)
    if len(header) > 1:
        raise InputError(f"{path}:{lines[0][0]}: a CSV header needs a cloneUrl column (found: {lines[0][1]})")
    folder = os.path.dirname(os.path.abspath(path))
    return [_at(path, n, lambda: spec(line, relative_to=folder)) for n, line in lines]


def _at(path: str, line: int, make):
    try:
        return make()
    except InputError as exc:
        raise InputError(f"{path}:{line}: {exc}") from None


def _read_csv(path: str, text: str) -> list[RepoSpec]:
    rows = csv.DictReader(io.StringIO(text))
    found = []
    for row in rows:
        url = (row.get("cloneUrl") or "").strip()
        if not url:
            raise InputError(f"{path}:{rows.line_num}: no cloneUrl")
        found.append(_at(path, rows.line_num, lambda: spec(url, (row.get("branch") or "").strip() or None,
                                                            os.path.dirname(os.path.abspath(path)))))
    return found


def checkouts_under(top: str) -> list[str]:
    """Every git checkout below `top` (not those nested inside another)."""
    if not os.path.isdir(top):
        raise InputError(f"{top}: not a directory")
    found = []
    for folder, dirs, files in os.walk(top):
        if ".git" in dirs or ".git" in files:
            if ok(folder, "rev-parse", "--git-dir"):
                found.append(folder)
                dirs[:] = []
                continue
        dirs[:] = sorted(d for d in dirs if d not in SKIP_BELOW)
    return sorted(found)
