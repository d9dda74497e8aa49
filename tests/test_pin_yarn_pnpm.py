"""The pin on lockfiles made by the real yarn (classic) and pnpm, checked
with `yarn install --frozen-lockfile` and `pnpm install --frozen-lockfile`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from codemod.cli import main
from pm import installed_version, run, tool, write_json

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("npm") is None, reason="npm not installed")]


def _registry_env() -> dict:
    # yarn classic defaults to its own registry host; point it at the one npm uses here.
    registry = subprocess.run(["npm", "config", "get", "registry"], capture_output=True, text=True).stdout.strip()
    return {"YARN_REGISTRY": registry, "npm_config_registry": registry}


def yarn(root: Path, *args: str):
    return run([tool("yarn"), *args, "--ignore-scripts", "--non-interactive", "--prefer-offline"], root,
               env=_registry_env())


def pnpm(root: Path, *args: str):
    return run([tool("pnpm"), *args, "--ignore-scripts", "--prefer-offline"], root)


def package(spec: str, **extra) -> dict:
    return {"name": "app", "version": "1.0.0", "license": "MIT", "dependencies": {"node-addon-api": spec}, **extra}


def test_yarn_classic_exact_bad_version(tmp_path):
    write_json(tmp_path / "package.json", package("8.2.1"))
    yarn(tmp_path, "install")
    assert "node-addon-api@8.2.1:" in (tmp_path / "yarn.lock").read_text()
    shutil.rmtree(tmp_path / "node_modules")
    assert main(["--dry-run", str(tmp_path)]) == 1
    assert main([str(tmp_path)]) == 0
    lock = (tmp_path / "yarn.lock").read_text()
    assert "node-addon-api@8.2.2:" in lock and "8.2.1" not in lock
    yarn(tmp_path, "install", "--frozen-lockfile")
    assert installed_version(tmp_path) == "8.2.2"
    assert main(["--dry-run", str(tmp_path)]) == 0


def test_yarn_classic_rollback(tmp_path):
    write_json(tmp_path / "package.json", package("8.2.0"))
    yarn(tmp_path, "install")
    shutil.rmtree(tmp_path / "node_modules")
    assert main(["--pin", "rollback", str(tmp_path)]) == 0
    yarn(tmp_path, "install", "--frozen-lockfile")
    assert installed_version(tmp_path) == "8.1.0"


def test_yarn_classic_spec_rename_when_lock_already_safe(tmp_path):
    write_json(tmp_path / "package.json", package("^8.2.0"))
    yarn(tmp_path, "install")  # resolves today's newest 8.x: safe
    shutil.rmtree(tmp_path / "node_modules")
    assert main([str(tmp_path)]) == 0
    assert "node-addon-api@^8.2.2:" in (tmp_path / "yarn.lock").read_text()
    yarn(tmp_path, "install", "--frozen-lockfile")


def _pnpm_project(root: Path, spec: str, locked: str) -> None:
    write_json(root / "package.json", package(locked))
    pnpm(root, "install", "--lockfile-only")
    write_json(root / "package.json", package(spec))
    pnpm(root, "install", "--lockfile-only")


@pytest.mark.parametrize("spec, locked, expected_spec", [("^8.2.0", "8.2.1", "^8.2.2"), ("~8.2.0", "8.2.0", "~8.2.2")])
def test_pnpm_v9(tmp_path, spec, locked, expected_spec):
    _pnpm_project(tmp_path, spec, locked)
    lock_before = (tmp_path / "pnpm-lock.yaml").read_text()
    assert f"version: {locked}" in lock_before
    assert main([str(tmp_path)]) == 0
    assert json.loads((tmp_path / "package.json").read_text())["dependencies"]["node-addon-api"] == expected_spec
    lock = (tmp_path / "pnpm-lock.yaml").read_text()
    assert "node-addon-api@8.2.2" in lock and locked not in lock
    pnpm(tmp_path, "install", "--frozen-lockfile")
    assert installed_version(tmp_path) == "8.2.2"
    assert main(["--dry-run", str(tmp_path)]) == 0


def test_pnpm_workspace_only_affected_importer(tmp_path):
    write_json(tmp_path / "package.json", {"name": "mono", "version": "1.0.0", "private": True})
    (tmp_path / "pnpm-workspace.yaml").write_text("packages:\n  - 'packages/*'\n")
    write_json(tmp_path / "packages/a/package.json", package("8.2.1") | {"name": "a"})
    write_json(tmp_path / "packages/b/package.json", package("8.1.0") | {"name": "b"})
    pnpm(tmp_path, "install", "--lockfile-only")
    write_json(tmp_path / "packages/a/package.json", package("^8.2.0") | {"name": "a"})
    pnpm(tmp_path, "install", "--lockfile-only")
    assert "version: 8.2.1" in (tmp_path / "pnpm-lock.yaml").read_text()
    b_before = (tmp_path / "packages/b/package.json").read_bytes()
    assert main([str(tmp_path)]) == 0
    assert (tmp_path / "packages/b/package.json").read_bytes() == b_before
    pnpm(tmp_path, "install", "--frozen-lockfile")
    assert installed_version(tmp_path / "packages/a") == "8.2.2"
    assert installed_version(tmp_path / "packages/b") == "8.1.0"


def test_invalid_pnpm_lock_is_exit_2_with_line(tmp_path, capfdbinary):
    _pnpm_project(tmp_path, "^8.2.0", "8.2.1")
    pkg = (tmp_path / "package.json").read_bytes()
    (tmp_path / "pnpm-lock.yaml").write_text("lockfileVersion: '9.0'\nimporters:\n  .: [unclosed\n")
    assert main([str(tmp_path)]) == 2
    out, err = capfdbinary.readouterr()
    assert b"pnpm-lock.yaml: error: line 4: invalid YAML" in out + err
    assert (tmp_path / "package.json").read_bytes() == pkg


def test_pnpm_overrides_in_package_json_and_the_locks_copy(tmp_path):
    write_json(tmp_path / "package.json", package("^8.0.0", pnpm={"overrides": {"node-addon-api": "8.2.1"}}))
    pnpm(tmp_path, "install", "--lockfile-only")
    assert main([str(tmp_path)]) == 0
    pkg = json.loads((tmp_path / "package.json").read_text())
    assert pkg["pnpm"]["overrides"] == {"node-addon-api": "8.2.2"}
    assert pkg["dependencies"]["node-addon-api"] == "^8.2.2"
    pnpm(tmp_path, "install", "--frozen-lockfile")
    assert installed_version(tmp_path) == "8.2.2"


@pytest.mark.parametrize(
    "before, after",
    [
        ("packages:\n  - 'packages/*'\n# forced for now\noverrides:\n  node-addon-api: 8.2.1\n  other: ^1\n",
         "packages:\n  - 'packages/*'\n# forced for now\noverrides:\n  node-addon-api: 8.2.2\n  other: ^1\n"),
        ("overrides:\r\n  \"foo>node-addon-api\": '^8.2.0'\r\n",
         "overrides:\r\n  \"foo>node-addon-api\": '^8.2.2'\r\n"),
        ("overrides:\n  node-addon-api: ^8.3.0\n", "overrides:\n  node-addon-api: ^8.3.0\n"),
    ],
)
def test_pnpm_workspace_yaml_overrides(tmp_path, before, after):
    (tmp_path / "pnpm-workspace.yaml").write_bytes(before.encode())
    write_json(tmp_path / "package.json", {"name": "mono", "version": "1.0.0"})
    main([str(tmp_path)])
    assert (tmp_path / "pnpm-workspace.yaml").read_bytes() == after.encode()


def test_yarn_berry_is_refused_with_the_exact_command_that_fixes_it(tmp_path, capfdbinary):
    registry = _registry_env()["YARN_REGISTRY"]
    (tmp_path / ".yarnrc.yml").write_text(f'nodeLinker: node-modules\nnpmRegistryServer: "{registry}"\n'
                                          "enableTelemetry: false\n")
    write_json(tmp_path / "package.json", package("8.2.1"))
    berry = [tool("berry")]
    mutable = {"YARN_ENABLE_IMMUTABLE_INSTALLS": "false"}  # berry is immutable by default under CI=true
    run([*berry, "install", "--mode=skip-build"], tmp_path, env=mutable)
    assert "__metadata:" in (tmp_path / "yarn.lock").read_text()
    before = (tmp_path / "package.json").read_bytes(), (tmp_path / "yarn.lock").read_bytes()

    assert main([str(tmp_path)]) == 2
    out, err = capfdbinary.readouterr()
    command = "yarn up node-addon-api@8.2.2"
    assert f"Run `{command}`".encode() in out + err
    assert ((tmp_path / "package.json").read_bytes(), (tmp_path / "yarn.lock").read_bytes()) == before

    run([*berry, *command.split()[1:], "--mode=skip-build"], tmp_path, env=mutable)
    run([*berry, "install", "--immutable", "--mode=skip-build"], tmp_path)
    assert installed_version(tmp_path) == "8.2.2"
    assert main(["--dry-run", str(tmp_path)]) == 0
