"""What the editor said it can do, read once from its capabilities.

Each field decides one thing the server does differently: the shape of a
WorkspaceEdit, whether code actions are resolved lazily, whether pull
diagnostics are offered, whether file watching is registered, and the
position encoding every range is counted in.

Read from the capabilities' JSON, as `initialize` brings them: start.py
reads that request before lsprotocol is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from codemod.positions import ENCODINGS, UTF16


@dataclass(frozen=True)
class Client:
    encoding: str = UTF16
    document_changes: bool = False  # versioned TextDocumentEdits instead of a plain `changes` map
    resolve_edits: bool = False  # codeAction/resolve may fill in `edit`
    pull_diagnostics: bool = False  # textDocument/diagnostic, with workspace/diagnostic/refresh
    watch_files: bool = False  # workspace/didChangeWatchedFiles may be registered dynamically
    related_information: bool = False
    work_done_progress: bool = False  # window/workDoneProgress/create and $/progress


def read_client(capabilities: dict[str, Any]) -> Client:
    """`capabilities`: the ClientCapabilities of `initialize`, as JSON."""
    workspace = _object(capabilities, "workspace")
    document = _object(capabilities, "textDocument")
    resolve = _object(_object(document, "codeAction"), "resolveSupport")
    return Client(
        encoding=negotiated_encoding(capabilities),
        document_changes=bool(_object(workspace, "workspaceEdit").get("documentChanges")),
        resolve_edits="edit" in (resolve.get("properties") or ()),
        # A document's diagnostics change when another file does (the lock
        # behind a spec): pull works only if the server can ask for a re-pull.
        # Neovim 0.11 pulls but cannot be asked; it is served by push alone.
        pull_diagnostics=bool(document.get("diagnostic") is not None
                              and _object(workspace, "diagnostics").get("refreshSupport")),
        watch_files=bool(_object(workspace, "didChangeWatchedFiles").get("dynamicRegistration")),
        related_information=bool(_object(document, "publishDiagnostics").get("relatedInformation")),
        work_done_progress=bool(_object(capabilities, "window").get("workDoneProgress")),
    )


def negotiated_encoding(capabilities: dict[str, Any]) -> str:
    """The first encoding the client offers that the server counts in, else
    UTF-16: the choice pygls makes for its answer to `initialize`
    (ServerCapabilitiesBuilder.choose_position_encoding)."""
    offered = _object(capabilities, "general").get("positionEncodings")
    return next((e for e in offered if e in ENCODINGS), UTF16) if isinstance(offered, list) else UTF16


def _object(parent: dict[str, Any], key: str) -> dict[str, Any]:
    """parent[key] when it is an object; {} when absent, null or of another type."""
    value = parent.get(key)
    return value if isinstance(value, dict) else {}
