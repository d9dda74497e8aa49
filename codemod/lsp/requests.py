"""The client's requests that are answered with lsprotocol objects: code
actions, their resolution, and a diagnostic pull. server.py routes them
here; the Session (session.py) gives the current plan.

Kept out of session.py so that a Session, which analyzes and publishes the
first diagnostics before lsprotocol is imported (start.py), never needs it.
Each request settles the pending changes first: an answer is never about
older bytes than the editor's.
"""

from __future__ import annotations

from lsprotocol import types
from lsprotocol.converters import get_converter

from codemod.lsp import actions
from codemod.lsp.documents import path_of
from codemod.lsp.session import WARNING, Session

_converter = get_converter()


def code_actions(session: Session, params: types.CodeActionParams) -> list[types.CodeAction]:
    path = path_of(params.text_document.uri)
    served = session.projects.owner(path) if path else None
    if served is None:
        return []
    report = session.settle(served)
    only = [getattr(kind, "value", kind) for kind in params.context.only] if params.context.only else None
    return [
        actions.code_action(fix, params.text_document.uri, session.indexes, session.client, served.versions)
        for fix in session.fixes(served, report, path)
        if actions.wanted(actions.kind_of(fix), only) and actions.under(fix, params, session.indexes, session.client)
    ]


def resolve(session: Session, action: types.CodeAction) -> types.CodeAction:
    data = action.data if isinstance(action.data, dict) else {}
    path = path_of(data.get("uri", ""))
    served = session.projects.owner(path) if path else None
    if served is None:
        return action
    report = session.settle(served)
    fix = next((f for f in session.fixes(served, report, path) if f.key == data.get("key")), None)
    if fix is None:
        session.log(f"napi-fix: {action.title!r} no longer applies to {path}; nothing to do", WARNING)
        return action
    action.edit = actions.workspace_edit(fix, session.indexes, session.client, served.versions)
    return action


def pull(session: Session, params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
    path = path_of(params.text_document.uri)
    served = session.projects.owner_or_new(path) if path else None
    if served is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    session.settle(served)
    result_id = f"{id(served)}:{served.generation}"
    if params.previous_result_id == result_id:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    items = _converter.structure(session.publisher.current(path), list[types.Diagnostic])
    return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)
