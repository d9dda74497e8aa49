"""The action's job summary and outputs, from napi-fix's JSON report.

Usage: summary.py REPORT.json EXIT_CODE GITHUB_OUTPUT > summary.md

Writes the findings per rule to the step's outputs (`counts` as JSON and one
`napi00N` line each), the exit status's meaning (`meaning`, which verdict.sh
says) and a markdown summary to stdout. It runs with the Python napi-fix was
installed with, so the words are napi-fix's own: each rule's short
description (codemod/rules.py) and the exit-code table (codemod/results.py),
never a copy. Text from the checked repository (paths, reasons) is escaped
so that it cannot change the summary's markdown.
"""

from __future__ import annotations

import json
import sys

from codemod.results import EXIT_MEANING
from codemod.rules import HYGIENE_TRUTH, RULES

UNEXPECTED = "unexpected status"  # not in the table: a signal, or the check did not finish
LISTED = 50  # findings listed in the summary; the counts cover all


def main(argv: list[str]) -> int:
    report_path, code, outputs = argv[1], int(argv[2]), argv[3]
    try:
        with open(report_path, encoding="utf-8") as handle:
            report = json.load(handle)
    except (OSError, ValueError) as exc:
        report = {"error": f"no report: {exc}"}
    findings = [f for entry in report.get("files", []) for f in entry.get("findings", []) if f.get("rule")]
    counts = {rule.id: sum(1 for f in findings if f["rule"] == rule.id) for rule in RULES}
    with open(outputs, "a", encoding="utf-8") as handle:
        handle.write(f"counts={json.dumps(counts, sort_keys=True)}\n")
        for rule, count in counts.items():
            handle.write(f"{rule.lower()}={count}\n")
        handle.write(f"meaning={EXIT_MEANING.get(code, UNEXPECTED)}\n")
    sys.stdout.write(render(report, code, counts, findings))
    return 0


def render(report: dict, code: int, counts: dict[str, int], findings: list[dict]) -> str:
    lines = ["## napi-fix", "", f"**Exit {code}: {EXIT_MEANING.get(code, UNEXPECTED)}.**", ""]
    if report.get("error"):
        lines += [f"napi-fix: {escape(report['error'])}", ""]
    lines += ["| rule | findings | what |", "|---|---|---|"]
    lines += [f"| `{rule.id}` | {counts[rule.id]} | {escape(rule.short)} |" for rule in RULES]
    lines.append("")
    if findings:
        lines += ["| where | rule | what |", "|---|---|---|"]
        for finding in findings[:LISTED]:
            where = f"{finding.get('file', '')}:{finding.get('line', '')}"
            lines.append(f"| `{escape(where, code_span=True)}` | {finding['rule']} | {escape(finding.get('reason', ''))} |")
        if len(findings) > LISTED:
            lines.append(f"| | | and {len(findings) - LISTED} more (the step's log and `--format json` list all) |")
        lines.append("")
    lines += [f"{HYGIENE_TRUTH} The action's `strategy: pin` (its default) plans it.", ""]
    return "\n".join(lines)


def escape(text: str, code_span: bool = False) -> str:
    """Repository text inside a table cell: one line, no markup of its own."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(text))
    if code_span:
        return text.replace("`", "'").replace("|", "\\|")
    for ch in "\\`*_[]<>|#!~":
        text = text.replace(ch, "\\" + ch)
    return text


if __name__ == "__main__":
    sys.exit(main(sys.argv))
