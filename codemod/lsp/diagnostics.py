"""Report -> LSP diagnostics, per file. Pure conversion: no engine, no I/O
beyond the indexes it is handed.

Every finding with a rule is one diagnostic: `source` "napi-fix", `code`
the rule id (the same as in --format json and SARIF), `codeDescription`
the rule's page (docs/rules/), severity from the finding's SARIF level (NAPI004, a
note, is a hint; a leaky copy nothing leaks through today, a warning), the range from the finding's span (else its line), and
`relatedInformation` from the places it points at (a spec and its lock
entry point at each other). A file that could not be read or parsed gets
one error diagnostic at the line the error is about.

Diagnostics are the protocol's JSON (dicts, camelCase keys, absent rather
than null), sent as they are: the first ones go out before lsprotocol is
imported (start.py). requests.py and actions.py turn them into lsprotocol
objects where pygls needs those (a pull's report, a code action's
diagnostics and edits).
"""

from __future__ import annotations

from typing import Any

from pygls.uris import from_fs_path  # pygls.uris imports nothing of pygls but its platform flags

from codemod.lsp.client import Client
from codemod.lsp.ranges import Indexes, Range, TextIndex
from codemod.lsp.words import said
from codemod.results import FileResult, Finding, Report
from codemod.rules import BY_ID, ERROR, NOTE, WARNING

SOURCE = "napi-fix"
# The protocol's DiagnosticSeverity values.
ERROR_SEVERITY, WARNING_SEVERITY, HINT_SEVERITY = 1, 2, 4
SEVERITY = {ERROR: ERROR_SEVERITY, WARNING: WARNING_SEVERITY, NOTE: HINT_SEVERITY}
Diagnostic = dict[str, Any]  # an LSP Diagnostic as JSON


def uri_of(path: str) -> str:
    return from_fs_path(path) or path


def report_diagnostics(report: Report, indexes: Indexes, client: Client) -> dict[str, list[Diagnostic]]:
    """Diagnostics of every file of the report that has any, by path."""
    found: dict[str, list[Diagnostic]] = {}
    for result in report.files:
        items = file_diagnostics(result, indexes, client)
        if items:
            found[result.path] = items
    return found


def file_diagnostics(result: FileResult, indexes: Indexes, client: Client) -> list[Diagnostic]:
    index = indexes.of(result.path, result.original)
    items = []
    if result.error is not None:
        items.append({
            "range": index.line_range(result.error_line or 1, client.encoding),
            "message": result.error,
            "severity": ERROR_SEVERITY,
            "source": SOURCE,
        })
    items += [finding_diagnostic(f, index, indexes, client) for f in result.findings if f.rule is not None]
    return items


def finding_diagnostic(finding: Finding, index: TextIndex, indexes: Indexes, client: Client) -> Diagnostic:
    rule = BY_ID[finding.rule]
    diagnostic = {
        "range": _range(index, finding.span, finding.line, client),
        "message": f"{said(finding)}; {finding.leak_detail}" if finding.leak_detail else said(finding),
        "severity": SEVERITY[finding.level],
        "code": rule.id,
        "codeDescription": {"href": rule.help_uri},
        "source": SOURCE,
    }
    if client.related_information and finding.related:
        diagnostic["relatedInformation"] = [
            {"location": {"uri": uri_of(r.path), "range": _range(indexes.of(r.path), r.span, r.line, client)},
             "message": r.message}
            for r in finding.related
        ]
    return diagnostic


def finding_range(finding: Finding, index: TextIndex, client: Client) -> Range:
    return _range(index, finding.span, finding.line, client)


def _range(index: TextIndex, span: tuple[int, int] | None, line: int, client: Client) -> Range:
    if span is not None:
        return index.range(span[0], span[1], client.encoding)
    return index.line_range(line, client.encoding)
