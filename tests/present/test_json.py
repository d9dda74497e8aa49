"""--format json: a refusal (NAPI005) carries the command a person runs
instead as its own field, the same command its reason names; no other
finding has the field."""

from __future__ import annotations

import json

import pytest

from helpers import copy_example, run_cli, write_tree

FILE_SPEC = {
    "package.json": json.dumps({"name": "app", "version": "1.0.0",
                                "dependencies": {"node-addon-api": "file:naa.tgz"}}, indent=2) + "\n",
    "package-lock.json": json.dumps({"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
                                     "packages": {
                                         "": {"name": "app", "version": "1.0.0",
                                              "dependencies": {"node-addon-api": "file:naa.tgz"}},
                                         "node_modules/node-addon-api": {"version": "8.2.1",
                                                                         "resolved": "file:naa.tgz"}}},
                                    indent=2) + "\n",
}


def findings(capfdbinary, *argv: str) -> list[dict]:
    status, out, _ = run_cli(capfdbinary, "--dry-run", "--format", "json", *argv)
    assert status in (1, 3), status
    return [f for entry in json.loads(out)["files"] for f in entry["findings"]]


@pytest.mark.parametrize("mode, command", [
    pytest.param("upgrade", "npm install node-addon-api@^8.2.2", id="upgrade"),
    pytest.param("rollback", "npm install node-addon-api@8.1.0", id="rollback"),
])
def test_a_refusal_carries_its_command(tmp_path, capfdbinary, mode, command):
    write_tree(tmp_path, FILE_SPEC)
    refusal, = [f for f in findings(capfdbinary, "--pin", mode, str(tmp_path)) if f["rule"] == "NAPI005"]
    assert refusal["command"] == command and refusal["reason"].endswith(f"Run: {command}")


def test_no_other_finding_has_a_command(tmp_path, capfdbinary):
    root = copy_example("leaky-addon", tmp_path / "addon")
    found = findings(capfdbinary, "--strategy", "both", str(root))
    assert found and not [f for f in found if "command" in f]
