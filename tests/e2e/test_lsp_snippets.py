"""The editor snippets of docs/editors.md, run as written, byte for byte
from the document, in the editor version each names: the Neovim recipes
(0.7 in Debian's 0.7.2; 0.8 and 0.11 in 0.11.4, the only newer binary
here), their fix on save, and Emacs 28 with eglot 1.9, the documented
keystrokes included. The README's snippets must be the document's.
Helix's languages.toml is the configuration tests/e2e/test_lsp_editors.py's
Helix runs with; here it is also parsed, as is the VS Code setting (VS
Code cannot run here)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from codemod.lsp.capabilities import KINDS
from lsp_harness import ROOT, cli_result, copy_example, snapshot
from real_editors import BIN, command, current_nvim, snippet

NEOVIM_07 = shutil.which("nvim", path="/usr/bin")  # Debian's 0.7.2; scripts/setup installs it
# (recipe, the Neovim it is run in)
RECIPES = [("neovim 0.11", "current"), ("neovim 0.8", "current"), ("neovim 0.7", "0.7")]
FIX_ON_SAVE = {"neovim 0.11": "neovim 0.11 fix on save", "neovim 0.8": "neovim 0.11 fix on save",
               "neovim 0.7": "neovim 0.7 fix on save"}
YARN = ROOT / "tests" / "data" / "locks" / "yarn-classic-direct" / "before"

SERVED = """
local function attached()
  return next(vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = 0 }) or vim.lsp.buf_get_clients(0)) ~= nil
