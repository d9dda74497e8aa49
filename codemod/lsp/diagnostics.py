"""Report -> LSP diagnostics, per file. Pure conversion: no engine, no I/O
beyond the indexes it is handed.

Every finding with a rule is one diagnostic: `source` "napi-fix", `code`
the rule id (the same as in --format json and SARIF), `codeDescription`
the upstream issue, severity from the rule's level (NAPI004, a note,
is a hint), the range from the finding's span (else its line), and
`relatedInformation` from the places it points at (a spec and its lock
entry point at each other). A file that could not be read or parsed gets
one error diagnostic at the line the error is about.
"""

from __future__ import annotations

from lsprotocol import types
from pygls.uris import from_fs_path

from codemod.lsp.client import Client
from codemod.lsp.ranges import Indexes, TextIndex
from codemod.results import FileResult, Finding, Report
from codemod.rules import BY_ID, ERROR, ISSUE_URL, NOTE, WARNING

SOURCE = "napi-fix"
SEVERITY = {
    ERROR: types.DiagnosticSeverity.Error,
    WARNING: types.DiagnosticSeverity.Warning,
    NOTE: types.DiagnosticSeverity.Hint,
}


def uri_of(path: str) -> str:
    return from_fs_path(path) or path


def report_diagnostics(report: Report, indexes: Indexes, client: Client) -> dict[str, list[types.Diagnostic]]:
    """Diagnostics of every file of the report that has any, by path."""
    found: dict[str, list[types.Diagnostic]] = {}
    for result in report.files:
        items = file_diagnostics(result, indexes, client)
        if items:
            found[result.path] = items
    return found


def file_diagnostics(result: FileResult, indexes: Indexes, client: Client) -> list[types.Diagnostic]:
    index = indexes.of(result.path, result.original)
    items = []
    if result.error is not None:
        items.append(types.Diagnostic(
            range=index.line_range(result.error_line or 1, client.encoding),
            message=result.error,
            severity=types.DiagnosticSeverity.Error,
            source=SOURCE,
        ))
    items += [finding_diagnostic(f, index, indexes, client) for f in result.findings if f.rule is not None]
    return items


def finding_diagnostic(finding: Finding, index: TextIndex, indexes: Indexes, client: Client) -> types.Diagnostic:
    rule = BY_ID[finding.rule]
    related = None
    if client.related_information and finding.related:
        related = [
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=uri_of(r.path), range=_range(indexes.of(r.path), r.span, r.line, client)),
                message=r.message,
            )
            for r in finding.related
        ]
    return types.Diagnostic(
        range=_range(index, finding.span, finding.line, client),
        message=finding.reason,
        severity=SEVERITY[rule.level],
        code=rule.id,
        code_description=types.CodeDescription(href=ISSUE_URL),
        source=SOURCE,
        related_information=related,
    )


def finding_range(finding: Finding, index: TextIndex, client: Client) -> types.Range:
    return _range(index, finding.span, finding.line, client)


def _range(index: TextIndex, span: tuple[int, int] | None, line: int, client: Client) -> types.Range:
    if span is not None:
        return index.range(span[0], span[1], client.encoding)
    return index.line_range(line, client.encoding)
