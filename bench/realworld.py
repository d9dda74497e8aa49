#!/usr/bin/env python3
"""napi-fix vs ast-grep (and grep, the floor) on real native addons.

    .venv/bin/python bench/realworld.py --copies 1,2 --runs 3
    .venv/bin/python bench/realworld.py --build-only

The corpus is real code: the published npm tarballs of the addons pinned in
bench/realworld-addons.json (name, exact version, the registry's sha512
integrity), each depending on node-addon-api and shipping its C/C++ sources.
Tarballs come from `npm pack`, are refused unless they match the pinned
integrity, and are cached in ${NAPI_FIX_CACHE:-~/.cache/napi-fix}/realworld/.
Each is unpacked as its own package root, realworld/corpus-v1/<name>@<version>/
(a scope's `/` becomes `+`). Published tarballs carry no lockfile, but real
repositories do and napi-fix reads them: each root gets a package-lock.json
that npm resolves as the registry was on the pinned `before` date, so the
corpus is reproducible. A root npm cannot lock is reported, not fatal.
`--copies 2` runs on realworld/corpus-v1-x2/{copy-1,copy-2}/: real copies,
not links, so each copy is read from its own files.

Then, like bench/compare.py and with its ast-grep rule, each tool runs on the
same corpus: one warm-up run, then --runs timed runs (median wall, median CPU
= user+sys of the whole tree, and the max of ru_maxrss, which is the largest
*single* process of the tree). One more, untimed run of napi-fix samples its
whole process tree every 10 ms for the peak *sum* of RSS (and of PSS, which
counts the pages forked workers share once) and keeps its JSON report.
Finally napi-fix runs once on each package root in text mode to catch Python
tracebacks and the errors it prints. Prints markdown.
"""

from __future__ import annotations

import argparse
import base64
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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from compare import CACHE, RULE  # noqa: E402  (the same ast-grep rule as on the generated corpus)

PINS = HERE / "realworld-addons.json"
WORK = CACHE / "realworld"
CORPUS = WORK / "corpus-v1"
LOCK_ERRORS = WORK / "corpus-v1.lock-errors"  # why npm could not lock a root (outside the corpus: not scanned)
# The suffixes napi-fix's discover.py reads as C/C++; copied, not imported,
# so the benchmark does not depend on the internals it measures.
CPP_SUFFIXES = frozenset(
    (".h", ".hh", ".hpp", ".hxx", ".h++", ".c", ".cc", ".cpp", ".cxx", ".c++", ".ipp", ".inl", ".tpp")
)
LOCK_ARGS = ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund",
             # A user's npmrc may drop `resolved` URLs from locks; real repositories' locks have them.
             "--omit-lockfile-registry-resolved=false"]
TRACEBACK = "Traceback (most recent call last)"
MB = 1e6


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    integrity: str

    @property
    def dirname(self) -> str:
        return f"{self.name.replace('/', '+')}@{self.version}"


def load_pins() -> tuple[str, list[Pin]]:
    data = json.loads(PINS.read_text())
    return data["before"], [Pin(p["name"], p["version"], p["integrity"]) for p in data["packages"]]


# --- the corpus -------------------------------------------------------------------------------


def npm(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["npm", *args], cwd=cwd, capture_output=True, text=True, timeout=900)


def integrity_of(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def verified(tarball: Path, pin: Pin) -> Path:
    actual = integrity_of(tarball)
    if actual != pin.integrity:
        raise SystemExit(f"{tarball}: integrity {actual} is not the pinned {pin.integrity} "
                         "(if it is the cached copy, delete it to fetch it again)")
    return tarball


def fetch(pin: Pin) -> Path:
    """The pinned tarball, from the cache or `npm pack`; checked either way,
    and cached only once checked."""
    tarball = WORK / "tarballs" / f"{pin.dirname}.tgz"
    if tarball.exists():
        return verified(tarball, pin)
    tarball.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tarball.parent) as tmp:
        result = npm(["pack", f"{pin.name}@{pin.version}", "--json", "--pack-destination", tmp], Path(tmp))
        if result.returncode != 0:
            raise SystemExit(f"npm pack {pin.name}@{pin.version} failed:\n{result.stderr}")
        packed = Path(tmp) / json.loads(result.stdout)[0]["filename"]
        verified(packed, pin).rename(tarball)
    return tarball