end
local function served(path)
  vim.cmd("edit " .. path)
  vim.wait(30000, attached, 50)
  -- binding.gyp has nothing to say here: the last publish for it is an empty one
  vim.wait(vim.endswith(path, ".gyp") and 1000 or 30000, function() return #vim.diagnostic.get(0) > 0 end, 50)
  local codes = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do table.insert(codes, d.source .. " " .. tostring(d.code)) end
  return table.concat(codes, ",")
end
local said = {}
for _, path in ipairs(vim.split(os.getenv("OPEN"), ":")) do table.insert(said, served(path)) end
local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)()
table.insert(said, "clients " .. #clients)
for _, c in ipairs(clients) do
  table.insert(said, c.name .. " " .. #vim.lsp.get_buffers_by_client_id(c.id) .. " " .. c.config.root_dir)
end
vim.fn.writefile(said, os.getenv("EDITOR_LOG"))
vim.cmd("qall!")
"""

MISSING = """
vim.cmd("edit " .. os.getenv("OPEN"))
vim.wait(1000)
vim.fn.writefile(vim.split(vim.fn.execute("messages"), "\\n"), os.getenv("EDITOR_LOG"))
vim.cmd("qall!")
"""

FIX = """
vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50)
vim.cmd("write") -- the fix on save
vim.cmd("wall")  -- the lockfile's buffer, as the document says
vim.fn.writefile(vim.split(vim.fn.execute("messages"), "\\n"), os.getenv("EDITOR_LOG"))
vim.cmd("qall!")
"""


def nvim(which: str) -> str:
    return current_nvim() if which == "current" else NEOVIM_07


def without_napi_fix() -> str:
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != BIN)
    assert shutil.which("napi-fix", path=path) is None
    return path


def run_nvim(which: str, init: str, script: str, first: Path, tmp_path: Path, path: str | None = None,
             **env: str) -> list[str]:
    (tmp_path / "init.lua").write_text(init)
    (tmp_path / "check.lua").write_text(script)
    log = tmp_path / "log"
    done = subprocess.run([nvim(which), "--headless", "-u", str(tmp_path / "init.lua"), str(first),
                           "-S", str(tmp_path / "check.lua")], cwd=tmp_path, timeout=120, capture_output=True,
                          text=True, env={**os.environ, "PATH": path or f"{BIN}:{os.environ['PATH']}",
                                          "EDITOR_LOG": str(log), "HOME": str(tmp_path),
                                          "XDG_CONFIG_HOME": str(tmp_path / "config"), **env})
    assert log.exists(), done.stderr[-2000:]
    return log.read_text().splitlines()


@pytest.mark.parametrize("marker, which", RECIPES)
def test_the_neovim_recipe_serves_every_file_of_a_root_with_one_server(tmp_path, marker, which):
    root = copy_example("leaky-addon", tmp_path / "addon")
    said = run_nvim(which, snippet(marker), SERVED, root / "package.json", tmp_path,
                    OPEN=":".join(str(root / name) for name in ("package.json", "package-lock.json", "binding.gyp")))
    assert said[0] == "napi-fix NAPI001"
    assert said[1] == "napi-fix NAPI001"  # the lockfile
    assert said[3:] == ["clients 1", f"napi_fix 3 {root}"]  # package.json, the lockfile and binding.gyp


@pytest.mark.parametrize("marker, which", RECIPES)
def test_the_neovim_recipe_serves_a_yarn_lock(tmp_path, marker, which):
    root = tmp_path / "yarn"
    shutil.copytree(YARN, root)
    said = run_nvim(which, snippet(marker), SERVED, root / "yarn.lock", tmp_path, OPEN=str(root / "yarn.lock"))
    assert said == ["napi-fix NAPI001", "clients 1", f"napi_fix 1 {root}"]


@pytest.mark.parametrize("marker, which", RECIPES)
def test_without_napi_fix_on_path_the_neovim_recipe_says_so(tmp_path, marker, which):
    root = copy_example("leaky-addon", tmp_path / "addon")
    said = run_nvim(which, snippet(marker), MISSING, root / "package.json", tmp_path, path=without_napi_fix(),
                    OPEN=str(root / "package-lock.json"))
    warnings = [line for line in said if "napi-fix" in line]
    assert warnings == ["napi-fix: napi-fix is not on PATH: no diagnostics (see its docs/install.md)"]  # once
    assert not [line for line in said if "Error" in line or "E5108" in line]


@pytest.mark.parametrize("marker, which", RECIPES)
def test_the_neovim_fix_on_save_writes_what_the_cli_writes(tmp_path, marker, which):
    root = copy_example("leaky-addon", tmp_path / "addon")
    expected = cli_result(root, tmp_path / "cli")
    said = run_nvim(which, snippet(marker) + snippet(FIX_ON_SAVE[marker]), FIX, root / "package.json", tmp_path)
    assert snapshot(root) == expected, said
    assert not [line for line in said if "Error" in line or "deprecated" in line]


# -- Emacs 28 with eglot 1.9 ----------------------------------------------------------------

EGLOT = """(add-to-list (quote package-directory-list) "/usr/share/emacs/site-lisp/elpa")
(package-initialize)
{snippets}
(require 'eglot)
(find-file (expand-file-name "package.json" (getenv "FIXTURE")))
(apply #'eglot (eglot--guess-contact))  ; M-x eglot
(let ((deadline (+ (float-time) 30)))
  (while (and (null (flymake-diagnostics)) (< (float-time) deadline)) (accept-process-output nil 0.05)))
(append-to-file (mapconcat #'flymake-diagnostic-text (flymake-diagnostics) "\\n") nil (getenv "EDITOR_LOG"))
{then}
(kill-emacs 0)
"""
# What the document says to do on the diagnostic: `M-x eglot-code-actions`, RET, `y`, `C-x s !`.
# Batch Emacs reads the minibuffer's answers (RET, `y`) from stdin; M-x is
# command-execute, with RET as the last key, as the minibuffer leaves it.
QUICK_FIX = """(goto-char (flymake-diagnostic-beg (car (flymake-diagnostics))))
(let ((last-nonmenu-event ?\\r)) (command-execute 'eglot-code-actions t))
(save-some-buffers t)  ; C-x s !"""
SAVE = """(set-buffer-modified-p t)
(save-buffer)  ; C-x C-s; the fix on save asks `y` for the lockfile
(save-some-buffers t)  ; C-x s !"""


def run_emacs(tmp_path: Path, root: Path, snippets: str, then: str = "", answers: str = "",
              path: str | None = None) -> subprocess.CompletedProcess:
    (tmp_path / "check.el").write_text(EGLOT.format(snippets=snippets, then=then))
    return subprocess.run([command("emacs")[0], "--batch", "-Q", "-l", str(tmp_path / "check.el")], cwd=root,
                          timeout=120, capture_output=True, text=True, input=answers,
                          env={**os.environ, "PATH": path or f"{BIN}:{os.environ['PATH']}",
                               "EDITOR_LOG": str(tmp_path / "log"), "FIXTURE": str(root), "HOME": str(tmp_path)})


def test_the_eglot_snippet_starts_the_server(tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    run_emacs(tmp_path, root, snippet("emacs"))
    assert (tmp_path / "log").read_text().startswith("napi-fix [NAPI001]: dependencies: '^8.2.0' admits 8.2.0 and 8.2.1")


def test_without_napi_fix_on_path_eglot_says_so(tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    done = run_emacs(tmp_path, root, snippet("emacs"), path=without_napi_fix())
    # The error M-x eglot signals; interactively the echo area shows it as the document quotes.
    assert '(file-missing "Searching for program" "No such file or directory" "napi-fix")' in done.stderr


def test_the_documented_eglot_quick_fix_writes_what_the_cli_writes(tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    expected = cli_result(root, tmp_path / "cli")
    done = run_emacs(tmp_path, root, snippet("emacs"), QUICK_FIX, answers="\ny\n")
    assert snapshot(root) == expected, done.stderr[-2000:]


def test_the_eglot_fix_on_save_writes_what_the_cli_writes(tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    expected = cli_result(root, tmp_path / "cli")
    done = run_emacs(tmp_path, root, snippet("emacs") + snippet("emacs fix on save"), SAVE, answers="y\n")
    assert snapshot(root) == expected, done.stderr[-2000:]


# -- parsed only ----------------------------------------------------------------------------------


def test_the_helix_snippet_parses():
    config = tomllib.loads(snippet("helix"))
    assert config["language-server"]["napi-fix"] == {"command": "napi-fix", "args": ["lsp"]}
    assert {lang["name"] for lang in config["language"] if "napi-fix" in lang["language-servers"]} == {
        "json", "c", "cpp"}


def test_the_vscode_fix_on_save_names_the_servers_fix_all_kind():
    text = snippet("vscode fix on save")
    settings = json.loads("\n".join(line for line in text.splitlines() if not line.startswith("//")))
    on_save = settings["editor.codeActionsOnSave"]
    assert set(on_save) <= set(KINDS) and on_save
    assert set(on_save.values()) <= {"explicit", "always", "never"}  # VS Code's values since 1.85


def test_the_readme_snippets_are_the_documents():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Editors: `napi-fix lsp`", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```\w+\n(.*?)```", section, re.S)
    assert blocks
    for block in blocks:
        if block.startswith(("scripts/", "cd ")):
            continue
        marker = re.fullmatch(r"\S+ napi-fix: (.+)", block.splitlines()[0])
        assert marker, f"README snippet without its napi-fix marker line:\n{block}"
        assert block == snippet(marker.group(1))
