"""editors/vscode builds (tsc) and packages (@vscode/vsce) into a .vsix that
starts `napi-fix lsp` for the right files. node_modules come from the cache
scripts/setup-vscode fills; VS Code itself cannot be downloaded here, so the
extension is checked as the marketplace would receive it, and its
activation code is run under node against a stand-in of the `vscode` module
(tests/editors/vscode_stub.js) with the real vscode-languageclient starting
the real server: a failed start, a settings change, a refused path."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
import os
import sys
from pathlib import Path

from checkout import ROOT, TESTS
import pytest

EXTENSION = ROOT / "editors" / "vscode"


def compile_(build: Path) -> None:
    """package.json's `compile`: type-checked by tsc, bundled by esbuild."""
    script = json.loads((build / "package.json").read_text())["scripts"]["compile"]
    assert script.startswith("tsc -p ./ --noEmit && esbuild ")
    node(build, "node_modules/typescript/bin/tsc", "-p", "./", "--noEmit")
    # esbuild's own binary (its install put the platform's in place of the JS launcher)
    done = subprocess.run([str(build / "node_modules" / ".bin" / "esbuild"), *script.split("&& esbuild ", 1)[1].split()],
                          cwd=build, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]


def node(folder: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(["node", *args], cwd=folder, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, f"node {' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_the_extension_compiles_and_packages_into_a_vsix(tmp_path):
    modules = EXTENSION / "node_modules"
    assert modules.is_dir(), "run scripts/setup (scripts/setup-vscode links the cached node_modules)"
    build = tmp_path / "vscode"
    shutil.copytree(EXTENSION, build, ignore=shutil.ignore_patterns("node_modules", "out", "*.vsix"))
    (build / "node_modules").symlink_to(modules.resolve())
    compile_(build)
    node(build, "node_modules/@vscode/vsce/vsce", "package", "--allow-missing-repository", "--no-dependencies",
         "-o", str(tmp_path / "napi-fix.vsix"))
    with zipfile.ZipFile(tmp_path / "napi-fix.vsix") as vsix:
        names = set(vsix.namelist())
        manifest = json.loads(vsix.read("extension/package.json"))
        code = vsix.read("extension/out/extension.js").decode()
    assert not any("node_modules" in n for n in names)  # one bundle, vscode-languageclient inside it
    assert "class LanguageClient" in code or "LanguageClient = class" in code
    assert 'require("vscode")' in code  # the one module left to VS Code
    assert not any(n.startswith("extension/src/") for n in names)
    assert "extension/LICENSE.txt" in names or "extension/LICENSE" in names  # the license the manifest names
    assert not any("/typescript/" in n or "/@vscode/vsce/" in n for n in names)  # build tools stay out
    setting = manifest["contributes"]["configuration"]["properties"]["napi-fix.path"]
    assert setting["type"] == "string" and setting["default"] == "napi-fix"
    assert "does **not** stop the leak" in manifest["contributes"]["configuration"]["properties"][
        "napi-fix.strategy"]["markdownDescription"]
    assert 'args: ["lsp"]' in code
    for watched in ("package.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "binding.gyp"):
        assert f'"{watched}"' in code
    assert 'language: "cpp"' in code and 'language: "c"' in code
    assert manifest_errors(manifest) == []  # what the marketplace receives, as VS Code validates it


# -- the manifest against VS Code's own extension-manifest schema ------------------------------------------

SCHEMA = TESTS / "data" / "vscode" / "extension-manifest.schema.json"


def manifest_errors(manifest: dict) -> list[str]:
    """What VS Code's schema (vscode://schemas/vscode-extensions, taken from
    VS Code's own modules by tests/data/vscode/regenerate.sh) finds wrong."""
    import jsonschema

    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())["schema"])
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(manifest))


def _broken(change):
    def apply(manifest: dict) -> dict:
        manifest = json.loads(json.dumps(manifest))
        change(manifest)
        return manifest
    return apply


