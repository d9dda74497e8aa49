"""--format json: findings and planned edits, for scripts."""

from __future__ import annotations

import json
from collections import Counter

from codemod import __version__
from codemod.present.diff import diff_stats
from codemod.present.paths import label
from codemod.present.words import notes, reason
from codemod.results import EXIT_MEANING, FileResult, Report
from codemod.textpos import line_of, line_start


def to_json(report: Report, cwd: str, dry_run: bool, diff_text: bytes, status: int | None = None) -> str:
    """`status`: the exit status (results.py's table; the report's own when not given)."""
    stats = diff_stats(diff_text)
    status = report.exit_code(dry_run) if status is None else status
    payload = {
        "tool": "napi-fix",
        "version": __version__,
        "strategy": report.strategy,
        "dry_run": dry_run,
        "exit_code": status,
        "status": EXIT_MEANING[status],
        "notes": list(notes(report)),
        "files": [_file_json(r, cwd) for r in report.files],
        "summary": {
            "files_changed": stats.files,
            "hunks": stats.hunks,
            "lines_added": stats.added,
            "lines_removed": stats.removed,
            "errors": len(report.failed),
            "suppressed": report.suppressed,
            "findings": dict(sorted(Counter(f.kind for r in report.files for f in r.findings).items())),
        },
    }
    return json.dumps(payload, indent=2) + "\n"


def _file_json(result: FileResult, cwd: str) -> dict:
    data = result.original or b""
    return {
        "path": label(result.path, cwd),
        "error": result.error,
        "findings": [
            {
                "file": label(f.path, cwd),
                "line": f.line,
                "column": f.column,
                "kind": f.kind,
                "class": f.subject,
                "wrapped_type": f.wrapped_type,
                "reason": reason(f),
                "rule": f.rule,
                "level": f.level,
                "leak": f.leak,
                **({"command": f.command} if f.command else {}),
                "edits": [
                    {
                        "start": e.start,
                        "end": e.end,
                        "line": line_of(data, e.start),
                        "column": e.start - line_start(data, e.start) + 1,
                        "text": e.text.decode("utf-8", "replace"),
                    }
                    for e in f.edits
                ],
            }
            for f in result.findings
        ],
    }
