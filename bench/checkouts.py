#!/usr/bin/env python3
"""napi-fix vs ast-grep and grep on real git checkouts of native addons.

    .venv/bin/python bench/checkouts.py --copies 1,2,4 --runs 5 --output bench/results-checkouts.md

The npm-tarball corpus of bench/realworld.py flatters napi-fix: published
tarballs carry no `.gitignore`, no tests, no vendored trees. Developers run
napi-fix on checkouts, so this benchmark runs on ../shared/corpus/checkouts/
(real repositories as they are in git), each archive unpacked once into
${NAPI_FIX_CACHE:-~/.cache/napi-fix}/checkouts/ (never into the repository).
When bench/realworld.py has built its corpus, that corpus is measured too.

The machine is shared, so timings are noisy: the tools run interleaved, round
by round (napi-fix, ast-grep, grep, then again), so a burst of load hits all of
them alike; each figure is the median of --runs rounds after one warm-up
round. CPU is user+sys of the whole process tree (wait4). Peak PSS is the sum
over the process tree, sampled every 10 ms in one more, untimed run of each
tool (the sampling costs CPU). The load average is printed at the start and
the end: read the walls against it, the CPU times hold better.

Start-up: `napi-fix --dry-run examples/leaky-addon` against the same command on
an empty folder, interleaved, median of --startup-runs; `--startup-only` runs just these
(again, later, when the machine is quieter).

`--before EXE`: another napi-fix (say, a launcher copied beside an export of
the commit before a change) runs in the same rounds as "napi-fix before", so a
speed change is measured under the same load as what it is compared with.
Give that launcher its own start-up caches, as a second installation would
have (`os.environ.setdefault("NAPI_FIX_CACHE", "/tmp/before-cache")` before
its import): two builds whose dataclasses differ, sharing one cache folder,
rewrite each other's code cache on every run and both pay the compile.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]
from realworld import CORPUS as REALWORLD, MB, RULE, sampled_run, timed_run, tool_commands  # noqa: E402
from realworld import with_copies as realworld_copies  # noqa: E402

from codemod.cachedir import cache_dir  # noqa: E402

WORK = Path(cache_dir("checkouts"))


def default_archives() -> Path:
    """../shared/corpus/checkouts/ beside the main checkout; a worktree sits
    one level deeper (/work/wt/NAME), so both parents are tried."""
    for base in (ROOT.parent, ROOT.parent.parent):
        folder = base / "shared" / "corpus" / "checkouts"
        if (folder / "manifest.json").exists():
            return folder
    return ROOT.parent / "shared" / "corpus" / "checkouts"


def manifest_digest(archives: Path) -> str:
    return hashlib.sha256((archives / "manifest.json").read_bytes()).hexdigest()


def unpacked(archives: Path) -> Path:
    """One copy of every checkout, unpacked once; unpacked again only when the
    manifest changed. Staged beside it, so a half-unpacked tree is never used."""
    target, stamp = WORK / "v1", WORK / "v1.manifest-sha256"
    digest = manifest_digest(archives)
    if target.exists() and stamp.exists() and stamp.read_text() == digest:
        return target
    shutil.rmtree(target, ignore_errors=True)
    staging = WORK / "v1.staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for entry in json.loads((archives / "manifest.json").read_text()):
        with tarfile.open(archives / entry["archive"]) as archive:
            archive.extractall(staging, filter="data")
    staging.rename(target)
    stamp.write_text(digest)
    return target


def with_copies(base: Path, copies: int) -> Path:
    """`base` itself for one copy; for more, real copies (not links) side by
    side in base-xN/copy-i, redone when the base was."""
    if copies == 1:
        return base
    target = base.with_name(f"{base.name}-x{copies}")
    stamp = base.with_name(f"{target.name}.stamp")
    wanted = str(base.stat().st_mtime_ns)
    if target.exists() and stamp.exists() and stamp.read_text() == wanted:
        return target
    shutil.rmtree(target, ignore_errors=True)
    for i in range(1, copies + 1):
        shutil.copytree(base, target / f"copy-{i}", symlinks=True)
    stamp.write_text(wanted)
    return target


def tree_size(root: Path) -> tuple[int, int]:
    files = nbytes = 0
    for folder, _, names in os.walk(root):
        for name in names:
            files += 1
            nbytes += os.lstat(os.path.join(folder, name)).st_size
    return files, nbytes


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def rounds(commands: dict[str, list[str]], cwd: Path, runs: int) -> dict[str, dict]:
    """Interleaved runs: one warm-up round, then `runs` timed rounds."""
    samples: dict[str, list] = {name: [] for name in commands}
    for index in range(runs + 1):
        for name, command in commands.items():
            run = timed_run(command, cwd)
            if index:
                samples[name].append(run)
    return {name: {"wall": statistics.median(r.wall for r in runs_),
                   "cpu": statistics.median(r.cpu for r in runs_),
                   "statuses": sorted({r.status for r in runs_})}
            for name, runs_ in samples.items()}


def measure(label: str, corpus: Path, copies: int, tools: dict[str, list[str]], runs: int) -> list[str]:
    results = rounds(tools, corpus, runs)
    for name in ("napi-fix", "ast-grep"):
        results[name]["pss"] = sampled_run(tools[name], corpus).peak_pss_sum
    files, nbytes = tree_size(corpus)
    rows = []
    for name, r in results.items():
        pss = f"{r['pss'] / MB:.0f}" if "pss" in r else ""
        ratios = (f"{r['wall'] / results['grep']['wall']:.1f} | {r['wall'] / results['ast-grep']['wall']:.2f}"
                  if name.startswith("napi-fix") else " | ")
        rows.append(f"| {label} | {copies} | {files:,} / {nbytes / MB:.0f} MB | {name} | "
                    f"{','.join(map(str, r['statuses']))} | {r['wall']:.3f} | {r['cpu']:.3f} | "
                    f"{r['cpu'] / r['wall']:.2f} | {pss} | {ratios} |")
    print("\n".join(rows), file=sys.stderr, flush=True)
    return rows


def startup(executables: dict[str, str], runs: int) -> list[str]:
    with tempfile.TemporaryDirectory() as empty:
        commands = {}
        for label, exe in executables.items():
            commands[f"{label}: examples/leaky-addon"] = [exe, "--dry-run", str(ROOT / "examples" / "leaky-addon")]
            commands[f"{label}: empty folder"] = [exe, "--dry-run", empty]
        results = rounds(commands, ROOT, runs)
    rows = ["| `--dry-run` on | exit | wall (ms) | CPU (ms) |", "|---|---|---|---|"]
    for name, r in results.items():
        rows.append(f"| {name} | {','.join(map(str, r['statuses']))} | {r['wall'] * 1000:.0f} | "
                    f"{r['cpu'] * 1000:.0f} |")
    return rows


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archives", type=Path, default=default_archives(),
                        help="folder of the checkout archives and their manifest.json")
    parser.add_argument("--copies", default="1,2,4", type=lambda s: [int(n) for n in s.split(",")],
                        help="copies of the checkouts side by side, one benchmark per count (default 1,2,4)")
    parser.add_argument("--realworld-copies", default="1", type=lambda s: [int(n) for n in s.split(",") if n],
                        help="the same for bench/realworld.py's corpus, if built (default 1; '' skips it)")
    parser.add_argument("--runs", type=int, default=5, help="timed rounds after one warm-up (default 5)")
    parser.add_argument("--startup-runs", type=int, default=11, help="timed start-up rounds (default 11)")
    parser.add_argument("--napi-fix", default=str(Path(sys.executable).parent / "napi-fix"),
                        help="the napi-fix executable (default: the one beside this Python)")
    parser.add_argument("--before", help="another napi-fix executable, run in the same rounds")
    parser.add_argument("--output", type=Path, help="also write the markdown here")
    parser.add_argument("--startup-only", action="store_true",
                        help="only the start-up rounds (to measure them again when the machine is quieter)")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    ast_grep = shutil.which("ast-grep", path=str(Path(sys.executable).parent)) or "ast-grep"
    rule = WORK / "objectwrap-rule.yml"
    WORK.mkdir(parents=True, exist_ok=True)
    rule.write_text(RULE)
    executables = {"napi-fix": args.napi_fix, **({"napi-fix before": args.before} if args.before else {})}
    if args.startup_only:
        text = "\n".join([f"At the start: `{uptime()}`", "", *startup(executables, args.startup_runs), "",
                          f"At the end: `{uptime()}`"])
        print(text)
        if args.output:
            args.output.write_text(text + "\n")
        return 0
    base = unpacked(args.archives)
    version = subprocess.run([args.napi_fix, "--version"], capture_output=True, text=True).stdout.strip()
    sg_version = subprocess.run([ast_grep, "--version"], capture_output=True, text=True).stdout.strip()
    out = [f"Machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, Python "
           f"{platform.python_version()}, {version}, {sg_version}; median of {args.runs} interleaved rounds after "
           "one warm-up round.", "", f"At the start: `{uptime()}`", "",
           "| corpus | copies | files / size | tool | exit | wall (s) | CPU (s) | CPU/wall | peak PSS, tree (MB) | "
           "napi-fix / grep (wall) | napi-fix / ast-grep (wall) |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    corpora = [("checkouts", lambda n: with_copies(base, n), args.copies)]
    if REALWORLD.exists():
        corpora.append(("npm tarballs", realworld_copies, args.realworld_copies))
    walls: dict[tuple[str, int], float] = {}
    for label, make, counts in corpora:
        for copies in counts:
            corpus = make(copies)
            tools = tool_commands(args.napi_fix, ast_grep, rule, corpus)
            if args.before:
                tools["napi-fix before"] = [args.before, *tools["napi-fix"][1:]]
            rows = measure(label, corpus, copies, tools, args.runs)
            out += rows
            walls[label, copies] = float(rows[0].split("|")[6])
    out += ["", f"At the end: `{uptime()}`", ""]
    for label, _, counts in corpora:
        scaling = ", ".join(f"{n} copies {walls[label, n] / walls[label, counts[0]]:.2f}x" for n in counts[1:])
        if scaling:
            out.append(f"- napi-fix wall on {label}, against {counts[0]} cop{'y' if counts[0] == 1 else 'ies'}: "
                       f"{scaling}")
    out += ["", *startup(executables, args.startup_runs), "", f"After start-up: `{uptime()}`"]
    text = "\n".join(out)
    print(text)
    if args.output:
        args.output.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
