"""Spec logic: npm semver semantics (checked against npm's own semver module)
and the upgrade/rollback table."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import nodesemver
import pytest

from codemod.manifests.spec import AFFECTED, SAFE, UNKNOWN, judge, rollback, upgrade

RANGES = ["^8.2.0", "^8.2.1", "^8.1.0", "~8.2.0", "~8.2.1", "~8.2", "8.2.1", "=8.2.0", "v8.2.1", ">=8.0.0",
          ">8.1.0", ">=8.0.0 <9.0.0", "<8.3.0", "<=8.2.1", "8.x", "8.2.x", "8.*", "8", "*", "", "x",
          "8.0.0 - 8.2.1", "8.0.0 - 8.5.0", "8.2.2 - 8.3", "^7.0.0 || ^8.2.0", "^7 || ^9", "^8.3.0", "~8.2.2",
          ">=8.2.2", "8.1.0", "^8.2.1-rc.1", ">=8.2.1-0 <8.2.2", "~>8.2.1", "^1.7.0", ">= 8.2.0", "< 8.2.2"]
VERSIONS = ["8.1.0", "8.2.0", "8.2.1", "8.2.2", "8.9.2", "9.0.0", "7.1.1", "8.2.1-rc.1", "8.2.2-0"]


def _npm_semver() -> Path | None:
    npm = shutil.which("npm")
    if npm is None:
        return None
    root = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True).stdout.strip()
    folder = Path(root) / "npm" / "node_modules" / "semver"
    return folder if folder.is_dir() else None


@pytest.mark.skipif(_npm_semver() is None, reason="npm's semver module not found")
def test_node_semver_agrees_with_npms_own_semver():
    script = (
        f"const s = require({json.dumps(str(_npm_semver()))});"
        f"const R = {json.dumps(RANGES)}, V = {json.dumps(VERSIONS)};"
        "console.log(JSON.stringify(R.map(r => V.map(v => s.satisfies(v, r)))));"
    )
    npm_answers = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True,
                                            check=True).stdout)
    ours = [[bool(nodesemver.satisfies(v, r, False)) for v in VERSIONS] for r in RANGES]
    disagreements = [(r, v, n) for r, row, nrow in zip(RANGES, ours, npm_answers)
                     for v, o, n in zip(VERSIONS, row, nrow) if o != n]
    assert disagreements == []


@pytest.mark.parametrize(
    "spec, status",
    [("^8.2.0", AFFECTED), ("^8.1.0", AFFECTED), ("8.2.1", AFFECTED), ("*", AFFECTED), ("8.0.0 - 8.5.0", AFFECTED),
     ("^8.2.2", SAFE), ("^8.3.0", SAFE), ("8.1.0", SAFE), ("^7.1.1", SAFE), ("^8.2.1-rc.1 <8.2.1", SAFE),
     ("latest", UNKNOWN), ("file:../napi", UNKNOWN), ("link:../napi", UNKNOWN), ("workspace:*", UNKNOWN),
     ("github:nodejs/node-addon-api", UNKNOWN), ("nodejs/node-addon-api#v8.2.1", UNKNOWN),
     ("git+https://example.invalid/node-addon-api.git", UNKNOWN), ("npm:node-addon-api@^8.2.0", AFFECTED)],
)
def test_judge(spec, status):
    assert judge(spec).status == status


@pytest.mark.parametrize(
    "spec, expected",
    [("^8.2.0", "^8.2.2"), ("^8.2.1", "^8.2.2"), ("^8.1.0", "^8.2.2"), ("~8.2.1", "~8.2.2"), ("~8.2.0", "~8.2.2"),
     ("~>8.2.1", "~>8.2.2"), ("8.2.1", "8.2.2"), ("=8.2.0", "=8.2.2"), ("v8.2.1", "v8.2.2"), (">=8.0.0", ">=8.2.2"),
     (">8.1.0", ">=8.2.2"), (">=8.0.0 <9.0.0", ">=8.2.2 <9.0.0"), ("<8.3.0", ">=8.2.2 <8.3.0"), ("8.x", "^8.2.2"),
     ("8", "^8.2.2"), ("8.2.x", "~8.2.2"), ("*", ">=8.2.2"), ("", ">=8.2.2"), ("8.0.0 - 8.5.0", "8.2.2 - 8.5.0"),
     ("8.0.0 - 8.2.1", "^8.2.2"), ("^7.0.0 || ^8.2.0", "^7.0.0 || ^8.2.2"),
     ("npm:node-addon-api@^8.2.0", "npm:node-addon-api@^8.2.2")],
)
def test_upgrade_keeps_operator_and_major(spec, expected):
    new = upgrade(spec, "8.2.2")
    assert new == expected
    assert judge(new).status == SAFE


@pytest.mark.parametrize("spec, expected", [("^8.2.0", "8.1.0"), ("npm:node-addon-api@8.2.1", "npm:node-addon-api@8.1.0")])
def test_rollback_is_exactly_8_1_0(spec, expected):
    assert rollback(spec) == expected
