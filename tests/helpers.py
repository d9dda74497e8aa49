"""Shared test helpers: run the real engine on real files in a temp tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from checkout import EXAMPLES, ROOT
from codemod import engine
from codemod.cli import main
from codemod.edits import apply_edits
from codemod.options import Options
from codemod.parallel import Workers
from codemod.results import Report
from codemod.sources.disk import DiskSources


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def write_tree(root: Path, files: dict[str, bytes | str]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)


def snapshot(root: Path, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Every file under `root` by relative POSIX path, except those inside a
    folder named in `skip` (".git", "node_modules")."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not set(skip) & set(p.relative_to(root).parts)}


def copy_example(name: str, dest: Path) -> Path:
    """examples/NAME copied to `dest` as it is committed (no build, no node_modules)."""
    shutil.copytree(EXAMPLES / name, dest, ignore=shutil.ignore_patterns("node_modules", "build"))
    return dest


def run_cli(capfdbinary, *argv: str) -> tuple[int, bytes, bytes]:
    """`napi-fix ARGV` in this process: (exit status, stdout, stderr); never a traceback."""
    status = main([str(arg) for arg in argv])
    out, err = capfdbinary.readouterr()
    assert b"Traceback" not in out + err, (out + err).decode("utf-8", "replace")
    return status, out, err


def console_with_cache(cache: Path, *argv: str) -> tuple[int, bytes, bytes]:
    """The console script `napi-fix ARGV`, run from the checkout with its
    start-up caches in `cache`: (exit status, stdout, stderr)."""
    done = subprocess.run([str(Path(sys.executable).parent / "napi-fix"), *argv], capture_output=True, timeout=120,
                          cwd=ROOT, env={**os.environ, "NAPI_FIX_CACHE": str(cache)})
    return done.returncode, done.stdout, done.stderr


def the_cache_file(cache: Path, pattern: str) -> Path:
    """The one file in `cache` whose name matches `pattern`."""
    files = list(cache.glob(pattern))
    assert len(files) == 1, files
    return files[0]


def plan(paths, strategy: str = "pin", sources=None, **options) -> Report:
    """The engine's plan of `paths` (what the CLI would do), one process."""
    with Workers(1) as workers:
        return engine.plan(sources or DiskSources(), [str(p) for p in paths], Options(strategy, **options), workers)


def analyze_tree(root: Path, strategy: str = "finalize") -> Report:
    return plan([root], strategy)


def fixed(report: Report, root: Path) -> dict[str, bytes]:
    """Every changed file's new bytes, keyed by path relative to root."""
    return {
        os.path.relpath(r.path, root).replace(os.sep, "/"): apply_edits(r.original, r.edits)
        for r in report.changed
    }


def fix_files(files: dict[str, bytes | str], strategy: str = "finalize") -> dict[str, bytes]:
    """Run napi-fix on `files`; return every file's content afterwards. Also
    checks stability: a second run over the fixed tree plans nothing."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_tree(root, files)
        report = analyze_tree(root, strategy)
        assert not report.failed, [(r.path, r.error) for r in report.failed]
        changed = fixed(report, root)
        after = {rel: changed.get(rel, c.encode() if isinstance(c, str) else c) for rel, c in files.items()}
        write_tree(root, after)
        again = analyze_tree(root, strategy)
        assert not again.changed, f"second run still plans edits: {fixed(again, root)}"
        return after


def fix(source: str | bytes, name: str = "addon.h") -> bytes:
    return fix_files({name: source})[name]


def lock_refused_as_bad_input(planner, path: str, data: bytes, pins=None) -> tuple[str, int, str]:
    """(path, line, message) of the BadInput a lock planner raises for `data`."""
    from codemod.manifests.jsonspan import BadInput
    from codemod.manifests.lockplan import LockSource, Pins

    try:
        planner.plan(LockSource(path, data), pins or Pins(os.path.dirname(path), "upgrade"))
    except BadInput as exc:
        return exc.path, exc.line, exc.message
    raise AssertionError(f"{path} was planned, not refused as bad input")


def alive(pid: int) -> bool:
    """Running: neither gone nor a zombie (Linux's /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def ended(pids, seconds: float = 10) -> bool:
    """None of `pids` is running within `seconds` (another's children: only their parent, or init, reaps them)."""
    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