def unpack(tarball: Path, dest: Path) -> None:
    """Extracts the tarball without its top folder (npm's `package/`), so
    `dest` is the package root."""
    with tarfile.open(tarball) as archive:
        members = []
        for member in archive.getmembers():
            member.name = member.name.partition("/")[2]
            if member.islnk():
                member.linkname = member.linkname.partition("/")[2]
            if member.name:
                members.append(member)
        archive.extractall(dest, members=members, filter="data")


def is_cpp(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in CPP_SUFFIXES


def check_package(root: Path, pin: Pin) -> None:
    """The root is the pinned package, depends on node-addon-api and ships
    C/C++ sources (read from the published package.json: the same manifest
    `npm view NAME@VERSION dependencies devDependencies` shows)."""
    manifest = json.loads((root / "package.json").read_text())
    if (manifest.get("name"), manifest.get("version")) != (pin.name, pin.version):
        raise SystemExit(f"{pin.dirname}: the tarball holds {manifest.get('name')}@{manifest.get('version')}")
    if not any("node-addon-api" in (manifest.get(key) or {}) for key in ("dependencies", "devDependencies")):
        raise SystemExit(f"{pin.dirname}: node-addon-api is in neither dependencies nor devDependencies")
    if not any(is_cpp(name) for _, _, names in os.walk(root) for name in names):
        raise SystemExit(f"{pin.dirname}: the tarball ships no C/C++ file")


def npm_error(stderr: str) -> str:
    """The first two of npm's error lines: its code and what went wrong (the
    rest is boilerplate and the pointer to its debug log)."""
    lines = [line.removeprefix("npm error").strip() for line in stderr.splitlines() if line.startswith("npm error")]
    return "; ".join([line for line in lines if line][:2])


def make_lock(root: Path, before: str) -> str | None:
    """Writes root/package-lock.json as npm resolved it on `before`; returns
    None, or npm's error when neither a plain nor a --legacy-peer-deps
    resolution succeeds."""
    error = ""
    for extra in ([], ["--legacy-peer-deps"]):
        result = npm([*LOCK_ARGS, f"--before={before}", *extra], root)
        if result.returncode == 0:
            return None
        error = npm_error(result.stderr) or result.stderr.strip()
    return error


def build_package(pin: Pin, before: str) -> bool:
    """Puts one package root (with its lock, where npm can make one) into the
    corpus; staged outside it, so a root appears only once complete. Returns
    whether it had to be built."""
    root = CORPUS / pin.dirname
    if root.exists():
        return False
    staging = WORK / "staging" / pin.dirname
    shutil.rmtree(staging, ignore_errors=True)
    unpack(fetch(pin), staging)
    check_package(staging, pin)
    error = make_lock(staging, before)
    note = LOCK_ERRORS / f"{pin.dirname}.txt"
    if error is None:
        note.unlink(missing_ok=True)
    else:
        note.write_text(error + "\n")
    staging.rename(root)
    print(f"built {pin.dirname}" + (f" (no lock: {error})" if error else ""), file=sys.stderr, flush=True)
    return True


def build_corpus(before: str, pins: list[Pin]) -> int:
    """Builds the roots the corpus lacks, drops those no longer pinned, and
    starts afresh when the `before` date changed (every lock would). Returns
    how many roots were built."""
    stamp = WORK / "corpus-v1.before"
    if stamp.exists() and stamp.read_text() != before:
        shutil.rmtree(CORPUS)
    for folder in (CORPUS, LOCK_ERRORS):
        folder.mkdir(parents=True, exist_ok=True)
    stamp.write_text(before)
    wanted = {pin.dirname for pin in pins}
    for stale in [entry for entry in CORPUS.iterdir() if entry.name not in wanted]:
        shutil.rmtree(stale)
    # Downloads and lock resolutions wait on the network more than on a core.
    with ThreadPoolExecutor(4) as pool:
        return sum(pool.map(lambda pin: build_package(pin, before), pins))


def with_copies(copies: int) -> Path:
    """The corpus for one copy; for more, realworld/corpus-v1-xN/ holding N
    copies of it, redone whenever the pinned list changed."""
    if copies == 1:
        return CORPUS
    target = WORK / f"{CORPUS.name}-x{copies}"
    stamp = WORK / f"{target.name}.pins-sha256"
    digest = hashlib.sha256(PINS.read_bytes()).hexdigest()
    if target.exists() and stamp.exists() and stamp.read_text() == digest:
        return target
    shutil.rmtree(target, ignore_errors=True)
    for i in range(1, copies + 1):
        shutil.copytree(CORPUS, target / f"copy-{i}", symlinks=True)
    stamp.write_text(digest)
    return target


@dataclass
class Size:
    cpp_files: int = 0
    cpp_bytes: int = 0
    all_bytes: int = 0
    locks: int = 0

    def add(self, other: Size) -> None:
        self.cpp_files += other.cpp_files
        self.cpp_bytes += other.cpp_bytes
        self.all_bytes += other.all_bytes
        self.locks += other.locks


def size_of(root: Path) -> Size:
    size = Size(locks=int((root / "package-lock.json").exists()))
    for folder, _, names in os.walk(root):
        for name in names:
            nbytes = os.lstat(os.path.join(folder, name)).st_size
            size.all_bytes += nbytes
            if is_cpp(name):
                size.cpp_files += 1
                size.cpp_bytes += nbytes
    return size


def lock_status(pin: Pin) -> str:
    if (CORPUS / pin.dirname / "package-lock.json").exists():
        return "yes"
    note = LOCK_ERRORS / f"{pin.dirname}.txt"
    return "no: " + (note.read_text().strip() if note.exists() else "reason not recorded")


# --- measuring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float  # user + sys, children included
    max_rss: int  # bytes: ru_maxrss, the largest single process of the tree
    status: int


def timed_run(command: list[str], cwd: Path) -> Run:
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=sink, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, process.returncode)


