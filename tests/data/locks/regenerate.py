"""Regenerates the lockfile fixtures of tests/test_lock_tables.py.

    .venv/bin/python tests/data/locks/regenerate.py [CASE...]

(no CASE: every case; `scripts/setup` first). Needs node, npm and the npm
registry; the test file that reads the fixtures needs none of them.

How each fixture tests/data/locks/<case>/ was made:

1. A small project (package.json files, pnpm-workspace.yaml for pnpm
   workspaces) is locked by the real tool in a temp dir, in stages: first with
   node-addon-api at the exact release the case wants locked, then with the
   looser spec the case is about. npm and pnpm keep a locked version that
   still satisfies the loosened spec. yarn classic re-resolves a new pattern,
   so its stages run with --prefer-offline against a fresh cache
   (YARN_CACHE_FOLDER) seeded with only the releases the case locks: a range
   then resolves to the newest of those, as it did when 8.2.1 was the newest
   release. Commands: FORMATS below; npm writes `resolved` URLs whatever the
   machine's ~/.npmrc says. Tools: the machine's npm; yarn 1.22.22 and pnpm
   9.15.9 from tests/pm.py's cache; pnpm 7.33.7 and 8.15.9 (pnpm 7 writes
   lockfileVersion 5.4, pnpm 8 6.0, pnpm 9 9.0) installed the same way into
   the same cache here.
2. The package files the tool wrote are copied to before/, after a frozen
   install of them (npm ci, yarn install --frozen-lockfile, pnpm install
   --frozen-lockfile, all --ignore-scripts, in a temp dir) put exactly the
   case's `installed_before` releases of node-addon-api on disk.
3. `.venv/bin/napi-fix --strategy pin [--pin rollback] DIR` runs on a copy.
4. The tool's own lock command runs again over napi-fix's output. It leaves
   every byte as napi-fix wrote it when napi-fix wrote what the tool would;
   the files that then differ from before/ go to after/ (no after/: the case
   is a no-op).
5. before/+after/ (and napi-fix's output, when it differs) must pass the
   frozen install with exactly the `installed_after` releases on disk.
6. case.json records tool, tool version, lockfile version, commands, napi-fix
   arguments and mode, and the installed versions.

npm-v3-direct-crlf-tabs is not locked by a tool: it is npm-v3-direct's
committed before/ put through crlf_tabs() (below), then steps 2-6.

When napi-fix is wrong on a case (it exits non-zero, changes a safe project,
leaves an affected one alone, its output fails the frozen install, or the
tool re-locks it differently) the case is still written, after/ holding the
tool's bytes, with the failure in case.json's `known_failure` (the test
expects it to fail); the script exits 1 after writing every case. If the
tool's bytes equal napi-fix's, no table can show the failure: the script
stops and says so.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "tests"))

import pm  # noqa: E402  (tests/ is not a package)

NAA = "node-addon-api"
NAPI_FIX = ROOT / ".venv" / "bin" / "napi-fix"
PACKAGE_FILES = {"package.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "pnpm-workspace.yaml"}
PNPM8 = "8.15.9"
PNPM7 = "7.33.7"


def pnpm_release(version: str) -> str:
    """pnpm `version` from the cache, installed the way pm.tool() installs pnpm 9."""
    folder = pm.TOOLS / f"pnpm-{version}"
    binary = folder / "node_modules" / ".bin" / "pnpm"
    if not binary.exists():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "package.json").write_text("{}")
        pm.npm(folder, "install", f"pnpm@{version}")
    return str(binary)


def pnpm8() -> str:
    return pnpm_release(PNPM8)


def pnpm7() -> str:
    return pnpm_release(PNPM7)


@dataclass(frozen=True)
class Format:
    name: str  # case-name prefix
    tool: str  # npm, yarn or pnpm
    lockfile_version: str  # as the lockfile states it
    marker: bytes  # proof in the lockfile that the tool wrote that version
    lockfile: str
    binary: Callable[[], str]
    lock: tuple[str, ...]  # arguments that (re)write the lock
    verify: tuple[str, ...]  # the frozen install


def _npm(version: int) -> Format:
    return Format(
        f"npm-v{version}", "npm", str(version), f'"lockfileVersion": {version},'.encode(), "package-lock.json",
        lambda: "npm",
        ("install", "--package-lock-only", f"--lockfile-version={version}", "--omit-lockfile-registry-resolved=false",
         "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"),
        ("ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"))


def _pnpm(name: str, version: str, binary: Callable[[], str], quote: str = "'") -> Format:
    return Format(name, "pnpm", version, f"lockfileVersion: {quote}{version}{quote}".encode(), "pnpm-lock.yaml", binary,
                  ("install", "--lockfile-only", "--ignore-scripts", "--prefer-offline"),
                  ("install", "--frozen-lockfile", "--ignore-scripts", "--prefer-offline"))


YARN_FLAGS = ("--ignore-scripts", "--non-interactive", "--prefer-offline")
FORMATS = (
    _npm(1), _npm(2), _npm(3),
    Format("yarn-classic", "yarn", "1", b"# yarn lockfile v1", "yarn.lock", lambda: pm.tool("yarn"),
           ("install", *YARN_FLAGS), ("install", "--frozen-lockfile", *YARN_FLAGS)),
    _pnpm("pnpm-v5", "5.4", pnpm7, quote=""),  # pnpm 7 writes the number unquoted
    _pnpm("pnpm-v6", "6.0", pnpm8),
    _pnpm("pnpm-v9", "9.0", lambda: pm.tool("pnpm")),
)


def app(deps: dict, dep_field: str = "dependencies") -> dict:
    return {"package.json": {"name": "app", "version": "1.0.0", "license": "MIT", dep_field: deps}}


def monorepo(tool: str, spec_a: str) -> dict:
    """Member a asks for `spec_a`; member b holds a safe 8.1.0 that must stay."""
    def member(name: str, spec: str) -> dict:
        return {"name": name, "version": "1.0.0", "license": "MIT", "dependencies": {NAA: spec}}

    root = {"name": "mono", "version": "1.0.0", "private": True, "license": "MIT"}
    tree = {"packages/a/package.json": member("a", spec_a), "packages/b/package.json": member("b", "8.1.0")}
    if tool == "pnpm":
        tree["pnpm-workspace.yaml"] = "packages:\n  - 'packages/*'\n"
    else:
        root["workspaces"] = ["packages/*"]
    return {"package.json": root, **tree}


@dataclass(frozen=True)
class Scenario:
    covers: str
    stages: Callable[[str], list[dict]]  # tool -> the trees locked one after another
    installed_before: tuple[str, ...]  # every node-addon-api release the frozen install puts on disk
    installed_after: tuple[str, ...]
    mode: str = "upgrade"


# tree-sitter 0.21.1 depends on node-addon-api ^8.0.0 and node-gyp-build
# (which has no dependencies): the smallest real transitive case found.
SCENARIOS = {
    "direct": Scenario("dependencies ^8.2.0 locked at 8.2.1",
                       lambda tool: [app({NAA: "8.2.1"}), app({NAA: "^8.2.0"})], ("8.2.1",), ("8.2.2",)),
    "rollback": Scenario("dependencies ^8.2.0 locked at 8.2.1, --pin rollback",
                         lambda tool: [app({NAA: "8.2.1"}), app({NAA: "^8.2.0"})], ("8.2.1",), ("8.1.0",),
                         "rollback"),
    "dev-exact": Scenario("devDependencies exactly 8.2.1",
                          lambda tool: [app({NAA: "8.2.1"}, "devDependencies")], ("8.2.1",), ("8.2.2",)),
    "workspace": Scenario("workspace member a ^8.2.0 locked at 8.2.1; member b 8.1.0 stays",
                          lambda tool: [monorepo(tool, "8.2.1"), monorepo(tool, "^8.2.0")],
                          ("8.1.0", "8.2.1"), ("8.1.0", "8.2.2")),
    "transitive": Scenario("tree-sitter@0.21.1 asks for ^8.0.0, locked at 8.2.1; nothing declared at the root",
                           lambda tool: [app({NAA: "8.2.1", "tree-sitter": "0.21.1"}), app({"tree-sitter": "0.21.1"})],
                           ("8.2.1",), ("8.2.2",)),
    "safe-8.2.2": Scenario("already safe: ^8.2.2 locked at 8.2.2 (no-op)",
                           lambda tool: [app({NAA: "8.2.2"}), app({NAA: "^8.2.2"})], ("8.2.2",), ("8.2.2",)),
    "safe-8.1.0": Scenario("already safe: ~8.1.0 locked at 8.1.0 (no-op)",
                           lambda tool: [app({NAA: "8.1.0"}), app({NAA: "~8.1.0"})], ("8.1.0",), ("8.1.0",)),
}


def crlf_tabs(data: bytes) -> bytes:
    """The shape of a file re-saved on Windows by an editor that indents with
    tabs: each leading pair of spaces becomes a tab, each LF a CRLF."""
    lines = []
    for line in data.split(b"\n"):
        body = line.lstrip(b" ")
        lines.append(b"\t" * ((len(line) - len(body)) // 2) + body)
    return b"\r\n".join(lines)


@dataclass(frozen=True)
class Case:
    name: str
    fmt: Format
    scenario: Scenario
    derived_from: str | None = None  # a committed case whose before/ goes through crlf_tabs()


CASES = [Case(f"{fmt.name}-{key}", fmt, scenario) for fmt in FORMATS for key, scenario in SCENARIOS.items()]
CASES.append(Case("npm-v3-direct-crlf-tabs", FORMATS[2], SCENARIOS["direct"], derived_from="npm-v3-direct"))


def optional_member(spec: str) -> dict:
    """Workspace member a asks for `spec` in optionalDependencies, which npm's
    legacy `dependencies` half mirrors in the member's `requires` (lockfile v1, v2)."""
    member = {"name": "a", "version": "1.0.0", "license": "MIT", "optionalDependencies": {NAA: spec}}
    root = {"name": "mono", "version": "1.0.0", "private": True, "license": "MIT", "workspaces": ["packages/*"]}
    return {"package.json": root, "packages/a/package.json": member}


