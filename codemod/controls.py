"""Control characters in text a repository supplies, escaped for display.

A gyp target name, a lock key or a spec can hold a newline or a terminal
escape sequence; printed raw it could forge lines of output or PR bodies
or drive the terminal. Every finding's reason and subject, and every error,
is escaped once, when it is created (results.py), so no front-end can
forget it. Backslashes and quotes stay as they are: a reason quotes code
(`"<!(node -p \\"...\\")"`), and escaping twice changes nothing.
"""

from __future__ import annotations

import re

# C0, DEL, C1, the Unicode line separators and the bidirectional overrides
# ("Trojan Source"): what can move the cursor, end a line or reorder text.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# The short escapes git and C use; the rest are octal (as git writes them) or \uXXXX.
ESCAPES = {7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r"}


def escaped(text: str) -> str:
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: _escape(ord(m.group())), text)


def _escape(code: int) -> str:
    return ESCAPES.get(code) or ("\\%03o" % code if code < 0x100 else "\\u%04x" % code)
