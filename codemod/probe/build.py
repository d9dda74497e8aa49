"""The audit library, compiled on first use from the C source shipped with
napi-fix (audit.c) by the system's C compiler, cached under its source's hash
so an upgraded napi-fix never runs a stale build; and whether interposition
can work on this machine at all."""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

from codemod.cachedir import cache_dir

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "audit.c"
PRELOAD = HERE / "preload.js"
REBUILD_HINT = ("use --rebuild: it rebuilds the addon from source in a temporary copy of its package "
                "(--package) with the counters linked in (-Wl,--wrap, as bench/probe does)")


class ProbeUnavailable(Exception):
    """The probe cannot run here; the message says why and what to do instead."""


def interposition_problem(node: str | None) -> str | None:
    """Why LD_AUDIT cannot see the addons' calls here, or None when it can."""
    system = platform.system()
    if system != "Linux":
        return f"{system} has no LD_AUDIT (the dynamic linker's audit interface is glibc's)"
    libc = platform.libc_ver()[0]
    if libc != "glibc":
        return f"this Python runs on {libc or 'a libc other than glibc'}; LD_AUDIT is glibc's"
    if node is not None and not _dynamic(node):
        return f"{node} is statically linked: no dynamic linker sees an addon's calls"
    return None


def rebuild_problem() -> str | None:
    """Why the link-time counters cannot work here, or None when they can."""
    if platform.system() == "Darwin":
        return "macOS's linker (ld64) has no --wrap, so --rebuild cannot link the counters in either"
    if platform.system() == "Windows":
        return "Windows has neither LD_AUDIT nor GNU ld's --wrap"
    return None


def _dynamic(executable: str) -> bool:
    """An ELF file with a program interpreter (PT_INTERP): the dynamic linker runs it."""
    try:
        with open(executable, "rb") as f:
            head = f.read(64)
            if head[:4] != b"\x7fELF":
                return True  # a script (a wrapper): what it runs decides, not this file
            little = head[5] == 1
            order = "little" if little else "big"
            if head[4] == 2:  # 64-bit
                phoff, phentsize, phnum = (int.from_bytes(head[32:40], order), int.from_bytes(head[54:56], order),
                                           int.from_bytes(head[56:58], order))
            else:
                phoff, phentsize, phnum = (int.from_bytes(head[28:32], order), int.from_bytes(head[42:44], order),
                                           int.from_bytes(head[44:46], order))
            f.seek(phoff)
            table = f.read(phentsize * phnum)
    except OSError:
        return True  # unreadable: let the run say what goes wrong
    pt_interp = 3
    return any(int.from_bytes(table[i:i + 4], order) == pt_interp for i in range(0, len(table), phentsize))


def audit_library() -> Path:
    """The compiled audit library (built once per source version and machine)."""
    return _compiled("audit", ".so", ["-shared", "-fPIC"], ["-lpthread"])


def linked_counters() -> Path:
    """The same counters as an object to link into an addon (--rebuild)."""
    return _compiled("linked", ".o", ["-c", "-fPIC", "-DNAPI_FIX_LINKED"], [])


def _compiled(name: str, suffix: str, flags: list[str], libraries: list[str]) -> Path:
    source = SOURCE.read_bytes()
    key = hashlib.sha256(source).hexdigest()[:16]
    target = Path(cache_dir("probe-audit", f"{name}-{key}-{platform.machine()}{suffix}"))
    if target.is_file():
        return target
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        raise ProbeUnavailable("no C compiler (cc, gcc or clang) to build the probe's counters; "
                               "install one (Debian: apt-get install gcc) or set CC")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=f".{name}-", suffix=suffix, dir=target.parent)
    os.close(fd)
    try:
        done = subprocess.run([compiler, "-O2", *flags, "-o", partial, str(SOURCE), *libraries],
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise ProbeUnavailable(f"{compiler} could not build the probe's counters:\n{done.stderr[-2000:]}")
        os.replace(partial, target)  # atomic: a concurrent first use builds twice, never reads half a file
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return target
