"""The pin on real npm projects: lockfiles made by npm, checked by `npm ci`.

Each test builds a project with the real npm (node-addon-api locked to a bad
release), runs napi-fix, then proves with `npm ci` that package.json and the
lock agree and that a safe version is what gets installed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from codemod.cli import main
from pm import installed_version, npm, npm_project, write_json

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("npm") is None, reason="npm not installed")]


def napi_fix(root: Path, *args: str) -> int:
    return main([*args, str(root)])


def package(spec: str, field: str = "dependencies", **extra) -> dict:
    return {"name": "app", "version": "1.0.0", field: {"node-addon-api": spec}, **extra}


@pytest.mark.parametrize("lockfile_version", [1, 2, 3])
@pytest.mark.parametrize(
    "spec, locked, expected_spec, expected_version",
    [
        ("^8.2.0", "8.2.1", "^8.2.2", "8.2.2"),
        ("~8.2.0", "8.2.0", "~8.2.2", "8.2.2"),
        ("8.2.1", "8.2.1", "8.2.2", "8.2.2"),
        (">=8.0.0 <9.0.0", "8.2.1", ">=8.0.0 <8.2.0 || >=8.2.2 <9.0.0", "8.2.2"),
    ],
)
def test_upgrade_direct_dependency(tmp_path, lockfile_version, spec, locked, expected_spec, expected_version):
    npm_project(tmp_path, package(spec), locked, lockfile_version)
    # Pending, and no ObjectWrap class compiles against the copy (3: not leaking today); lockfile v1 does
    # not say which packages are built against it, so there the leak is unknown (1).
    assert napi_fix(tmp_path, "--dry-run") == (1 if lockfile_version == 1 else 3)
    assert napi_fix(tmp_path) == 0
    pkg = json.loads((tmp_path / "package.json").read_text())
    assert pkg["dependencies"]["node-addon-api"] == expected_spec
    npm(tmp_path, "ci")
    assert installed_version(tmp_path) == expected_version
    assert napi_fix(tmp_path, "--dry-run") == 0  # a second run changes nothing


def test_rollback_is_exactly_8_1_0(tmp_path):
    npm_project(tmp_path, package("^8.2.0"), "8.2.1")
    assert napi_fix(tmp_path, "--pin", "rollback") == 0
    assert json.loads((tmp_path / "package.json").read_text())["dependencies"]["node-addon-api"] == "8.1.0"
    npm(tmp_path, "ci")
    assert installed_version(tmp_path) == "8.1.0"


def test_dev_dependency_only(tmp_path):
    npm_project(tmp_path, package("^8.2.0", field="devDependencies"), "8.2.1")
    assert napi_fix(tmp_path) == 0
    npm(tmp_path, "ci")
    assert installed_version(tmp_path) == "8.2.2"


def test_safe_project_is_left_alone(tmp_path):
    npm_project(tmp_path, package("^8.2.0"), "8.9.2")
    before = (tmp_path / "package-lock.json").read_bytes(), (tmp_path / "package.json").read_bytes()
    # The spec admits the bad releases, so it is pinned; the lock already holds a safe one.
    assert napi_fix(tmp_path) == 0
    assert (tmp_path / "package-lock.json").read_bytes() != before[0]
    npm(tmp_path, "ci")
    assert installed_version(tmp_path) == "8.9.2"


def test_formatting_is_kept_byte_for_byte(tmp_path):
    npm_project(tmp_path, package("^8.2.0"), "8.2.1")
    text = (tmp_path / "package.json").read_text()
    crlf_tabs = text.replace("  ", "\t").replace("\n", "\r\n")
    (tmp_path / "package.json").write_bytes(crlf_tabs.encode())
    assert napi_fix(tmp_path) == 0
    assert (tmp_path / "package.json").read_bytes() == crlf_tabs.replace("^8.2.0", "^8.2.2").encode()


def _tarball(tmp_path: Path, name: str, spec: str) -> str:
    folder = tmp_path / "src" / name
    write_json(folder / "package.json", {"name": name, "version": "1.0.0", "dependencies": {"node-addon-api": spec}})
    out = npm(folder, "pack", "--pack-destination", str(tmp_path / "app"))
    return out.stdout.strip().splitlines()[-1]


def test_transitive_copy_moves_inside_its_parents_range_and_old_copy_stays(tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    uses_bad = _tarball(tmp_path, "uses-bad", "~8.2.0")
    uses_old = _tarball(tmp_path, "uses-old", "^1.7.0")
    deps = {"uses-bad": f"file:{uses_bad}", "uses-old": f"file:{uses_old}"}
    # Lock node-addon-api at 8.2.1 through a root dependency, then drop it:
    # npm keeps the hoisted 8.2.1 because it satisfies uses-bad's ~8.2.0.
    npm_project(app, {"name": "app", "version": "1.0.0", "dependencies": {**deps, "node-addon-api": "8.2.1"}})
    write_json(app / "package.json", {"name": "app", "version": "1.0.0", "dependencies": deps})
    npm(app, "install", "--package-lock-only")
    lock = json.loads((app / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/node-addon-api"]["version"] == "8.2.1"
    old = lock["packages"]["node_modules/uses-old/node_modules/node-addon-api"]["version"]
    assert old.startswith("1.")
    package_json = (app / "package.json").read_bytes()

    assert napi_fix(app) == 0
    assert (app / "package.json").read_bytes() == package_json  # nothing declared there
    lock = json.loads((app / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/uses-old/node_modules/node-addon-api"]["version"] == old
    npm(app, "ci")
    assert installed_version(app) == "8.2.2"
    assert installed_version(app, "node_modules/uses-old/node_modules/node-addon-api") == old


def test_override_that_forces_a_bad_transitive_version(tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    uses_bad = _tarball(tmp_path, "uses-bad", "^8.0.0")
    write_json(app / "package.json", {"name": "app", "version": "1.0.0",
                                      "dependencies": {"uses-bad": f"file:{uses_bad}"},
                                      "overrides": {"uses-bad": {"node-addon-api": "8.2.1"}}})
    npm(app, "install", "--package-lock-only")
    assert napi_fix(app) == 0
    pkg = json.loads((app / "package.json").read_text())
    assert pkg["overrides"] == {"uses-bad": {"node-addon-api": "8.2.2"}}
    npm(app, "ci")
    assert installed_version(app) == "8.2.2"


def test_workspaces_only_the_affected_package_changes(tmp_path):
    write_json(tmp_path / "package.json", {"name": "mono", "version": "1.0.0", "private": True,
                                           "workspaces": ["packages/*"]})
    write_json(tmp_path / "packages/a/package.json", package("8.2.1") | {"name": "a"})
    write_json(tmp_path / "packages/safe/package.json", {"name": "safe", "version": "1.0.0"})
    npm(tmp_path, "install", "--package-lock-only")
    write_json(tmp_path / "packages/a/package.json", package("^8.2.0") | {"name": "a"})
    npm(tmp_path, "install", "--package-lock-only")
    safe_before = (tmp_path / "packages/safe/package.json").read_bytes()

    assert napi_fix(tmp_path) == 0
    assert json.loads((tmp_path / "packages/a/package.json").read_text())["dependencies"] == {
        "node-addon-api": "^8.2.2"}
    assert (tmp_path / "packages/safe/package.json").read_bytes() == safe_before
    npm(tmp_path, "ci")
    assert installed_version(tmp_path) == "8.2.2"


def test_invalid_package_json_is_exit_2_with_line_and_nothing_written(tmp_path, capfdbinary):
    npm_project(tmp_path, package("^8.2.0"), "8.2.1")
    lock = (tmp_path / "package-lock.json").read_bytes()
    (tmp_path / "package.json").write_text('{\n  "name": "app",\n  "dependencies": {"node-addon-api": "^8.2.0",}\n}\n')
    assert napi_fix(tmp_path, "--dry-run") == 2
    assert napi_fix(tmp_path) == 2
    out, err = capfdbinary.readouterr()
    assert b"package.json: error: line 3: invalid JSON" in out + err
    assert b"changed 0 file(s)" in out and b"nothing written" in out
    assert (tmp_path / "package-lock.json").read_bytes() == lock


def test_the_package_that_is_node_addon_api_itself(tmp_path, capfdbinary):
    write_json(tmp_path / "package.json", {"name": "node-addon-api", "version": "8.2.1",
                                           "devDependencies": {"node-addon-api": "file:."}})
    assert napi_fix(tmp_path, "--dry-run") == 0
    assert b"is node-addon-api itself" in capfdbinary.readouterr().err


def test_parent_pinning_the_bad_release_exactly_gets_a_scoped_override(tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    exact = _tarball(tmp_path, "pins-exact", "8.2.1")
    write_json(app / "package.json", {"name": "app", "version": "1.0.0",
                                      "dependencies": {"pins-exact": f"file:{exact}"}})
    npm(app, "install", "--package-lock-only")
    assert json.loads((app / "package-lock.json").read_text())["packages"][
        "node_modules/node-addon-api"]["version"] == "8.2.1"

    assert napi_fix(app) == 0
    pkg = json.loads((app / "package.json").read_text())
    assert pkg["overrides"] == {"pins-exact": {"node-addon-api": "8.2.2"}}
    npm(app, "ci")
    assert installed_version(app) == "8.2.2"
    assert napi_fix(app, "--dry-run") == 0