@dataclass(frozen=True)
class Result:
    wall: float
    cpu: float
    max_rss: int
    statuses: tuple[int, ...]


def timed(command: list[str], cwd: Path, runs: int) -> Result:
    timed_run(command, cwd)  # warm the page cache and the interpreter's bytecode cache
    samples = [timed_run(command, cwd) for _ in range(runs)]
    return Result(statistics.median(s.wall for s in samples), statistics.median(s.cpu for s in samples),
                  max(s.max_rss for s in samples), tuple(sorted({s.status for s in samples})))


def tree_memory(root: int) -> tuple[int, int]:
    """Sums of RSS and of PSS (bytes) over process `root` and its descendants.

    This kernel has no /proc/PID/task/TID/children, so descendants are found
    by parent pid; pids are handed out in increasing order, so only pids from
    the root's up are read (wrap-around during a run aside)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) >= root:
            try:
                stat = Path(f"/proc/{entry}/stat").read_bytes()
            except OSError:
                continue
            # The command name in parentheses may hold spaces: read after its last ")".
            parents[int(entry)] = int(stat[stat.rindex(b")") + 1:].split()[1])
    tree = {root}
    for pid in sorted(parents):
        if parents[pid] in tree:
            tree.add(pid)
    rss = pss = 0
    for pid in tree:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            key, _, value = line.partition(":")
            if key == "Rss":
                rss += int(value.split()[0]) * 1024
            elif key == "Pss":
                pss += int(value.split()[0]) * 1024
    return rss, pss


@dataclass(frozen=True)
class Sampled:
    status: int
    peak_rss_sum: int
    peak_pss_sum: int
    stdout: str
    stderr: str


def sampled_run(command: list[str], cwd: Path) -> Sampled:
    """One run with output kept and its process tree's memory sampled every
    10 ms (the sampling costs CPU, which is why this run is not timed)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=cwd)
        peak_rss = peak_pss = 0
        while process.poll() is None:
            rss, pss = tree_memory(process.pid)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            time.sleep(0.01)
        out.seek(0)
        err.seek(0)
        return Sampled(process.returncode, peak_rss, peak_pss, out.read().decode("utf-8", "replace"),
                       err.read().decode("utf-8", "replace"))


