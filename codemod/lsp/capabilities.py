"""The server's answer to `initialize`, as JSON, without pygls.

start.py sends it before pygls is imported. pygls computes the same answer
from the features server.py registers (pygls.capabilities.
ServerCapabilitiesBuilder) when it handles the replayed request; the two
are compared there (wire.AnsweredOnce) and a difference is logged as an
internal error, which the tests fail on. So a feature added in server.py
without its capability here is caught, not silently mis-announced.
"""

from __future__ import annotations

from typing import Any

from codemod import __version__
from codemod.lsp.client import Client

NAME = "napi-fix"
QUICKFIX_KIND = "quickfix"
FIX_ALL_KIND = "source.fixAll.napi-fix"
KINDS = [QUICKFIX_KIND, FIX_ALL_KIND]
FIX_ALL_COMMAND = "napi-fix.fixAll"  # every fix of the workspace, through workspace/applyEdit
SHOW_PLAN_COMMAND = "napi-fix.showPlan"  # what fixAll would write, as a unified diff
COMMANDS = [FIX_ALL_COMMAND, SHOW_PLAN_COMMAND]
INCREMENTAL = 2  # TextDocumentSyncKind.Incremental
# The options server.py registers its features with (structured into lsprotocol there).
CODE_ACTIONS = {"codeActionKinds": KINDS, "resolveProvider": True}  # CodeActionOptions
PULL = {"identifier": NAME, "interFileDependencies": True, "workspaceDiagnostics": False}  # DiagnosticOptions


def initialize_result(capabilities: dict[str, Any], client: Client) -> dict[str, Any]:
    """`capabilities`: the client's, as JSON; `client`: what was read from them."""
    sync: dict[str, Any] = {"openClose": True, "change": INCREMENTAL, "save": False}
    offered = capabilities.get("textDocument")
    offered = offered.get("synchronization") if isinstance(offered, dict) else None
    for key in ("willSave", "willSaveWaitUntil"):
        # pygls answers false to a client that states either at all, and leaves it out otherwise.
        if isinstance(offered, dict) and offered.get(key) is not None:
            sync[key] = False
    server: dict[str, Any] = {
        "positionEncoding": client.encoding,
        "textDocumentSync": sync,
        "hoverProvider": True,
        "codeActionProvider": dict(CODE_ACTIONS),
        "executeCommandProvider": {"commands": list(COMMANDS)},
        "workspace": {"workspaceFolders": {"supported": True, "changeNotifications": True}, "fileOperations": {}},
    }
    if client.pull_diagnostics:
        server["diagnosticProvider"] = dict(PULL)
    return {"capabilities": server, "serverInfo": {"name": NAME, "version": __version__}}
