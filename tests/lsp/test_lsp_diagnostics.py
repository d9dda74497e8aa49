"""`napi-fix lsp` end to end: what each editor is told, and where.

Every test starts the real server over stdio with pytest-lsp's client and
one of the capability snapshots it ships (Neovim 0.7 and 0.11, VS Code,
Emacs), on a real tree in a temporary folder.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from lsprotocol import types
from pygls.uris import to_fs_path

from codemod.parallel import MIN_ITEMS_FOR_POOL
from lsp_harness import CLIENTS, ENCODINGS, EXAMPLES, cli_result, copy_example, text_at, uri

pytestmark = pytest.mark.asyncio

ALL = list(CLIENTS)


@pytest.mark.parametrize("name", ALL)
async def test_pushed_diagnostics_carry_code_source_link_and_related(editors, tmp_path, name):
    root = copy_example("leaky-addon", tmp_path / "addon")
    editor = await editors(name, [root])
    spec, = await editor.codes(root / "package.json", {"NAPI001"})
    lock, = await editor.codes(root / "package-lock.json", {"NAPI001"})
    hints = await editor.codes(root / "src" / "counter.h", {"NAPI004"})
    for found in (spec, lock, *hints):
        assert found.source == "napi-fix"
        href = found.code_description.href  # the rule's own page, which exists
        assert href == f"https://github.com/napi-fix/napi-fix/blob/main/docs/rules/{found.code}.md"
        assert (EXAMPLES.parent / "docs" / "rules" / f"{found.code}.md").is_file()
    assert spec.severity == lock.severity == types.DiagnosticSeverity.Error
    assert hints[0].severity == types.DiagnosticSeverity.Hint
    assert "hygiene" in hints[0].message and "does not stop" in hints[0].message
    text = (root / "package.json").read_text()
    assert text_at(text, spec.range, editor.encoding) == '"^8.2.0"'
    lock_text = (root / "package-lock.json").read_text()
    assert text_at(lock_text, lock.range, editor.encoding) == '"8.2.1"'
    if editor.client.capabilities.text_document.publish_diagnostics.related_information:
        assert [r.location.uri for r in spec.related_information] == [uri(root / "package-lock.json")]
        assert [r.location.uri for r in lock.related_information] == [uri(root / "package.json")]
        assert text_at(lock_text, spec.related_information[0].location.range, editor.encoding) == '"8.2.1"'
    else:
        assert spec.related_information is None  # Emacs 29 does not take it


@pytest.mark.parametrize("example", ["leaky-addon", "monorepo", "vendored"])
async def test_the_editor_hears_exactly_what_the_cli_reports_in_sarif(editors, tmp_path, example):
    """Every (file, rule, line, column) of `napi-fix --format sarif --strategy
    both` (the server's default analysis), and nothing else, is a diagnostic.
    bench/lsp_realworld.py checks the same on the real-addon corpus."""
    root = copy_example(example, tmp_path / example)
    done = subprocess.run([sys.executable, "-m", "codemod", "--dry-run", "--format", "sarif", "--strategy", "both",
                           "."], cwd=root, capture_output=True, text=True, timeout=120)
    # The monorepo compiles no ObjectWrap class against its leaky lock entry: pins pending, no leak (3).
    assert done.returncode == (3 if example == "monorepo" else 1), done.stderr
    severity = {"error": 1, "warning": 2, "note": 4}  # the editor's severity follows SARIF's level
    wanted = set()
    for result in json.loads(done.stdout)["runs"][0]["results"]:
        for location in result["locations"]:
            where = location["physicalLocation"]
            wanted.add((unquote(where["artifactLocation"]["uri"]), result["ruleId"],
                        where["region"]["startLine"], where["region"]["startColumn"], severity[result["level"]]))
    assert wanted  # never a comparison of two empty sets
    editor = await editors("vscode", [root])  # UTF-16 columns, as SARIF's

    def heard():
        return {(Path(to_fs_path(u)).relative_to(root).as_posix(), d.code, d.range.start.line + 1,
                 d.range.start.character + 1, int(d.severity)) for u, found in editor.client.diagnostics.items()
                for d in found}
    try:
        await editor.wait_for(lambda: heard() == wanted)
    except AssertionError:
        assert heard() == wanted  # shows the difference


UNICODE_PACKAGE = (
    '{"name": "u",\t"description": "日本語 🎉 ok",\t"dependencies": {"node-addon-api": "^8.2.0"}}\n'
)
UNICODE_HEADER = (
    "#include <napi.h>\n"
    "/* 🎉 日本\t*/ class Wide : public Napi::ObjectWrap<Wide> {\n"
    " public:\n"
    "  explicit Wide(const Napi::CallbackInfo& info);\n"
    "};\n"
)


@pytest.mark.parametrize("name", ALL)
async def test_ranges_are_counted_in_the_negotiated_encoding(editors, tmp_path, name):
    """Tabs, CJK and an emoji before the finding on the same line: utf-8,
    utf-16 and utf-32 columns all differ there."""
    root = copy_example("leaky-addon", tmp_path / "addon")
    (root / "package.json").write_text(UNICODE_PACKAGE)
    (root / "src" / "wide.h").write_text(UNICODE_HEADER)
    editor = await editors(name, [root])
    assert editor.initialize_result.capabilities.position_encoding == ENCODINGS[name]
    spec, = await editor.codes(root / "package.json", {"NAPI001"})
    assert text_at(UNICODE_PACKAGE, spec.range, editor.encoding) == '"^8.2.0"'
    wide, = await editor.codes(root / "src" / "wide.h", {"NAPI004"})
    assert text_at(UNICODE_HEADER, wide.range, editor.encoding) == "Wide"
    # The same ranges from an open buffer (the server's own copy of the text).
    editor.open(root / "package.json")
    actions = await editor.actions(root / "package.json", spec.range)
    assert {a.kind for a in actions} == {"quickfix", "source.fixAll.napi-fix"}


@pytest.mark.parametrize("name", ["neovim-0.7", "emacs"])
async def test_a_broken_manifest_is_one_diagnostic_and_the_server_goes_on(editors, tmp_path, name):
    root = copy_example("leaky-addon", tmp_path / "addon")
    good = (root / "package.json").read_text()
    broken = good.replace('"^8.2.0"\n', '"^8.2.0",\n')  # a trailing comma on line 13
    (root / "package.json").write_text(broken)
    editor = await editors(name, [root])
    error, = await editor.wait_for(lambda: editor.diagnostics(root / "package.json"))
    assert error.severity == types.DiagnosticSeverity.Error and error.source == "napi-fix"
    assert error.code is None
    assert error.range.start.line in (12, 13)  # the comma's line, or the brace that follows it
    assert "line" in error.message
    # Repair the buffer: the real findings come back, from the same server.
    editor.open(root / "package.json")
    editor.type(root / "package.json", good)
    await editor.codes(root / "package.json", {"NAPI001"})
    await editor.codes(root / "package-lock.json", {"NAPI001"})


@pytest.mark.parametrize("name", ["neovim-0.11", "vscode"])
async def test_an_unsaved_buffer_is_analyzed_and_fixed_without_touching_the_disk(editors, tmp_path, name):
    root = copy_example("leaky-addon", tmp_path / "addon")
    safe = cli_result(root, tmp_path / "fixed")
    for rel in ("package.json", "package-lock.json"):
        (root / rel).write_bytes(safe[rel])
    editor = await editors(name, [root])
    package = root / "package.json"
    editor.open(package)
    await editor.codes(package, set())
    editor.type(package, safe["package.json"].decode().replace('"^8.2.2"', '"^8.2.0"'))
    spec, = await editor.codes(package, {"NAPI002"})  # the lock still resolves 8.2.2: a warning
    assert spec.severity == types.DiagnosticSeverity.Warning
    assert package.read_bytes() == safe["package.json"]
    fix, = [a for a in await editor.actions(package, spec.range) if a.kind == "quickfix"]
    editor.apply(fix.edit)
    await editor.codes(package, set())
    assert editor.buffers[str(package)].encode() == safe["package.json"]


async def test_typing_fast_in_a_header_ends_with_the_diagnostics_of_its_last_bytes(editors, tmp_path):
    """Keystrokes 20 ms apart: the server starts a scan on a worker for
    several of them (lsp/session.py), and the re-plan must take none but the
    one of the buffer's last bytes."""
    root = copy_example("leaky-addon", tmp_path / "addon")
    header = root / "src" / "counter.h"
    editor = await editors("vscode", [root])
    editor.open(header)
    await editor.codes(header, {"NAPI004"})
    text = header.read_text()
    finalize = "  void Finalize(Napi::Env /*env*/) override {}\n\n private:"
    for step in range(9):  # odd steps add an override: no hint for those
        typed = text.replace("Counter", f"Typed{step}")
        editor.type(header, typed.replace("\n private:", finalize) if step % 2 else typed)
        await asyncio.sleep(0.02)

    def hinted():
        return [text_at(editor.buffers[str(header)], d.range, editor.encoding) for d in editor.diagnostics(header)]
    await editor.wait_for(lambda: hinted() == ["Typed8"])
    await asyncio.sleep(0.5)  # a late publish of an older scan would land here
    assert hinted() == ["Typed8"]


async def test_a_lockfile_changed_on_disk_republishes_its_dependents(editors, tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    editor = await editors("vscode", [root])
    await editor.codes(root / "package.json", {"NAPI001"})
    await editor.wait_for(lambda: editor.registrations)
    registration, = editor.registrations
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    globs = {w["globPattern"] for w in registration.register_options["watchers"]}
    assert {"**/package-lock.json", "**/yarn.lock", "**/pnpm-lock.yaml", "**/binding.gyp"} <= globs
    # Another tool fixes the lock and the spec behind the editor's back.
    fixed = cli_result(root, tmp_path / "fixed")
    lock = root / "package-lock.json"
    lock.write_bytes(fixed["package-lock.json"])
    editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=uri(lock), type=types.FileChangeType.Changed)]))
    # The lock now resolves 8.2.2; the spec still admits 8.2.0: a warning, no longer an error.
    await editor.codes(root / "package-lock.json", set())
    await editor.codes(root / "package.json", {"NAPI002"})


