"""Run the user's command under the probe: the audit library in LD_AUDIT,
the collect-at-exit preload in NODE_OPTIONS, a fresh folder for the counts
(every process writes its own file there at exit), and the folder gone
afterwards whatever happened."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from codemod.probe.build import PRELOAD
from codemod.probe.report import Counts, read_counts

FORWARDED = (signal.SIGTERM, signal.SIGHUP)  # Ctrl-C's SIGINT reaches the command's group by itself


@dataclass(frozen=True)
class Ran:
    status: int  # the command's own exit status; 128+N when a signal N ended it
    signal: int | None = None
    counts: tuple[Counts, ...] = ()
    error: str | None = None  # the command could not be started


def probe_environment(base: Mapping[str, str], audit: Path | None, folder: str) -> dict[str, str]:
    """`audit` None: the counters are linked into the addon (--rebuild)."""
    env = dict(base)
    env["NAPI_FIX_PROBE_DIR"] = folder
    if audit is not None:  # a colon list: the user's own auditors keep running, after ours
        env["LD_AUDIT"] = ":".join(p for p in (str(audit), base.get("LD_AUDIT", "")) if p)
    preload = f'--require "{PRELOAD}"'
    env["NODE_OPTIONS"] = f"{base.get('NODE_OPTIONS', '')} {preload}".strip()
    return env


def run_probed(command: Sequence[str], audit: Path | None, cwd: str | None = None,
               base: Mapping[str, str] | None = None) -> Ran:
    with tempfile.TemporaryDirectory(prefix="napi-fix-probe-") as folder:
        env = probe_environment(os.environ if base is None else base, audit, folder)
        try:
            child = subprocess.Popen(list(command), cwd=cwd, env=env)
        except OSError as exc:
            return Ran(status=127 if isinstance(exc, FileNotFoundError) else 126,
                       error=f"cannot run {command[0]}: {exc.strerror or exc}")
        status = _wait(child)
        return Ran(status=128 - status if status < 0 else status, signal=-status if status < 0 else None,
                   counts=read_counts(folder))


def _wait(child: subprocess.Popen) -> int:
    """The child's return code; signals meant for napi-fix go to the command
    (which decides how to end), and the report is still printed."""
    previous = {sig: signal.getsignal(sig) for sig in FORWARDED}
    for sig in FORWARDED:
        signal.signal(sig, lambda number, _frame: child.send_signal(number))
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:
                continue  # the command got the same SIGINT: wait for it to end
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
