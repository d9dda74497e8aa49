#!/usr/bin/env python3
"""The consumers of napi-fix's edits judge them, on real code.

    .venv/bin/python bench/oracle.py [--only NAME] [--out bench/results-oracle.md]

Corpus: the git checkouts in ../shared/corpus/checkouts/ (real lockfiles their
maintainers commit, real .gitignore and build files; unpacked into the cache)
and the npm tarballs of bench/realworld.py (each with the lock npm resolved
for it). For every package root with a lockfile, in a copy of it:

- napi-fix runs for real with `--strategy both` (the pin and the Finalize
  hygiene: every kind of edit it makes);
- lock oracle: where napi-fix edited package.json or a lockfile, the package
  manager that owns the lock installs from it frozen, before and after
  (`npm ci --ignore-scripts`, `yarn install --frozen-lockfile
  --ignore-scripts` for yarn 1, `pnpm install --frozen-lockfile
  --ignore-scripts`), and the node-addon-api installed after is not
  8.2.0/8.2.1; it must pass after wherever it passed before;
- compiler oracle: every translation unit of the root that reaches an edited
  C/C++ file (itself, or through quoted includes resolved in the root) is
  compiled with g++ -fsyntax-only before and after, with Node's headers,
  node-addon-api's (the installed copy, else the latest 8.x), and the
  include_dirs and defines binding.gyp gives as plain strings (read as a
  Python literal after its comments, never run); every TU that compiled
  before must compile after.

Prints a markdown table (and writes it with --out). The figures belong in
bench/results-oracle.md, never in the README.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent
sys.path.insert(0, str(CHECKOUT / "tests"))
sys.path.insert(0, str(HERE))
from napi_headers import CACHE, headers, latest  # noqa: E402
from pm import tool  # noqa: E402

CHECKOUTS = CHECKOUT.parent / "shared" / "corpus" / "checkouts"
WORK = CACHE / "oracle"
NAPI_FIX = str(Path(sys.executable).parent / "napi-fix")
CPP_SOURCES = (".c", ".cc", ".cpp", ".cxx", ".c++")
CPP_ALL = CPP_SOURCES + (".h", ".hh", ".hpp", ".hxx", ".h++", ".ipp", ".inl", ".tpp")
SKIP_DIRS = {"node_modules", ".git", "build", "prebuilds"}
INCLUDE = re.compile(rb'^\s*#\s*include\s*"([^"]+)"', re.M)
LEAKY = {"8.2.0", "8.2.1"}


@dataclass
class RootResult:
    name: str
    lock: str = ""
    napi_fix_exit: int | None = None
    edited: list[str] = field(default_factory=list)
    lock_before: str = ""
    lock_after: str = ""
    installed_after: str = ""
    tus: int = 0
    compiled_before: int = 0
    compiled_after: int = 0
    broken: list[str] = field(default_factory=list)  # TUs that compiled before and not after
    note: str = ""

    @property
    def ok(self) -> bool:
        lock_ok = self.lock_before != "pass" or self.lock_after in ("pass", "unchanged")
        leak_ok = self.installed_after not in LEAKY
        return lock_ok and leak_ok and not self.broken and self.napi_fix_exit != 2


# -- the corpus ---------------------------------------------------------------------

def checkout_roots() -> list[tuple[str, Path]]:
    found = []
    for archive in sorted(CHECKOUTS.glob("*.tar.gz")):
        name = archive.name[: -len(".tar.gz")]
        target = WORK / "checkouts" / name
        if not target.exists():
            target.mkdir(parents=True)
            with tarfile.open(archive) as tar:
                tar.extractall(target, filter="data")
        found += [(str(p.parent.relative_to(target)), p.parent) for p in _locks(target)]
    return found


def realworld_roots() -> list[tuple[str, Path]]:
    corpus = CACHE / "realworld" / "corpus-v1"
    if not corpus.is_dir():
        return []  # `bench/realworld.py --build-only` makes it
    return [(f"npm:{p.parent.name}", p.parent) for root in sorted(corpus.iterdir()) for p in _locks(root)]


def _locks(root: Path) -> list[Path]:
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"):
            if name in files and "package.json" in files:
                out.append(Path(folder) / name)
                break
    return out


# -- the oracles ---------------------------------------------------------------------

def run(args: list[str], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "CI": "true", "npm_config_audit": "false", "npm_config_fund": "false"}
    try:
        return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, 124, "", "timed out")


def lock_kind(root: Path) -> str:
    if (root / "package-lock.json").exists() or (root / "npm-shrinkwrap.json").exists():
        return "npm"
    if (root / "yarn.lock").exists():
        head = (root / "yarn.lock").read_bytes()[:300]
        return "yarn1" if b"# yarn lockfile v1" in head else "berry"
    return "pnpm" if (root / "pnpm-lock.yaml").exists() else ""


def frozen_install(root: Path, kind: str) -> str:
    shutil.rmtree(root / "node_modules", ignore_errors=True)
    if kind == "npm":
        done = run(["npm", "ci", "--ignore-scripts", "--prefer-offline"], root)
    elif kind == "yarn1":
        done = run([tool("yarn"), "install", "--frozen-lockfile", "--ignore-scripts", "--non-interactive",
                    "--prefer-offline"], root)
    elif kind == "pnpm":
        done = run([tool("pnpm"), "install", "--frozen-lockfile", "--ignore-scripts"], root)
    else:
        return "n/a"
    return "pass" if done.returncode == 0 else "fail"


def installed(root: Path) -> str:
    try:
        return json.loads((root / "node_modules" / "node-addon-api" / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return ""


def gyp_flags(root: Path) -> tuple[list[str], list[str]]:
    """include_dirs and defines binding.gyp gives as plain strings, in every target."""
    path = root / "binding.gyp"
    if not path.exists():
        return [], []
    text = "\n".join(line.split("#", 1)[0] if "'" not in line and '"' not in line else line
                     for line in path.read_text(errors="replace").splitlines())
    try:
        data = ast.literal_eval(re.sub(r"(?m)^\s*#.*$", "", text))
    except (ValueError, SyntaxError):
        return [], []
    includes, defines = [], []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key.rstrip("+=?!/") == "include_dirs" and isinstance(value, list):
                    includes.extend(v for v in value if isinstance(v, str) and not v.startswith("<"))
                elif key.rstrip("+=?!/") == "defines" and isinstance(value, list):
                    defines.extend(v for v in value if isinstance(v, str) and not v.startswith("<"))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return [str(root / i) for i in includes], defines


def translation_units(root: Path, edited: set[Path]) -> list[Path]:
    """Sources of the root whose quoted includes (resolved beside the includer, then from the root) reach an edited file."""
    sources, texts = [], {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")]
        for name in files:
            if name.endswith(CPP_ALL):
                path = Path(folder) / name
                texts[path] = path.read_bytes()
                if name.endswith(CPP_SOURCES):
                    sources.append(path)
    by_name: dict[str, list[Path]] = {}
    for path in texts:
        by_name.setdefault(path.name, []).append(path)

    def reaches(path: Path, seen: set[Path]) -> bool:
        if path in edited:
            return True
        seen.add(path)
        for included in INCLUDE.findall(texts.get(path, b"")):
            name = included.decode(errors="replace")
            candidates = [path.parent / name, root / name] + by_name.get(Path(name).name, [])
            for candidate in candidates:
                candidate = Path(os.path.normpath(candidate))
                if candidate in texts and candidate not in seen and reaches(candidate, seen):
                    return True
        return False

    return sorted(s for s in sources if reaches(s, set()))


def compiles(tu: Path, root: Path, napi_include: Path) -> bool:
    includes, defines = gyp_flags(root)
    language = ["-x", "c", "-std=gnu11"] if tu.suffix == ".c" else ["-x", "c++", "-std=gnu++17"]
    args = ["g++", "-fsyntax-only", *language, "-w", "-I/usr/include/node", f"-I{napi_include}",
            f"-I{tu.parent}", f"-I{root}", "-DNAPI_DISABLE_CPP_EXCEPTIONS", "-DNODE_ADDON_API_DISABLE_DEPRECATED",
            *(f"-I{i}" for i in includes), *(f"-D{d}" for d in defines), str(tu)]
    return run(args, root, timeout=300).returncode == 0


# -- one root ---------------------------------------------------------------------

def check(name: str, source: Path) -> RootResult:
    result = RootResult(name)
    base = WORK / "runs" / re.sub(r"[^A-Za-z0-9_.@+-]", "_", name)
    before, after = base / "before", base / "after"
    shutil.rmtree(base, ignore_errors=True)
    for copy in (before, after):
        shutil.copytree(source, copy, symlinks=True, ignore=shutil.ignore_patterns("node_modules"))
    result.lock = lock_kind(before)
    done = run([NAPI_FIX, "--strategy", "both", "--format", "json", "--jobs", "1", "."], after)
    result.napi_fix_exit = done.returncode
    try:
        report = json.loads(done.stdout)
    except ValueError:
        result.note = f"napi-fix printed no JSON: {done.stderr[-200:]}"
        return result
    result.edited = sorted({f["path"] for f in report.get("files", []) if any(x.get("edits") for x in f.get("findings", []))})
    manifests = [p for p in result.edited if Path(p).name in
                 ("package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml")]
    if manifests:
        result.lock_before = frozen_install(before, result.lock)
        result.lock_after = frozen_install(after, result.lock)
        result.installed_after = installed(after)
    else:
        result.lock_before = result.lock_after = "unchanged"
    cpp = {Path(os.path.normpath(after / p)) for p in result.edited if p.endswith(CPP_ALL)}
    if cpp:
        napi_include = before / "node_modules" / "node-addon-api"
        if not (napi_include / "napi.h").exists():
            napi_include = headers(latest(8))
        for tu in translation_units(after, cpp):
            result.tus += 1
            ok_before = compiles(before / tu.relative_to(after), before, napi_include)
            ok_after = compiles(tu, after, napi_include)
            result.compiled_before += ok_before
            result.compiled_after += ok_after
            if ok_before and not ok_after:
                result.broken.append(str(tu.relative_to(after)))
    return result


def table(results: list[RootResult], seconds: float) -> str:
    lines = [
        f"napi-fix {run([NAPI_FIX, '--version'], CHECKOUT).stdout.strip()}, g++ "
        f"{run(['g++', '-dumpfullversion'], CHECKOUT).stdout.strip()}, npm "
        f"{run(['npm', '--version'], CHECKOUT).stdout.strip()}; {len(results)} roots in {seconds:.0f} s.",
        "",
        "| root | lock | napi-fix exit | files edited | frozen install before / after | node-addon-api after "
        "| TUs reaching an edit | compiled before / after | verdict |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        verdict = "ok" if r.ok else "**FAIL**" + (f": {', '.join(r.broken)}" if r.broken else "")
        lines.append(f"| {r.name} | {r.lock or '-'} | {r.napi_fix_exit} | {len(r.edited)} | "
                     f"{r.lock_before or '-'} / {r.lock_after or '-'} | {r.installed_after or '-'} | {r.tus} | "
                     f"{r.compiled_before} / {r.compiled_after} | {verdict}{' ' + r.note if r.note else ''} |")
    ok = sum(r.ok for r in results)
    tus = sum(r.tus for r in results)
    before = sum(r.compiled_before for r in results)
    kept = before - sum(len(r.broken) for r in results)
    locks = [r for r in results if r.lock_before == "pass"]
    lines += ["", f"{ok} of {len(results)} roots ok; {kept} of {before} TUs that compiled before compile after "
              f"({tus} reach an edit); frozen installs that passed before pass after: "
              f"{sum(r.lock_after == 'pass' for r in locks)} of {len(locks)}."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="roots whose name contains this")
    parser.add_argument("--no-npm-corpus", action="store_true", help="the git checkouts only")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    roots = checkout_roots() + ([] if args.no_npm_corpus else realworld_roots())
    if args.only:
        roots = [(n, p) for n, p in roots if args.only in n]
    started = time.perf_counter()
    results = []
    for name, path in roots:
        print(f"... {name}", file=sys.stderr, flush=True)
        results.append(check(name, path))
    text = table(results, time.perf_counter() - started)
    print(text)
    if args.out:
        args.out.write_text("# The consumers' verdict on napi-fix's edits (bench/oracle.py)\n\n" + text)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