def tool_commands(napi_fix: str, ast_grep: str, rule: Path, corpus: Path) -> dict[str, list[str]]:
    return {
        "napi-fix": [napi_fix, "--dry-run", "--strategy", "both", "--format", "json", str(corpus)],
        "ast-grep": [ast_grep, "scan", "--rule", str(rule), "--json=stream", str(corpus)],
        "grep": ["grep", "-rl", "ObjectWrap", str(corpus)],
    }


@dataclass(frozen=True)
class Report:
    """What napi-fix's JSON says: findings by kind and (file, message) errors."""

    findings: dict
    errors: list[tuple[str, str]]
    error_count: int | None  # summary.errors


def read_report(stdout: str) -> Report | None:
    try:
        payload = json.loads(stdout)
    except ValueError:
        return None
    summary = payload.get("summary", {})
    errors = [(f.get("path"), f.get("error")) for f in payload.get("files", []) if f.get("error")]
    return Report(summary.get("findings", {}), errors, summary.get("errors"))


@dataclass
class RootCheck:
    """napi-fix's text-mode dry run on one package root."""

    status: int
    wall: float  # one run: shows which roots the time goes to, not a benchmark
    errors: list[str] = field(default_factory=list)  # its "PATH: error: MESSAGE" lines
    traceback: str = ""
    summary: str = ""  # its closing "napi-fix (STRATEGY): ..." line


def check_root(napi_fix: str, pin: Pin) -> RootCheck:
    start = time.perf_counter()
    result = subprocess.run([napi_fix, "--dry-run", "--strategy", "both", pin.dirname], cwd=CORPUS,
                            capture_output=True, text=True, errors="replace")
    lines = result.stderr.splitlines()
    errors = [line for line in lines if ": error: " in line]
    summary = next((line for line in reversed(lines) if line.startswith("napi-fix (")), "")
    check = RootCheck(result.returncode, time.perf_counter() - start, errors, summary=summary)
    if TRACEBACK in result.stderr:
        check.traceback = result.stderr[result.stderr.index(TRACEBACK):].strip()
    return check


# --- printing ---------------------------------------------------------------------------------


def corpus_line(before: str, pins: list[Pin], total: Size) -> str:
    return (f"Corpus: {len(pins)} native addons from the npm registry (`bench/realworld-addons.json`), "
            f"{total.cpp_files:,} C/C++ files ({total.cpp_bytes / MB:.0f} MB), {total.all_bytes / MB:.0f} MB in all; "
            f"{total.locks} of {len(pins)} roots have a package-lock.json (npm, `--before={before}`).")


def package_table(pins: list[Pin], sizes: dict[str, Size], checks: dict[str, RootCheck]) -> list[str]:
    head = "| package | C/C++ files | C/C++ MB | MB | package-lock.json |"
    rule = "|---|---|---|---|---|"
    if checks:
        head += " napi-fix exit | wall (s) | its errors | traceback | its summary |"
        rule += "---|---|---|---|---|"
    rows = [head, rule]
    for pin in pins:
        size = sizes[pin.dirname]
        row = (f"| {pin.name}@{pin.version} | {size.cpp_files:,} | {size.cpp_bytes / MB:.1f} | "
               f"{size.all_bytes / MB:.1f} | {lock_status(pin)} |")
        if checks:
            check = checks[pin.dirname]
            row += (f" {check.status} | {check.wall:.2f} | {len(check.errors)} | "
                    f"{'yes' if check.traceback else 'no'} | {check.summary.replace('|', '/')} |")
        rows.append(row)
    return rows


