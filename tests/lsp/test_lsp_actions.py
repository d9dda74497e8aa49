"""Code actions end to end: each quick fix and fix-all, applied the way the
editor applies them, leaves exactly the bytes `napi-fix PATH` writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from lsp_harness import CLIENTS, ENCODINGS, EXAMPLES, cli_result, copy_example, snapshot, uri

pytestmark = pytest.mark.asyncio

FIX_ALL = "source.fixAll.napi-fix"


async def quick_fix(editor, path: Path, code: str) -> types.CodeAction:
    """The preferred quick fix for `path`'s `code` diagnostic, asked for as an
    editor does (cursor on the diagnostic, the diagnostic in the context)."""
    found = [d for d in await editor.codes(path, _codes(editor, path) | {code}) if d.code == code][0]
    if str(path) not in editor.buffers:
        editor.open(path)
    offered = await editor.actions(path, types.Range(start=found.range.start, end=found.range.start), [found])
    fix, = [a for a in offered if a.kind == "quickfix" and a.diagnostics[0].code == code]
    assert bool(fix.is_preferred) == (code != "NAPI004")  # the hygiene-only override is never preferred
    return fix


def _codes(editor, path: Path) -> set[str]:
    return {d.code for d in editor.diagnostics(path)}


async def apply_and_save(editor, action: types.CodeAction) -> None:
    editor.apply(action.edit)
    editor.save_all()


# (example, file, diagnostic, initializationOptions, the CLI's flags, client)
QUICK_FIXES = [
    pytest.param("leaky-addon", "package.json", "NAPI001", None, (), name, id=f"spec-{name}")
    for name in CLIENTS
] + [
    pytest.param("leaky-addon", "package-lock.json", "NAPI001", None, (), "vscode", id="lock-entry"),
    pytest.param("leaky-addon", "package.json", "NAPI001", {"pin": "rollback"}, ("--pin", "rollback"), "emacs",
                 id="spec-rollback"),
    pytest.param("monorepo", "packages/helper/package.json", "NAPI001", None, (), "neovim-0.11",
                 id="workspace-member"),
    pytest.param("vendored", "binding.gyp", "NAPI003", None, (), "neovim-0.7", id="gyp-repoint"),
    pytest.param("vendored", "deps/node-addon-api/napi-inl.h", "NAPI003", None, (), "vscode",
                 id="leaky-copy-repoint"),
    pytest.param("vendored", "deps/node-addon-api/napi-inl.h", "NAPI003", {"patchVendored": True},
                 ("--patch-vendored",), "emacs", id="leaky-copy-patched"),
]


@pytest.mark.parametrize("example, rel, code, options, flags, name", QUICK_FIXES)
async def test_a_quick_fix_writes_what_the_cli_writes(editors, tmp_path, example, rel, code, options, flags, name):
    root = copy_example(example, tmp_path / example)
    expected = cli_result(root, tmp_path / "cli", *flags)
    editor = await editors(name, [root], options)
    await apply_and_save(editor, await quick_fix(editor, root / rel, code))
    assert snapshot(root) == expected
    await editor.codes(root / rel, set())  # and the server agrees


# Text before the edited span on its own line whose width differs in every
# encoding: CJK (3 UTF-8 bytes, 1 UTF-16 unit), an emoji (4 bytes, 2 units,
# 1 code point), a Latin letter with a diaeresis (2 bytes, 1 unit).
WIDE = "計数器 🎉 ä"
WIDE_SPEC = f'  "keywords": ["{WIDE}"], "dependencies": {{ "node-addon-api": "^8.2.0" }},\n'
WIDE_HEADER = ("#pragma once\n\n#include <napi.h>\n\n"
               f"struct Pair : Napi::ObjectWrap<Pair> {{ /* {WIDE} */ "
               "explicit Pair(const Napi::CallbackInfo& info); };\n")


def wide_addon(dest: Path) -> Path:
    """leaky-addon with the pinned spec, and a header's inserted Finalize, on
    a line with WIDE before them."""
    root = copy_example("leaky-addon", dest)
    package = root / "package.json"
    text = package.read_text(encoding="utf-8")
    spec = '  "dependencies": {\n    "node-addon-api": "^8.2.0"\n  },\n'
    assert spec in text
    package.write_text(text.replace(spec, WIDE_SPEC), encoding="utf-8")
    (root / "src" / "pair.h").write_text(WIDE_HEADER, encoding="utf-8")
    return root


@pytest.mark.parametrize("name", ["neovim-0.11", "vscode", "emacs"])  # utf-8, utf-16, utf-32
async def test_a_quick_fix_after_wide_text_on_its_line_writes_what_the_cli_writes(editors, tmp_path, name):
    root = wide_addon(tmp_path / "addon")
    expected = cli_result(root, tmp_path / "cli")
    finalized = cli_result(root, tmp_path / "cli-finalize", "--strategy", "finalize")
    editor = await editors(name, [root])
    assert editor.encoding == ENCODINGS[name]

    pin = await quick_fix(editor, root / "package.json", "NAPI001")
    _on_the_wide_line(pin, root / "package.json", 11)
    await apply_and_save(editor, pin)
    for rel in ("package.json", "package-lock.json"):
        assert (root / rel).read_bytes() == expected[rel], rel

    header = root / "src" / "pair.h"
    finalize = await quick_fix(editor, header, "NAPI004")
    _on_the_wide_line(finalize, header, 4)
    await apply_and_save(editor, finalize)
    assert header.read_bytes() == finalized["src/pair.h"] != WIDE_HEADER.encode()


def _on_the_wide_line(action: types.CodeAction, path: Path, line: int) -> None:
    """The action edits `path` on `line` after WIDE: the columns there
    depend on the encoding."""
    edit = action.edit
    per_file = {c.text_document.uri: c.edits for c in edit.document_changes} if edit.document_changes else edit.changes
    found, = per_file[uri(path)]
    assert (found.range.start.line, found.range.start.character > len(WIDE)) == (line, True), found.range


@pytest.mark.parametrize("name", ["neovim-0.7", "emacs"])
async def test_the_finalize_quick_fix_inserts_that_class_only(editors, tmp_path, name):
    root = copy_example("leaky-addon", tmp_path / "addon")
    expected = cli_result(root, tmp_path / "cli", "--strategy", "finalize")
    editor = await editors(name, [root])
    fix = await quick_fix(editor, root / "src" / "counter.h", "NAPI004")
    assert "hygiene only" in fix.title and "does not stop" in fix.title
    await apply_and_save(editor, fix)
    after = snapshot(root)
    assert after["src/counter.h"] == expected["src/counter.h"] != (EXAMPLES / "leaky-addon" / "src" / "counter.h").read_bytes()
    assert after["src/point.h"] == (EXAMPLES / "leaky-addon" / "src" / "point.h").read_bytes()
    await editor.codes(root / "src" / "counter.h", set())


@pytest.mark.parametrize("strategy, name", [("pin", "neovim-0.11"), ("finalize", "vscode"), ("both", "neovim-0.7")])
async def test_fix_all_follows_the_configured_strategy(editors, tmp_path, strategy, name):
    root = copy_example("leaky-addon", tmp_path / "addon")
    expected = cli_result(root, tmp_path / "cli", "--strategy", strategy)
    editor = await editors(name, [root], {"strategy": strategy})
    package = root / "package.json"
    await editor.codes(package, {"NAPI001"})
    editor.open(package)
    everything, = await editor.actions(package, _start(), only=["source.fixAll"])
    assert everything.kind == FIX_ALL and not everything.is_preferred
    await apply_and_save(editor, everything)
    assert snapshot(root) == expected


async def test_fix_all_from_a_member_fixes_its_workspace_root(editors, tmp_path):
    root = copy_example("monorepo", tmp_path / "monorepo")
    expected = cli_result(root, tmp_path / "cli")
    editor = await editors("emacs", [root])
    member = root / "packages" / "helper" / "package.json"
    await editor.codes(member, {"NAPI001"})
    editor.open(member)
    everything, = await editor.actions(member, _start(), only=[FIX_ALL])
    await apply_and_save(editor, everything)
    assert snapshot(root) == expected


@pytest.mark.parametrize("rel, name", [("package.json", "vscode"), ("src/counter.h", "neovim-0.11")])
async def test_fix_all_stays_in_its_package_when_the_folder_holds_two(editors, tmp_path, rel, name):
    """One workspace folder, two package roots with a lock each: fix-all
    from a document of one edits that package's files only."""
    folder = tmp_path / "folder"
    mine, other = copy_example("leaky-addon", folder / "mine"), copy_example("leaky-addon", folder / "other")
    expected = cli_result(mine, tmp_path / "cli", "--strategy", "both")
    untouched = snapshot(other)
    editor = await editors(name, [folder], {"strategy": "both"})
    document = mine / rel
    await editor.codes(document, {"NAPI001"} if rel == "package.json" else {"NAPI004"})
    await editor.codes(other / "package.json", {"NAPI001"})  # the other package is seen, and leaks too
    editor.open(document)
    everything, = await editor.actions(document, _start(), only=[FIX_ALL])
    await apply_and_save(editor, everything)
    assert snapshot(mine) == expected
    assert snapshot(other) == untouched


