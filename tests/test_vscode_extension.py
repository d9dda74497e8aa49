"""editors/vscode builds (tsc) and packages (@vscode/vsce) into a .vsix that
starts `napi-fix lsp` for the right files. node_modules come from the cache
scripts/setup-vscode fills; VS Code itself cannot be downloaded here, so the
extension is checked as the marketplace would receive it."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

EXTENSION = Path(__file__).resolve().parents[1] / "editors" / "vscode"


def node(folder: Path, *args: str) -> str:
    done = subprocess.run(["node", *args], cwd=folder, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"node {' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_the_extension_compiles_and_packages_into_a_vsix(tmp_path):
    modules = EXTENSION / "node_modules"
    assert modules.is_dir(), "run scripts/setup (scripts/setup-vscode links the cached node_modules)"
    build = tmp_path / "vscode"
    shutil.copytree(EXTENSION, build, ignore=shutil.ignore_patterns("node_modules", "out", "*.vsix"))
    (build / "node_modules").symlink_to(modules.resolve())
    node(build, "node_modules/typescript/bin/tsc", "-p", ".")
    node(build, "node_modules/@vscode/vsce/vsce", "package", "--allow-missing-repository", "--skip-license",
         "-o", str(tmp_path / "napi-fix.vsix"))
    with zipfile.ZipFile(tmp_path / "napi-fix.vsix") as vsix:
        names = set(vsix.namelist())
        manifest = json.loads(vsix.read("extension/package.json"))
        code = vsix.read("extension/out/extension.js").decode()
    assert "extension/node_modules/vscode-languageclient/node.js" in names  # shipped with its runtime dependency
    assert not any(n.startswith("extension/src/") for n in names)
    assert not any("/typescript/" in n or "/@vscode/vsce/" in n for n in names)  # build tools stay out
    setting = manifest["contributes"]["configuration"]["properties"]["napi-fix.path"]
    assert setting["type"] == "string" and setting["default"] == "napi-fix"
    assert "does **not** stop the leak" in manifest["contributes"]["configuration"]["properties"][
        "napi-fix.strategy"]["markdownDescription"]
    assert 'args: ["lsp"]' in code
    for watched in ("package.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "binding.gyp"):
        assert f'"{watched}"' in code
    assert 'language: "cpp"' in code and 'language: "c"' in code
