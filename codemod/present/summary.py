"""The text summary: one line per finding and error, then the counts."""

from __future__ import annotations

from collections import Counter

from codemod.present.diff import diff_stats
from codemod.present.paths import shown
from codemod.present.words import notes, reason
from codemod.results import EXIT_MEANING, Report


def errors(report: Report, cwd: str) -> str:
    """One line per file napi-fix could not handle (stderr, in every mode)."""
    return "".join(f"{shown(r.path, cwd)}: error: {r.error}\n" for r in report.failed)


def summary(report: Report, cwd: str, dry_run: bool, diff_text: bytes, with_errors: bool = True,
            status: int | None = None) -> str:
    """`status`: the exit status, said in words on the last line (results.py's table)."""
    lines = []
    for result in report.files:
        where = shown(result.path, cwd)
        if result.error is not None and with_errors:
            lines.append(f"{where}: error: {result.error}")
        for f in result.findings:
            subject = f" {f.subject}" if f.subject else ""
            leak = f" [{f.leak}]" if f.leak else ""
            lines.append(f"{where}:{f.line}:{f.column}: {f.kind}{subject}{leak}: {reason(f)}")
    stats = diff_stats(diff_text)
    verb = "would change" if dry_run else "changed"
    kinds = Counter(f.kind for r in report.files for f in r.findings)
    found = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "no findings"
    lines.append(
        f"napi-fix ({report.strategy}): {found}; {verb} {stats.files} file(s), {stats.hunks} hunk(s), "
        f"+{stats.added} -{stats.removed} line(s); {len(report.failed)} error(s)"
        + (f"; {report.suppressed} suppressed" if report.suppressed else "")
    )
    if status is not None and status in EXIT_MEANING:
        lines.append(f"exit status {status}: {EXIT_MEANING[status]}")
    lines += [f"note: {note}" for note in notes(report)]
    return "\n".join(lines) + "\n"
