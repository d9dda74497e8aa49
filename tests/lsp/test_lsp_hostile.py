"""The CLI's hostile trees (tests/test_hostile.py) through the real server:
an error about one file never costs the diagnostics of the others, a file
an editor can show carries its error as a diagnostic at its line, and one
it cannot (a FIFO, a folder that cannot be listed) is shown once with
window/showMessage, and logged. The server keeps serving after each."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.uris import to_fs_path

from helpers import write_tree
from hostile_trees import TREES
from lsp_harness import copy_example

pytestmark = pytest.mark.asyncio

SPEC = '{"name": "app", "dependencies": {"node-addon-api": "^8.2.0"}}\n'
PNPM = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      node-addon-api:\n" \
       "        specifier: {spec}\n        version: 8.2.1\n"
CLASS = "class {0} : public Napi::ObjectWrap<{0}> {{ public: {0}(); }};\n"

# test_hostile.py's bad inputs: (files of a package, the bad file, what its diagnostic says, its line).
BAD_INPUTS = [
    *[pytest.param({"package.json": text}, "package.json", f"package.json holds {kind}", 0, id=f"package-json-{kind}")
      for text, kind in (("[]", "an array"), ('"str"', "a string"), ("42", "a number"), ("null", "null"),
                         ("true", "a boolean"))],
    pytest.param({"package.json": SPEC, "package-lock.json": "[]"}, "package-lock.json", "the lockfile holds an array",
                 0, id="lock-is-an-array"),
    pytest.param({"package.json": "{\n  \"name\": \"app\",\n}\n"}, "package.json", "line 3: invalid JSON", 2,
                 id="invalid-json"),
    pytest.param({"package.json": SPEC, "pnpm-lock.yaml": PNPM.format(spec="^8.2.0") + "\0"}, "pnpm-lock.yaml",
                 "invalid YAML", None, id="pnpm-nul-byte"),
    pytest.param({"package.json": SPEC, "pnpm-lock.yaml": PNPM.format(spec="[^8.2.0]")}, "pnpm-lock.yaml",
                 "line 6: importer . dependencies: node-addon-api's specifier is not a string", 5,
                 id="pnpm-specifier-list"),
    pytest.param({"package.json": SPEC, "yarn.lock": b"node-addon-api@^8.2.0, M\xfcller:\n  version \"8.2.1\"\n"},
                 "yarn.lock", "line 1: not UTF-8", 0, id="yarn-latin1-header"),
    pytest.param({"package.json": SPEC, "yarn.lock": "<html>this is not a lockfile</html>\n"}, "yarn.lock",
                 "line 1: not a yarn.lock entry header", 0, id="yarn-garbage"),
    pytest.param({"package.json": SPEC, "binding.gyp": "{'targets': [{'target_name': 'a',,]}"}, "binding.gyp",
                 "line 1: invalid GYP", 0, id="gyp-invalid"),
]


def shown(editor) -> list[str]:
    return [m.message for m in editor.client.messages]


@pytest.mark.parametrize("files, bad, message, line", BAD_INPUTS)
async def test_a_bad_file_is_its_own_diagnostic_and_costs_the_others_nothing(editors, tmp_path, files, bad, message,
                                                                            line):
    good = copy_example("leaky-addon", tmp_path / "good")
    write_tree(tmp_path / "bad", {**files, "src/ok.h": CLASS.format("A")})
    editor = await editors("vscode", [tmp_path])
    await editor.codes(good / "package.json", {"NAPI001"})
    await editor.codes(good / "package-lock.json", {"NAPI001"})
    await editor.codes(tmp_path / "bad" / "src" / "ok.h", {"NAPI004"})
    found = await editor.wait_for(lambda: [d for d in editor.diagnostics(tmp_path / "bad" / bad) if d.code is None])
    assert len(found) == 1 and message in found[0].message
    assert found[0].severity == types.DiagnosticSeverity.Error
    if line is not None:
        assert found[0].range.start.line == line
    assert shown(editor) == []  # a diagnostic says it: no message box besides
    assert not [m for m in editor.client.log_messages if "internal error" in m.message]


# test_hostile.py's inputs that are findings, not errors: (package.json, the codes it gets).
ODD_BUT_READ = [
    *[pytest.param(f'{{"name": "a", "dependencies": {{"node-addon-api": {value}}}}}\n', {"NAPI005"}, id=f"spec-{says}")
      for value, says in (("null", "null"), ("{}", "an-object"), ("8.2", "a-float"), ("[]", "an-array"))],
    pytest.param('{"name": "a", "engines": {"node": 18}, "dependencies": {"node-addon-api": "^8.2.0"}}\n',
                 {"NAPI002"}, id="engines-not-a-string"),
    pytest.param('{"name": "a", "deep": ' + '{"a": ' * 600 + "1" + "}" * 600
                 + ', "dependencies": {"node-addon-api": "^8.2.0"}}\n', {"NAPI002"}, id="json-600-deep"),
]


@pytest.mark.parametrize("spec, codes", ODD_BUT_READ)
async def test_an_odd_package_json_is_read_and_costs_the_others_nothing(editors, tmp_path, spec, codes):
    write_tree(tmp_path / "odd", {"package.json": spec, "src/ok.h": CLASS.format("A")})
    good = copy_example("leaky-addon", tmp_path / "good")
    editor = await editors("emacs", [tmp_path])
    await editor.codes(good / "package.json", {"NAPI001"})
    await editor.codes(tmp_path / "odd" / "src" / "ok.h", {"NAPI004"})
    await editor.codes(tmp_path / "odd" / "package.json", codes)
    assert shown(editor) == []


async def test_a_fifo_costs_its_package_nothing_and_is_shown_once(editors, tmp_path):
    """The tree of test_hostile.py's test_a_hostile_tree_finishes_quickly_and_names_every_problem."""
    root = tmp_path / "tree"
    write_tree(root, {"package.json": SPEC, "src/ok.h": CLASS.format("A"),
                      "node_modules/node-addon-api/napi-inl.h": "// a copy\n"})
    os.mkfifo(root / "src/fifo.h")
    os.mkfifo(root / "node_modules/node-addon-api/package.json")
    os.symlink("/dev/zero", root / "src/zero.h")
    os.symlink(root, root / "src/loop")
    (root / "src/we\nird\033].h").write_text(CLASS.format("B"))
    (root / "src/huge.cc").write_bytes(b"// ObjectWrap\n" + b"int x;\n" * (70 * 2**20 // 7))
    editor = await editors("neovim-0.11", [root])
    spec = await editor.wait_for(lambda: editor.diagnostics(root / "package.json"))
    assert {d.code for d in spec} <= {"NAPI001", "NAPI002"} and spec
    await editor.codes(root / "src" / "ok.h", {"NAPI004"})
    await editor.codes(root / "src" / "we\nird\033].h", {"NAPI004"})
    huge, = await editor.wait_for(lambda: editor.diagnostics(root / "src" / "huge.cc"))
    assert "over the 64 MB limit" in huge.message
    fifos = [root / "src" / "fifo.h", root / "node_modules" / "node-addon-api" / "package.json"]
    await editor.wait_for(lambda: len(shown(editor)) == 2)
    for fifo, message in zip(sorted(fifos), sorted(shown(editor))):
        assert message == f"napi-fix: {fifo}: not read: a FIFO, not a regular file"
        assert fifo.as_uri() not in editor.client.diagnostics
    logged = [m.message for m in editor.client.log_messages]
    assert all(message in logged for message in shown(editor))
    assert not [m for m in logged if "internal error" in m or "Traceback" in m]
    # Still serving, and said once: a re-plan finds the FIFOs again and says nothing more.
    editor.open(root / "src" / "ok.h")
    editor.type(root / "src" / "ok.h", "struct A {};\n")
    await editor.codes(root / "src" / "ok.h", set())
    editor.type(root / "src" / "ok.h", CLASS.format("A"))
    await editor.codes(root / "src" / "ok.h", {"NAPI004"})
    assert len(shown(editor)) == 2


@pytest.mark.skipif(os.geteuid() == 0 and shutil.which("setpriv") is None,
                    reason="root reads every folder; setpriv drops the capabilities that let it")
async def test_a_folder_that_cannot_be_listed_is_shown_and_the_rest_is_served(editors, tmp_path):
    import tempfile

    # Not under tmp_path: root without its capabilities cannot enter pytest's 0700 folders.
    root = tempfile.mkdtemp(prefix="napi-fix-unlistable-")
    try:
        root = copy_example("leaky-addon", __import__("pathlib").Path(root) / "addon")
        write_tree(root, {"secret/a.h": "// x\n"})
        os.chmod(root / "secret", 0o000)
        wrapper = ("setpriv", "--bounding-set=-dac_override,-dac_read_search") if os.geteuid() == 0 else ()
        editor = await editors("neovim-0.7", [root], wrapper=wrapper)
        await editor.codes(root / "package.json", {"NAPI001"})
        await editor.codes(root / "src" / "counter.h", {"NAPI004"})
        message, = await editor.wait_for(lambda: shown(editor))
        assert message == f"napi-fix: {root / 'secret'}: cannot list: Permission denied"
        assert editor.client.messages[0].type == types.MessageType.Warning
    finally:
        os.chmod(root / "secret", 0o755)
        shutil.rmtree(root.parent)


async def test_a_folder_no_file_can_have_is_bad_input_shown_once_and_the_others_are_served(editors, tmp_path):
    """A folder path with a NUL byte (a URI may carry %00) is bad input, as a
    missing folder is: the user is told once, in words with the NUL escaped,
    the other folder is served, and the server keeps serving."""
    good = copy_example("leaky-addon", tmp_path / "good")
    bad = tmp_path / "bad\0folder"
    editor = await editors("neovim-0.11", [bad, good])
    await editor.codes(good / "package.json", {"NAPI001"})
    message, = await editor.wait_for(lambda: shown(editor))
    assert message == f"napi-fix: {tmp_path}/bad\\000folder: a NUL byte in the path"
    assert editor.client.messages[0].type == types.MessageType.Warning
    assert not [m for m in editor.client.log_messages if "Traceback" in m.message]
    editor.open(good / "src" / "counter.h")
    editor.type(good / "src" / "counter.h", "struct Counter {};\n")
    await editor.codes(good / "src" / "counter.h", set())


# A fault planted in one folder's analysis (no input makes the engine raise
# any more; a bug one day might): the server is run through this launcher.
FAULTY = """import sys
from codemod.lsp import projects
for name in ("analyze", "settle"):
    def planted(self, served, versions, _real=getattr(projects.Projects, name)):
        if served.folder.endswith("faulty"):
            raise RuntimeError("a planted fault")
        return _real(self, served, versions)
    setattr(projects.Projects, name, planted)
from codemod.cli import main
sys.exit(main(["lsp"]))
"""


async def test_an_internal_error_in_one_folder_is_shown_once_logged_and_the_others_are_served(editors, tmp_path):
    launcher = tmp_path / "launcher.py"
    launcher.write_text(FAULTY)
    good = copy_example("leaky-addon", tmp_path / "good")
    faulty = copy_example("leaky-addon", tmp_path / "faulty")
    editor = await editors("neovim-0.11", [faulty, good], wrapper=(sys.executable, str(launcher), "--"))
    await editor.codes(good / "package.json", {"NAPI001"})
    message, = await editor.wait_for(lambda: shown(editor))
    assert message == (f"napi-fix: could not analyze {faulty} (an internal error; the language server's log has "
                       "the traceback)")
    assert editor.client.messages[0].type == types.MessageType.Error
    assert any("RuntimeError: a planted fault" in m.message for m in editor.client.log_messages)
    editor.open(good / "src" / "counter.h")
    editor.type(good / "src" / "counter.h", "struct Counter {};\n")
    await editor.codes(good / "src" / "counter.h", set())
    assert len(shown(editor)) == 1  # once, however often the folder is planned again


async def test_settings_the_server_cannot_use_are_shown_once_and_the_defaults_serve(editors, tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    editor = await editors("vscode", [root], {"strategy": "sideways"})
    await editor.codes(root / "package.json", {"NAPI001"})
    assert shown(editor) == ["napi-fix: strategy 'sideways' is not one of pin, finalize, both; using the defaults"]
    assert editor.client.messages[0].type == types.MessageType.Warning


# -- hostile_trees.py's shapes: each beside a good package, through the server --


def raw_controls(text: str) -> bool:
    return bool(re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text))


@pytest.mark.parametrize("build", TREES, ids=lambda b: b.__name__)
async def test_a_hostile_shape_costs_the_other_files_nothing(editors, tmp_path, build):
    hostile = build(tmp_path / "shape")
    good = copy_example("leaky-addon", tmp_path / "good")
    editor = await editors("neovim-0.11", [tmp_path])
    await editor.codes(good / "package.json", {"NAPI001"})
    await editor.codes(tmp_path / "shape" / hostile.survivor, {"NAPI002"})
    if hostile.bad:
        found, = await editor.wait_for(lambda: editor.diagnostics(tmp_path / "shape" / hostile.bad))
        assert found.code is None and found.severity == types.DiagnosticSeverity.Error
        assert hostile.says in found.message
    # One analysis publishes a folder's diagnostics together: the survivor's
    # having arrived, so have those of every file of the shape.
    published = [d.message for ds in editor.client.diagnostics.values() for d in ds]
    shape = (tmp_path / "shape").as_uri()
    for where, found in list(editor.client.diagnostics.items()):  # the titles of what a user may pick
        if where.startswith(shape):
            for d in found:
                published += [a.title for a in await editor.actions(Path(to_fs_path(where)), d.range, [d])]
    assert not [m for m in published + shown(editor) if raw_controls(m)]
    assert not [m for m in editor.client.log_messages if "internal error" in m.message or "Traceback" in m.message]
    # Still serving: an edit elsewhere is analysed again.
    editor.open(good / "src" / "counter.h")
    editor.type(good / "src" / "counter.h", "struct Counter {};\n")
    await editor.codes(good / "src" / "counter.h", set())
