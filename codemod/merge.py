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

BOM = b"\xef\xbb\xbf"


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
    if _is_json(path):
        _check_json(path, apply_edits(data, edits), findings)
    return edits


def _is_json(path: str) -> bool:
    return path.endswith(".json")


def _check_json(path: str, new: bytes, findings: tuple[Finding, ...]) -> None:
    try:
        json.loads(new[len(BOM):] if new.startswith(BOM) else new)
    except ValueError as exc:
        reasons = "; ".join(dict.fromkeys(f.reason for f in findings if f.edits))
        raise Conflict(f"conflicting edits: together they do not give valid JSON ({exc}); planned: {reasons}; "
                       "nothing written") from None


def _conflict(a: Edit, a_owner: Finding, b: Edit, b_owner: Finding) -> str:
    return (f"conflicting edits at bytes {a.start}..{a.end} and {b.start}..{b.end}: "
            f"{a_owner.reason!r} and {b_owner.reason!r}; nothing written")
