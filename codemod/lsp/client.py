"""What the editor said it can do, read once from its capabilities.

Each field decides one thing the server does differently: the shape of a
WorkspaceEdit, whether code actions are resolved lazily, whether pull
diagnostics are offered, whether file watching is registered, and the
position encoding every range is counted in.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types

from codemod.positions import ENCODINGS, UTF16


@dataclass(frozen=True)
class Client:
    encoding: str = UTF16
    document_changes: bool = False  # versioned TextDocumentEdits instead of a plain `changes` map
    resolve_edits: bool = False  # codeAction/resolve may fill in `edit`
    pull_diagnostics: bool = False  # textDocument/diagnostic, with workspace/diagnostic/refresh
    watch_files: bool = False  # workspace/didChangeWatchedFiles may be registered dynamically
    related_information: bool = False


def read_client(capabilities: types.ClientCapabilities, encoding: str) -> Client:
    workspace = capabilities.workspace
    document = capabilities.text_document
    code_action = document.code_action if document else None
    resolve = code_action.resolve_support if code_action else None
    watched = workspace.did_change_watched_files if workspace else None
    publish = document.publish_diagnostics if document else None
    return Client(
        encoding=encoding if encoding in ENCODINGS else UTF16,
        document_changes=bool(workspace and workspace.workspace_edit and workspace.workspace_edit.document_changes),
        resolve_edits=bool(resolve and "edit" in resolve.properties),
        # A document's diagnostics change when another file does (the lock
        # behind a spec): pull works only if the server can ask for a re-pull.
        # Neovim 0.11 pulls but cannot be asked; it is served by push alone.
        pull_diagnostics=bool(document and document.diagnostic is not None
                              and workspace and workspace.diagnostics and workspace.diagnostics.refresh_support),
        watch_files=bool(watched and watched.dynamic_registration),
        related_information=bool(publish and publish.related_information),
    )
