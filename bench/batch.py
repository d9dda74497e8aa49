#!/usr/bin/env python3
"""Benchmark: `napi-fix batch --commit --push -j 2` over a corpus of package
roots turned into git repositories with bare remotes (file://), against one
dry run of the engine over the same trees (`napi-fix --dry-run --jobs 2`).

    bench/batch.py                         # the real-code corpus when it is there
    bench/batch.py --corpus DIR --runs 5   # DIR's subfolders are package roots

Without --corpus it takes ${NAPI_FIX_CACHE:-~/.cache/napi-fix}/realworld/corpus-v1
(npm addon tarballs); when that is missing it builds a stand-in corpus from
copies of examples/ and says so. Repositories, remotes and the clone cache
live in --work (made once, reset between runs). The first batch run clones
every remote into the cache (reported apart, "cold"); the timed runs find
the cache and fetch, as a re-run or a resumed batch does.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from codemod.cachedir import cache_dir  # noqa: E402

BRANCH = "napi-fix/objectwrap-leak"
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "bench",
           "GIT_AUTHOR_EMAIL": "bench@example.invalid", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.invalid"}
STAND_IN_COPIES = 8  # of each example: 24 repositories


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    if done.returncode != 0:
        sys.exit(f"git {' '.join(args)} in {cwd}: {done.stderr}")
    return done.stdout


def stand_in(folder: Path) -> Path:
    corpus = folder / "stand-in-corpus"
    if not corpus.exists():
        for example in sorted(p for p in (ROOT / "examples").iterdir() if (p / "package.json").exists()):
            for i in range(STAND_IN_COPIES):
                shutil.copytree(example, corpus / f"{example.name}-{i}")
    return corpus


def setup(corpus: Path, work: Path) -> list[str]:
    """A repository with a bare remote per package root (made once per work dir)."""
    urls = []
    for root in sorted(p for p in corpus.iterdir() if p.is_dir()):
        name = root.name.replace("@", "").replace("+", "-")
        bare = work / "remotes" / f"{name}.git"
        if not bare.exists():
            repo = work / "seed" / name
            shutil.copytree(root, repo, symlinks=True)
            git(repo, "init", "-q", "-b", "main")
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "--no-verify", "-m", f"Import {root.name}")
            git(work, "clone", "-q", "--bare", str(repo), str(bare))
            git(bare, "config", "uploadpack.allowFilter", "true")
            shutil.rmtree(repo)
        urls.append(bare.as_uri())
    shutil.rmtree(work / "seed", ignore_errors=True)
    return urls


def reset(work: Path) -> None:
    """Forget what the last run made: the branch on every remote and in every cached clone."""
    for bare in (work / "remotes").glob("*.git"):
        git(bare, "update-ref", "-d", f"refs/heads/{BRANCH}")
    clones = work / "cache" / "clones"
    for clone in clones.iterdir() if clones.exists() else ():
        if clone.name.startswith("."):
            continue
        for ref in (f"refs/heads/{BRANCH}", f"refs/remotes/origin/{BRANCH}"):
            subprocess.run(["git", "update-ref", "-d", ref], cwd=clone, capture_output=True)


def timed(command: list[str], **kwargs) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall and CPU seconds (the command and every process it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done


def batch(work: Path, urls: list[str], jobs: int, strategy: str) -> tuple[float, float, list[dict]]:
    (work / "repos.txt").write_text("\n".join(urls) + "\n")
    patches = Path(tempfile.mkdtemp(prefix="patches-", dir=work))
    command = [sys.executable, "-m", "codemod", "batch", "--from", str(work / "repos.txt"), "--commit", "--push",
               "-j", str(jobs), "--strategy", strategy, "--format", "json", "--patch-dir", str(patches)]
    wall, cpu, done = timed(command, cwd=work, env={**os.environ, **GIT_ENV, "NAPI_FIX_CACHE": str(work / "cache")})
    shutil.rmtree(patches)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    if not lines or lines[-1].get("type") != "summary":
        sys.exit(f"batch failed: {done.stderr}")
    return wall, cpu, lines


def dry_run(corpus: Path, jobs: int, strategy: str) -> tuple[float, float]:
    wall, cpu, done = timed([sys.executable, "-m", "codemod", "--dry-run", "--jobs", str(jobs), "--strategy", strategy,
                             str(corpus)])
    if done.returncode not in (0, 1):
        sys.exit(f"dry run failed: {done.stderr[-2000:]}")
    return wall, cpu


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="a folder whose subfolders are package roots")
    parser.add_argument("--work", type=Path, default=Path(cache_dir("bench-batch")))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--strategy", default="pin", choices=("pin", "finalize", "both"))
    args = parser.parse_args()
    real = Path(cache_dir("realworld", "corpus-v1"))
    corpus = args.corpus or (real if real.is_dir() else None)
    label = "stand-in (copies of examples/)" if corpus is None else corpus.name
    corpus = corpus or stand_in(args.work)
    work = args.work / corpus.name
    work.mkdir(parents=True, exist_ok=True)
    urls = setup(corpus, work)
    files = sum(len(f) for _, _, f in os.walk(corpus))
    megabytes = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20

    load = os.getloadavg()[0]
    shutil.rmtree(work / "cache", ignore_errors=True)
    reset(work)
    cold, cold_cpu, _ = batch(work, urls, args.jobs, args.strategy)
    runs, per_repo, summary = [], [], {}
    for _ in range(args.runs):
        reset(work)
        wall, cpu, lines = batch(work, urls, args.jobs, args.strategy)
        runs.append((wall, cpu))
        per_repo += [line["seconds"] for line in lines[:-1]]
        summary = lines[-1]
    dry_runs = [dry_run(corpus, args.jobs, args.strategy) for _ in range(args.runs)]
    dry, dry_cpu = (statistics.median(column) for column in zip(*dry_runs))
    warm, warm_cpu = (statistics.median(column) for column in zip(*runs))
    counts = ", ".join(f"{n} {s}" for s, n in summary["counts"].items() if n)
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores (load average {load:.1f} at the start), Python "
          f"{platform.python_version()}, git {git(work, '--version').split()[-1]}; median of {args.runs} runs.\n")
    print(f"Corpus: {label}: {len(urls)} repositories, {files:,} files, {megabytes:.0f} MB; outcomes: {counts}.\n")
    print("| run | wall (s) | CPU (s) | per repo p50 (s) | per repo p95 (s) | wall / engine dry run |")
    print("|---|---|---|---|---|---|")
    flags = "" if args.strategy == "pin" else f" --strategy {args.strategy}"
    print(f"| `napi-fix batch --commit --push -j {args.jobs}{flags}`, clones cached | {warm:.2f} | {warm_cpu:.2f} | "
          f"{percentile(per_repo, 0.5):.2f} | {percentile(per_repo, 0.95):.2f} | {warm / dry:.2f}x |")
    print(f"| the same, first run (cloning every remote) | {cold:.2f} | {cold_cpu:.2f} |  |  | {cold / dry:.2f}x |")
    print(f"| `napi-fix --dry-run --jobs {args.jobs}{flags}` over the same trees | {dry:.2f} | {dry_cpu:.2f} |  |  "
          "| 1.00x |")


if __name__ == "__main__":
    main()
