"""How a path is shown: relative to where napi-fix runs, and quoted the way
git quotes it wherever a newline, tab or escape character could break a
diff or reach a terminal raw (`"a/dir\\nname/file"`)."""

from __future__ import annotations

import os

from codemod.controls import ESCAPES

# A path is quoted whole, so its quotes and backslashes are escaped too (unlike a reason's).
_ESCAPES = {**{code: text.encode() for code, text in ESCAPES.items()}, 34: b'\\"', 92: b"\\\\"}


def label(path: str, cwd: str) -> str:
    return os.path.relpath(os.path.abspath(path), cwd).replace(os.sep, "/")


def git_quoted(name: bytes) -> bytes:
    """`name` as git writes it in a diff header: bare, or C-quoted with bytes
    past ASCII in octal (git's default core.quotePath)."""
    return _quoted(name, octal_high=True)


def shown(path: str, cwd: str) -> str:
    """A path for a terminal or a `#` line: control characters quoted, never
    raw (an escape sequence in a file name stays text); UTF-8 kept readable."""
    name = label(path, cwd).encode("utf-8", "surrogateescape")
    return _quoted(name, octal_high=False).decode("utf-8", "surrogateescape")


def _quoted(name: bytes, octal_high: bool) -> bytes:
    def special(byte: int) -> bool:
        return byte < 0x20 or byte == 0x7F or byte in (34, 92) or (octal_high and byte >= 0x80)

    if not any(special(byte) for byte in name):
        return name
    out = bytearray(b'"')
    for byte in name:
        if byte in _ESCAPES:
            out += _ESCAPES[byte]
        elif special(byte):
            out += b"\\%03o" % byte
        else:
            out.append(byte)
    return bytes(out + b'"')
