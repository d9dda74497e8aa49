#!/usr/bin/env python3
"""Benchmark: `napi-fix batch` (a dry run) against one engine dry run of
the same checkouts, and the batch's two ways of reading a repository: from
git's object store (what a dry run does) and from a worktree (what it did
before, and what --commit does).

    bench/batch.py --runs 3 --output bench/results-batch.md
    bench/batch.py --corpus DIR --runs 5     # DIR's subfolders are package roots
    bench/batch.py --push                    # and `batch --commit --push` (slow)

Corpora: the npm tarballs of bench/realworld.py
(${NAPI_FIX_CACHE:-~/.cache/napi-fix}/realworld/corpus-v1; a stand-in made
of copies of examples/ when it is missing) and the real git checkouts of
../shared/corpus/checkouts/ (unpacked by bench/checkouts.py; they come
without .git). Each package root becomes a git repository (`git init`, one
commit of what `git add -A` takes: .gitignore respected), pushed to a bare
remote (file://), and cloned once as a local checkout. The engine's dry run
runs over those checkouts; the batch over the remotes' URLs, with its clone
cache warm (a re-run; the first run, which clones, is reported apart).

The rows run interleaved, round by round, after one warm-up round, so a
burst of load on this shared machine hits them alike; figures are medians.
CPU is user+sys of the process and everything it waited for (git
included). "Where the time goes" runs each way once more in-process and
adds up the wall time of each git command, of the engine and of the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]
from checkouts import default_archives, unpacked  # noqa: E402
from realworld import CORPUS as REALWORLD, timed_run  # noqa: E402

from codemod.cachedir import cache_dir  # noqa: E402

BRANCH = "napi-fix/objectwrap-leak"
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "bench",
           "GIT_AUTHOR_EMAIL": "bench@example.invalid", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.invalid"}
STAND_IN_COPIES = 8  # of each example: 24 repositories
# The way before: the same code with every repository read from a worktree.
WORKTREE_WAY = ("import sys; from codemod.batch import trees; "
                "trees.open_tree = lambda *args, **kwargs: 'bench: the worktree way'; "
                "from codemod.cli import main; sys.exit(main(sys.argv[1:]))")


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
    """A bare remote and a local checkout per package root (made once per work dir)."""
    urls = []
    for root in sorted(p for p in corpus.iterdir() if p.is_dir()):
        name = root.name.replace("@", "").replace("+", "-")
        bare = work / "remotes" / f"{name}.git"
        if not bare.exists():
            seed = work / "seed" / name
            shutil.copytree(root, seed, symlinks=True)
            shutil.rmtree(seed / ".git", ignore_errors=True)
            git(seed, "init", "-q", "-b", "main")
            git(seed, "add", "-A")
            git(seed, "commit", "-q", "--no-verify", "-m", f"Import {root.name}")
            git(work, "clone", "-q", "--bare", str(seed), str(bare))
            git(bare, "config", "uploadpack.allowFilter", "true")
            shutil.rmtree(seed)
        checkout = work / "checkouts" / name
        if not checkout.exists():
            git(work, "clone", "-q", bare.as_uri(), str(checkout))
        urls.append(bare.as_uri())
    shutil.rmtree(work / "seed", ignore_errors=True)
    (work / "repos.txt").write_text("\n".join(urls) + "\n")
    return urls


def reset(work: Path) -> None:
    """Forget what a pushing run made: the branch on every remote and in every cached clone."""
    for bare in (work / "remotes").glob("*.git"):
        subprocess.run(["git", "update-ref", "-d", f"refs/heads/{BRANCH}"], cwd=bare, capture_output=True)
    clones = work / "cache" / "clones"
    for clone in clones.iterdir() if clones.exists() else ():
        for ref in (f"refs/heads/{BRANCH}", f"refs/remotes/origin/{BRANCH}"):
            subprocess.run(["git", "update-ref", "-d", ref], cwd=clone, capture_output=True)


def commands(work: Path, jobs: int, push: bool, strategy: str) -> dict[str, list[str]]:
    batch = ["batch", "--from", str(work / "repos.txt"), "-j", str(jobs), "--strategy", strategy, "--format", "json",
             "--patch-dir"]
    rows = {
        "engine": [sys.executable, "-m", "codemod", "--dry-run", "--jobs", str(jobs), "--strategy", strategy,
                   str(work / "checkouts")],
        "store": [sys.executable, "-m", "codemod", *batch, str(work / "patches-store")],
        "worktree": [sys.executable, "-c", WORKTREE_WAY, *batch, str(work / "patches-worktree")],
    }
    local = [a if a != "--from" else "--under" for a in batch]
    local[local.index("--under") + 1] = str(work / "checkouts")
    rows["local-store"] = [sys.executable, "-m", "codemod", *local, str(work / "patches-local-store")]
    rows["local-worktree"] = [sys.executable, "-c", WORKTREE_WAY, *local, str(work / "patches-local-worktree")]
    if push:
        rows["push"] = [sys.executable, "-m", "codemod", *batch, str(work / "patches-push"), "--commit", "--push"]
    return rows


def rounds(rows: dict[str, list[str]], work: Path, runs: int) -> dict[str, dict]:
    samples = defaultdict(list)
    for index in range(runs + 1):
        for name, command in rows.items():
            reset(work)
            run = timed_run(command, work)
            if run.status not in (0, 1, 3):
                sys.exit(f"{name} exited {run.status}: {' '.join(command)}")
            if index:
                samples[name].append(run)
    return {name: {"wall": statistics.median(r.wall for r in got), "cpu": statistics.median(r.cpu for r in got)}
            for name, got in samples.items()}


def cold(rows: dict[str, list[str]], work: Path) -> dict[str, tuple[float, float]]:
    """The first run of each way: every remote cloned into an empty cache."""
    found = {}
    for name in ("store", "worktree"):
        shutil.rmtree(work / "cache", ignore_errors=True)
        run = timed_run(rows[name], work)
        found[name] = (run.wall, run.cpu)
    return found


def same_output(work: Path) -> str:
    """Whether both ways wrote the same patches and reports, byte for byte
    (from the remotes' URLs, and from the local checkouts)."""
    said = []
    for store, worktree in (("store", "worktree"), ("local-store", "local-worktree")):
        store, worktree = work / f"patches-{store}", work / f"patches-{worktree}"
        names = sorted({p.name for folder in (store, worktree) for p in folder.iterdir()
                        if p.name.endswith((".patch", ".report.txt"))})
        differ = [n for n in names if not (store / n).exists() or not (worktree / n).exists()
                  or (store / n).read_bytes() != (worktree / n).read_bytes()]
        patches = sum(n.endswith(".patch") for n in names)
        said.append(f"**{len(differ)} of {len(names)} files differ**: {', '.join(differ[:5])}" if differ else
                    f"{patches} patches and {len(names) - patches} reports byte-identical")
    return f"Object store against worktree: from the URLs, {said[0]}; from the local checkouts, {said[1]}."


def breakdown(work: Path, jobs: int, way: str, strategy: str) -> dict[str, float]:
    """One batch dry run in a child process that adds up where its wall time went."""
    done = subprocess.run([sys.executable, str(Path(__file__)), "--breakdown-child", way, str(work), str(jobs),
                           strategy],
                          cwd=work, capture_output=True, text=True, env=_env(work))
    if done.returncode != 0:
        sys.exit(f"breakdown ({way}) failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def _breakdown_child(way: str, work: Path, jobs: int, strategy: str) -> None:
    from codemod import engine
    from codemod.batch import git as batch_git, trees, worktrees
    from codemod.cli import main
    from codemod.sources import gittree

    spent: dict[str, float] = defaultdict(float)
    lock = __import__("threading").Lock()

    def timing(key, fn):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                with lock:
                    spent[key(args) if callable(key) else key] += time.perf_counter() - start
        return timed

    def git_verb(args) -> str:
        words = [w for w in args[0][1:] if not w.startswith("-") and "=" not in w]
        return f"git {words[0]}" if words else "git"

    batch_git.run = timing(git_verb, batch_git.run)
    engine.plan = timing("engine (analysis and plan)", engine.plan)
    gittree.GitTreeSources._blob = timing("git cat-file --batch (blob reads)", gittree.GitTreeSources._blob)
    worktrees.remove = timing("worktree removal (files and registration)", worktrees.remove)
    if way == "worktree":
        trees.open_tree = lambda *args, **kwargs: "bench: the worktree way"
    sink = open(os.devnull, "w")
    real_stdout, sys.stdout = sys.stdout, sink
    start = time.perf_counter()
    main(["batch", "--from", str(work / "repos.txt"), "-j", str(jobs), "--strategy", strategy, "--format", "json",
          "--patch-dir", str(work / f"patches-{way}")])
    total = time.perf_counter() - start
    sys.stdout = real_stdout
    spent["total wall"] = total
    print(json.dumps(spent))


def _env(work: Path) -> dict[str, str]:
    return {**os.environ, **GIT_ENV, "NAPI_FIX_CACHE": str(work / "cache")}


def tree_size(root: Path) -> tuple[int, int]:
    files = nbytes = 0
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        files += len(names)
        nbytes += sum(os.lstat(os.path.join(folder, n)).st_size for n in names)
    return files, nbytes


def measure(label: str, corpus: Path, args) -> list[str]:
    work = args.work / corpus.name
    work.mkdir(parents=True, exist_ok=True)
    urls = setup(corpus, work)
    os.environ.update(_env(work))
    rows = commands(work, args.jobs, args.push, args.strategy)
    load = os.getloadavg()
    first = cold(rows, work)
    results = rounds(rows, work, args.runs)
    load_end = os.getloadavg()
    files, nbytes = tree_size(work / "checkouts")
    statuses = json.loads(subprocess.run(rows["store"], cwd=work, capture_output=True, text=True)
                          .stdout.splitlines()[-1])["counts"]
    engine = results["engine"]
    out = [f"### {label}: {len(urls)} repositories, {files:,} files, {nbytes / 2**20:.0f} MB checked out",
           "", f"Load average {load[0]:.1f} at the start, {load_end[0]:.1f} at the end; outcomes: "
           + ", ".join(f"{n} {s}" for s, n in statuses.items() if n) + ".", "",
           "| run | wall (s) | CPU (s) | wall / engine | CPU / engine |", "|---|---|---|---|---|"]
    names = {"engine": f"`napi-fix --dry-run --jobs {args.jobs}` over the checkouts (one engine run)",
             "store": f"`napi-fix batch -j {args.jobs}` (dry run, object store), clones cached",
             "worktree": f"`napi-fix batch -j {args.jobs}` reading worktrees (the way before), clones cached",
             "local-store": f"`napi-fix batch -j {args.jobs} --under CHECKOUTS` (dry run, object store, no fetch)",
             "local-worktree": f"`napi-fix batch -j {args.jobs} --under CHECKOUTS` reading worktrees (the way before)",
             "push": f"`napi-fix batch --commit --push -j {args.jobs}` (worktrees), clones cached"}
    for name, r in results.items():
        out.append(f"| {names[name]} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['wall'] / engine['wall']:.2f}x | "
                   f"{r['cpu'] / engine['cpu']:.2f}x |")
    for name, (wall, cpu) in first.items():
        how = "object store" if name == "store" else "reading worktrees"
        out.append(f"| the first run, cloning every remote: `napi-fix batch -j {args.jobs}`, {how} | {wall:.2f} | "
                   f"{cpu:.2f} | {wall / engine['wall']:.2f}x | {cpu / engine['cpu']:.2f}x |")
    out += ["", same_output(work)]
    ways = {way: breakdown(work, args.jobs, way, args.strategy) for way in ("worktree", "store")}
    keys = sorted({k for b in ways.values() for k in b} - {"total wall"},
                  key=lambda k: -max(b.get(k, 0) for b in ways.values()))
    out += ["", f"Where the time goes (one in-process run each; seconds of wall summed over {len(urls)} "
            "repositories, the preparing threads overlap the analysis, so parts may add up to more than the total):",
            "", "| part | worktree way | object store |", "|---|---|---|"]
    for key in keys + ["total wall"]:
        out.append(f"| {key} | {ways['worktree'].get(key, 0):.2f} | {ways['store'].get(key, 0):.2f} |")
    return out


def main() -> None:
    if sys.argv[1:2] == ["--breakdown-child"]:
        return _breakdown_child(sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, action="append", help="a folder whose subfolders are package roots")
    parser.add_argument("--work", type=Path, default=Path(cache_dir("bench-batch")))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--strategy", default="pin", choices=("pin", "finalize", "both"))
    parser.add_argument("--push", action="store_true", help="also time `batch --commit --push`")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    if args.corpus:
        corpora = [(c.name, c) for c in args.corpus]
    else:
        real = Path(REALWORLD)
        corpora = [("npm tarballs (bench/realworld.py)", real) if real.is_dir()
                   else ("stand-in (copies of examples/)", stand_in(args.work)),
                   ("git checkouts (../shared/corpus/checkouts)", unpacked(default_archives()))]
    git_version = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.split()[-1]
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores shared with other work, Python "
             f"{platform.python_version()}, git {git_version}; `--strategy {args.strategy}`; median of {args.runs} "
             "interleaved rounds after one warm-up round.", ""]
    for label, corpus in corpora:
        lines += measure(label, corpus, args) + [""]
    text = "\n".join(lines)
    print(text)
    if args.output:
        args.output.write_text(text)


if __name__ == "__main__":
    main()
