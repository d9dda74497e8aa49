"""--verify CMD: a shell command run in the worktree after the edit.

It runs in a session of its own, so the whole tree of processes it starts
(npm ci starts many) is killed when the repository times out or the batch
is interrupted, and a Ctrl-C at the terminal reaches the batch alone.

A batch killed outright (SIGKILL, the OOM killer) cannot kill anything, so
the command's group has a small leader that does it: it holds the read end
of a pipe whose write end only the batch holds, and when that end closes
(the batch is gone) it kills its whole group. A parent-death signal alone
would reach the shell but not what the shell started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from codemod.batch import log
from codemod.batch.git import last_words

# The group's leader: runs the command, and kills the group when the pipe
# from the batch closes. Python without site (-I -S): a few ms to start.
_LEADER = """
import os, signal, subprocess, sys, threading
child = subprocess.Popen(["sh", "-c", sys.argv[1]])
def orphaned():
    while os.read(int(sys.argv[2]), 1):
        pass
    os.killpg(0, signal.SIGKILL)
threading.Thread(target=orphaned, daemon=True).start()
code = child.wait()
sys.exit(code if code >= 0 else 128 - code)
"""


def verify(command: str, cwd: str) -> str | None:
    """None when the command exits 0; else what went wrong."""
    alive, tied = os.pipe()  # `tied` stays here (close-on-exec: no other child inherits it)
    try:
        process = subprocess.Popen([sys.executable, "-I", "-S", "-c", _LEADER, command, str(alive)], cwd=cwd,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, errors="replace", start_new_session=True, pass_fds=(alive,))
    finally:
        os.close(alive)
    try:
        output, _ = process.communicate()
    except BaseException:  # the timeout or an interrupt: nothing of it may outlive the repository
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    finally:
        os.close(tied)
    log.command(["sh", "-c", command], process.returncode, "", output)  # --verify's output in full, always
    if process.returncode != 0:
        return f"`{command}` exited {process.returncode}: {last_words(output)}"
    return None
