"""examples/ double as test data: each is fixed for real and checked with
the tools a user would run next."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from checkout import ROOT
from codemod.cli import main
from codemod.manifests.fingerprint import FIXED, LEAKY, fingerprint
from helpers import copy_example
from pm import installed_version, npm

EXAMPLES = ROOT / "examples"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("npm") is None, reason="npm not installed")]


def test_monorepo_only_affected_packages_change(tmp_path):
    mono = copy_example("monorepo", tmp_path / "monorepo")
    untouched = {p: (mono / p).read_bytes() for p in ("packages/app/package.json", "packages/safe/package.json")}
    assert main([str(mono)]) == 0
    assert json.loads((mono / "packages/helper/package.json").read_text())["dependencies"] == {
        "node-addon-api": "~8.2.2"}
    assert {p: (mono / p).read_bytes() for p in untouched} == untouched
    npm(mono, "ci")
    assert installed_version(mono) == "8.2.2"
    assert installed_version(mono, "packages/safe/node_modules/node-addon-api").startswith("8.")
    assert main(["--dry-run", str(mono)]) == 0


def test_vendored_copy_is_reported_then_patched_and_builds(tmp_path):
    subprocess.run([str(ROOT / "scripts" / "vendor-headers")], check=True)
    app = copy_example("vendored", tmp_path / "vendored")
    shutil.copytree(EXAMPLES / "vendored" / "deps", app / "deps", dirs_exist_ok=True)
    copy = app / "deps" / "node-addon-api"
    assert fingerprint((copy / "napi-inl.h").read_bytes()) == LEAKY

    assert main(["--dry-run", str(app)]) == 1  # by default: repoint the target at the npm package
    assert main(["--patch-vendored", str(app)]) == 0  # instead: keep the copy, apply upstream's fix
    assert fingerprint((copy / "napi-inl.h").read_bytes()) == FIXED

    done = subprocess.run(["npm", "install", "--foreground-scripts", "--no-audit", "--no-fund"], cwd=app,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    ran = subprocess.run(["node", "index.js"], cwd=app, capture_output=True, text=True, check=True)
    assert ran.stdout == "session 1\n"
