"""--verify CMD: a shell command run in the worktree after the edit.

It runs in a session of its own, so the whole tree of processes it starts
(npm ci starts many) is killed when the repository times out or the batch
is interrupted, and a Ctrl-C at the terminal reaches the batch alone."""

from __future__ import annotations

import os
import signal
import subprocess

from codemod.batch.git import last_words


def verify(command: str, cwd: str) -> str | None:
    """None when the command exits 0; else what went wrong."""
    process = subprocess.Popen(["sh", "-c", command], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, errors="replace", start_new_session=True)
    try:
        output, _ = process.communicate()
    except BaseException:  # the timeout or an interrupt: nothing of it may outlive the repository
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    if process.returncode != 0:
        return f"`{command}` exited {process.returncode}: {last_words(output)}"
    return None
