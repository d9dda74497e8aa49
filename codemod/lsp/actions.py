"""Fixes -> LSP code actions and workspace edits.

A `quickfix` per diagnostic under the requested range (preferred only when
its applicability is FIX: the hygiene-only Finalize override never is, since
editors apply a preferred action on their own), and `source.fixAll.napi-fix`
for the document's package root;
`context.only` filters by kind. A client that can resolve code actions gets
them without `edit` and asks for it with codeAction/resolve (the data names
the document and the fix); others get the edit at once. The edit is a
`documentChanges` list with each open buffer's version when the client
supports it, else a plain `changes` map.
"""

from __future__ import annotations

from lsprotocol import types
from lsprotocol.converters import get_converter

from codemod.fixes import Fix
from codemod.lsp.capabilities import FIX_ALL_KIND, QUICKFIX_KIND
from codemod.lsp.client import Client
from codemod.lsp.diagnostics import SOURCE, finding_diagnostic, finding_range, uri_of
from codemod.lsp.fixes import FIX_ALL
from codemod.lsp.ranges import Indexes, Range
from codemod.rules import FIX

_converter = get_converter()


def kind_of(fix: Fix) -> str:
    return FIX_ALL_KIND if fix.key == FIX_ALL else QUICKFIX_KIND


def preferred(fix: Fix) -> bool | None:
    """A quick fix that stops the leak; never the hygiene-only Finalize override."""
    if fix.finding is None:
        return None
    return fix.applicability == FIX


def wanted(kind: str, only: list[str] | None) -> bool:
    """`only` lists kinds or their parents ("source" covers "source.fixAll.napi-fix")."""
    return only is None or any(kind == o or kind.startswith(o + ".") for o in only)


def under(fix: Fix, params: types.CodeActionParams, indexes: Indexes, client: Client) -> bool:
    """A quick fix whose diagnostic meets the requested range, or is one the client passed."""
    if fix.finding is None:
        return True
    found = _lsp_range(finding_range(fix.finding, indexes.of(fix.finding.path), client))
    if _overlaps(found, params.range):
        return True
    return any(d.source == SOURCE and d.code == fix.finding.rule and d.range == found
               for d in params.context.diagnostics)


def code_action(fix: Fix, uri: str, indexes: Indexes, client: Client, versions: dict[str, int]) -> types.CodeAction:
    action = types.CodeAction(title=fix.title, kind=kind_of(fix), is_preferred=preferred(fix))
    if fix.finding is not None:
        action.diagnostics = [_converter.structure(
            finding_diagnostic(fix.finding, indexes.of(fix.finding.path), indexes, client), types.Diagnostic)]
    if client.resolve_edits:
        action.data = {"uri": uri, "key": fix.key}
    else:
        action.edit = workspace_edit(fix, indexes, client, versions)
    return action


def workspace_edit(fix: Fix, indexes: Indexes, client: Client, versions: dict[str, int]) -> types.WorkspaceEdit:
    per_file = []
    for part in sorted(fix.files, key=lambda p: p.path):
        index = indexes.of(part.path, part.original)
        per_file.append((part.path, [
            types.TextEdit(range=_lsp_range(index.range(e.start, e.end, client.encoding)),
                           new_text=e.text.decode("utf-8", "replace"))
            for e in part.edits
        ]))
    if client.document_changes:
        return types.WorkspaceEdit(document_changes=[
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri_of(path),
                                                                           version=versions.get(path)),
                edits=edits,
            )
            for path, edits in per_file
        ])
    return types.WorkspaceEdit(changes={uri_of(path): edits for path, edits in per_file})


def _lsp_range(found: Range) -> types.Range:
    """A range of ranges.py (the protocol's JSON) as lsprotocol's object."""
    return _converter.structure(found, types.Range)


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return p.line, p.character

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)
