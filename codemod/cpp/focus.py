"""In a large file, read only the regions around its mentions of ObjectWrap.

A 54 MB amalgamation that mentions ObjectWrap in its first lines is mostly
code the finder never needs: typedefs, externs, directives and classes with
bases it would otherwise read (each a keep mark, lexer.keep_marks) add up to
more than a parse can take in the time limit. Past FOCUS_OVER bytes the keep
marks are narrowed to what can matter:
- every whole-word ObjectWrap in code, and the directives that say it (a
  macro that defines a wrapper class is reported, macros.py);
- `#include` lines (which headers the file sees) and `using` statements;
- namespace heads and `extern "C" {` (so every class keeps its scope, and a
  mention inside such a block does not pull the whole block in);
- mentions of the class templates and aliases declared around a mention
  (`template <class T> class Wrapped : public Napi::ObjectWrap<T>` makes
  `Wrapped` a focus name; its leaves say only `Wrapped<Leaf>`), a few rounds.
What is left out holds no ObjectWrap and no focus name. Known limit: a class
deriving from a concrete wrapper (`class D : public W`, an INDIRECT note), or
from a base declared in another file, is not read in such a file.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right

from codemod.cpp.limits import Deadline
from codemod.textpos import whole_words

FOCUS_OVER = 8 << 20  # bytes; smaller files are read as before
_ROUNDS = 3
# No real file says ObjectWrap this often (the 50 MB generated file of
# tests/cpp/test_finder_linear.py: 8,000 times); a run of it is read as before,
# and ends at the parse limit.
MAX_MENTIONS = 100_000
_LOOK_BACK = 4096
_INCLUDE = re.compile(rb"^[ \t]*#[ \t]*include\b", re.M)
_EXTERN_BLOCK = re.compile(rb"extern\s*\{")
# The name a mention's declaration gives: `template <...> class Name` or
# `using Name =` / `typedef ... Name;` (read backwards from the mention).
_TEMPLATE_HEAD = re.compile(rb"template\s*<[^;{}]*>\s*(?:class|struct)\s+(\w+)[^;{}]*$")
_ALIAS_HEAD = re.compile(rb"using\s+(\w+)\s*=[^;{}]*$")
_TYPEDEF = re.compile(rb"[^;{}]*?\b(\w+)\s*;")


def focused_marks(code: bytes, directives: array, data: bytes, deadline: Deadline) -> array | None:
    """The keep marks to read a large file by (see the module docstring);
    None when ObjectWrap is said so often that focusing saves nothing."""
    marks: list[int] = []
    mentions = list(whole_words(code, b"ObjectWrap"))
    if len(mentions) > MAX_MENTIONS:
        return None
    marks += mentions
    marks += _directive_mentions(directives, data)
    marks += (m.start() for m in _INCLUDE.finditer(data))
    marks += whole_words(code, b"namespace")
    marks += whole_words(code, b"using")
    marks += (m.start() for m in _EXTERN_BLOCK.finditer(code))
    deadline.check()
    seen: set[bytes] = set()
    fresh = mentions
    for _ in range(_ROUNDS):
        names = {name for at in fresh for name in _declared_names(code, at)} - seen
        if not names:
            break
        seen |= names
        fresh = [at for name in sorted(names) for at in whole_words(code, name)]
        marks += fresh
        deadline.check()
    return array("q", sorted(set(marks)))


def _directive_mentions(directives: array, data: bytes) -> list[int]:
    """Directives whose line (continuations included) says ObjectWrap."""
    found: list[int] = []
    at = data.find(b"ObjectWrap")
    for _ in range(4 * MAX_MENTIONS):  # comments and strings may say it too, but not without end
        if at == -1:
            break
        index = bisect_right(directives, at) - 1
        if index >= 0 and _on_directive_line(data, directives[index], at):
            found.append(directives[index])
        at = data.find(b"ObjectWrap", at + 1)
    return found


def _on_directive_line(data: bytes, start: int, at: int) -> bool:
    """`at` is on the directive starting at `start`: every line break between
    them is escaped (looked at backwards from `at`, so only the directive's
    own lines are read)."""
    pos = at
    while True:
        newline = data.rfind(b"\n", start, pos)
        if newline == -1:
            return True
        if data[newline - 1 : newline] != b"\\" and data[newline - 2 : newline] != b"\\\r":
            return False
        pos = newline - 1


def _declared_names(code: bytes, at: int) -> list[bytes]:
    """Names of the class template or alias whose declaration holds `at`."""
    floor = max(0, at - _LOOK_BACK)
    start = max(code.rfind(b";", floor, at), code.rfind(b"{", floor, at), code.rfind(b"}", floor, at)) + 1
    before = code[max(start, floor):at]
    out = []
    for pattern in (_TEMPLATE_HEAD, _ALIAS_HEAD):
        m = pattern.search(before)
        if m is not None:
            out.append(m.group(1))
    if b"typedef" in before:
        m = _TYPEDEF.match(code, at)
        if m is not None:
            out.append(m.group(1))
    return out