async def test_pull_diagnostics_serve_open_documents_and_push_the_rest(editors, tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    editor = await editors("pull", [root])
    assert editor.initialize_result.capabilities.diagnostic_provider.inter_file_dependencies
    package = root / "package.json"
    await editor.codes(package, {"NAPI001"})
    editor.open(package)
    await editor.codes(package, set())  # pushed ones taken back: the client pulls this one
    report = await editor.client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=uri(package))))
    assert [d.code for d in report.items] == ["NAPI001"]
    await editor.codes(root / "package-lock.json", {"NAPI001"})  # not open: still pushed
    again = await editor.client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=uri(package)), previous_result_id=report.result_id))
    assert again.kind == "unchanged"
    # The lock is edited elsewhere: the client is asked to pull again, and gets the warning.
    refreshes = editor.client.diagnostic_refresh_count
    fixed = cli_result(root, tmp_path / "fixed")
    (root / "package-lock.json").write_bytes(fixed["package-lock.json"])
    editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=uri(root / "package-lock.json"), type=types.FileChangeType.Changed)]))
    await editor.wait_for(lambda: editor.client.diagnostic_refresh_count > refreshes)
    report = await editor.client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=uri(package))))
    assert [d.code for d in report.items] == ["NAPI002"]


@pytest.mark.parametrize("name", ["neovim-0.11", "vscode", "emacs", "neovim-0.7"])
async def test_pull_is_offered_only_to_a_client_that_can_be_asked_to_pull_again(editors, tmp_path, name):
    root = copy_example("leaky-addon", tmp_path / "addon")
    editor = await editors(name, [root])
    assert editor.initialize_result.capabilities.diagnostic_provider is None
    editor.open(root / "package.json")
    await editor.codes(root / "package.json", {"NAPI001"})  # pushed, open or not


