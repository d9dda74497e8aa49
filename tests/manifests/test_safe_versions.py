"""The offline table of safe releases matches the npm registry."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from codemod.manifests.spec import BAD, safe_versions

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("npm") is None, reason="npm not installed")]


def test_table_matches_the_registry():
    done = subprocess.run(["npm", "view", "node-addon-api@>=7.0.0", "dist.integrity", "dist.shasum", "--json"],
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        pytest.skip(f"registry not reachable: {done.stderr[-300:]}")
    registry = {entry["version"] if "version" in entry else None: entry for entry in _entries(done.stdout)}
    table = safe_versions()
    assert set(BAD).isdisjoint(table)
    for version, info in table.items():
        assert registry[version]["dist.integrity"] == info.integrity, version
        assert registry[version]["dist.shasum"] == info.shasum, version
    assert {"8.1.0", "8.2.2"} <= set(table)


def _entries(stdout: str) -> list[dict]:
    # Several versions: npm prints a JSON list of objects without versions,
    # in the registry's version order; pair them with `npm view ... version`.
    data = json.loads(stdout)
    versions = json.loads(subprocess.run(["npm", "view", "node-addon-api@>=7.0.0", "version", "--json"],
                                         capture_output=True, text=True, check=True, timeout=300).stdout)
    return [{"version": v, **d} for v, d in zip(versions, data)]
