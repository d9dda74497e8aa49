"""The server's settings and commands through a real LSP client: the
project's package.json "napi-fix" key and ignore comment (the same the CLI
and batch honour: test_settings.py), settings changed without a restart,
and the napi-fix.fixAll and napi-fix.showPlan commands."""

from __future__ import annotations

import subprocess
import sys

from pathlib import Path

import pytest
from lsprotocol import types
from pygls.uris import to_fs_path

from lsp_harness import cli_result, copy_example, snapshot
from test_settings import project

pytestmark = pytest.mark.asyncio


async def test_the_server_follows_the_package_json_key_and_the_comment(editors, tmp_path):
    root = project(tmp_path / "addon")
    expected = cli_result(root, tmp_path / "cli")  # no flags: the package.json decides (strategy both)
    editor = await editors("neovim-0.11", [root])  # the editor asks for pin only; the project wins
    await editor.codes(root / "src" / "point.h", {"NAPI004"})
    await editor.codes(root / "package.json", {"NAPI001"})
    assert editor.diagnostics(root / "src" / "counter.h") == []  # its ignore comment
    assert editor.diagnostics(root / "src" / "timer.h") == []  # excluded
    await fix_workspace(editor)
    assert snapshot(root) == expected


async def test_editing_the_key_takes_effect_at_once(editors, tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    editor = await editors("neovim-0.11", [root])
    await editor.codes(root / "src" / "counter.h", {"NAPI004"})
    package = root / "package.json"
    editor.open(package)
    text = editor.buffers[str(package)]
    editor.type(package, text.replace('"private": true,', '"private": true,\n  "napi-fix": {"ignore": ["NAPI004"]},'))
    await editor.codes(root / "src" / "counter.h", set())  # unsaved, and already honoured
    assert {d.code for d in editor.diagnostics(package)} == {"NAPI001"}


async def test_settings_change_without_a_restart(editors, tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    editor = await editors("vscode", [root], {"finalizeHints": False})
    await editor.codes(root / "package.json", {"NAPI001"})
    assert editor.diagnostics(root / "src" / "counter.h") == []
    editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"napi-fix": {"finalizeHints": True}}))  # as VS Code sends it: every section by name
    await editor.codes(root / "src" / "counter.h", {"NAPI004"})
    editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"napi-fix": {"finalizeHints": "yes"}}))  # wrong: logged, the settings in use kept
    await editor.wait_for(lambda: any("finalizeHints must be true or false" in m.message
                                      for m in editor.client.log_messages))
    assert [d.code for d in editor.diagnostics(root / "src" / "counter.h")] == ["NAPI004"]


async def test_a_bare_notification_makes_the_server_ask(editors, tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    editor = await editors("neovim-0.11", [root], {"finalizeHints": False})
    await editor.codes(root / "package.json", {"NAPI001"})
    editor.client.set_configuration({"finalizeHints": True}, section="napi-fix")
    editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await editor.codes(root / "src" / "counter.h", {"NAPI004"})


@pytest.mark.parametrize("strategy, name", [("pin", "vscode"), ("both", "neovim-0.7")])
async def test_show_plan_is_the_dry_run_diff(editors, tmp_path, strategy, name):
    root = copy_example("leaky-addon", tmp_path / "addon")
    dry_run = subprocess.run([sys.executable, "-m", "codemod", "--dry-run", "--strategy", strategy, "."],
                             cwd=root, capture_output=True, text=True).stdout
    editor = await editors(name, [root], {"strategy": strategy})
    assert list(editor.initialize_result.capabilities.execute_command_provider.commands) == [
        "napi-fix.fixAll", "napi-fix.showPlan"]
    await editor.codes(root / "package.json", {"NAPI001"})
    answer = await editor.client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="napi-fix.showPlan"))
    assert answer["diff"] == dry_run
    assert Path(to_fs_path(answer["uri"])).read_text() == dry_run  # saved where an editor can open it
    if name == "vscode":  # it can show a document: the plan is opened
        shown, = editor.client.shown_documents
        assert shown.uri == answer["uri"]
    else:  # Neovim 0.7 cannot: a message names the file
        await editor.wait_for(lambda: editor.client.messages)
        assert editor.client.messages[0].message == f"napi-fix: the plan is in {to_fs_path(answer['uri'])}"
        assert editor.client.shown_documents == []


async def fix_workspace(editor) -> dict:
    """napi-fix.fixAll, its workspace/applyEdit applied as the editor does, and saved."""
    @editor.client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply(params: types.ApplyWorkspaceEditParams):
        editor.apply(params.edit)
        return types.ApplyWorkspaceEditResult(applied=True)

    answer = await editor.client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="napi-fix.fixAll"))
    editor.save_all()
    return answer


@pytest.mark.parametrize("strategy, name", [("pin", "emacs"), ("finalize", "neovim-0.7")])
async def test_fix_all_command_writes_what_the_cli_writes(editors, tmp_path, strategy, name):
    root = copy_example("monorepo" if strategy == "pin" else "leaky-addon", tmp_path / "tree")
    expected = cli_result(root, tmp_path / "cli", "--strategy", strategy)
    editor = await editors(name, [root], {"strategy": strategy})
    await editor.wait_for(lambda: editor.client.diagnostics)
    answer = await fix_workspace(editor)
    assert answer["filesChanged"] > 0
    assert snapshot(root) == expected
