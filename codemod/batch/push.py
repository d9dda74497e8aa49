"""Publishing a branch: `git push` (only with --push), and with --open-pr
the pull request's title and body, opened with `gh pr create` when gh is
installed; otherwise the exact command to run is given back."""

from __future__ import annotations

import re
import shlex
import shutil

from codemod.batch import log, redact
from codemod.batch.changes import Changes
from codemod.batch.git import GitError, git, last_words, run
from codemod.rules import ISSUE_URL

FIX_URL = "https://github.com/nodejs/node-addon-api/pull/1607"
_PR_URL = re.compile(r"https?://\S+/pull/\d+")


def push(worktree: str, remote: str, branch: str, replace: bool, no_verify: bool, timeout: float | None,
         lease: bool = True) -> bool:
    """Push the branch from the worktree (a pre-push hook looks at the tree
    that was committed, not at the user's checkout); whether the remote's
    branch moved (False: it was already there). A replaced branch is forced
    only over what we last fetched of it."""
    ref = f"refs/heads/{branch}"
    force = ("--force-with-lease" if lease else "--force") if replace else None
    out = git(worktree, "push", "--porcelain", *([force] if force else []),
              *(["--no-verify"] if no_verify else []), remote, f"{ref}:{ref}", timeout=timeout, hooks=not no_verify)
    flags = [line[0] for line in out.splitlines() if "\t" in line and line[0] in " +-*=!"]
    if "!" in flags:
        raise GitError(f"git push: rejected: {last_words(out)}")
    return any(flag != "=" for flag in flags)


def items(found) -> str:
    """Markdown list items, one per change or finding."""
    return "\n".join(f"- `{c.path}` line {c.line}: {c.reason}" for c in found)


def body(changes: Changes, base_branch: str) -> str:
    """The pull request's description (markdown)."""
    notes = "".join(f"\n> {note}\n" for note in changes.notes)
    person = (f"\n## Needs a person\n\nnapi-fix did not change these; each says what to do:\n\n"
              f"{items(changes.attention)}\n" if changes.attention else "")
    return f"""## What changed

{items(changes.made)}
{notes}{person}
## Why

node-addon-api 8.2.0 and 8.2.1 leak one `napi_ref` for every garbage-collected `Napi::ObjectWrap`
instance ([nodejs/node-addon-api#1602]({ISSUE_URL}), fixed in 8.2.2 by [#1607]({FIX_URL})).
napi-fix's leak table, measured with its leak probe (Node.js 20, 2,000,000 objects):

| node-addon-api | native memory per collected object | references deleted |
|---|---|---|
| 8.1.0 | 0 B | all |
| 8.2.0, 8.2.1 | 81 B | none |
| 8.2.2 | 0 B | all |

An empty `Finalize` override does not change these numbers: only the version does.

## How to verify

```sh
git diff {shlex.quote(base_branch)}...HEAD
npm ci --ignore-scripts          # or yarn install --frozen-lockfile / pnpm install --frozen-lockfile
npm ls node-addon-api            # 8.2.2 or later (or 8.1.0)
napi-fix --dry-run .             # exits 0: nothing left to change
```
"""


def open_pr(git_dir: str, url: str, head: str, base_branch: str, title: str, body_file: str,
            extra: tuple[str, ...] = ()) -> str:
    """The pull request's URL when gh opened it, else the command to run.
    `url` is the repository's URL as the user gave it (never what git
    expands it to: `insteadOf` may have put a token in); gh gets it as
    OWNER/NAME, and only redacted does it reach any output."""
    command = ["gh", "pr", "create", "--repo", redact.gh_repository(url) or redact.url(url), "--base", base_branch,
               "--head", head, "--title", title, "--body-file", body_file, *extra]
    if shutil.which("gh") is None:
        return shlex.join(command)
    done = run(command, git_dir)
    log.command(command, done.returncode, done.stdout, done.stderr)
    found = _PR_URL.search(done.stdout + done.stderr)  # also "already exists: <url>"
    if found:
        return redact.text(found.group(0))
    raise GitError(f"gh pr create: {last_words(done.stderr or done.stdout)}")