def result_rows(copies: int, results: dict[str, Result], sampled: Sampled) -> list[str]:
    rows = []
    ours = results["napi-fix"].wall
    for name, r in results.items():
        tree = (f"{sampled.peak_rss_sum / MB:.0f} | {sampled.peak_pss_sum / MB:.0f}" if name == "napi-fix"
                else " | ")
        ratio = "" if name == "napi-fix" else f"{ours / r.wall:.2f}"
        rows.append(f"| {copies} | {name} | {','.join(map(str, r.statuses))} | {r.wall:.3f} | {r.cpu:.3f} | "
                    f"{r.cpu / r.wall:.2f} | {r.max_rss / MB:.0f} | {tree} | {ratio} |")
    return rows


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def copies_label(copies: int) -> str:
    return f"{copies} cop{'y' if copies == 1 else 'ies'}"


def target_lines(by_copies: dict[int, tuple[dict[str, Result], Sampled]]) -> list[str]:
    """The issue's targets, on the smallest corpus (and 2 copies against 1)."""
    results, sampled = by_copies[min(by_copies)]
    ours = results["napi-fix"]
    share, parallel = ours.wall / results["ast-grep"].wall, ours.cpu / ours.wall
    lines = [f"- napi-fix / ast-grep wall {share:.2f}, target at most 0.25: {met(share <= 0.25)}",
             f"- napi-fix CPU/wall {parallel:.2f}, target at least 1.6: {met(parallel >= 1.6)}"]
    for what, nbytes in (("largest single process (ru_maxrss)", ours.max_rss),
                         ("sum of RSS over its process tree", sampled.peak_rss_sum),
                         ("sum of PSS over its process tree", sampled.peak_pss_sum)):
        lines.append(f"- napi-fix peak memory, {what}: {nbytes / MB:.0f} MB, target under 150 MB: "
                     f"{met(nbytes < 150 * MB)}")
    if 1 in by_copies and 2 in by_copies:
        ratio = by_copies[2][0]["napi-fix"].wall / ours.wall
        lines.append(f"- napi-fix wall, 2 copies / 1 copy {ratio:.2f}, target at most 2.2: {met(ratio <= 2.2)}")
    return lines


def scaling_line(by_copies: dict[int, tuple[dict[str, Result], Sampled]]) -> str:
    base = min(by_copies)
    parts = []
    for copies in sorted(by_copies)[1:]:
        ratios = ", ".join(f"{name} {by_copies[copies][0][name].wall / by_copies[base][0][name].wall:.2f}x"
                           for name in by_copies[base][0])
        parts.append(f"{copies} copies / {base} copy (wall): {ratios}")
    return "Scaling: " + ("; ".join(parts) if parts else "one corpus size only")


def report_lines(copies: int, sampled: Sampled) -> list[str]:
    report = read_report(sampled.stdout)
    head = f"- {copies_label(copies)}: exit {sampled.status}"
    if report is None:
        return [head + "; its output is not JSON. stderr ends:", "", "```", sampled.stderr[-3000:].strip(), "```"]
    lines = [head + f"; findings {json.dumps(report.findings)}; summary.errors {report.error_count}"]
    lines += [f"  - `{path}`: {message}" for path, message in report.errors]
    if TRACEBACK in sampled.stderr:
        lines += ["", "```", sampled.stderr[sampled.stderr.index(TRACEBACK):].strip(), "```"]
    return lines


def problem_lines(checks: dict[str, RootCheck]) -> list[str]:
    lines = []
    for dirname, check in checks.items():
        lines += [f"- `{dirname}`: {error}" for error in check.errors]
        if check.status not in (0, 1, 2):
            lines.append(f"- `{dirname}`: napi-fix exited {check.status}")
        if check.traceback:
            lines += [f"- `{dirname}`: traceback", "", "```", check.traceback, "```"]
    return lines or ["- none: no errors printed, no traceback, every exit status 0, 1 or 2"]


