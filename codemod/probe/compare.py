"""`napi-fix probe --compare` (the fix, proven on the maintainer's own code)
and `--rebuild` (the counters linked into the addon, where LD_AUDIT is not).

The package is copied into a temporary folder, once per side (its
node_modules and build output left behind: each copy installs and builds
afresh). A pinned side gets napi-fix's pin through the same engine and write
policy the CLI uses (engine.plan, apply.apply_report). Each copy is
installed from its lockfile (`npm ci`, offline first) and its addon rebuilt
from source (node-gyp; with --rebuild, the counters linked in through
-Wl,--wrap), then the command runs in it under the probe. The user's package
is only read; the temporary folder is removed whatever happens.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from codemod.probe.build import ProbeUnavailable
from codemod.probe.report import Outcome
from codemod.probe.run import run_probed

COMPARED = (("as is", False), ("pinned", True))
LINK_FLAGS = "-Wl,--wrap=napi_wrap -Wl,--wrap=napi_delete_reference -Wl,--wrap=napi_remove_wrap"
LEFT_BEHIND = shutil.ignore_patterns("node_modules", "build", ".git")


def in_copies(command: list[str], package: str, sides: Sequence[tuple[str, bool]], audit: Path | None,
              linked: str | None, min_collected: int) -> list[tuple[str, Outcome]]:
    """Each side (title, pinned?) in a fresh copy of `package`: installed, built
    (with `linked` in LDFLAGS: --rebuild), and `command` run under the probe."""
    from codemod.probe.cli import outcome_of

    package = os.path.realpath(package)
    if not os.path.isfile(os.path.join(package, "package.json")):
        raise ProbeUnavailable(f"{package}: no package.json; --compare and --rebuild copy a package (--package DIR)")
    outcomes: list[tuple[str, Outcome]] = []
    with tempfile.TemporaryDirectory(prefix="napi-fix-probe-copy-") as scratch:
        for side, pinned in sides:
            copy = os.path.join(scratch, side.replace(" ", "-"), os.path.basename(package))
            shutil.copytree(package, copy, ignore=LEFT_BEHIND, symlinks=True)
            if pinned:
                _pin(copy)
            _install_and_build(copy, linked)
            moved = [_moved(arg, package, copy) for arg in command]
            cwd = _moved(os.getcwd(), package, copy) if _inside(os.getcwd(), package) else copy
            outcome = outcome_of(command, run_probed(moved, audit, cwd=cwd), min_collected)
            # Named inside the package, not the temporary copy (gone when this returns).
            addons = tuple(replace(a, counts=replace(a.counts, path=_moved(a.counts.path, copy, package)),
                                   build=replace(a.build, package=a.build.package and _moved(a.build.package, copy,
                                                                                            package)))
                           for a in outcome.addons)
            outcomes.append((side, replace(outcome, addons=addons)))
    return outcomes


def _pin(copy: str) -> None:
    """napi-fix's default run (strategy pin) on the copy: the CLI's own engine and writer."""
    from codemod import engine
    from codemod.apply import apply_report
    from codemod.options import Options
    from codemod.parallel import Workers
    from codemod.sources.disk import DiskSources

    with Workers(1) as workers:
        report = engine.plan(DiskSources(), [copy], Options(), workers)
    applied = apply_report(report, [copy])
    if applied.report.failed:
        raise ProbeUnavailable(f"napi-fix could not pin the copy of {os.path.basename(copy)}: run napi-fix on the "
                               "package itself to see why")


def _install_and_build(copy: str, linked: str | None) -> None:
    env = {**os.environ, "npm_config_build_from_source": "true"}
    if linked is not None:  # node-gyp's Makefiles and CMake both take LDFLAGS from the environment
        env["LDFLAGS"] = " ".join(p for p in (os.environ.get("LDFLAGS", ""), LINK_FLAGS, linked) if p)
    locked = os.path.isfile(os.path.join(copy, "package-lock.json"))
    install = ["npm", "ci" if locked else "install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"]
    _step(install, copy, env)
    if os.path.isfile(os.path.join(copy, "binding.gyp")):
        _step(_node_gyp(copy) + ["rebuild"], copy, env)
    else:  # cmake-js, prebuild-install --build-from-source, ...: the package's own install script
        _step(["npm", "rebuild", "--build-from-source"], copy, env)


def _node_gyp(copy: str) -> list[str]:
    """The package's node-gyp, else npm's own, with the nodedir npm would hand it (offline headers)."""
    script = os.path.join(copy, "node_modules", "node-gyp", "bin", "node-gyp.js")
    if not os.path.isfile(script):
        root = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True).stdout.strip()
        script = os.path.join(root, "npm", "node_modules", "node-gyp", "bin", "node-gyp.js")
    nodedir = subprocess.run(["npm", "config", "get", "nodedir"], capture_output=True, text=True).stdout.strip()
    return ["node", script] + ([f"--nodedir={nodedir}"] if nodedir and nodedir not in ("undefined", "null") else [])


def _step(args: list[str], cwd: str, env: dict[str, str]) -> None:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        raise ProbeUnavailable(f"`{' '.join(args[:3])}` failed in the copy of {os.path.basename(cwd)}:\n"
                               + "\n".join(tail))


def _inside(path: str, folder: str) -> bool:
    path = os.path.realpath(path)
    return path == folder or path.startswith(folder + os.sep)


def _moved(arg: str, package: str, copy: str) -> str:
    """An argument naming a path inside the package names the same path inside the copy."""
    if os.path.isabs(arg) and _inside(arg, package):
        return os.path.join(copy, os.path.relpath(os.path.realpath(arg), package))
    return arg
