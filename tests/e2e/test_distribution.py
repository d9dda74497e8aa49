"""napi-fix as its users install it without a PyPI release: the wheel and
sdist `python -m build` makes, installed outside the checkout (no editable
install, no `queries/` beside it) and run through each front-end; the same
wheel through `pipx run` and `uvx`; metadata a registry accepts (`twine
check`); and a clear error when another distribution's `codemod` package
shares the environment (codemod/ownership.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from checkout import ROOT
from codemod.cachedir import cache_dir
from helpers import copy_example

CHECKOUT = ROOT
EXAMPLES = CHECKOUT / "examples"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(CHECKOUT)],
                   check=True, capture_output=True, timeout=600)
    return {"wheel": next(out.glob("napi_fix-*.whl")), "sdist": next(out.glob("napi_fix-*.tar.gz"))}


@pytest.fixture(scope="module")
def venv(dist, tmp_path_factory) -> Path:
    """A clean virtual environment outside the checkout with only the wheel installed."""
    home = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(home)], check=True, timeout=300)
    _pip(home, "install", str(dist["wheel"]))
    return home


def _pip(home: Path, *args: str) -> None:
    subprocess.run([str(home / "bin" / "python"), "-m", "pip", "install" if not args else args[0],
                    "--quiet", "--disable-pip-version-check", *args[1:]],
                   check=True, capture_output=True, timeout=600)


def _outside(tmp_path: Path) -> Path:
    """A copy of the leaky example in a folder with nothing of the checkout around it."""
    target = tmp_path / "work" / "leaky-addon"
    copy_example("leaky-addon", target)
    return target


def _clean_env() -> dict[str, str]:
    """No PYTHONPATH or virtual environment of the suite's may leak into the installed tool."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if Path(p) != BIN)
    return env


def test_twine_accepts_the_metadata(dist):
    done = subprocess.run([str(BIN / "twine"), "check", "--strict", str(dist["wheel"]), str(dist["sdist"])],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        names = wheel.namelist()
        metadata = next(wheel.read(n) for n in names if n.endswith(".dist-info/METADATA")).decode()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert {n for n in names if n.startswith("codemod/queries/")} >= {
        f"codemod/queries/{p.name}" for p in (CHECKOUT / "queries").glob("*.scm")}
    for field in ("License-Expression: MIT", "Project-URL: Source,", "Classifier: Programming Language :: Python :: 3",
                  "Requires-Python: >=3.10", "Description-Content-Type: text/markdown"):
        assert field in metadata, field


def test_the_installed_wheel_runs_from_anywhere(venv, tmp_path):
    addon = _outside(tmp_path)
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import codemod, os, codemod.queries as q; "
                            "print(codemod.__file__); print(os.path.isdir(q._SEARCH[0]))"],
                           capture_output=True, text=True, cwd=tmp_path, env=_clean_env(), timeout=60)
    module, queries_inside = where.stdout.split()
    assert Path(module).is_relative_to(venv) and queries_inside == "True"
    done = subprocess.run([str(venv / "bin" / "napi-fix"), "--dry-run", "--strategy", "both", "."],
                          capture_output=True, text=True, cwd=addon, env=_clean_env(), timeout=120)
    assert done.returncode == 1, done.stderr
    assert '+    "node-addon-api": "^8.2.2"' in done.stdout
    assert "+  void Finalize(Napi::Env /*env*/) override {}" in done.stdout  # the queries shipped in the wheel


@pytest.fixture(params=["venv", "pipx", "uvx"])
def installed(request, dist, tmp_path) -> tuple[list[str], dict[str, str]]:
    """The installed wheel's `napi-fix` as a command line: from the clean virtual
    environment, through `pipx run --spec WHEEL`, and through `uvx --from WHEEL`."""
    env = _clean_env()
    if request.param == "venv":
        return [str(request.getfixturevalue("venv") / "bin" / "napi-fix")], env
    # Their own caches under the suite's: a second run of the suite installs nothing again.
    env.update(PIPX_HOME=cache_dir("pipx"), UV_CACHE_DIR=cache_dir("uv"), UV_TOOL_DIR=cache_dir("uv-tools"))
    if request.param == "pipx":
        return [str(BIN / "pipx"), "run", "--spec", str(dist["wheel"]), "napi-fix"], env
    return [str(BIN / "uvx"), "--from", str(dist["wheel"]), "napi-fix"], env