async def test_a_stale_change_is_dropped(editors, tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    editor = await editors("vscode", [root])
    package = root / "package.json"
    editor.open(package)
    text = package.read_text()
    editor.type(package, text.replace('"^8.2.0"', '"^8.2.2"'))  # version 2
    editor.client.text_document_did_change(types.DidChangeTextDocumentParams(  # an old version 1 arrives late
        text_document=types.VersionedTextDocumentIdentifier(uri=uri(package), version=1),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
    await editor.codes(package, set())
    editor.type(package, text)  # version 3: the leak is back
    await editor.codes(package, {"NAPI001"})


async def test_workspace_folders_and_a_file_outside_them(editors, tmp_path):
    addon = copy_example("leaky-addon", tmp_path / "one" / "addon")
    vendored = copy_example("vendored", tmp_path / "two" / "vendored")
    outside = copy_example("monorepo", tmp_path / "elsewhere" / "monorepo")
    editor = await editors("neovim-0.11", [addon, vendored])
    await editor.codes(addon / "package.json", {"NAPI001"})
    await editor.codes(vendored / "binding.gyp", {"NAPI003"})
    assert not editor.diagnostics(outside / "package-lock.json")
    member = outside / "packages" / "helper" / "package.json"
    editor.open(member)  # served from its nearest package root
    await editor.codes(member, {"NAPI001"})


async def test_workspace_folders_come_and_go(editors, tmp_path):
    addon = copy_example("leaky-addon", tmp_path / "addon")
    vendored = copy_example("vendored", tmp_path / "vendored")
    editor = await editors("vscode", [addon])
    await editor.codes(addon / "package.json", {"NAPI001"})
    folder = types.WorkspaceFolder(uri=uri(vendored), name="vendored")
    editor.client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
        event=types.WorkspaceFoldersChangeEvent(added=[folder], removed=[])))
    await editor.codes(vendored / "binding.gyp", {"NAPI003"})
    editor.client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
        event=types.WorkspaceFoldersChangeEvent(added=[], removed=[folder])))
    await editor.codes(vendored / "binding.gyp", set())
    assert editor.diagnostics(addon / "package.json")


