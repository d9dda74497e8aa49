"""One line model end to end: a finding without a byte span (a class a macro
defines) in a file whose lines end in a lone \\r lands on the same line in
the CLI's text, its JSON, its SARIF and the editor's diagnostic.

Before textpos owned lines, the CLI counted tree-sitter's rows (\\n only:
line 3 here), SARIF counted every break (line 4) and the editor took the CLI's
number as its own count (the comment line).
"""

from __future__ import annotations

import json
import os
import re

import pytest

from codemod.cli import main
from lsp_harness import copy_example

MACRO = (b"#include <napi.h>\n// a\r// b\n"  # a lone \r: an editor's line 2 and 3, a compiler's line 2
         b"#define MAKE(N) class N : public Napi::ObjectWrap<N> { public: N(const Napi::CallbackInfo& i) "
         b": Napi::ObjectWrap<N>(i) {} };\nMAKE(Foo)\n")
LINE = 4  # the #define, counting \n, \r\n and \r as the protocol does


def _tree(tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    (root / "src" / "macro.cc").write_bytes(MACRO)
    return root


def _cli(root, capfdbinary, *args: str) -> tuple:
    """(stdout, stderr) of a dry run on `root`."""
    cwd = os.getcwd()
    try:
        os.chdir(root)
        main(["--dry-run", "--strategy", "both", *args, "."])
    finally:
        os.chdir(cwd)
    return capfdbinary.readouterr()


def test_the_cli_text_json_and_sarif_agree(tmp_path, capfdbinary):
    root = _tree(tmp_path)
    text = _cli(root, capfdbinary).err.decode()  # the findings list: stderr, stdout carries the diff
    assert re.findall(r"^src/macro\.cc:(\d+):1: manual MAKE", text, re.M) == [str(LINE)]
    report = json.loads(_cli(root, capfdbinary, "--format", "json").out)
    found, = (f for r in report["files"] if r["path"] == "src/macro.cc" for f in r["findings"])
    assert found["edits"] == [] and (found["line"], found["column"]) == (LINE, 1)
    log = json.loads(_cli(root, capfdbinary, "--format", "sarif").out)
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in log["runs"][0]["results"]
               if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/macro.cc"]
    assert [(r["startLine"], r["endLine"]) for r in regions] == [(LINE, LINE)]


@pytest.mark.asyncio
async def test_the_editor_agrees(editors, tmp_path):
    root = _tree(tmp_path)
    editor = await editors("vscode", [root])
    found, = await editor.codes(root / "src" / "macro.cc", {"NAPI005"})
    assert (found.range.start.line + 1, found.range.end.line + 1) == (LINE, LINE)
    assert (found.range.start.character, found.range.end.character) == (0, len(MACRO.split(b"\n")[2]))


def test_a_binding_gyp_line_does_not_move_when_its_newlines_become_lone_crs(tmp_path, capfdbinary):
    """Lines of binding.gyp come from textpos too, not from tree-sitter's \\n-only rows."""
    root = copy_example("leaky-addon", tmp_path / "addon")
    gyp = root / "binding.gyp"  # a `dependencies` entry is no edit: its finding has a line and no span
    gyp.write_bytes(gyp.read_bytes().replace(b'"defines"', b'"dependencies": ["<!(node -p \\"require(\'node-addon-api\').gyp\\")"],\n      "defines"'))
    before = re.findall(r"^binding\.gyp:(\d+):", _cli(root, capfdbinary).err.decode(), re.M)
    gyp.write_bytes(gyp.read_bytes().replace(b"\n", b"\r", 2))
    after = re.findall(r"^binding\.gyp:(\d+):", _cli(root, capfdbinary).err.decode(), re.M)
    assert before == after and len(before) == 2 and int(before[0]) > 3
