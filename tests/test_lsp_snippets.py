"""The editor snippets in docs/editors.md, run as written in real editors:
Neovim 0.11 (both the vim.lsp.config and the vim.lsp.start snippet) and
Emacs 28 with eglot. Helix's languages.toml snippet is the configuration
tests/test_lsp_editors.py's Helix runs with; here it is also parsed."""

from __future__ import annotations

import os
import subprocess
import tomllib

import pytest

from lsp_harness import copy_example
from real_editors import BIN, command, current_nvim, snippet

NVIM_CHECK = """
vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local codes = {}
for _, d in ipairs(vim.diagnostic.get(0)) do table.insert(codes, d.source .. " " .. tostring(d.code)) end
vim.fn.writefile(codes, os.getenv("EDITOR_LOG"))
vim.cmd("qall!")
"""


@pytest.mark.parametrize("marker", ["neovim 0.11", "neovim 0.8"])
def test_the_neovim_snippet_starts_the_server(tmp_path, marker):
    root = copy_example("leaky-addon", tmp_path / "addon")
    (tmp_path / "init.lua").write_text(snippet(marker))
    (tmp_path / "check.lua").write_text(NVIM_CHECK)
    log = tmp_path / "log"
    subprocess.run([current_nvim(), "--headless", "-u", str(tmp_path / "init.lua"), str(root / "package.json"),
                    "-S", str(tmp_path / "check.lua")], cwd=tmp_path, timeout=120, capture_output=True,
                   env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "EDITOR_LOG": str(log),
                        "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")})
    assert log.read_text().split("\n")[0] == "napi-fix NAPI001"


def test_the_eglot_snippet_starts_the_server(tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    log = tmp_path / "log"
    (tmp_path / "check.el").write_text(
        '(add-to-list (quote package-directory-list) "/usr/share/emacs/site-lisp/elpa")\n(package-initialize)\n'
        + snippet("emacs") + """
(require 'eglot)
(find-file (expand-file-name "package.json" (getenv "FIXTURE")))
(apply #'eglot (eglot--guess-contact))  ; M-x eglot
(let ((deadline (+ (float-time) 30)))
  (while (and (null (flymake-diagnostics)) (< (float-time) deadline)) (accept-process-output nil 0.05)))
(append-to-file (mapconcat #'flymake-diagnostic-text (flymake-diagnostics) "\\n") nil (getenv "EDITOR_LOG"))
(kill-emacs 0)
""")
    subprocess.run([command("emacs")[0], "--batch", "-Q", "-l", str(tmp_path / "check.el")], cwd=root,
                   timeout=120, capture_output=True,
                   env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "EDITOR_LOG": str(log),
                        "FIXTURE": str(root), "HOME": str(tmp_path)})
    assert log.read_text().startswith("napi-fix [NAPI001]: dependencies: '^8.2.0' admits 8.2.0 and 8.2.1")


def test_the_helix_snippet_parses():
    config = tomllib.loads(snippet("helix"))
    assert config["language-server"]["napi-fix"] == {"command": "napi-fix", "args": ["lsp"]}
    assert {lang["name"] for lang in config["language"] if "napi-fix" in lang["language-servers"]} == {
        "json", "c", "cpp"}