async def test_a_stray_file_is_analyzed_alone(editors, tmp_path):
    """No package, build file or checkout above it: the file itself, not a walk of its folder."""
    stray = tmp_path / "notes" / "wrap.h"
    stray.parent.mkdir()
    stray.write_text("class Stray : public Napi::ObjectWrap<Stray> {\n public:\n  Stray();\n};\n")
    (tmp_path / "notes" / "other.h").write_text("class Other : public Napi::ObjectWrap<Other> {};\n")
    editor = await editors("neovim-0.7", [])
    editor.open(stray)
    await editor.codes(stray, {"NAPI004"})
    assert not editor.diagnostics(tmp_path / "notes" / "other.h")


async def test_a_workspace_large_enough_for_the_worker_pool_is_analyzed(editors, tmp_path):
    """Enough C/C++ files that the engine forks its workers. Forked after
    pygls's stdin reader thread had started, they hung for ever and no
    diagnostic ever came (found on duckdb's 4,356 files)."""
    root = copy_example("leaky-addon", tmp_path / "addon")
    header = (root / "src" / "counter.h").read_text()
    for i in range(MIN_ITEMS_FOR_POOL):
        (root / "src" / f"counter{i}.h").write_text(header.replace("Counter", f"Counter{i}"))
    editor = await editors("vscode", [root])
    await editor.codes(root / "package.json", {"NAPI001"})
    last = root / "src" / f"counter{MIN_ITEMS_FOR_POOL - 1}.h"
    hint, = await editor.codes(last, {"NAPI004"})
    assert text_at(last.read_text(), hint.range, editor.encoding) == f"Counter{MIN_ITEMS_FOR_POOL - 1}"


