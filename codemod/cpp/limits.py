"""How much the finder spends on one C++ file, and the clock that bounds it.

Every step is linear in the file's size, but a 64 MB file (the reader's
cap) is still a lot of C++: these limits keep any one file to seconds and
to the memory of one chunk's tree, and turn what lies beyond them into a
reported result (NAPI005), never a hang or a silent skip. Measured on one
core of the 2-core test machine: lexing ~25 MB/s; tree-sitter ~4 MB/s of
what it reads and ~45 MB of tree per MB; reading the facts ~100 us a class.
A 50 MB generated wrapper file with 2,692 ObjectWrap classes reads 0.5 MB
of itself and scans in about 3 s and 80 MB.
"""

from __future__ import annotations

import time

# Bytes tree-sitter may read for one file at first (function bodies and
# plain declarations are left out, regions.py): about 4 s of parsing.
PARSE_LIMIT = 16 << 20
# With the parses again (a chunk with its bodies in, a class on its own).
REPAIR_LIMIT = 2 * PARSE_LIMIT
# No C++ nests braces this deep; tree-sitter's time on such nesting grows
# faster than its size (40,000 unclosed `(){` took 0.5 s, four times as many 2.2 s).
MAX_DEPTH = 256
# The last guard, for text tree-sitter or the scan crawl through (a run of
# `"\` line splices parses at 55 KB/s, 80 times slower than code; 25,000
# class definitions with bases packed in 5 MB take 5 s to read). CPU
# seconds of this process: other work on the machine does not change the
# outcome.
SCAN_SECONDS = 8.0


class OverLimit(Exception):
    """The file is past one of these limits; the message says which, for the report."""


class Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self._at = time.process_time() + seconds

    def passed(self) -> bool:
        return time.process_time() > self._at

    def check(self) -> None:
        if self.passed():
            raise OverLimit(f"scanning it took over {self.seconds:.0f} s of CPU, the time limit; check it by hand")