# --- main -------------------------------------------------------------------------------------


def tool_versions(napi_fix: str, ast_grep: str) -> str:
    def version(command: list[str]) -> str:
        return subprocess.run(command, capture_output=True, text=True).stdout.strip()

    return f"{version([ast_grep, '--version'])}, {version([napi_fix, '--version'])}"


def benchmark(args: argparse.Namespace, out: list[str]) -> None:
    ast_grep = shutil.which("ast-grep", path=str(Path(sys.executable).parent)) or "ast-grep"
    rule = WORK / "objectwrap-rule.yml"
    rule.write_text(RULE)
    out += [f"Machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, Python "
            f"{platform.python_version()}, {tool_versions(args.napi_fix, ast_grep)}; median of {args.runs} "
            f"runs after one warm-up run. Load average (1 min) at the start: {os.getloadavg()[0]:.2f}.", ""]
    out += ["| copies | tool | exit | wall (s) | CPU (s) | CPU/wall | peak RSS, largest process (MB) | "
            "peak RSS, tree sum (MB) | peak PSS, tree sum (MB) | napi-fix / this tool (wall) |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    by_copies = {}
    for copies in args.copies:
        corpus = with_copies(copies)
        commands = tool_commands(args.napi_fix, ast_grep, rule, corpus)
        results = {name: timed(command, corpus, args.runs) for name, command in commands.items()}
        by_copies[copies] = results, sampled_run(commands["napi-fix"], corpus)
        out += result_rows(copies, *by_copies[copies])
        print("\n".join(out[-3:]), file=sys.stderr, flush=True)
    # Other work on the machine inflates wall times: say how busy it was.
    out += ["", f"Load average (1 min) at the end: {os.getloadavg()[0]:.2f}.",
            "", "Peak RSS, largest process: ru_maxrss from wait4 over the timed runs (the one largest process of "
            "the tree). Tree sums: one more, untimed napi-fix run, its process tree sampled every 10 ms from /proc.",
            "", scaling_line(by_copies), "", f"Against the issue's targets ({copies_label(min(by_copies))}):",
            *target_lines(by_copies),
            "", "napi-fix's JSON report (the untimed run; paths relative to the corpus root):"]
    for copies, (_, sampled) in by_copies.items():
        out += report_lines(copies, sampled)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", default="1,2", type=lambda s: [int(n) for n in s.split(",")],
                        help="corpus copies side by side, one benchmark per count (default 1,2)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per tool, after one warm-up (default 3)")
    parser.add_argument("--build-only", action="store_true", help="build the corpus, print its stats, stop")
    parser.add_argument("--napi-fix", default=str(Path(sys.executable).parent / "napi-fix"),
                        help="the napi-fix executable (default: the one beside this Python)")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    before, pins = load_pins()
    start = time.perf_counter()
    built = build_corpus(before, pins)
    for copies in args.copies:
        with_copies(copies)
    took = time.perf_counter() - start
    sizes = {pin.dirname: size_of(CORPUS / pin.dirname) for pin in pins}
    total = Size()
    for size in sizes.values():
        total.add(size)
    out = [corpus_line(before, pins, total), "",
           f"Corpus ready in {took:.0f} s ({built} of {len(pins)} roots built now, the rest cached); "
           f"copies: {', '.join(str(with_copies(n)) for n in args.copies)}.", ""]
    checks = {}
    if not args.build_only:
        benchmark(args, out)
        checks = {pin.dirname: check_root(args.napi_fix, pin) for pin in pins}
        out += ["", "napi-fix errors and tracebacks, each package root on its own "
                "(`napi-fix --dry-run --strategy both ROOT`, text mode):", *problem_lines(checks)]
    out += ["", "Per package:", "", *package_table(pins, sizes, checks)]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
