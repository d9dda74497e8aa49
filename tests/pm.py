"""Real package managers for the lockfile tests.

npm is the machine's own; yarn (classic) and pnpm are installed from the npm
registry once into the cache ($NAPI_FIX_CACHE, default ~/.cache/napi-fix)
and reused. Every call uses --prefer-offline so a second run of the suite
mostly reads npm's cache.
"""

from __future__ import annotations

import json
import os
import subprocess
from functools import lru_cache
from pathlib import Path

from napi_headers import CACHE

TOOLS = CACHE / "tools"
VERSIONS = {"yarn": "1.22.22", "pnpm": "9.15.9", "berry": "4.18.1"}
PACKAGES = {"yarn": "yarn", "pnpm": "pnpm", "berry": "@yarnpkg/cli-dist"}


def run(args: list[str], cwd: Path, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "CI": "true", **(env or {})})
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed in {cwd}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def npm(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run(["npm", *args, "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"], cwd, check)


@lru_cache(maxsize=None)
def tool(name: str) -> str:
    """Path of the cached yarn or pnpm binary, installing it on first use."""
    folder = TOOLS / f"{name}-{VERSIONS[name]}"
    binary = folder / "node_modules" / ".bin" / ("yarn" if name == "berry" else name)
    if not binary.exists():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "package.json").write_text("{}")
        npm(folder, "install", f"{PACKAGES[name]}@{VERSIONS[name]}")
    return str(binary)


def write_json(path: Path, value: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2) + "\n")


def installed_version(root: Path, where: str = "node_modules/node-addon-api") -> str:
    return json.loads((root / where / "package.json").read_text())["version"]


def npm_project(root: Path, package: dict, locked: str = "8.2.1", lockfile_version: int = 3) -> None:
    """package.json as given, with a package-lock.json made by npm in which
    node-addon-api resolves `locked` (npm keeps a locked version that still
    satisfies the spec when the spec is loosened afterwards)."""
    write_json(root / "package.json", {k: v for k, v in package.items()})
    exact = json.loads(json.dumps(package))
    for field in ("dependencies", "devDependencies", "optionalDependencies"):
        if "node-addon-api" in exact.get(field, {}):
            exact[field]["node-addon-api"] = locked
    write_json(root / "package.json", exact)
    npm(root, "install", "--package-lock-only", f"--lockfile-version={lockfile_version}")
    write_json(root / "package.json", package)
    npm(root, "install", "--package-lock-only", f"--lockfile-version={lockfile_version}")
