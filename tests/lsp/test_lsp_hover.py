"""Hover on a finding, through a real LSP client: the rule, what its fix
will change (the spec and lock lines, the override) and the measured truth."""

from __future__ import annotations

import pytest
from lsprotocol import types

from codemod.rules import HYGIENE_TRUTH
from helpers import write_tree
from lsp_harness import copy_example, uri
from present.test_json import FILE_SPEC

pytestmark = pytest.mark.asyncio


async def hover_on(editor, path, diagnostic) -> str:
    editor.open(path) if str(path) not in editor.buffers else None
    answer = await editor.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri(path)), position=diagnostic.range.start))
    assert answer is not None and answer.range == diagnostic.range
    assert answer.contents.kind == types.MarkupKind.Markdown
    return answer.contents.value


@pytest.mark.parametrize("name", ["vscode", "neovim-0.11"])
async def test_hover_on_a_spec_tells_the_pin_and_the_lock_line(editors, tmp_path, name):
    root = copy_example("leaky-addon", tmp_path / "addon")
    editor = await editors(name, [root])
    spec, = await editor.codes(root / "package.json", {"NAPI001"})
    text = await hover_on(editor, root / "package.json", spec)
    assert text.startswith("**NAPI001**")
    assert "The fix will change:" in text
    assert '- package.json line 13: `"^8.2.0"` → `"^8.2.2"`' in text
    assert '- package-lock.json line 19: `"8.2.1"` → `"8.2.2"`' in text  # the lock entry moves with it
    assert "the version pin is the fix" in text
    assert "/docs/rules/NAPI001.md)" in text


async def test_hover_on_a_class_says_the_override_is_hygiene(editors, tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    editor = await editors("emacs", [root])
    hint, = await editor.codes(root / "src" / "counter.h", {"NAPI004"})
    text = await hover_on(editor, root / "src" / "counter.h", hint)
    assert "- src/counter.h line 11: insert `void Finalize(Napi::Env /*env*/) override {}`" in text
    assert HYGIENE_TRUTH in text  # NAPI004's one sentence, as the command line and the action say it
    assert "the version pin is the fix" not in text


async def test_hover_on_a_refusal_gives_the_command_to_run(editors, tmp_path):
    root = tmp_path / "app"
    write_tree(root, FILE_SPEC)  # a file: spec npm checks literally: napi-fix refuses the root
    editor = await editors("vscode", [root])
    refusal, = await editor.codes(root / "package-lock.json", {"NAPI005"})
    text = await hover_on(editor, root / "package-lock.json", refusal)
    assert "**Run:** `npm install node-addon-api@^8.2.2`" in text and "The fix will change" not in text


async def test_no_hover_away_from_findings(editors, tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    editor = await editors("vscode", [root])
    await editor.codes(root / "package.json", {"NAPI001"})
    editor.open(root / "package.json")
    answer = await editor.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri(root / "package.json")),
        position=types.Position(line=1, character=2)))
    assert answer is None