WORKSPACE_OPTIONAL = Scenario("workspace member a: optionalDependencies ^8.2.0 locked at 8.2.1",
                              lambda tool: [optional_member("8.2.1"), optional_member("^8.2.0")], ("8.2.1",), ("8.2.2",))
CASES += [Case(f"{fmt.name}-workspace-optional", fmt, WORKSPACE_OPTIONAL) for fmt in FORMATS[:2]]


def tool_run(case: Case, args: tuple[str, ...], cwd: Path, env: dict, check: bool = True):
    return pm.run([case.fmt.binary(), *args], cwd, check=check, env=env)


def write_tree(root: Path, tree: dict) -> None:
    for rel, content in tree.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict):
            path.write_text(json.dumps(content, indent=2) + "\n")
        else:
            path.write_bytes(content if isinstance(content, bytes) else content.encode())


def package_files(root: Path) -> dict[str, bytes]:
    found = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "node_modules")
        for name in sorted(set(names) & PACKAGE_FILES):
            path = Path(folder) / name
            found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def tool_env(case: Case, tmp: Path) -> dict:
    if case.fmt.tool != "yarn":
        return {}
    # yarn classic defaults to its own registry host; use the one npm uses here.
    registry = subprocess.run(["npm", "config", "get", "registry"], capture_output=True, text=True).stdout.strip()
    return {"YARN_REGISTRY": registry, "npm_config_registry": registry, "YARN_CACHE_FOLDER": str(tmp / "yarn-cache")}