async def test_a_bad_request_is_answered_with_an_error_and_the_server_goes_on(editors, tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    editor = await editors("neovim-0.7", [root])
    await editor.codes(root / "package.json", {"NAPI001"})
    # Params that are not a CodeActionParams, as a buggy client might send them.
    editor.client.protocol._send_data({"jsonrpc": "2.0", "id": "bad", "method": "textDocument/codeAction",
                                       "params": {"textDocument": 1}})
    resolved = await editor.client.code_action_resolve_async(types.CodeAction(
        title="stale", data={"uri": uri(root / "package.json"), "key": "NAPI001:nowhere"}))
    assert resolved.edit is None
    assert any("no longer applies" in m.message for m in editor.client.log_messages)
    editor.open(root / "package.json")
    actions = await editor.actions(root / "package.json", types.Range(
        start=types.Position(line=12, character=24), end=types.Position(line=12, character=24)))
    assert actions


async def test_initialization_options_are_checked(editors, tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    editor = await editors("vscode", [root], options={"strategy": "everything"})
    await editor.codes(root / "package.json", {"NAPI001"})
    assert any("strategy 'everything'" in m.message for m in editor.client.log_messages)


async def test_a_large_lockfile_typed_into_says_and_fixes_what_the_cli_does(editors, tmp_path):
    """Edits inside one entry of a large lock are read from the last parse
    (jsonreparse.py); what the editor is told, and the fix it applies, stay
    those of `napi-fix` on the same bytes, though every later offset moved."""
    root = copy_example("leaky-addon", tmp_path / "addon")
    lock_path = root / "package-lock.json"
    lock = json.loads(lock_path.read_text())
    packages = {"": lock["packages"].pop("")}
    for i in range(1500):  # plain entries before node-addon-api's: ~250 KB
        packages[f"node_modules/dep-{i:04d}"] = {"version": "1.0.0", "license": "MIT", "os": ["linux"]}
    lock["packages"] = {**packages, **lock["packages"]}
    lock_path.write_text(json.dumps(lock, indent=2) + "\n")
    editor = await editors("vscode", [root])
    editor.open(lock_path)
    await editor.codes(lock_path, {"NAPI001"})
    text = editor.buffers[str(lock_path)]
    entry = '"node_modules/dep-0100": {\n      "version": '
    typing = [(entry + '"1.0.0",', entry + '"1.0.10",'),  # longer, same lines
              (entry + '"1.0.10",', entry + '"1.0.1",\n      "dev": true,\n      "optional": true,')]  # two lines more
    for before, after in typing:
        assert before in text
        text = text.replace(before, after)
        editor.type(lock_path, text)

        def napi001_at_the_version():
            found = [d for d in editor.diagnostics(lock_path) if d.code == "NAPI001"]
            return len(found) == 1 and text.split("\n")[found[0].range.start.line].strip() == '"version": "8.2.1",'
        await editor.wait_for(napi001_at_the_version)
        napi, = [d for d in editor.diagnostics(lock_path) if d.code == "NAPI001"]
        assert text_at(text, napi.range, "utf-16") == '"8.2.1"'
    editor.save(lock_path)
    expected = cli_result(root, tmp_path / "fixed")
    napi, = [d for d in editor.diagnostics(lock_path) if d.code == "NAPI001"]
    fix, = [a for a in await editor.actions(lock_path, napi.range) if a.kind == "quickfix"]
    editor.apply(fix.edit)
    assert editor.buffers[str(lock_path)].encode() == expected["package-lock.json"]