@pytest.mark.parametrize(("broken", "where"), [
    pytest.param(_broken(lambda m: m["engines"].update(vscode=1)), "engines/vscode", id="engine-not-a-range"),
    pytest.param(_broken(lambda m: m.update(categories=["Linting"])), "categories/0", id="unknown-category"),
    pytest.param(_broken(lambda m: m["capabilities"]["untrustedWorkspaces"].update(supported="partly")),
                 "capabilities/untrustedWorkspaces/supported", id="untrusted-workspaces"),
    pytest.param(_broken(lambda m: m["contributes"]["commands"][0].pop("title")), "contributes/commands",
                 id="command-without-title"),
    pytest.param(_broken(lambda m: m["contributes"]["configuration"].update(title=3)), "contributes/configuration",
                 id="configuration-title"),
    pytest.param(_broken(lambda m: m.update(activationEvents="*")), "activationEvents", id="activation-not-a-list"),
])
def test_vs_codes_schema_finds_what_it_would_refuse(broken, where):
    manifest = json.loads((EXTENSION / "package.json").read_text())
    assert manifest_errors(manifest) == []
    assert [e for e in manifest_errors(broken(manifest)) if e.startswith(where)], manifest_errors(broken(manifest))


# -- the activation code, against a stand-in of the vscode API ----------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    build = tmp_path_factory.mktemp("vscode") / "extension"
    shutil.copytree(EXTENSION, build, ignore=shutil.ignore_patterns("node_modules", "out", "*.vsix"))
    (build / "node_modules").symlink_to((EXTENSION / "node_modules").resolve())
    compile_(build)
    return build


def activate(built: Path, tmp_path: Path, *steps: dict) -> list[dict]:
    """Run the extension through `steps` (vscode_stub.js) from a workspace
    folder holding a file named `lsp`, with no napi-fix on PATH; what it
    said, one dict per event."""
    workspace = tmp_path / "workspace"
    workspace.mkdir(exist_ok=True)
    (workspace / "lsp").write_text("#!/bin/sh\necho ran > \"$0.ran\"\n")
    (workspace / "lsp").chmod(0o755)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    out = node(workspace, str(TESTS / "editors" / "vscode_stub.js"), str(built), json.dumps(steps),
               env={**os.environ, "HOME": str(home), "PATH": without_napi_fix()})
    return [json.loads(line) for line in out.splitlines()]


def without_napi_fix() -> str:
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != str(Path(sys.executable).parent))
    assert shutil.which("napi-fix", path=path) is None
    return path


def launcher(tmp_path: Path, script: Path | None = None) -> Path:
    """An executable (by default an absolute napi-fix.path) that notes where
    it was started, then is `napi-fix lsp`."""
    script = script or tmp_path / "napi-fix-noting-cwd"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(f'#!/bin/sh\npwd >> "{tmp_path}/launched"\nexec "{sys.executable}" -m codemod "$@"\n')
    script.chmod(0o755)
    return script


def test_a_failed_start_is_recovered_by_fixing_the_path(built, tmp_path):
    said = activate(built, tmp_path, {"settings": {"napi-fix.path": str(tmp_path / "missing" / "napi-fix")}},
                    {"settings": {"napi-fix.path": str(launcher(tmp_path))}}, {"wait": "running"})
    errors = [e["error"] for e in said if "error" in e]
    assert any(str(tmp_path / "missing" / "napi-fix") in e and "napi-fix.path" in e for e in errors)
    assert {"status": "napi-fix: failed"} in said
    assert said[-2] == {"status": "napi-fix: running"}
    # Started once, outside the workspace (in the home folder), never in it.
    assert (tmp_path / "launched").read_text().splitlines() == [str(tmp_path / "home")]
    output = said[-1]["output"]
    assert f"napi-fix: starting {launcher(tmp_path)} lsp (from the \"napi-fix.path\" setting)" in output
    after = output[output.index(f"napi-fix: starting {launcher(tmp_path)} lsp (from the \"napi-fix.path\" setting)"):]
    assert not [line for line in after if "Error" in line or "timed out" in line]  # started, served, stopped


@pytest.mark.parametrize("setting", ["./lsp", "lsp/../lsp", "bin/napi-fix"])
def test_a_relative_path_is_refused_and_nothing_runs(built, tmp_path, setting):
    said = activate(built, tmp_path, {"settings": {"napi-fix.path": setting}})
    errors = [e["error"] for e in said if "error" in e]
    assert len(errors) == 1 and "must be a command name found on PATH or an absolute path" in errors[0]
    assert {"status": "napi-fix: not started"} in said
    assert not (tmp_path / "workspace" / "lsp.ran").exists()


