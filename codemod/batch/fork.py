"""--fork: for repositories you cannot push to, the branch goes to your
fork (made by `gh repo fork` when it does not exist yet) and the pull
request is opened from it, as multi-gitter and turbolift do.

The fork's URL is the upstream's as you gave it, with the fork's owner and
name in place of the upstream's: the same transport and the same
credentials (an `insteadOf` rule for the host covers both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codemod.batch import log, redact
from codemod.batch.git import GitError, last_words, run

_NAME = re.compile(r"(?:^|[\s/])([A-Za-z0-9][A-Za-z0-9-]*/[\w.-]+?)(?:\.git)?(?=\s|$)")


@dataclass(frozen=True)
class Fork:
    repository: str  # OWNER/NAME of the fork
    url: str  # where the branch is pushed

    @property
    def owner(self) -> str:
        return self.repository.split("/")[0]


def fork(upstream_url: str, cwd: str) -> Fork:
    """The user's fork of the repository at `upstream_url` (made when missing)."""
    upstream = redact.gh_repository(upstream_url)
    if upstream is None:
        raise GitError(f"--fork: {redact.url(upstream_url)} names no OWNER/NAME to fork")
    command = ["gh", "repo", "fork", upstream, "--clone=false", "--remote=false"]
    done = run(command, cwd)
    log.command(command, done.returncode, done.stdout, done.stderr)
    said = done.stdout + "\n" + done.stderr
    if done.returncode != 0:
        raise GitError(f"gh repo fork: {last_words(said)}")
    name = upstream.split("/", 1)[-1] if upstream.count("/") == 2 else upstream  # (without a host)
    found = [n for n in _NAME.findall(said) if n != name]
    if not found:
        raise GitError(f"gh repo fork: no fork named in its answer: {last_words(said)}")
    return Fork(found[-1], fork_url(upstream_url, name, found[-1]))


def fork_url(upstream_url: str, upstream: str, fork_name: str) -> str:
    """`upstream_url` with OWNER/NAME replaced by the fork's."""
    suffix = ".git" if upstream_url.rstrip("/").endswith(".git") else ""
    stem = upstream_url.rstrip("/").removesuffix(".git")
    if not stem.endswith(upstream):
        raise GitError(f"--fork: cannot tell where {upstream} is in {redact.url(upstream_url)}")
    return stem[: -len(upstream)] + fork_name + suffix
