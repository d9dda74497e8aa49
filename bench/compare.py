#!/usr/bin/env python3
"""napi-fix vs ast-grep (and grep, the floor) on the same generated corpus.

    .venv/bin/python bench/compare.py --scales 1,4,16 --runs 5

For each corpus scale (bench/corpus.py, fixed seed; 1x = 500 files, ~10 MB)
it runs, side by side and several times each:
  napi-fix  --dry-run --strategy both --format json CORPUS   (finder, planner, diff)
  ast-grep  scan --rule <classes with an ObjectWrap<...> base> --json=stream CORPUS
  grep      -rl ObjectWrap CORPUS
and reports the median wall time, median CPU time (user+sys, children
included) and peak RSS of each, plus the ratios. Then start-up: median of
`napi-fix --version` and of a dry run on one small file. Prints markdown.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]
import corpus  # noqa: E402
from codemod.cachedir import cache_dir  # noqa: E402

CACHE = Path(cache_dir())

RULE = """\
id: objectwrap-class
language: cpp
rule:
  any:
    - kind: class_specifier
    - kind: struct_specifier
  has:
    kind: base_class_clause
    regex: "ObjectWrap\\\\s*<"
"""


def measure(command: list[str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS bytes) of one run, children included."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=sink)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss covers the largest process of the tree; pool workers are
    # separate processes and are measured by their own runs below.
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def median_of(command: list[str], runs: int) -> tuple[float, float, int]:
    measure(command)  # warm the page cache and the interpreter's bytecode cache
    samples = [measure(command) for _ in range(runs)]
    return (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples),
            max(s[2] for s in samples))


def tools(corpus_dir: Path, rule: Path) -> dict[str, list[str]]:
    bin_dir = Path(sys.executable).parent
    return {
        "napi-fix": [str(bin_dir / "napi-fix"), "--dry-run", "--strategy", "both", "--format", "json", str(corpus_dir)],
        "ast-grep": [shutil.which("ast-grep", path=str(bin_dir)) or "ast-grep", "scan", "--rule", str(rule),
                     "--json=stream", str(corpus_dir)],
        "grep": ["grep", "-rl", "ObjectWrap", str(corpus_dir)],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1,4,16")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()
    rule = CACHE / "bench" / "objectwrap-rule.yml"
    rule.parent.mkdir(parents=True, exist_ok=True)
    rule.write_text(RULE)
    version = subprocess.run([str(Path(sys.executable).parent / "ast-grep"), "--version"], capture_output=True,
                             text=True).stdout.strip()
    print(f"Machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, Python {platform.python_version()},"
          f" {version}; median of {args.runs} runs after one warm-up run.\n")
    print("| corpus | files | MB | tool | wall (s) | CPU (s) | peak RSS (MB) | napi-fix / this tool (wall) |")
    print("|---|---|---|---|---|---|---|---|")
    per_mb = {}
    for scale in [float(s) for s in args.scales.split(",")]:
        folder = CACHE / "bench" / f"corpus-{scale:g}x-seed{args.seed}"
        stamp = folder / ".napi-fix-corpus"
        if not stamp.exists():
            info = corpus.generate(folder, scale, args.seed)
            stamp.write_text(f"{info['files']} {info['bytes']}\n")
        files, size = (int(x) for x in stamp.read_text().split())
        results = {name: median_of(cmd, args.runs) for name, cmd in tools(folder, rule).items()}
        ours = results["napi-fix"][0]
        per_mb[scale] = ours / (size / 1e6)
        for name, (wall, cpu, rss) in results.items():
            ratio = "" if name == "napi-fix" else f"{ours / wall:.2f}"
            print(f"| {scale:g}x | {files:,} | {size / 1e6:.0f} | {name} | {wall:.3f} | {cpu:.3f} | "
                  f"{rss / 1e6:.0f} | {ratio} |")
        sys.stdout.flush()
    print("\nScaling (napi-fix wall time per MB of corpus): "
          + ", ".join(f"{s:g}x: {v * 1000:.1f} ms/MB" for s, v in per_mb.items()))
    napi_fix = str(Path(sys.executable).parent / "napi-fix")
    small = ROOT / "examples" / "leaky-addon" / "src" / "counter.h"
    start_version = median_of([napi_fix, "--version"], 20)[0]
    start_small = median_of([napi_fix, "--dry-run", "--strategy", "both", str(small)], 20)[0]
    print(f"\nStart-up: `napi-fix --version` {start_version * 1000:.0f} ms median; "
          f"dry run on one small file {start_small * 1000:.0f} ms median.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
