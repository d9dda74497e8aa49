"""Running git: one helper, so every call gets the same environment and a
failure always reads as git's own last words (never a traceback)."""

from __future__ import annotations

import os
import subprocess

# A batch never waits on a prompt: no credential questions, no editor.
QUIET_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_EDITOR": "true", "GIT_MERGE_AUTOEDIT": "no"}


class GitError(Exception):
    """A git command that failed; str() is what git said."""


def git(cwd: str, *args: str, input: str | None = None, env: dict | None = None, check: bool = True,
        timeout: float | None = None) -> str:
    """git's stdout; raises GitError when it fails and `check` is set."""
    done = run(["git", *args], cwd, input=input, env=env, timeout=timeout)
    if check and done.returncode != 0:
        raise GitError(f"git {args[0]}: {last_words(done.stderr or done.stdout)}")
    return done.stdout


def ok(cwd: str, *args: str) -> bool:
    """Whether a git query succeeds (a ref exists, a config is set)."""
    return run(["git", *args], cwd).returncode == 0


def run(command: list[str], cwd: str, input: str | None = None, env: dict | None = None,
        timeout: float | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, cwd=cwd, input=input, capture_output=True, text=True, encoding="utf-8",
                              errors="replace", env={**os.environ, **QUIET_ENV, **(env or {})}, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"{command[0]} {command[1] if len(command) > 1 else ''}: no answer after "
                       f"{exc.timeout:.0f} s") from None
    except OSError as exc:
        raise GitError(f"{command[0]}: {exc.strerror or exc}") from None


def last_words(text: str, lines: int = 6) -> str:
    """The end of a command's output, where the reason usually is."""
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return " | ".join(kept) or "failed without a message"