def seed_yarn_cache(case: Case, tmp: Path, env: dict) -> None:
    """Put exactly the releases the case locks into the fresh yarn cache."""
    for version in case.scenario.installed_before:
        seed = tmp / f"seed-{version}"
        write_tree(seed, app({NAA: version}))
        tool_run(case, case.fmt.lock, seed, env)


def lock(case: Case, tmp: Path, env: dict) -> dict[str, bytes]:
    """The package files of the case's project, locked by the real tool."""
    if case.derived_from:
        base = HERE / case.derived_from / "before"
        return {rel: crlf_tabs(data) for rel, data in package_files(base).items()}
    if case.fmt.tool == "yarn":
        seed_yarn_cache(case, tmp, env)
    project = tmp / "project"
    for tree in case.scenario.stages(case.fmt.tool):
        write_tree(project, tree)
        tool_run(case, case.fmt.lock, project, env)
    files = package_files(project)
    assert case.fmt.marker in files[case.fmt.lockfile], f"{case.name}: {case.fmt.lockfile} is not {case.fmt.name}"
    return files


def napi_fix_args(case: Case) -> list[str]:
    return ["--strategy", "pin", *(["--pin", "rollback"] if case.scenario.mode == "rollback" else [])]


def changed(before: dict[str, bytes], now: dict[str, bytes]) -> dict[str, bytes]:
    return {rel: data for rel, data in now.items() if before.get(rel) != data}


