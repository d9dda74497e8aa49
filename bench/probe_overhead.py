#!/usr/bin/env python3
"""What `napi-fix probe` costs: the leak probe's command (bench/probe, 2M
ObjectWrap objects in batches, gc between batches) timed alone and under
`napi-fix probe`, end to end (napi-fix's start, the audited node, the report).

    bench/probe_overhead.py --versions 8.2.1,8.2.2 --objects 2000000 --runs 3

Target: under 1.5x. Prints a markdown table (bench/results-probe.md keeps one).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import leak_probe  # noqa: E402

NAPI_FIX = [sys.executable, "-c", "import sys; from codemod.cli import main; sys.exit(main())"]


def timed(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system of every process the command ran), exit status."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=HERE.parent, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--versions", default="8.2.1,8.2.2")
    parser.add_argument("--objects", type=int, default=2_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"Node.js {node}, {args.objects:,} objects in batches of {args.batch:,} (bench/probe), "
          f"median of {args.runs} runs, end to end; CPU is user + system time of every process.\n")
    print("| node-addon-api | CPU without | CPU under `napi-fix probe` | CPU ratio | wall without | wall under "
          "the probe | wall ratio | probe's exit status |")
    print("|---|---|---|---|---|---|---|---|")
    for version in args.versions.split(","):
        addon = leak_probe.build_for_version(version)
        command = ["node", "--expose-gc", str(HERE / "probe" / "probe.js"), str(addon), str(args.objects),
                   str(args.batch)]
        plain, probed, statuses = [], [], set()
        for _ in range(args.runs):  # interleaved: drift on a shared machine hits both alike
            plain.append(timed(command))
            probed.append(timed([*NAPI_FIX, "probe", "--", *command]))
            statuses.add(probed[-1][2])
        cpu_a, cpu_b = (statistics.median(r[1] for r in runs) for runs in (plain, probed))
        wall_a, wall_b = (statistics.median(r[0] for r in runs) for runs in (plain, probed))
        print(f"| {version} | {cpu_a:.2f} s | {cpu_b:.2f} s | {cpu_b / cpu_a:.2f}x | {wall_a:.2f} s | {wall_b:.2f} s | "
              f"{wall_b / wall_a:.2f}x | {', '.join(map(str, sorted(statuses)))} |")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
