"""An editor in a test: pytest-lsp's client, a client capability snapshot,
and a few things every editor does (open, type, apply a workspace edit, save).

Positions are converted here independently of codemod/textpos.py (plain
str slicing per encoding), so a wrong column in the server cannot be
cancelled out by the same mistake on the test's side.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from pytest_lsp import LanguageClient, client_capabilities, make_test_lsp_client

from checkout import EXAMPLES, ROOT  # noqa: F401  (EXAMPLES re-exported for the LSP tests)
from codemod.cli import main
from helpers import copy_example, snapshot  # noqa: F401  (re-exported: the LSP tests import them from here)

SERVER = [sys.executable, "-m", "codemod", "lsp"]
STOP_SECONDS = 30

# The snapshots pytest-lsp ships, by the name tests use.
CLIENTS = {
    "neovim-0.7": "neovim@v0.7.0",
    "neovim-0.11": "neovim@v0.11.0",
    "vscode": "visual-studio-code@v1.65.2",
    "emacs": "emacs@v29.1",
}
# What each negotiates: Neovim 0.11 offers utf-8 first, Emacs 29 utf-32 first.
ENCODINGS = {"neovim-0.7": "utf-16", "neovim-0.11": "utf-8", "vscode": "utf-16", "emacs": "utf-32"}


def capabilities(name: str) -> types.ClientCapabilities:
    if name == "pull":
        # A client that pulls and can be asked to pull again (current VS Code
        # does); none of the shipped snapshots has both.
        caps = client_capabilities(CLIENTS["neovim-0.11"])
        caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
        return caps
    return client_capabilities(CLIENTS[name])


def uri(path: Path | str) -> str:
    return from_fs_path(str(path))


# -- positions, counted without the server's code -----------------------------------------


def _lines(text: str) -> list[str]:
    """Lines with their breaks (\\n, \\r\\n, \\r), as the protocol counts them."""
    out, start, i = [], 0, 0
    while i < len(text):
        if text[i] in "\r\n":
            end = i + 2 if text[i:i + 2] == "\r\n" else i + 1
            out.append(text[start:end])
            start = i = end
        else:
            i += 1
    out.append(text[start:])
    return out


def _units(char: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(char.encode("utf-8"))
    if encoding == "utf-16":
        return len(char.encode("utf-16-le")) // 2
    return 1


def offset(text: str, position: types.Position, encoding: str) -> int:
    """str index of an LSP position."""
    lines = _lines(text)
    before = sum(len(line) for line in lines[:position.line])
    line = lines[position.line].rstrip("\r\n") if position.line < len(lines) else ""
    count = index = 0
    while index < len(line) and count < position.character:
        count += _units(line[index], encoding)
        index += 1
    return before + index


def text_at(text: str, range_: types.Range, encoding: str) -> str:
    return text[offset(text, range_.start, encoding):offset(text, range_.end, encoding)]


def apply_text_edits(text: str, edits, encoding: str) -> str:
    spans = sorted(((offset(text, e.range.start, encoding), offset(text, e.range.end, encoding), e.new_text)
                    for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


# -- the editor ------------------------------------------------------------------------------


@dataclass
class Editor:
    client: LanguageClient
    name: str
    encoding: str = "utf-16"
    buffers: dict[str, str] = field(default_factory=dict)  # path -> unsaved text
    versions: dict[str, int] = field(default_factory=dict)
    registrations: list[types.Registration] = field(default_factory=list)

    def open(self, path: Path) -> None:
        key = str(path)
        self.buffers[key] = path.read_bytes().decode("utf-8")
        self.versions[key] = 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
            uri=uri(path), language_id=_language(path), version=1, text=self.buffers[key])))

    def type(self, path: Path, text: str) -> None:
        """Replace the buffer's text with one incremental change."""
        key = str(path)
        old = self.buffers[key]
        lines = _lines(old)
        end = types.Position(line=len(lines) - 1, character=sum(_units(c, self.encoding) for c in lines[-1]))
        self.versions[key] += 1
        self.buffers[key] = text
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri(path), version=self.versions[key]),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line=0, character=0), end=end), text=text)]))

    def save(self, path: Path) -> None:
        path.write_bytes(self.buffers[str(path)].encode("utf-8"))
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path))))

    def diagnostics(self, path: Path) -> list[types.Diagnostic]:
        return list(self.client.diagnostics.get(uri(path), []))

    async def wait_for(self, check, timeout: float = 20.0):
        """Wait until check() is truthy (diagnostics arrive as notifications)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = check()
            if value:
                return value
            if loop.time() > deadline:
                raise AssertionError(f"timed out waiting for {getattr(check, '__name__', check)}; "
                                     f"log: {[m.message for m in self.client.log_messages]}")
            await asyncio.sleep(0.02)

    async def codes(self, path: Path, wanted: set[str], timeout: float = 20.0) -> list[types.Diagnostic]:
        """Diagnostics of `path` once their codes are exactly `wanted`."""
        def arrived():
            found = self.diagnostics(path)
            return found if {d.code for d in found} == wanted else None
        if not wanted:
            await self.wait_for(lambda: not self.diagnostics(path), timeout)
            return []
        return await self.wait_for(arrived, timeout)

    async def actions(self, path: Path, range_: types.Range, diagnostics=(), only=None) -> list[types.CodeAction]:
        """Code actions, each resolved the way this client would."""
        found = await self.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)), range=range_,
            context=types.CodeActionContext(diagnostics=list(diagnostics), only=only)))
        resolved = []
        for action in found or []:
            if action.edit is None and action.data is not None:
                action = await self.client.code_action_resolve_async(action)
            resolved.append(action)
        return resolved

    def apply(self, edit: types.WorkspaceEdit) -> None:
        """Apply a workspace edit as an editor does: a file that is not open is
        opened first, every file is edited in its buffer (checking the
        version the edit was made for), and nothing is saved."""
        if edit.document_changes is not None:
            per_file = []
            for change in edit.document_changes:
                assert isinstance(change, types.TextDocumentEdit), change
                path = to_fs_path(change.text_document.uri)
                if change.text_document.version is not None:
                    assert change.text_document.version == self.versions.get(path), "edit for another version"
                else:
                    assert path not in self.buffers, "an open document's edit without its version"
                per_file.append((path, change.edits))
        else:
            per_file = [(to_fs_path(u), edits) for u, edits in (edit.changes or {}).items()]
        for path, edits in per_file:
            if path not in self.buffers:
                self.open(Path(path))
            self.type(Path(path), apply_text_edits(self.buffers[path], edits, self.encoding))

    def save_all(self) -> None:
        for path in self.buffers:
            self.save(Path(path))


def _language(path: Path) -> str:
    if path.suffix == ".json":
        return "json"
    if path.name == "binding.gyp":
        return "python"
    return "cpp"


async def start_editor(name: str, folders: list[Path], options: dict | None = None,
                       caps: types.ClientCapabilities | None = None, env: dict[str, str] | None = None,
                       wrapper: tuple[str, ...] = ()) -> Editor:
    """`wrapper`: a command the server is run under (setpriv, to drop root's read-anything capabilities)."""
    client = make_test_lsp_client()
    editor = Editor(client, name)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        editor.registrations.extend(params.registrations)

    await client.start_io(*wrapper, *SERVER, cwd=str(ROOT), env=env)
    result = await client.initialize_session(types.InitializeParams(
        capabilities=caps or capabilities(name),
        workspace_folders=[types.WorkspaceFolder(uri=uri(f), name=f.name) for f in folders],
        initialization_options=options,
    ))
    editor.encoding = result.capabilities.position_encoding or "utf-16"
    editor.initialize_result = result
    return editor


async def stop_editor(editor: Editor) -> None:
    """Shut the server down as an editor does: one that has not stopped
    within STOP_SECONDS is killed, and the test fails rather than the suite
    hanging."""
    try:
        await asyncio.wait_for(editor.client.shutdown_session(), STOP_SECONDS)
    except asyncio.TimeoutError:
        editor.client._server.kill()  # pygls keeps the server's process here, and offers no kill of its own
        try:  # a hung child of the server may still hold its stdout open
            await asyncio.wait_for(editor.client.stop(), 5)
        except asyncio.TimeoutError:
            pass
        raise AssertionError(f"the server did not shut down within {STOP_SECONDS} s; killed") from None
    await editor.client.stop()


# -- trees and what the CLI makes of them ---------------------------------------------------


def cli_result(tree: Path, scratch: Path, *args: str) -> dict[str, bytes]:
    """Every file of `tree` after `napi-fix ARGS` ran on a copy of it."""
    shutil.copytree(tree, scratch)
    cwd = os.getcwd()
    try:
        os.chdir(scratch)
        code = main([*args, "."])
    finally:
        os.chdir(cwd)
    # It wrote (not 2); 1 when a leak it did not fix remains (a repointed target's copy left in deps/).
    assert code in (0, 1), f"napi-fix {' '.join(args)} exited {code}"
    return snapshot(scratch)