def pin(case: Case, before: dict[str, bytes], work: Path) -> tuple[dict[str, bytes], list[str]]:
    """napi-fix's real run on a copy: (files it changed, problems)."""
    write_tree(work, before)
    done = subprocess.run([str(NAPI_FIX), *napi_fix_args(case), str(work)], capture_output=True, text=True)
    ours = changed(before, package_files(work))
    problems = [f"napi-fix exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"] \
        if done.returncode != 0 else []
    no_op = case.scenario.installed_before == case.scenario.installed_after
    if no_op and ours:
        problems.append(f"napi-fix changed an already-safe project: {sorted(ours)}")
    if not no_op and not ours:
        problems.append("napi-fix changed nothing")
    return ours, problems


def relock(case: Case, before: dict[str, bytes], pinned: dict[str, bytes], where: Path, env: dict):
    """The tool's own lock command run over napi-fix's output: the files that
    then differ from before/ (napi-fix's own when the tool agrees), and a problem or None."""
    write_tree(where, {**before, **pinned})
    done = tool_run(case, case.fmt.lock, where, env, check=False)
    if done.returncode != 0:
        return pinned, f"the tool's re-lock failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    relocked = package_files(where)
    theirs = changed(before, relocked)
    if theirs == pinned:
        return pinned, None
    ours = {**before, **pinned}
    diffs = [_diff(rel, ours.get(rel, b""), relocked.get(rel, b"")) for rel in sorted(set(ours) | set(relocked))
             if ours.get(rel) != relocked.get(rel)]
    return theirs, "the tool's own re-lock of napi-fix's output rewrites it:\n" + "".join(diffs)


def _diff(rel: str, old: bytes, new: bytes) -> str:
    lines = difflib.unified_diff(old.decode().splitlines(True), new.decode().splitlines(True),
                                 f"napi-fix/{rel}", f"{rel}", n=1)
    return "".join(lines)


def installed_versions(root: Path) -> list[str]:
    """Every node-addon-api installed under root (real folders; links are not followed)."""
    versions = set()
    for folder, dirs, _ in os.walk(root):
        if Path(folder).name == NAA and Path(folder).parent.name == "node_modules":
            versions.add(json.loads((Path(folder) / "package.json").read_text())["version"])
            dirs.clear()
    return sorted(versions)


