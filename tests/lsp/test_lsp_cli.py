"""`napi-fix lsp` is a subcommand of the one CLI; the plain CLI never imports
the language server's libraries (its start-up time stays as it was)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.exceptions import NoSuchOption

from codemod.parallel import default_jobs
from lsp_harness import EXAMPLES


def test_the_plain_cli_does_not_import_pygls(tmp_path):
    probe = ("import sys; from codemod.cli import main; code = main(['--dry-run', sys.argv[1]]); "
             "print(code, sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol', 'cattrs')))")
    done = subprocess.run([sys.executable, "-c", probe, str(EXAMPLES / "leaky-addon")], capture_output=True,
                          text=True, timeout=120)
    assert done.stdout.splitlines()[-1] == "1 []"


def test_lsp_usage():
    """`napi-fix lsp` and `napi-fix lsp --stdio` start the server before typer is imported (cli.py); anything
    else is read by the one command line, as every subcommand is."""
    done = subprocess.run([sys.executable, "-m", "codemod", "lsp", "--help"], capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stderr) == (0, "") and done.stdout.startswith("Usage: napi-fix lsp [OPTIONS]")
    done = subprocess.run([sys.executable, "-m", "codemod", "lsp", "--port", "1"], capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("Usage: napi-fix lsp [OPTIONS]") and f"Error: {NoSuchOption('--port').format_message()}\n" in done.stderr


def test_the_server_starts_without_typer():
    """What an editor runs: typer and click cost start-up time the first diagnostics wait for."""
    code = ("import sys; import codemod.lsp.start as start; start.serve = lambda: 0; from codemod.cli import main; "
            "print(main(['lsp', '--stdio']), main(['lsp']), 'typer' in sys.modules, 'click' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout == "0 0 False False\n", done.stderr


@pytest.mark.skipif(default_jobs() < 2 or not Path("/proc/self/status").exists(),
                    reason="needs a worker pool (2+ cores) and Linux's /proc")
def test_a_server_killed_by_its_editor_leaves_no_workers_behind():
    """Editors SIGKILL a server that does not stop in time: nothing of it may keep running."""
    server = subprocess.Popen([sys.executable, "-m", "codemod", "lsp"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        workers = _wait_for(lambda: _all_workers(server.pid))
        assert workers, "the server did not fork its workers"
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    left = _wait_for(lambda: None if any(_alive(pid) for pid in workers) else True)
    for pid in workers:  # clean up before failing
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    assert left, f"workers {workers} outlived their server"


def _all_workers(server: int) -> list[int] | None:
    """The server's children once all its workers are forked."""
    found = _children(server)
    return found if len(found) == default_jobs() else None


def _children(parent: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue  # gone meanwhile
        if fields.get("PPid", "").strip() == str(parent):
            found.append(int(status.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(check, seconds: float = 15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.05)
    return None
