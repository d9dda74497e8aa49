"""The pin on lockfiles made by the real yarn (classic) and pnpm, checked
with `yarn install --frozen-lockfile` and `pnpm install --frozen-lockfile`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checkout import LOCKS
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
    assert main(["--dry-run", str(tmp_path)]) == 3  # no ObjectWrap class compiles against it: pin to stay safe
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
    assert pkg["dependencies"]["node-addon-api"] == ">=8.0.0 <8.2.0 || ^8.2.2"  # only 8.2.0/8.2.1 taken out
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

    assert main([str(tmp_path)]) == 1  # refused: a person runs the command (NAPI005)
    out, err = capfdbinary.readouterr()
    command = "yarn up node-addon-api@8.2.2"
    assert f"Run `{command}`".encode() in out + err
    assert ((tmp_path / "package.json").read_bytes(), (tmp_path / "yarn.lock").read_bytes()) == before

    run([*berry, *command.split()[1:], "--mode=skip-build"], tmp_path, env=mutable)
    run([*berry, "install", "--immutable", "--mode=skip-build"], tmp_path)
    assert installed_version(tmp_path) == "8.2.2"
    assert main(["--dry-run", str(tmp_path)]) == 0


# -- every lock format and shape, checked by the tool that owns it ----------------------------------------------------

sys.path.insert(0, str(LOCKS))
import regenerate  # noqa: E402  (the fixtures' own tool installs: pnpm 7 and 8 from the cache)

PNPM = {7: regenerate.pnpm7, 8: regenerate.pnpm8, 9: lambda: tool("pnpm")}
BAD_LOCKED = re.compile(r"node-addon-api[@/ :]+\"?8\.2\.[01]\b|version: 8\.2\.[01]\b")
BUN = "1.4.5"


def yarn_seeded(root: Path, seed: dict) -> dict:
    """yarn's environment with a fresh cache holding only what `seed` locks, so
    that a range resolves to the newest of those (as when 8.2.1 was the newest)."""
    env = {**_registry_env(), "YARN_CACHE_FOLDER": str(root / "yarn-cache")}
    write_json(root / "seed" / "package.json", {"name": "seed", "version": "1.0.0", "dependencies": seed})
    run([tool("yarn"), "install", *YARN_FLAGS], root / "seed", env=env)
    return env


YARN_FLAGS = ("--ignore-scripts", "--non-interactive", "--prefer-offline")


def assert_yarn_fixed_point(root: Path, env: dict) -> None:
    """yarn 1 accepts the lock frozen, and a plain install leaves it byte-identical."""
    lock = (root / "yarn.lock").read_bytes()
    run([tool("yarn"), "install", "--frozen-lockfile", *YARN_FLAGS], root, env=env)
    run([tool("yarn"), "install", *YARN_FLAGS], root, env=env)
    assert (root / "yarn.lock").read_bytes() == lock


@pytest.mark.parametrize("tree, header", [
    # tree-sitter@0.21.1 asks for ^8.0.0, as the root does: one entry; its pattern must stay.
    pytest.param({"package.json": package("^8.0.0") | {"dependencies": {"node-addon-api": "^8.0.0",
                                                                           "tree-sitter": "0.21.1"}}},
                 '"node-addon-api@>=8.0.0 <8.2.0 || ^8.2.2", node-addon-api@^8.0.0:', id="registry-dependency"),
    # A file: dependency inside the tree is pinned with the root; yarn copies its spec into the lock.
    pytest.param({"package.json": package("^8.2.1") | {"dependencies": {"node-addon-api": "^8.2.1",
                                                                           "dep": "file:./dep"}},
                  "dep/package.json": {"name": "dep", "version": "1.0.0", "dependencies": {"node-addon-api": "^8.2.1"}}},
                 "node-addon-api@^8.2.2:", id="file-dependency"),
    # An alias: the entry `naa@npm:node-addon-api@^8.2.0` moves like the package's own.
    pytest.param({"package.json": package("^8.2.0") | {"dependencies": {"naa": "npm:node-addon-api@^8.2.0"}}},
                 "\"naa@npm:node-addon-api@", id="alias"),
])
def test_yarn_classic_lock_is_a_fixed_point_of_yarn(tmp_path, tree, header):
    env = yarn_seeded(tmp_path, {"node-addon-api": "8.2.1"})
    root = tmp_path / "project"
    for rel, value in tree.items():
        write_json(root / rel, value)
    run([tool("yarn"), "install", *YARN_FLAGS], root, env=env)
    assert '  version "8.2.1"' in (root / "yarn.lock").read_text()
    shutil.rmtree(root / "node_modules")
    assert main([str(root)]) == 0
    lock = (root / "yarn.lock").read_text()
    assert header in lock and not BAD_LOCKED.search(lock), lock
    assert_yarn_fixed_point(root, env)
    installed = "node_modules/naa" if "naa" in tree["package.json"]["dependencies"] else "node_modules/node-addon-api"
    assert installed_version(root, installed) == "8.2.2"
    assert main(["--dry-run", str(root)]) == 0


def _locked_by_pnpm(root: Path, binary: str, stages: list[dict], workspace: str | None = None) -> None:
    if workspace is not None:
        (root / "pnpm-workspace.yaml").write_text(workspace)
    for tree in stages:
        for rel, value in tree.items():
            if rel == "pnpm-workspace.yaml":
                (root / rel).write_text(value)
            else:
                write_json(root / rel, value)
        run([binary, "install", "--lockfile-only", "--ignore-scripts", "--prefer-offline"], root)


ALIAS = {"naa": "npm:node-addon-api@^8.2.0"}
PNPM_SHAPES = [
    *[pytest.param(major, [package("8.2.1"), package("^8.2.0")], None, id=f"pnpm{major}-direct") for major in (7,)],
    *[pytest.param(major, [package("8.2.1") | {"dependencies": {"naa": "npm:node-addon-api@8.2.1"}},
                           package("8.2.1") | {"dependencies": ALIAS}], None, id=f"pnpm{major}-alias")
      for major in (7, 8, 9)],
    pytest.param(9, [package("catalog:") | {"pnpm-workspace.yaml": "packages:\n  - .\ncatalog:\n  node-addon-api: 8.2.1\n"},
                     {"pnpm-workspace.yaml": "packages:\n  - .\ncatalog:\n  node-addon-api: ^8.2.0\n"}],
                 "packages:\n  - .\n", id="pnpm9-catalog"),
    pytest.param(9, [package("catalog:legacy") | {"pnpm-workspace.yaml": "packages:\n  - .\ncatalogs:\n  legacy:\n"
                                                                         "    node-addon-api: 8.2.1\n"}],
                 None, id="pnpm9-named-catalog-exact"),
]


@pytest.mark.parametrize("major, stages, workspace", PNPM_SHAPES)
def test_pnpm_accepts_the_lock_frozen(tmp_path, major, stages, workspace):
    binary = PNPM[major]()
    trees = []
    for stage in stages:  # the workspace file rides in the stage that writes it
        stage = dict(stage)
        files = {"pnpm-workspace.yaml": stage.pop("pnpm-workspace.yaml")} if "pnpm-workspace.yaml" in stage else {}
        trees.append(({"package.json": stage} if "name" in stage else {}) | files)
    _locked_by_pnpm(tmp_path, binary, trees, workspace)
    assert BAD_LOCKED.search((tmp_path / "pnpm-lock.yaml").read_text())
    assert main([str(tmp_path)]) == 0
    lock = (tmp_path / "pnpm-lock.yaml").read_text()
    assert "8.2.2" in lock and not BAD_LOCKED.search(lock), lock
    run([binary, "install", "--frozen-lockfile", "--lockfile-only", "--ignore-scripts", "--prefer-offline"], tmp_path)
    assert (tmp_path / "pnpm-lock.yaml").read_text() == lock
    assert main(["--dry-run", str(tmp_path)]) == 0


def bun() -> str:
    """bun from the npm registry (its platform binary is an optional npm dependency), cached like pnpm."""
    folder = regenerate.pm.TOOLS / f"bun-{BUN}"
    binary = folder / "node_modules" / ".bin" / "bun"
    if not binary.exists():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "package.json").write_text("{}")
        run(["npm", "install", f"bun@{BUN}", "--no-audit", "--no-fund"], folder)
    return str(binary)


def test_bun_lock_is_refused_and_the_command_given_fixes_it(tmp_path, capfdbinary):
    write_json(tmp_path / "package.json", package("8.2.1"))
    run([bun(), "install", "--ignore-scripts"], tmp_path)
    write_json(tmp_path / "package.json", package("^8.2.0"))
    run([bun(), "install", "--ignore-scripts"], tmp_path)
    assert '"node-addon-api@8.2.1"' in (tmp_path / "bun.lock").read_text()
    before = (tmp_path / "package.json").read_bytes(), (tmp_path / "bun.lock").read_bytes()
    assert main([str(tmp_path)]) == 1  # refused: a person runs the command (NAPI005)
    out, err = capfdbinary.readouterr()
    assert b"bun.lock:1:1: manual bun.lock: bun.lock: napi-fix does not edit bun's lockfiles" in out + err
    assert ((tmp_path / "package.json").read_bytes(), (tmp_path / "bun.lock").read_bytes()) == before
    run([bun(), "update", "node-addon-api", "--ignore-scripts"], tmp_path)
    run([bun(), "install", "--frozen-lockfile", "--ignore-scripts"], tmp_path)
    assert installed_version(tmp_path) not in ("8.2.0", "8.2.1")
    assert main(["--dry-run", str(tmp_path)]) == 0
