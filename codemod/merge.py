"""One merge step for all the edits to one file, whoever planned them.

- identical edits collapse into one;
- insertions at one offset of a JSON file merge, in a fixed order (two new
  members of one object become one insertion);
- anything else that overlaps is a conflict: the file gets an error naming
  both reasons, and nothing is written;
- a JSON file must still be valid JSON once the merged edits are applied.
Pure: bytes and findings in, a FileResult out.
"""

from __future__ import annotations

import json

from codemod.edits import Edit, apply_edits
from codemod.results import FileResult, Finding
from codemod.textpos import without_bom


class Conflict(ValueError):
    pass


def merge_file(path: str, original: bytes | None, findings: list[Finding] | tuple[Finding, ...],
               unit: str = "") -> FileResult:
    findings = tuple(findings)
    if not any(f.edits for f in findings):
        return FileResult(path, findings, unit=unit)
    if original is None:
        return FileResult(path, findings, error="internal: edits planned on bytes that were not recorded", unit=unit)
    try:
        edits = merge_edits(path, original, findings)
    except Conflict as exc:
        return FileResult(path, findings, error=str(exc), unit=unit)
    return FileResult(path, findings, original=original, edits=edits, unit=unit)


def merge_edits(path: str, data: bytes, findings: tuple[Finding, ...]) -> tuple[Edit, ...]:
    pairs = sorted(((e, f) for f in findings for e in f.edits), key=lambda p: (p[0].start, p[0].end, p[0].text))
    merged: list[tuple[Edit, Finding]] = []
    for edit, finding in pairs:
        if edit.path != path or edit.end > len(data):
            raise Conflict(f"internal: an edit for {finding.subject or finding.kind} does not fit this file "
                           f"({edit.start}..{edit.end} of {len(data)} bytes); nothing written")
        if merged:
            previous, owner = merged[-1]
            if (edit.start, edit.end, edit.text) == (previous.start, previous.end, previous.text):
                continue
            if previous.start == previous.end == edit.start == edit.end and _is_json(path):
                merged[-1] = (Edit(path, edit.start, edit.start, previous.text + edit.text), owner)
                continue
            if edit.start < previous.end or previous.start == previous.end == edit.start == edit.end:
                raise Conflict(_conflict(previous, owner, edit, finding))
        merged.append((edit, finding))
    edits = tuple(e for e, _ in merged)
    if _is_json(path) and not strings_for_strings(data, edits):
        _check_json(path, apply_edits(data, edits), findings)
    return edits


def _is_json(path: str) -> bool:
    return path.endswith(".json")


def strings_for_strings(data: bytes, edits: tuple[Edit, ...]) -> bool:
    """True when each of the sorted, disjoint `edits` replaces one whole
    string of `data` (JSON a planner parsed) with one JSON string: the file's
    tokens stay what they were, so it is valid JSON without parsing it again
    (a 30,000-line lock costs ~6 ms to parse, on every keystroke in the
    editor). False means "not shown": the caller parses.

    Where no backslash comes before an edit's end there are no escapes, so
    every `"` before it delimits a string, and an even number of them means
    the edit's first `"` opens one. The text must then run to the next `"`
    and end there."""
    if not edits or data.find(b"\\", 0, edits[-1].end) != -1:
        return False
    quotes, counted = 0, 0
    for edit in edits:
        start, end = edit.start, edit.end
        if end - start < 2 or data[start] != _QUOTE or data[end - 1] != _QUOTE:
            return False
        if data.find(b'"', start + 1, end - 1) != -1:
            return False
        quotes += data.count(b'"', counted, start)
        counted = start
        if quotes % 2 or not _one_string(edit.text):
            return False
    return True


_QUOTE = ord('"')


def _one_string(text: bytes) -> bool:
    try:
        return isinstance(json.loads(text.decode("utf-8")), str)
    except (ValueError, RecursionError):
        return False


def _check_json(path: str, new: bytes, findings: tuple[Finding, ...]) -> None:
    try:
        json.loads(without_bom(new))
    except ValueError as exc:
        reasons = "; ".join(dict.fromkeys(f.reason for f in findings if f.edits))
        raise Conflict(f"conflicting edits: together they do not give valid JSON ({exc}); planned: {reasons}; "
                       "nothing written") from None


def _conflict(a: Edit, a_owner: Finding, b: Edit, b_owner: Finding) -> str:
    return (f"conflicting edits at bytes {a.start}..{a.end} and {b.start}..{b.end}: "
            f"{a_owner.reason!r} and {b_owner.reason!r}; nothing written")