def test_a_bare_name_is_looked_up_on_path_not_in_the_workspace(built, tmp_path):
    said = activate(built, tmp_path, {"settings": {"napi-fix.path": "lsp"}})
    assert not (tmp_path / "workspace" / "lsp.ran").exists()  # the workspace's `lsp` never runs
    assert any("napi-fix: could not start `lsp lsp`" in e.get("error", "") for e in said)


def test_the_manifest_keeps_the_executable_the_users_choice(built):
    manifest = json.loads((built / "package.json").read_text())
    setting = manifest["contributes"]["configuration"]["properties"]["napi-fix.path"]
    assert setting["scope"] == "machine"
    trust = manifest["capabilities"]["untrustedWorkspaces"]
    assert trust["supported"] == "limited" and trust["restrictedConfigurations"] == ["napi-fix.path"]
    assert {c["command"] for c in manifest["contributes"]["commands"]} == {"napi-fix.restart", "napi-fix.showOutput"}
    assert manifest["contributes"]["configuration"]["properties"]["napi-fix.trace.server"]["default"] == "off"
    # Where it can matter only: not every JSON file (settings.json is one).
    assert "onLanguage:json" not in manifest["activationEvents"]
    assert {"workspaceContains:**/package.json", "workspaceContains:**/binding.gyp"} <= set(manifest["activationEvents"])


def test_every_contributed_command_is_registered(built, tmp_path):
    manifest = json.loads((built / "package.json").read_text())
    said = activate(built, tmp_path, {"settings": {"napi-fix.path": "./refused"}})
    assert {e["command"] for e in said if "command" in e} == {c["command"] for c in manifest["contributes"]["commands"]}


def test_a_trusted_workspaces_virtual_environment_is_used(built, tmp_path):
    venv = launcher(tmp_path, tmp_path / "workspace" / ".venv" / "bin" / "napi-fix")
    said = activate(built, tmp_path, {"workspace": {"folders": [str(tmp_path / "workspace")], "trusted": True}},
                    {"settings": {}}, {"wait": "running"})
    assert said[-2] == {"status": "napi-fix: running"}
    assert f"napi-fix: starting {venv} lsp (from the workspace's virtual environment (.venv))" in said[-1]["output"]
    assert (tmp_path / "launched").read_text().splitlines() == [str(tmp_path / "home")]


def test_an_untrusted_workspaces_virtual_environment_waits_for_trust(built, tmp_path):
    venv = launcher(tmp_path, tmp_path / "workspace" / "venv" / "bin" / "napi-fix")
    said = activate(built, tmp_path, {"workspace": {"folders": [str(tmp_path / "workspace")], "trusted": False}},
                    {"settings": {}}, {"wait": "failed"}, {"grant": True}, {"wait": "running"})
    # Untrusted: napi-fix on PATH, which is not there; the workspace's own never ran.
    assert "napi-fix: starting napi-fix lsp (from PATH)" in said[-1]["output"]
    assert {"status": "napi-fix: failed"} in said
    # Trusted: its virtual environment.
    assert f"napi-fix: starting {venv} lsp (from the workspace's virtual environment (venv))" in said[-1]["output"]
    assert said[-2] == {"status": "napi-fix: running"}
    assert (tmp_path / "launched").read_text().splitlines() == [str(tmp_path / "home")]


def test_the_users_setting_wins_over_the_virtual_environment(built, tmp_path):
    launcher(tmp_path, tmp_path / "workspace" / ".venv" / "bin" / "napi-fix")
    said = activate(built, tmp_path, {"workspace": {"folders": [str(tmp_path / "workspace")], "trusted": True}},
                    {"settings": {"napi-fix.path": "./refused"}})
    assert {"status": "napi-fix: not started"} in said
    assert not (tmp_path / "launched").exists()


# -- the Python extension's selected interpreter (ms-python.python, a stand-in in vscode_stub.js) ----------


