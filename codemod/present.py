"""Presenters: Report -> text. Pure: they return bytes/str, the CLI prints.

The diff is built on bytes so CRLF, Latin-1 and a missing final newline come
out exactly as `patch -p1` and `git apply` need them; `unidiff` reads our own
diff back for the summary's counts.
"""

from __future__ import annotations

import difflib
import io
import json
import os
from collections import Counter
from dataclasses import dataclass

from codemod import __version__
from codemod.edits import apply_edits
from codemod.results import FileResult, Report

_NO_NEWLINE = b"\\ No newline at end of file\n"
_RESET = "\033[0m"
_COLORS = {b"---": "\033[1m", b"+++": "\033[1m", b"@@": "\033[36m", b"-": "\033[31m", b"+": "\033[32m", b"#": "\033[33m"}


def label(path: str, cwd: str) -> str:
    return os.path.relpath(os.path.abspath(path), cwd).replace(os.sep, "/")


def _split_lines(data: bytes) -> list[bytes]:
    """Lines split at \\n only (a CR stays part of its line), ends kept."""
    lines = data.split(b"\n")
    out = [line + b"\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def file_diff(path_label: str, before: bytes, after: bytes) -> bytes:
    name = path_label.encode("utf-8", "surrogateescape")
    chunks = difflib.diff_bytes(
        difflib.unified_diff,
        _split_lines(before),
        _split_lines(after),
        fromfile=b"a/" + name,
        tofile=b"b/" + name,
        lineterm=b"\n",
    )
    out = io.BytesIO()
    for chunk in chunks:
        out.write(chunk)
        if not chunk.endswith(b"\n"):
            out.write(b"\n" + _NO_NEWLINE)
    return out.getvalue()


def diff(report: Report, cwd: str) -> bytes:
    """One unified diff of every planned change, preceded by `#` notes (which
    patch and git apply skip as leading text)."""
    if not report.changed:
        return b""
    parts = [f"# napi-fix: {note}\n".encode() for note in report.notes]
    for result in report.changed:
        assert result.original is not None
        where = label(result.path, cwd)
        parts += [f"# {where}:{f.line}: {f.reason}\n".encode() for f in result.findings if f.edits]
        parts.append(file_diff(where, result.original, apply_edits(result.original, result.edits)))
    return b"".join(parts)


def colorize(text: bytes) -> bytes:
    out = []
    for line in text.splitlines(keepends=True):
        color = next((c for prefix, c in _COLORS.items() if line.startswith(prefix)), None)
        if color is None:
            out.append(line)
        else:
            body = line.rstrip(b"\r\n")
            out.append(color.encode() + body + _RESET.encode() + line[len(body) :])
    return b"".join(out)


@dataclass(frozen=True)
class DiffStats:
    files: int
    hunks: int
    added: int
    removed: int


def diff_stats(diff_text: bytes) -> DiffStats:
    from unidiff import PatchSet

    # latin-1 maps every byte to one character: exact for any file encoding.
    patch = PatchSet(io.StringIO(diff_text.decode("latin-1")))
    return DiffStats(
        files=len(patch),
        hunks=sum(len(f) for f in patch),
        added=sum(f.added for f in patch),
        removed=sum(f.removed for f in patch),
    )


def summary(report: Report, cwd: str, dry_run: bool, diff_text: bytes) -> str:
    lines = []
    for result in report.files:
        where = label(result.path, cwd)
        if result.error is not None:
            lines.append(f"{where}: error: {result.error}")
        for f in result.findings:
            subject = f" {f.subject}" if f.subject else ""
            lines.append(f"{where}:{f.line}:{f.column}: {f.kind}{subject}: {f.reason}")
    stats = diff_stats(diff_text)
    verb = "would change" if dry_run else "changed"
    kinds = Counter(f.kind for r in report.files for f in r.findings)
    found = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "no findings"
    lines.append(
        f"napi-fix ({report.strategy}): {found}; {verb} {stats.files} file(s), {stats.hunks} hunk(s), "
        f"+{stats.added} -{stats.removed} line(s); {len(report.failed)} error(s)"
    )
    lines += [f"note: {note}" for note in report.notes]
    return "\n".join(lines) + "\n"


def to_json(report: Report, cwd: str, dry_run: bool, diff_text: bytes) -> str:
    stats = diff_stats(diff_text)
    payload = {
        "tool": "napi-fix",
        "version": __version__,
        "strategy": report.strategy,
        "dry_run": dry_run,
        "notes": list(report.notes),
        "files": [_file_json(r, cwd) for r in report.files],
        "summary": {
            "files_changed": stats.files,
            "hunks": stats.hunks,
            "lines_added": stats.added,
            "lines_removed": stats.removed,
            "errors": len(report.failed),
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
                "reason": f.reason,
                "edits": [
                    {
                        "start": e.start,
                        "end": e.end,
                        "line": data.count(b"\n", 0, e.start) + 1,
                        "column": e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1,
                        "text": e.text.decode("utf-8", "replace"),
                    }
                    for e in f.edits
                ],
            }
            for f in result.findings
        ],
    }
