"""One commit per repository, on a branch made from the base.

Exactly the files napi-fix edited are staged (never `git add .`); the
message lists each change and its reason, cites the upstream issue and
ends with a `Napi-Fix-Version:` trailer; its subject follows conventional
commits when the repository's recent history does. The commit is made on
the detached worktree first and the branch moved to it last, in one ref
update: an interrupted run never leaves a branch with half a change.
"""

from __future__ import annotations

import re
import string
import textwrap

from codemod import __version__
from codemod.batch.changes import Changes, Described
from codemod.batch.git import GitError, git
from codemod.rules import ISSUE_URL

TRAILER = "Napi-Fix-Version"
UPSTREAM = "nodejs/node-addon-api#1602"
RECENT = 20  # subjects looked at to tell the repository's commit style
_CONVENTIONAL = re.compile(r"^[a-z]+(\([^)]*\))?!?: \S")
# What git says when it has no identity to commit as (the end of its message).
NO_IDENTITY = ("unable to auto-detect email address", "no email was given", "empty ident name",
               "git config --global user.email")
FALLBACK_IDENTITY = {"GIT_AUTHOR_NAME": "napi-fix", "GIT_AUTHOR_EMAIL": "napi-fix@localhost",
                     "GIT_COMMITTER_NAME": "napi-fix", "GIT_COMMITTER_EMAIL": "napi-fix@localhost"}


def uses_conventional_commits(worktree: str, base: str) -> bool:
    """At least half of the recent subjects look like `type(scope): ...`."""
    subjects = git(worktree, "log", "-n", str(RECENT), "--format=%s", base).splitlines()
    return bool(subjects) and 2 * sum(bool(_CONVENTIONAL.match(s)) for s in subjects) >= len(subjects)


def subject(changes: Changes, conventional: bool) -> str:
    if changes.pins:
        text, kind = "pin node-addon-api past the leaky 8.2.0/8.2.1", "fix(deps)"
    elif changes.fixes:
        text, kind = "apply node-addon-api 8.2.2's ObjectWrap fix to the vendored headers", "fix"
    else:
        text, kind = "add empty Finalize overrides to ObjectWrap classes (hygiene)", "chore"
    return f"{kind}: {text}" if conventional else text[0].upper() + text[1:]


WHY = (f"node-addon-api 8.2.0 and 8.2.1 leak one napi_ref for every garbage-collected Napi::ObjectWrap "
       f"instance ({UPSTREAM}, {ISSUE_URL}); 8.2.2 fixed it. The fix is the version pin.")


def listed(found: tuple[Described, ...]) -> list[str]:
    """One wrapped item per change or finding (every one: a reviewer acts on the list)."""
    lines = []
    for change in found:
        lines += textwrap.wrap(f"- {change.path}:{change.line}: {change.reason}", 72, subsequent_indent="  ",
                               break_on_hyphens=False)
    return lines


def message(changes: Changes, conventional: bool, template: str | None = None, values: dict | None = None) -> str:
    """The commit message: napi-fix's own, or `template` (--message) filled
    with `values`; the trailer either way."""
    if template is not None:
        text = fill(template, {**(values or {}), "subject": subject(changes, conventional)}).rstrip("\n")
        return f"{text}\n\n{TRAILER}: {__version__}\n"
    lines = [subject(changes, conventional), "", *textwrap.wrap(WHY, 72, break_on_hyphens=False), "",
             "Changes made by napi-fix:", *listed(changes.made)]
    if changes.attention:
        lines += ["", "Needs a person (napi-fix did not change these):", *listed(changes.attention)]
    for note in changes.notes:
        lines += ["", *textwrap.wrap(note, 72, break_on_hyphens=False)]
    return "\n".join(lines + ["", f"{TRAILER}: {__version__}", ""])


def fill(template: str, values: dict) -> str:
    """A --message, --pr-title or --pr-body template: $name or ${name}
    (`$$` is a dollar sign); an unknown name is left as written."""
    return string.Template(template).safe_substitute(values)


def commit(worktree: str, files: tuple[str, ...], text: str, no_verify: bool, timeout: float | None = None,
           signoff: bool = False) -> str:
    """Stage exactly `files`, commit (hooks run unless no_verify); the new commit."""
    git(worktree, "add", "--", *files)
    staged = set(git(worktree, "diff", "--cached", "--name-only", "-z").split("\0")) - {""}
    if staged != set(files):
        raise GitError(f"git add staged {sorted(staged)}, expected exactly {sorted(files)}")
    command = ["commit", "--quiet", "--file=-", *(["--no-verify"] if no_verify else []),
               *(["--signoff"] if signoff else [])]
    try:
        git(worktree, *command, input=text, timeout=timeout, hooks=not no_verify)
    except GitError as exc:
        if not any(words in str(exc) for words in NO_IDENTITY):
            raise
        # a CI machine with no git identity
        git(worktree, *command, input=text, env=FALLBACK_IDENTITY, timeout=timeout, hooks=not no_verify)
    return git(worktree, "rev-parse", "HEAD").strip()


def same_change(git_dir: str, base: str, new: str, tip: str) -> bool:
    """Whether `tip` makes the change `new` makes on `base` (compared by
    patch id: the same edits from an older base count as the same)."""
    fork = git(git_dir, "merge-base", base, tip, check=False).strip()
    return bool(fork) and _patch_id(git_dir, base, new) == _patch_id(git_dir, fork, tip)


def _patch_id(git_dir: str, a: str, b: str) -> str:
    diff = git(git_dir, "diff", "--no-color", "--no-ext-diff", "--no-textconv", "--full-index", a, b)
    return git(git_dir, "patch-id", "--stable", input=diff).split(" ")[0]


def move_branch(git_dir: str, branch: str, new: str, old: str | None) -> None:
    """Point `branch` at `new`, only if it is still at `old` (None: absent)."""
    git(git_dir, "update-ref", "-m", "napi-fix batch", f"refs/heads/{branch}", new, old or "")
