"""Edits are values; `apply_edits` is the only function that splices bytes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    """Replace bytes [start, end) of `path` with `text` (an insertion when start == end)."""

    path: str
    start: int
    end: int
    text: bytes

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad edit range {self.start}..{self.end} in {self.path}")


class OverlappingEdits(ValueError):
    pass


def apply_edits(data: bytes, edits: "list[Edit] | tuple[Edit, ...]") -> bytes:
    """Return `data` with `edits` applied; every byte outside them is kept.

    Edits are sorted by position; two edits that overlap (or two insertions at
    the same offset, whose order would be a guess) are rejected rather than
    silently merged.
    """
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    out: list[bytes] = []
    cursor = 0
    previous: Edit | None = None
    for edit in ordered:
        if edit.end > len(data):
            raise ValueError(f"edit {edit.start}..{edit.end} past end of {edit.path} ({len(data)} bytes)")
        if previous is not None and (
            edit.start < previous.end or (edit.start == previous.start == previous.end == edit.end)
        ):
            raise OverlappingEdits(
                f"{edit.path}: edits {previous.start}..{previous.end} and {edit.start}..{edit.end} overlap"
            )
        out.append(data[cursor : edit.start])
        out.append(edit.text)
        cursor = edit.end
        previous = edit
    out.append(data[cursor:])
    return b"".join(out)
