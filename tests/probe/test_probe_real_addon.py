"""`napi-fix probe --compare` on a real addon from the npm corpus, built from
source: hnswlib-node 3.0.0 (bench/realworld-addons.json), whose four classes
derive `Napi::ObjectWrap` directly. Its published package.json asks for
node-addon-api ^8.0.0; here it is locked at 8.2.1, as a maintainer who
installed while 8.2.1 was the newest release would have it. As is, built
against 8.2.1, it leaks; with napi-fix's pin, reinstalled and rebuilt against
8.2.2, it does not: the fix, proven on code nobody wrote for this test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from codemod.cachedir import cache_dir
from codemod.cli import main
from codemod.probe.report import LEAKING

from checkout import ROOT
NAME, VERSION = "hnswlib-node", "3.0.0"
OBJECTS = 5_000

# The addon's own entry point (lib/index.js loads build/Release/addon.node
# through `bindings`); one BruteforceSearch per turn, as an application that
# makes short-lived indexes would.
SCRIPT = f"""\
const {{ BruteforceSearch }} = require('./lib/index.js');
for (let i = 0; i < {OBJECTS}; i++) new BruteforceSearch('l2', 3);
"""

needs_tools = pytest.mark.skipif(shutil.which("g++") is None or shutil.which("node") is None
                                 or shutil.which("npm") is None, reason="needs g++, node and npm")


def _npm(*args: str, cwd: Path) -> str:
    return subprocess.run(["npm", *args, "--no-audit", "--no-fund"], cwd=cwd, check=True, capture_output=True,
                          text=True, timeout=600).stdout


def _published() -> Path:
    """The corpus's tarball of NAME@VERSION, fetched once into the cache and
    checked against the integrity bench/realworld-addons.json records."""
    corpus = json.loads((ROOT / "bench" / "realworld-addons.json").read_text())
    [wanted] = [p["integrity"] for p in corpus["packages"] if (p["name"], p["version"]) == (NAME, VERSION)]
    folder = Path(cache_dir("probe-real-addon", f"{NAME}-{VERSION}"))
    tarball = folder / f"{NAME}-{VERSION}.tgz"
    if not tarball.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        [packed] = json.loads(_npm("pack", f"{NAME}@{VERSION}", "--json", cwd=folder))
        assert packed["integrity"] == wanted, "the registry's tarball is not the corpus's"
    return tarball


@pytest.fixture
def locked_at_821(tmp_path) -> Path:
    """The published package, its development tooling (husky, jest, eslint:
    not what is probed) left out, locked by npm itself at node-addon-api 8.2.1."""
    with tarfile.open(_published()) as tar:
        tar.extractall(tmp_path, filter="data")
    package = tmp_path / NAME
    (tmp_path / "package").rename(package)
    manifest = json.loads((package / "package.json").read_text())
    manifest.pop("devDependencies")
    manifest["scripts"].pop("prepare")  # `husky install`
    (package / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    _npm("install", "--package-lock-only", "--ignore-scripts", "node-addon-api@8.2.1", cwd=package)
    (package / "probe.js").write_text(SCRIPT)
    return package


@pytest.mark.slow
@needs_tools
def test_compare_on_a_real_addon_leaking_then_clean(locked_at_821, tmp_path, capsys, monkeypatch):
    package = locked_at_821
    lock = json.loads((package / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/node-addon-api"]["version"] == "8.2.1"
    before = {p: p.read_bytes() for p in package.rglob("*") if p.is_file()}
    scratch = tmp_path / "scratch"  # the probe's temporary copies go here, and must be gone after
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    monkeypatch.chdir(package)

    status = main(["probe", "--compare", "--format", "json", "--", "node", "probe.js"])

    report = json.loads(capsys.readouterr().out)
    [as_is] = report["runs"]["as is"]["addons"]
    [pinned] = report["runs"]["pinned"]["addons"]
    assert as_is["path"] == pinned["path"] == str(package / "build" / "Release" / "addon.node")
    assert as_is["build"]["kind"] == pinned["build"]["kind"] == "source"
    assert (as_is["verdict"], as_is["build"]["node_addon_api"], as_is["build"]["headers"]) == (LEAKING, "8.2.1",
                                                                                                 "leaky")
    assert as_is["wrapped"] >= OBJECTS and as_is["deleted"] == 0 and as_is["leaked"] >= as_is["finalized"] > 0
    assert (pinned["verdict"], pinned["build"]["node_addon_api"], pinned["build"]["headers"]) == ("clean", "8.2.2",
                                                                                                   "fixed")
    assert pinned["finalized"] > 0 and pinned["deleted"] >= pinned["finalized"] - 10
    assert status == 0  # the leak does not remain in the pinned run
    assert {p: p.read_bytes() for p in package.rglob("*") if p.is_file()} == before  # the package is only read
    assert list(scratch.iterdir()) == []
