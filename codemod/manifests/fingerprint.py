"""Judge a node-addon-api header copy by what it does, not what it says.

Inside `ObjectWrap<T>::FinalizeCallback` in napi-inl.h:
  `instance->_ref = nullptr;`       -> leaky (8.2.0, 8.2.1, or a fork of them)
  `instance->_finalized = true;`    -> fixed (8.2.2+)
  neither                           -> pre-8.2 layout, not affected

`plan_patch` writes upstream's 8.2.2 fix (PR #1607) into a leaky copy: a
`_finalized` member in napi.h, `instance->_finalized = true;` in place of the
`_ref = nullptr` line, and `~ObjectWrap` skipping napi_remove_wrap once
finalized, so `~Reference` deletes the napi_ref again.
"""

from __future__ import annotations

import re

from codemod.edits import Edit
from codemod.manifests import spec as specs

LEAKY = "leaky"
FIXED = "fixed"
PRE = "pre-8.2"
UNRECOGNISED = "unrecognised"  # an ObjectWrap the fingerprint cannot read
UNREADABLE = "unreadable"  # napi-inl.h could not be read

_FINALIZE = re.compile(rb"ObjectWrap<T>::FinalizeCallback\s*\(")
_DESTRUCTOR = re.compile(rb"ObjectWrap<T>::~ObjectWrap\s*\(\s*\)")
_LEAKY_LINE = re.compile(rb"instance->_ref\s*=\s*nullptr\s*;")
_FIXED_LINE = re.compile(rb"instance->_finalized\s*=\s*true\s*;")
_GUARD = re.compile(rb"if\s*\(\s*!IsEmpty\(\)\s*\)")
_MEMBER = re.compile(rb"^([ \t]*)bool _construction_failed = true;(\r?\n)", re.M)


def _body(data: bytes, head: re.Pattern) -> tuple[int, int] | None:
    """Byte span of the braces of the function whose head matches."""
    m = head.search(data)
    if not m:
        return None
    depth, pos = 1 if m.group(0).endswith(b"(") else 0, m.end()  # inside the parameter list
    while pos < len(data) and not (data[pos] == ord("{") and depth == 0):
        depth += {ord("("): 1, ord(")"): -1}.get(data[pos], 0)
        pos += 1
    start = pos
    depth = 0
    while pos < len(data):
        ch = data[pos]
        if ch == ord("{"):
            depth += 1
        elif ch == ord("}"):
            depth -= 1
            if depth == 0:
                return start, pos + 1
        elif data.startswith(b"//", pos):
            pos = data.find(b"\n", pos)
            if pos < 0:
                break
        pos += 1
    return None


def fingerprint(napi_inl: bytes) -> str:
    span = _body(napi_inl, _FINALIZE)
    if span is None:
        return UNRECOGNISED if b"ObjectWrap" in napi_inl else PRE
    body = napi_inl[span[0] : span[1]]
    if _LEAKY_LINE.search(body):
        return LEAKY
    if _FIXED_LINE.search(body):
        return FIXED
    return PRE


def expected(version: str) -> str | None:
    """The fingerprint a release should have (None when not a release)."""
    try:
        key = specs.version_key(version)
    except ValueError:
        return None
    if specs.is_bad(version):
        return LEAKY
    return FIXED if key >= (8, 2, 2) else PRE


def leaky_line(napi_inl: bytes) -> tuple[int, int] | None:
    """Byte span of the `instance->_ref = nullptr;` statement, where a leaky copy leaks."""
    span = _body(napi_inl, _FINALIZE)
    m = _LEAKY_LINE.search(napi_inl, span[0], span[1]) if span is not None else None
    return m.span() if m else None


def plan_patch(h_path: str, napi_h: bytes, inl_path: str, napi_inl: bytes) -> tuple[list[Edit], list[Edit]] | None:
    """(edits to napi.h, edits to napi-inl.h), or None when the copy's layout
    is not the one the upstream fix applies to."""
    finalize = _body(napi_inl, _FINALIZE)
    destructor = _body(napi_inl, _DESTRUCTOR)
    member = _MEMBER.search(napi_h)
    if finalize is None or destructor is None or member is None:
        return None
    leak = _LEAKY_LINE.search(napi_inl, finalize[0], finalize[1])
    guard = _GUARD.search(napi_inl, destructor[0], destructor[1])
    if leak is None or guard is None:
        return None
    indent, newline = member.group(1), member.group(2)
    h_edits = [Edit(h_path, member.end(), member.end(), indent + b"bool _finalized = false;" + newline)]
    inl_edits = [
        Edit(inl_path, guard.start(), guard.end(), b"if (!IsEmpty() && !_finalized)"),
        Edit(inl_path, leak.start(), leak.end(), b"instance->_finalized = true;"),
    ]
    return h_edits, inl_edits