async def test_a_member_opened_as_the_workspace_keeps_its_lock_in_step(editors, tmp_path):
    """Neovim's root markers can make a workspace member the workspace
    folder: the fix still moves the lock of the workspace root above it."""
    root = copy_example("monorepo", tmp_path / "monorepo")
    expected = cli_result(root, tmp_path / "cli")
    member = root / "packages" / "helper"
    editor = await editors("neovim-0.11", [member])
    await apply_and_save(editor, await quick_fix(editor, member / "package.json", "NAPI001"))
    assert snapshot(root) == expected


@pytest.mark.parametrize("name", list(CLIENTS))
async def test_changes_or_document_changes_as_the_client_can_take(editors, tmp_path, name):
    root = copy_example("leaky-addon", tmp_path / "addon")
    editor = await editors(name, [root])
    fix = await quick_fix(editor, root / "package.json", "NAPI001")
    if editor.client.capabilities.workspace.workspace_edit.document_changes:
        assert fix.edit.changes is None
        versions = {c.text_document.uri.rsplit("/", 1)[1]: c.text_document.version for c in fix.edit.document_changes}
        assert versions == {"package.json": 1, "package-lock.json": None}  # the lock is not open
    else:  # both Neovim snapshots
        assert fix.edit.document_changes is None
        assert sorted(u.rsplit("/", 1)[1] for u in fix.edit.changes) == ["package-lock.json", "package.json"]


