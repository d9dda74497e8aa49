"""The unified diff of a Report. Pure: returns bytes.

The diff is built on bytes so CRLF, Latin-1 and a missing final newline come
out exactly as `patch -p1` and `git apply` need them; `unidiff` reads our own
diff back for the summary's counts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace

from codemod.edits import apply_edits
from codemod.fixes import fixes_of
from codemod.present.paths import git_quoted, label, shown
from codemod.present.words import notes, reason
from codemod.results import Report

_NO_NEWLINE = b"\\ No newline at end of file\n"
_RESET = "\033[0m"
_COLORS = {b"---": "\033[1m", b"+++": "\033[1m", b"@@": "\033[36m", b"-": "\033[31m", b"+": "\033[32m", b"#": "\033[33m"}


def _split_lines(data: bytes) -> list[bytes]:
    """Lines split at \\n only (a CR stays part of its line), ends kept."""
    lines = data.split(b"\n")
    out = [line + b"\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def file_diff(path_label: str, before: bytes, edits) -> bytes:
    """Unified diff (3 lines of context) of applying `edits` to `before`,
    built from the edits themselves: no re-discovery of what changed."""
    lines = _split_lines(before)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    blocks = _blocks(before, lines, starts, sorted(edits, key=lambda e: (e.start, e.end)))
    if not blocks:
        return b""
    name = path_label.encode("utf-8", "surrogateescape")
    out = io.BytesIO()
    out.write(b"--- " + git_quoted(b"a/" + name) + b"\n+++ " + git_quoted(b"b/" + name) + b"\n")
    delta = 0  # new line number minus old, before the current hunk
    for hunk in _hunks(blocks):
        first, last = hunk[0], hunk[-1]
        old_start, old_stop = max(0, first[0] - CONTEXT), min(len(lines), last[1] + CONTEXT)
        new_len = (old_stop - old_start) + sum(len(b[2]) - (b[1] - b[0]) for b in hunk)
        out.write(b"@@ -%s +%s @@\n" % (_range(old_start, old_stop - old_start).encode(),
                                      _range(old_start + delta, new_len).encode()))
        cursor = old_start
        for a, b, new in hunk:
            _emit(out, b" ", lines[cursor:a])
            _emit(out, b"-", lines[a:b])
            _emit(out, b"+", new)
            cursor = b
            delta += len(new) - (b - a)
        _emit(out, b" ", lines[cursor:old_stop])
    return out.getvalue()


CONTEXT = 3


def _blocks(data: bytes, lines, starts, edits) -> list[tuple[int, int, list[bytes]]]:
    """(first old line, stop old line, new lines) per group of edits that
    share or touch lines."""
    import bisect

    groups: list[tuple[int, int, list]] = []  # (first old line, stop old line, edits)
    for edit in edits:
        a = min(bisect.bisect_right(starts, edit.start) - 1, max(len(lines) - 1, 0))
        pure_insert = edit.start == edit.end and edit.start == starts[a] and edit.text.endswith(b"\n")
        if pure_insert or not lines:
            b = a
        else:
            b = min(bisect.bisect_right(starts, max(edit.end - 1, edit.start)), len(lines))
        if groups and (a < groups[-1][1] or (a == groups[-1][1] > groups[-1][0] and b > a)):
            first, stop, group = groups.pop()
            groups.append((first, max(b, stop), group + [edit]))
        else:
            groups.append((a, b, [edit]))
    out = []
    for a, b, group in groups:
        lo = starts[a]
        hi = starts[b] if b > a else lo
        piece = apply_edits(data[lo:hi], [replace(e, start=e.start - lo, end=e.end - lo) for e in group])
        out.append((a, b, _split_lines(piece)))
    return out


def _hunks(blocks):
    hunk = [blocks[0]]
    for block in blocks[1:]:
        if block[0] - hunk[-1][1] <= 2 * CONTEXT:
            hunk.append(block)
        else:
            yield hunk
            hunk = [block]
    yield hunk


def _range(start: int, length: int) -> str:
    """difflib's unified range format (1-based; `start,0` is the line before)."""
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


def _emit(out, prefix: bytes, lines) -> None:
    for line in lines:
        out.write(prefix + line)
        if not line.endswith(b"\n"):
            out.write(b"\n" + _NO_NEWLINE)


def diff(report: Report, cwd: str) -> bytes:
    """One unified diff of every planned change, preceded by `#` notes (which
    patch and git apply skip as leading text): each file's hunks after the
    findings whose own edits they write (codemod/fixes.py)."""
    if not report.changed:
        return b""
    fixes = fixes_of(report)
    parts = [f"# napi-fix: {note}\n".encode() for note in notes(report)]
    for result in report.changed:
        assert result.original is not None
        where = shown(result.path, cwd)
        parts += [f"# {where}:{f.line}: {reason(f)}\n".encode("utf-8", "surrogateescape")
                  for f, fix in zip(result.findings, fixes.in_file(result)) if fix is not None and fix.carries_own]
        parts.append(file_diff(label(result.path, cwd), result.original, result.edits))
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


