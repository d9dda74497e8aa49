"""Running git: one helper, so every call gets the same environment and a
failure always reads as git's own last words (never a traceback, never a
token: messages are redacted).

A repository's own configuration must not run code behind the user's
back: every call but the commit and the push the user asked for runs with
hooks and the file-system monitor switched off (`hooks=True` lets them
run). Every call runs in a process group of its own, so a Ctrl-C at the
terminal reaches napi-fix alone, which then finishes or rolls back the
repository and says which; a timeout or an interrupt kills the whole group.
"""

from __future__ import annotations

import os
import signal
import subprocess

from codemod.batch import log, redact

# A batch never waits on a prompt: no credential questions, no editor (and
# a process outside the terminal's session cannot open /dev/tty to ask for
# an ssh passphrase or a host key). Only the transports a user means: an
# `insteadOf` rule cannot turn a clone into `ext::` code.
QUIET_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_EDITOR": "true", "GIT_MERGE_AUTOEDIT": "no",
             "GIT_ALLOW_PROTOCOL": "https:ssh:file"}
# Configuration that runs programs while git reads or writes a working tree.
NO_PROGRAMS = ("-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false")
NO_MONITOR = ("-c", "core.fsmonitor=false")


class GitError(Exception):
    """A git command that failed; str() is what git said."""


def git(cwd: str, *args: str, input: str | None = None, env: dict | None = None, check: bool = True,
        timeout: float | None = None, hooks: bool = False, errors: str = "replace") -> str:
    """git's stdout; raises GitError when it fails and `check` is set.
    `errors="surrogateescape"` keeps paths that are not UTF-8 as os.fsdecode has them."""
    done = run(["git", *(NO_MONITOR if hooks else NO_PROGRAMS), *args], cwd, input=input, env=env, timeout=timeout,
               errors=errors)
    log.command(["git", *args], done.returncode, done.stdout, done.stderr)
    if check and done.returncode != 0:
        raise GitError(f"git {args[0]}: {last_words(done.stderr or done.stdout)}")
    return done.stdout


def ok(cwd: str, *args: str) -> bool:
    """Whether a git query succeeds (a ref exists, a config is set)."""
    return run(["git", *NO_PROGRAMS, *args], cwd).returncode == 0


def run(command: list[str], cwd: str, input: str | None = None, env: dict | None = None,
        timeout: float | None = None, errors: str = "replace") -> subprocess.CompletedProcess:
    try:
        process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                   errors=errors, env={**os.environ, **QUIET_ENV, **(env or {})},
                                   start_new_session=True)
    except OSError as exc:
        raise GitError(f"{command[0]}: {exc.strerror or exc}") from None
    try:
        out, err = process.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        kill_group(process)
        raise GitError(f"{command[0]} {_verb(command)}: no answer after {exc.timeout:.0f} s") from None
    except BaseException:  # an interrupt: the command and its hooks go with the repository
        kill_group(process)
        raise
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _verb(command: list[str]) -> str:
    words = [w for w in command[1:] if not w.startswith("-") and "=" not in w]
    return words[0] if words else ""


def last_words(text: str, lines: int = 6) -> str:
    """The end of a command's output, where the reason usually is."""
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return redact.text(" | ".join(kept)) or "failed without a message"
