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

from codemod.batch.git import ok, run

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_SCP = re.compile(r"^[\w.-]+@[\w.-]+:")  # git@host:owner/name.git
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
        specs += read_list(from_file)
    if under is not None:
        specs += [spec(path) for path in checkouts_under(under)]
    unique: dict[str, RepoSpec] = {}
    for s in specs:
        unique.setdefault(s.id, s)
    return list(unique.values())


def spec(text: str, branch: str | None = None) -> RepoSpec:
    text = text.strip()
    if is_url(text):
        return RepoSpec(url_id(text), text, branch or None)
    path = os.path.abspath(os.path.expanduser(text))
    top = run(["git", "rev-parse", "--show-toplevel"], path) if os.path.isdir(path) else None
    if top is not None and top.returncode == 0:
        path = os.path.realpath(top.stdout.strip())
    return RepoSpec(path, path, branch or None)


def url_id(url: str) -> str:
    """One spelling per repository: no trailing slash or .git."""
    url = url.rstrip("/")
    return url[:-4] if url.endswith(".git") else url


def read_list(path: str) -> list[RepoSpec]:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line and not line.startswith("#")]
    if lines and "cloneUrl" in next(csv.reader([lines[0][1]])):
        return _read_csv(path, text)
    return [spec(line) for _, line in lines]


def _read_csv(path: str, text: str) -> list[RepoSpec]:
    rows = csv.DictReader(io.StringIO(text))
    found = []
    for row in rows:
        url = (row.get("cloneUrl") or "").strip()
        if not url:
            raise InputError(f"{path}:{rows.line_num}: no cloneUrl")
        found.append(spec(url, (row.get("branch") or "").strip() or None))
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