def interpreter(tmp_path: Path, name: str = "pyenv", napi_fix: str | None = "noting") -> Path:
    """A Python environment outside the workspace, as the Python extension
    reports it: bin/python (never run here) and, unless `napi_fix` is None,
    bin/napi-fix: "noting" only notes that it was started (and fails the
    start), "serving" is the real server (launcher())."""
    python = tmp_path / name / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\nexit 1\n")
    python.chmod(0o755)
    if napi_fix == "serving":
        launcher(tmp_path, python.parent / "napi-fix")
    elif napi_fix == "noting":
        (python.parent / "napi-fix").write_text(f'#!/bin/sh\necho "$0" >> "{tmp_path}/noted"\n')
        (python.parent / "napi-fix").chmod(0o755)
    return python


def trusted(tmp_path: Path, is_trusted: bool = True) -> dict:
    return {"workspace": {"folders": [str(tmp_path / "workspace")], "trusted": is_trusted}}


FROM_INTERPRETER = "(from the Python extension's selected interpreter ({}))"


@pytest.mark.parametrize("api", ["environments", "settings"])  # @vscode/python-extension's, and the older one
def test_the_selected_interpreters_napi_fix_comes_before_the_virtual_environment(built, tmp_path, api):
    python = interpreter(tmp_path, napi_fix="serving")
    launcher(tmp_path, tmp_path / "workspace" / ".venv" / "bin" / "napi-fix")
    said = activate(built, tmp_path, trusted(tmp_path), {"python": {"api": api, "interpreter": str(python)}},
                    {"settings": {}}, {"wait": "running"})
    assert {"python": "activated"} in said and {"python": "asked"} in said
    assert said[-2] == {"status": "napi-fix: running"}
    chosen = f"{python.parent / 'napi-fix'} lsp " + FROM_INTERPRETER.format(python)
    assert f"napi-fix: starting {chosen}" in said[-1]["output"]
    assert said[-1]["tooltip"] == chosen  # the status bar says which, too
    assert (tmp_path / "launched").read_text().splitlines() == [str(tmp_path / "home")]


def test_the_users_setting_wins_over_the_interpreter(built, tmp_path):
    python = interpreter(tmp_path)
    said = activate(built, tmp_path, trusted(tmp_path), {"python": {"api": "environments", "interpreter": str(python)}},
                    {"settings": {"napi-fix.path": "./refused"}})
    assert {"status": "napi-fix: not started"} in said
    assert {"python": "asked"} not in said and not (tmp_path / "noted").exists()


@pytest.mark.parametrize(("api", "napi_fix", "selected", "why"), [
    pytest.param("environments", None, "{}/pyenv/bin/python", "no napi-fix beside the selected Python interpreter {}",
                 id="no-napi-fix"),
    pytest.param("environments", "noting", "{}/gone/bin/python",
                 "the Python extension's selected interpreter {} was not found", id="interpreter-missing"),
    pytest.param("settings", "noting", "python3", "the Python extension's selected interpreter `{}` is not a file "
                 "napi-fix could be found beside", id="a-bare-command"),
])
def test_an_interpreter_that_cannot_serve_is_passed_over_saying_why(built, tmp_path, api, napi_fix, selected, why):
    interpreter(tmp_path, napi_fix=napi_fix)
    selected = selected.format(tmp_path)
    venv = tmp_path / "workspace" / ".venv" / "bin" / "napi-fix"
    interpreter(tmp_path, "workspace/.venv")  # a noting napi-fix in the workspace's virtual environment
    said = activate(built, tmp_path, trusted(tmp_path), {"python": {"api": api, "interpreter": selected}},
                    {"settings": {}})
    output = said[-1]["output"]
    assert "napi-fix: " + why.format(selected) in output
    assert f"napi-fix: starting {venv} lsp (from the workspace's virtual environment (.venv))" in output
    assert (tmp_path / "noted").read_text().splitlines() == [str(venv)]


def test_an_untrusted_workspace_asks_the_python_extension_only_once_trusted(built, tmp_path):
    python = interpreter(tmp_path)
    said = activate(built, tmp_path, trusted(tmp_path, False),
                    {"python": {"api": "environments", "interpreter": str(python)}},
                    {"settings": {}}, {"grant": True})
    # Untrusted: not asked; PATH, where napi-fix is not. Asked once trust is granted.
    assert said.index({"status": "napi-fix: failed"}) < said.index({"python": "activated"})
    output = said[-1]["output"]
    assert "napi-fix: the workspace is not trusted: neither its Python interpreter nor its virtual environment " \
           "is used" in output
    assert output.index("napi-fix: starting napi-fix lsp (from PATH)") < output.index(
        f"napi-fix: starting {python.parent / 'napi-fix'} lsp " + FROM_INTERPRETER.format(python))
    assert (tmp_path / "noted").read_text().splitlines() == [str(python.parent / "napi-fix")]