@pytest.mark.parametrize("name, lazy", [("neovim-0.7", True), ("neovim-0.11", True), ("vscode", True),
                                        ("emacs", False)])
async def test_edits_are_resolved_lazily_when_the_client_can(editors, tmp_path, name, lazy):
    root = copy_example("leaky-addon", tmp_path / "addon")
    editor = await editors(name, [root])
    package = root / "package.json"
    spec, = await editor.codes(package, {"NAPI001"})
    editor.open(package)
    offered = await editor.client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri(package)), range=spec.range,
        context=types.CodeActionContext(diagnostics=[spec])))
    assert {a.edit is None for a in offered} == {lazy}
    if lazy:
        resolved = await editor.client.code_action_resolve_async(offered[0])
        assert resolved.edit is not None


ONLY = [
    pytest.param(None, {"quickfix", FIX_ALL}, id="everything"),
    pytest.param(["quickfix"], {"quickfix"}, id="quickfix"),
    pytest.param(["source"], {FIX_ALL}, id="source"),
    pytest.param(["source.fixAll"], {FIX_ALL}, id="source.fixAll"),
    pytest.param([FIX_ALL], {FIX_ALL}, id="own-kind"),
    pytest.param(["refactor"], set(), id="refactor"),
]


@pytest.mark.parametrize("only, kinds", ONLY)
async def test_context_only_is_honoured(editors, tmp_path, only, kinds):
    root = copy_example("leaky-addon", tmp_path / "addon")
    editor = await editors("vscode", [root])
    package = root / "package.json"
    spec, = await editor.codes(package, {"NAPI001"})
    editor.open(package)
    offered = await editor.actions(package, spec.range, [spec], only=only)
    assert {a.kind for a in offered} == kinds


async def test_no_quick_fix_away_from_a_diagnostic(editors, tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    editor = await editors("vscode", [root])
    package = root / "package.json"
    await editor.codes(package, {"NAPI001"})
    editor.open(package)
    offered = await editor.actions(package, _start())
    assert [a.kind for a in offered] == [FIX_ALL]


def _start() -> types.Range:
    return types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))


@pytest.mark.parametrize("strategy, offered", [("pin", False), ("finalize", True)])
async def test_fix_all_of_a_stray_header_follows_the_strategy(editors, tmp_path, strategy, offered):
    """A header with no package above it is its own root: pin has nothing to
    fix there, finalize inserts its overrides."""
    stray = tmp_path / "notes" / "wrap.h"
    stray.parent.mkdir()
    stray.write_text("class Stray : public Napi::ObjectWrap<Stray> {\n public:\n  Stray();\n};\n")
    expected = cli_result(stray.parent, tmp_path / "cli", "--strategy", "finalize")
    editor = await editors("vscode", [], {"strategy": strategy})
    editor.open(stray)
    await editor.codes(stray, {"NAPI004"})
    found = await editor.actions(stray, _start(), only=[FIX_ALL])
    assert bool(found) == offered
    if offered:
        await apply_and_save(editor, found[0])
        assert stray.read_bytes() == expected["wrap.h"]
