#!/usr/bin/env python3
"""Leak probe: build a small ObjectWrap addon with node-gyp against a chosen
node-addon-api, create N objects in batches under `node --expose-gc`, and
report RSS growth, bytes per object and the exact napi_ref counts.

    bench/leak_probe.py --versions 8.1.0,8.2.0,8.2.1,8.2.2,latest \\
        --finalize none,env,basic --objects 2000000 --runs 3

Builds are cached in $NAPI_FIX_CACHE/probe (default ~/.cache/napi-fix).
The functions are also used by the test suite (tests/e2e/test_leak.py).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from codemod.cachedir import cache_dir  # noqa: E402

CACHE = Path(cache_dir())
VARIANTS = {"none": 0, "env": 1, "basic": 2}


def _run(args, cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed in {cwd}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def latest(major: int = 8) -> str:
    versions = json.loads(_run(["npm", "view", f"node-addon-api@{major}", "version", "--json"], HERE))
    return versions[-1] if isinstance(versions, list) else versions


def write_probe(folder: Path, variant: str) -> None:
    """The probe's sources and build files (binding.gyp, package.json scripts) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "probe" / "probe.cc", folder / "probe.cc")
    shutil.copy(HERE / "probe" / "probe.js", folder / "probe.js")
    gyp = {
        "targets": [{
            "target_name": "probe",
            "sources": ["probe.cc"],
            "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
            "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS", f"PROBE_FINALIZE={VARIANTS[variant]}"],
            "ldflags": ["-Wl,--wrap=napi_wrap", "-Wl,--wrap=napi_delete_reference"],
        }]
    }
    (folder / "binding.gyp").write_text(json.dumps(gyp, indent=2) + "\n")


def build_for_version(version: str, variant: str = "none") -> Path:
    """A built probe against node-addon-api `version` (cached)."""
    folder = CACHE / "probe" / f"{version}-{variant}"
    addon = folder / "build" / "Release" / "probe.node"
    if addon.exists():
        return addon
    write_probe(folder, variant)
    (folder / "package.json").write_text(json.dumps({
        "name": "napi-fix-leak-probe", "version": "1.0.0", "private": True,
        "dependencies": {"node-addon-api": version}, "scripts": {"build": "node-gyp rebuild"},
    }, indent=2) + "\n")
    _run(["npm", "install", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund"], folder)
    _run(["npm", "run", "build"], folder)
    return addon


def build_in_project(folder: Path, variant: str = "none") -> Path:
    """Build the probe inside a project folder whose package.json and lock
    decide node-addon-api (`npm ci`, then node-gyp)."""
    write_probe(folder, variant)
    package = json.loads((folder / "package.json").read_text())
    package.setdefault("scripts", {})["build"] = "node-gyp rebuild"
    package["scripts"].pop("install", None)
    (folder / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    _run(["npm", "ci", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund"], folder)
    _run(["npm", "run", "build"], folder)
    return folder / "build" / "Release" / "probe.node"


def measure(addon: Path, objects: int, batch: int) -> dict:
    out = _run(["node", "--expose-gc", str(HERE / "probe" / "probe.js"), str(addon), str(objects), str(batch)], HERE)
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--versions", default="8.1.0,8.2.0,8.2.1,8.2.2,latest")
    parser.add_argument("--finalize", default="none,env,basic", help="comma list of none, env, basic")
    parser.add_argument("--objects", type=int, default=2_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    versions = [latest() if v == "latest" else v for v in args.versions.split(",")]
    variants = args.finalize.split(",")
    names = {"none": "no override", "env": "empty `Finalize(Napi::Env)`", "basic": "empty `Finalize(Napi::BasicEnv)`"}
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"Node.js {node}, {args.objects:,} objects in batches of {args.batch:,}, gc between batches; "
          f"RSS growth over the objects after the first tenth, median of {args.runs} runs.\n")
    print("| node-addon-api | " + " | ".join(names[v] for v in variants) + " | refs deleted |")
    print("|---|" + "---|" * (len(variants) + 1))
    for version in versions:
        cells, deleted = [], ""
        for variant in variants:
            try:
                addon = build_for_version(version, variant)
            except RuntimeError:
                cells.append("does not compile")
                continue
            runs = [measure(addon, args.objects, args.batch) for _ in range(args.runs)]
            growth = statistics.median(r["rss_growth"] for r in runs)
            per = statistics.median(r["bytes_per_object"] for r in runs)
            cells.append(f"{growth / 1e6:.1f} MB, {per:.0f} B/object")
            if variant == variants[0]:
                deleted = f"{runs[0]['deleted']:,} of {runs[0]['wrapped']:,}"
        print(f"| {version} | " + " | ".join(cells) + f" | {deleted} |")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