def frozen_install(case: Case, files: dict[str, bytes], where: Path, env: dict,
                   expected: tuple[str, ...]) -> str | None:
    """None when the frozen install succeeds with exactly `expected` on disk, else what went wrong."""
    write_tree(where, files)
    done = tool_run(case, case.fmt.verify, where, env, check=False)
    if done.returncode != 0:
        command = " ".join([case.fmt.tool, *case.fmt.verify])
        return f"`{command}` exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    got = installed_versions(where)
    if got != list(expected):
        return f"installed node-addon-api {got}, expected {list(expected)}"
    return None


def case_json(case: Case, failure: str | None) -> dict:
    fmt = case.fmt
    binary = fmt.binary()
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    record = {
        "covers": case.scenario.covers,
        "tool": fmt.tool,
        "tool_version": version,
        "lockfileVersion": fmt.lockfile_version,
        "verify_command": " ".join([fmt.tool, *fmt.verify]),
        "napi_fix": " ".join(["napi-fix", *napi_fix_args(case), "DIR"]),
        "mode": case.scenario.mode,
        "installed_before": list(case.scenario.installed_before),
        "installed_after": list(case.scenario.installed_after),
    }
    if case.derived_from:
        record["derived_from"] = case.derived_from
        record["transform"] = "crlf_tabs() in regenerate.py: leading 2-space units -> tabs, LF -> CRLF"
    else:
        record["lock_command"] = " ".join([fmt.tool, *fmt.lock])
        record["lock_stages"] = len(case.scenario.stages(fmt.tool))
    if fmt.tool == "yarn":
        record["yarn_cache"] = "fresh, seeded with installed_before only (see regenerate.py)"
    if failure:
        record["known_failure"] = failure
    return record


def make(case: Case) -> str | None:
    """Builds, pins and verifies one case, writes its folder; returns what
    napi-fix gets wrong on it, or None."""
    with tempfile.TemporaryDirectory(prefix=f"napi-fix-{case.name}-") as name:
        tmp = Path(name)
        env = tool_env(case, tmp)
        before = lock(case, tmp, env)
        broken = frozen_install(case, before, tmp / "check-before", env, case.scenario.installed_before)
        if broken:
            raise SystemExit(f"{case.name}: the before state is not what the case is about: {broken}")
        pinned, problems = pin(case, before, tmp / "pinned")
        after, disagreement = relock(case, before, pinned, tmp / "relock", env)
        problems += [disagreement] if disagreement else []
        wanted = case.scenario.installed_after
        broken = frozen_install(case, {**before, **pinned}, tmp / "check-pinned", env, wanted)
        problems += [f"napi-fix's output: {broken}"] if broken else []
        if after != pinned:  # the committed after/ must install too
            broken = frozen_install(case, {**before, **after}, tmp / "check-after", env, wanted)
            problems += [f"after/ (the tool's re-lock): {broken}"] if broken else []
    if problems and after == pinned:
        # after/ would equal napi-fix's output, so no test could show the failure.
        raise SystemExit(f"{case.name}: napi-fix is wrong and the tool does not say what is right; "
                         f"table it by hand:\n" + "\n".join(problems))
    failure = "\n".join(problems) or None
    out = HERE / case.name
    shutil.rmtree(out, ignore_errors=True)
    write_tree(out / "before", before)
    if after:
        write_tree(out / "after", after)
    (out / "case.json").write_text(json.dumps(case_json(case, failure), indent=2) + "\n")
    return failure


def main(argv: list[str]) -> int:
    by_name = {case.name: case for case in CASES}
    unknown = [name for name in argv if name not in by_name]
    if unknown:
        print(f"unknown case(s): {', '.join(unknown)}; known: {', '.join(by_name)}", file=sys.stderr)
        return 2
    wrong = []
    for case in CASES:  # in order: a derived case follows its base
        if argv and case.name not in argv:
            continue
        failure = make(case)
        print(f"{case.name}: {'napi-fix is wrong (known_failure): ' + failure if failure else 'ok'}", flush=True)
        wrong += [case.name] if failure else []
    if wrong:
        print(f"napi-fix is wrong on {len(wrong)} case(s): {', '.join(wrong)}", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
