"""GitHub's `primaryLocationLineHash`, computed as its upload action does.

github/codeql-action (src/fingerprints.ts) fills in this fingerprint for
results that lack it, and warns when a result already carries a different
value; code scanning matches alerts across commits by it. Its algorithm:
decode the file as UTF-8 (U+FFFD for bad bytes, a BOM kept) into UTF-16
code units; drop every space and tab; turn \\r\\n and a lone \\r into \\n;
append one end-of-file unit (0xFFFF) and pad with zeros. A line's hash is
the polynomial hash (base 37, modulo 2**64) of the first 100 units of that
stream from the line's first unit on, in lower-case hex, followed by ":n"
for its n-th occurrence among the lines of the file.

The action rolls one window over the whole file; here each line's window
is hashed on its own (the same sum, term for term), and occurrences are
counted by comparing windows, which is exact unless two different windows
collide in 64 bits.
"""

from __future__ import annotations

WINDOW = 100
BASE = 37
MASK = (1 << 64) - 1
_UNIT = 2  # bytes per UTF-16 code unit
_END = "\uffff"  # the action's end-of-file marker, 65535
_LF = b"\n\x00"  # \n as one UTF-16-LE unit


class LineHashes:
    """The hashes of one file's lines (1-based, lines split at \\n, \\r\\n, \\r)."""

    def __init__(self, data: bytes):
        text = data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
        self.units = (text.replace(" ", "").replace("\t", "") + _END).encode("utf-16-le", "surrogatepass")
        self.starts = [0]  # byte offset of each line's first unit in `units`
        at = self.units.find(_LF)
        while at != -1:
            if at % _UNIT == 0:  # a whole \n unit, not the halves of two others
                self.starts.append(at + _UNIT)
            at = self.units.find(_LF, at + 1)
        self._occurrences: list[int] | None = None

    def window(self, line: int) -> bytes:
        start = self.starts[line - 1]
        chunk = self.units[start : start + WINDOW * _UNIT]
        return chunk + bytes(WINDOW * _UNIT - len(chunk))

    def at(self, line: int) -> str:
        """`hash:n` for a 1-based line (clamped to the file's lines)."""
        line = max(1, min(line, len(self.starts)))
        return f"{_polynomial(self.window(line)):x}:{self.occurrences()[line - 1]}"

    def occurrences(self) -> list[int]:
        """Per line: how many lines up to it have its window (one pass, on first need)."""
        if self._occurrences is None:
            seen: dict[bytes, int] = {}
            self._occurrences = []
            for line in range(1, len(self.starts) + 1):
                window = self.window(line)
                seen[window] = seen.get(window, 0) + 1
                self._occurrences.append(seen[window])
        return self._occurrences


def _polynomial(window: bytes) -> int:
    value = 0
    for i in range(0, len(window), _UNIT):
        value = (value * BASE + (window[i] | window[i + 1] << 8)) & MASK
    return value