def test_the_installed_language_server_publishes_diagnostics(installed, tmp_path):
    addon = _outside(tmp_path)
    command, env = installed
    server = subprocess.Popen([*command, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=tmp_path, env=env)
    try:
        _send(server, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                       "params": {"processId": None, "rootUri": addon.as_uri(), "capabilities": {},
                                  "workspaceFolders": [{"uri": addon.as_uri(), "name": "leaky-addon"}]}})
        assert "capabilities" in _until(server, lambda m: m.get("id") == 1)["result"]
        _send(server, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        published = _until(server, lambda m: m.get("method") == "textDocument/publishDiagnostics"
                           and any(d.get("code") == "NAPI001" for d in m["params"]["diagnostics"]))
        assert published["params"]["uri"].startswith(addon.as_uri())
        _send(server, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        _until(server, lambda m: m.get("id") == 2)
        _send(server, {"jsonrpc": "2.0", "method": "exit"})
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def _send(server: subprocess.Popen, message: dict) -> None:
    body = json.dumps(message).encode()
    server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    server.stdin.flush()


def _until(server: subprocess.Popen, wanted, limit: int = 200) -> dict:
    """Reads messages until one is `wanted` (the server's stdout is read with a blocking read;
    the server publishes within seconds, and a hang fails the test through pytest's own timeout)."""
    for _ in range(limit):
        headers = {}
        while True:
            line = server.stdout.readline()
            assert line, f"the server closed its output: {server.stderr.read().decode(errors='replace')}"
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        message = json.loads(server.stdout.read(int(headers["content-length"])))
        if wanted(message):
            return message
    raise AssertionError("no such message")


def test_the_installed_batch_runs_on_a_local_repository(installed, tmp_path):
    repo = _outside(tmp_path)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "addon"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    patches = tmp_path / "patches"
    command, env = installed
    done = subprocess.run([*command, "batch", "--dry-run", "--patch-dir", str(patches),
                           "--format", "json", str(repo)], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=300)
    assert done.returncode != 2, done.stderr
    patch = b"".join(p.read_bytes() for p in patches.glob("*.patch"))
    assert b'+    "node-addon-api": "^8.2.2"' in patch


INSTALL_DOC = CHECKOUT / "docs" / "install.md"


def _documented(runner: str) -> str:
    """The docs' one-line recipe for `runner`, exactly as written."""
    start = {"pipx": "pipx run ", "uvx": "uvx --from "}[runner]
    lines = [line for line in INSTALL_DOC.read_text().splitlines() if line.startswith(start)]
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("runner", ["pipx", "uvx"])
def test_pipx_run_and_uvx_run_the_wheel_as_documented(runner, dist, tmp_path):
    """docs/install.md's line, run verbatim in a folder holding dist/ and examples/."""
    folder = tmp_path / "here"
    (folder / "dist").mkdir(parents=True)
    shutil.copy2(dist["wheel"], folder / "dist")
    shutil.copytree(EXAMPLES / "leaky-addon", folder / "examples" / "leaky-addon",
                    ignore=shutil.ignore_patterns("node_modules", "build"))
    runners = tmp_path / "runners"  # pipx and uvx on PATH, without the suite's own napi-fix beside them
    runners.mkdir()
    for tool in ("pipx", "uvx"):
        (runners / tool).symlink_to(BIN / tool)
    env = _clean_env()
    env["PATH"] = os.pathsep.join([str(runners), env["PATH"]])
    # Their own caches under the suite's: a second run of the suite installs nothing again.
    env.update(PIPX_HOME=cache_dir("pipx"), UV_CACHE_DIR=cache_dir("uv"), UV_TOOL_DIR=cache_dir("uv-tools"))
    done = subprocess.run(_documented(runner), shell=True, capture_output=True, text=True, cwd=folder, env=env,
                          timeout=600)
    assert done.returncode == 1, done.stderr
    assert '+    "node-addon-api": "^8.2.2"' in done.stdout
    assert f"dist/{dist['wheel'].name}" in _documented(runner)  # the doc names the wheel this version builds


def _stand_in(tmp_path: Path) -> Path:
    """A distribution of another name that also installs a `codemod` package."""
    project = tmp_path / "standin"
    (project / "codemod").mkdir(parents=True)
    (project / "codemod" / "__init__.py").write_text('"""Another tool\'s codemod package."""\n')
    (project / "codemod" / "transforms.py").write_text("RENAMES = {}\n")
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling>=1.27"]\nbuild-backend = "hatchling.build"\n'
        '[project]\nname = "codemod-standin"\nversion = "1.0"\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["codemod"]\n')
    out = tmp_path / "standin-dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(project)],
                   check=True, capture_output=True, timeout=600)
    return next(out.glob("*.whl"))


def test_another_codemod_package_in_the_environment_is_a_clear_error(dist, tmp_path):
    home = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", str(home)], check=True, timeout=300)
    standin = _stand_in(tmp_path)
    napi_fix = home / "bin" / "napi-fix"
    env = _clean_env()
    env["NAPI_FIX_CACHE"] = str(tmp_path / "cache")  # the ownership verdict is cached: start empty

    def run() -> subprocess.CompletedProcess:
        return subprocess.run([str(napi_fix), "--format", "json", "--dry-run", str(tmp_path / "nothing")],
                              capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)

    (tmp_path / "nothing").mkdir()
    _pip(home, "install", str(dist["wheel"]))
    assert run().returncode == 0  # alone: fine (and the verdict is cached)

    _pip(home, "install", str(standin))  # installed after napi-fix: its __init__.py replaces napi-fix's
    shadowed = run()
    assert shadowed.returncode == 2
    assert "not napi-fix's" in shadowed.stderr and "codemod_standin" in shadowed.stderr
    assert "codemod_standin" in json.loads(shadowed.stdout)["error"]
    assert "Traceback" not in shadowed.stderr

    _pip(home, "install", "--force-reinstall", "--no-deps", str(dist["wheel"]))  # napi-fix over it
    shadowing = run()
    assert shadowing.returncode == 2
    assert "codemod_standin-1.0 also installs a 'codemod' package" in shadowing.stderr

    _pip(home, "uninstall", "--yes", "codemod-standin")  # removes the shared __init__.py too
    _pip(home, "install", "--force-reinstall", "--no-deps", str(dist["wheel"]))
    assert run().returncode == 0
