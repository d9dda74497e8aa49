"""The client's requests that are answered with lsprotocol objects: code
actions, their resolution, a diagnostic pull, hover, and what the commands
(fixAll, showPlan) need. server.py routes them
here; the Session (session.py) gives the current plan.

Kept out of session.py so that a Session, which analyzes and publishes the
first diagnostics before lsprotocol is imported (start.py), never needs it.
Each request settles the pending changes first: an answer is never about
older bytes than the editor's.
"""

from __future__ import annotations

import os
from dataclasses import replace

from lsprotocol import types
from lsprotocol.converters import get_converter

from codemod.cachedir import cache_dir
from codemod.fixes import Fix
from codemod.lsp import actions
from codemod.lsp.diagnostics import finding_range
from codemod.lsp.documents import path_of
from codemod.lsp.fixes import fix_workspace, package_root
from codemod.lsp.hover import hover_text
from codemod.lsp.projects import Served
from codemod.lsp.session import WARNING, Session
from codemod.present.diff import diff

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


def hover(session: Session, params: types.HoverParams) -> types.Hover | None:
    """What the finding under the cursor means and what its fix will change."""
    path = path_of(params.text_document.uri)
    served = session.projects.owner(path) if path else None
    if served is None:
        return None
    report = session.settle(served)
    index = session.indexes.of(path)
    wanted = (params.position.line, params.position.character)
    for finding in _findings(report, path):
        found = finding_range(finding, index, session.client)
        start, end = found["start"], found["end"]
        if (start["line"], start["character"]) <= wanted <= (end["line"], end["character"]):
            fix = next((f for f in session.fixes(served, report, path) if f.finding == finding), None)
            text = hover_text(finding, fix, fix_package_folder(report, path, served))
            return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                               range=_converter.structure(found, types.Range))
    return None


def _findings(report, path: str) -> list:
    result = next((r for r in report.files if r.path == path), None)
    return [f for f in result.findings if f.rule is not None] if result is not None else []


def fix_package_folder(report, path: str, served) -> str:
    """What a hover's file names are relative to: the finding's package root."""
    root = package_root(report, path, list(served.project.roots))
    return root if root != path else os.path.dirname(path)


def workspace_fixes(session: Session, arguments: tuple) -> list[tuple[Served, Fix]]:
    """The fixAll command's fixes: of the folder holding the document named
    by the first argument (a URI), else of every workspace folder."""
    named = path_of(arguments[0]) if arguments and isinstance(arguments[0], str) else None
    folders = [session.projects.owner(named)] if named else list(session.projects.served.values())
    fixes = []
    for served in (s for s in folders if s is not None):
        fix = fix_workspace(session.settle(served), served.folder, session.settings.fix_all(served.settings))
        if fix is not None:
            fixes.append((served, fix))
    return fixes


def workspace_edit_of(session: Session, served: Served, fix: Fix) -> types.WorkspaceEdit:
    return actions.workspace_edit(fix, session.indexes, session.client, served.versions)


def plan_diff(session: Session, arguments: tuple) -> str:
    """The showPlan command: what fixAll would write, as one unified diff
    (paths relative to each workspace folder, as `napi-fix --dry-run` there)."""
    parts = []
    for served, fix in workspace_fixes(session, arguments):
        paths = {part.path for part in fix.files}
        report = served.report
        options = session.settings.fix_all(served.settings)
        chosen = replace(report, strategy=options.strategy, files=tuple(r for r in report.files if r.path in paths))
        parts.append(diff(chosen, served.folder).decode("utf-8", "surrogateescape"))
    return "".join(parts)


def save_plan(text: str) -> str:
    """The plan's diff in napi-fix's cache, where an editor can open it; its path."""
    path = cache_dir("plan.diff")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as handle:
        handle.write(text or "# napi-fix: nothing to change\n")
    return path