def test_selecting_another_interpreter_starts_its_napi_fix(built, tmp_path):
    first, second = interpreter(tmp_path, "first", napi_fix=None), interpreter(tmp_path, "second")
    said = activate(built, tmp_path, trusted(tmp_path), {"python": {"api": "environments", "interpreter": str(first)}},
                    {"settings": {}}, {"interpreter": str(second)})
    output = said[-1]["output"]
    assert "napi-fix: starting napi-fix lsp (from PATH)" in output
    assert f"napi-fix: starting {second.parent / 'napi-fix'} lsp " + FROM_INTERPRETER.format(second) in output
    assert (tmp_path / "noted").read_text().splitlines() == [str(second.parent / "napi-fix")]


# -- the bundled server (napi-fix is not on PyPI) -------------------------------------------------


@pytest.fixture(scope="module")
def bundled(built, tmp_path_factory) -> Path:
    """The extension with napi-fix's wheel in bundled/, as `npm run package` ships it (docs/editors.md)."""
    wheel_dir = built / "bundled"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(wheel_dir), str(EXTENSION.parents[1])],
                   check=True, capture_output=True, timeout=600)
    return built


@pytest.mark.slow
def test_without_napi_fix_the_bundled_wheel_is_installed_once_and_served(bundled, tmp_path):
    storage = tmp_path / "storage"
    env_steps = ({"settings": {}}, {"wait": "running"})
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PATH": without_napi_fix(), "STORAGE": str(storage)}
    stub = str(TESTS / "editors" / "vscode_stub.js")

    def run() -> list[dict]:
        out = node(workspace, stub, str(bundled), json.dumps(env_steps), env=env)
        return [json.loads(line) for line in out.splitlines()]

    first = run()
    assert {"progress": "napi-fix: installing the language server"} in first
    assert first[-2] == {"status": "napi-fix: running"}, first
    output = first[-1]["output"]
    server = next(storage.glob("server/napi_fix-*/bin/napi-fix"))
    assert f"napi-fix: starting {server} lsp (from the wheel bundled with the extension)" in output
    assert (server.parent.parent / ".napi-fix-installed").exists()

    second = run()  # installed: no second install, no progress
    assert not [e for e in second if "progress" in e]
    assert second[-2] == {"status": "napi-fix: running"}


def test_the_vsix_ships_the_bundled_wheel(bundled, tmp_path):
    node(bundled, "node_modules/@vscode/vsce/vsce", "package", "--allow-missing-repository", "--no-dependencies",
         "-o", str(tmp_path / "napi-fix.vsix"))
    with zipfile.ZipFile(tmp_path / "napi-fix.vsix") as vsix:
        wheels = [n for n in vsix.namelist() if n.startswith("extension/bundled/") and n.endswith(".whl")]
    assert len(wheels) == 1 and Path(wheels[0]).name.startswith("napi_fix-")


def test_without_python_the_user_is_told_what_to_do(bundled, tmp_path):
    empty = tmp_path / "bin"  # node alone on PATH: no Python, no napi-fix
    empty.mkdir()
    (empty / "node").symlink_to(shutil.which("node"))
    (tmp_path / "workspace").mkdir()
    out = node(tmp_path / "workspace", str(TESTS / "editors" / "vscode_stub.js"), str(bundled),
               json.dumps([{"settings": {}}]),
               env={**os.environ, "HOME": str(tmp_path), "PATH": str(empty), "STORAGE": str(tmp_path / "s")})
    said = [json.loads(line) for line in out.splitlines()]
    errors = [e["error"] for e in said if "error" in e]
    assert len(errors) == 1 and "no Python 3.10 or later on PATH" in errors[0] and "napi-fix.path" in errors[0]
    assert {"status": "napi-fix: failed"} in said
