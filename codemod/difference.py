"""Where an edited text differs from the text before: one span, found with
memcmp on halves (the editor server re-reads a file after each keystroke,
and a 1 MB lockfile is compared in well under a millisecond)."""

from __future__ import annotations


def changed_span(old: bytes, new: bytes) -> tuple[int, int, int]:
    """(start, old end, new end): `old[:start] == new[:start]`,
    `old[old_end:] == new[new_end:]`, and the span between is as short as that allows."""
    prefix = _common_prefix(old, new)
    suffix = _common_suffix(old, new, min(len(old), len(new)) - prefix)
    return prefix, len(old) - suffix, len(new) - suffix


def _common_prefix(a: bytes, b: bytes) -> int:
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[low:mid] == b[low:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _common_suffix(a: bytes, b: bytes, limit: int) -> int:
    """At most `limit` bytes: a suffix never overlaps the common prefix."""
    low, high = 0, max(limit, 0)
    while low < high:
        mid = (low + high + 1) // 2
        if a[len(a) - mid:len(a) - low] == b[len(b) - mid:len(b) - low]:
            low = mid
        else:
            high = mid - 1
    return low
