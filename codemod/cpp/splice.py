"""Re-scan one class after an edit inside its body (the editor server).

A full scan of a 50,000-line generated header takes about a second. An edit
inside the body of one class changes what that class yields and, in a
separable file (scan.py: every tree clean, braces paired, nothing unread,
no class needing the file's indentation step), nothing else but where the
rest now lies. So the window from the end of the class before it to the
end of the edited one (neither nested in a class) is scanned on its own
(what precedes it on its first line blanked, so columns stay; inside the
namespaces the class's scope names; the file's line break handed in) and
moved to where it lies, and the facts outside it are the old ones, moved
by the edit's bytes and lines.

It is exact or it declines (None: the caller scans the whole file, as
`napi-fix PATH` would):
- the same window of the old bytes must yield exactly the old facts inside
  it: the class is as free of its surroundings as assumed (inside the
  namespaces its scope names, written around the window, and nothing else:
  not an `extern "C"` block, a class, a conditional);
- the new window must be separable too, its class must still close where
  the old one did (moved), and the line it ends on must start where it
  did (moved): columns after it stay;
- a conditional that does not balance inside the window (a stray `#else`
  or `#endif`, an `#if` without its `#endif`) is an error to tree-sitter,
  so the window is not separable: what is dead stays dead, and what is live
  stays live; a macro or include added or changed is the planner's concern
  (Spliced.loose_same);
- neither window declares an alias, a using or a macro-made class (those
  facts carry no byte offset to move them by).

tree-sitter's own incremental parse (`Tree.edit`, then a parse with the
old tree) is not used: the window parses afresh in about a millisecond, and
an incremental parse can recover from errors otherwise than a fresh one
(finder.scan_one). What costs is linear in the classes, not the bytes.

Whether other classes' findings may change (a base renamed, a class name or
a macro added) is the index's and the planner's call: `Spliced.loose_same`
and index.add's answer (engine.Project).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from codemod.cpp.classes import ClassDecl
from codemod.cpp.finalize import detect_newline
from codemod.cpp.index import classes_signature, loose_reads
from codemod.cpp.lexer import BLANK
from codemod.cpp.limits import SCAN_SECONDS, Deadline, OverLimit
from codemod.cpp.parse import Prepared, prepare
from codemod.cpp.scan import FileFacts, digest, scan_part
from codemod.cpp.usings import Usings
from codemod.difference import changed_span
from codemod.textpos import line_of, line_start

_SEMICOLON = re.compile(rb"[ \t]*;")
_NO_USINGS = Usings((), (), (), ())


@dataclass(frozen=True)
class Spliced:
    """The new bytes' facts, and the window they were re-read in."""

    facts: FileFacts
    start: int  # the window in the old bytes: [start, end)
    end: int
    delta: int  # bytes the window grew by
    lines: int  # lines it grew by
    first_line: int  # the old window's first and last lines (1-based)
    last_line: int
    loose_same: bool  # index.loose_reads of the window alike before and after
    same_signature: bool  # its classes show other files what the old ones did (index.signature)


def rescan(path: str, old: bytes, facts: FileFacts, new: bytes) -> Spliced | None:
    """`facts` (of `old`) brought to `new` by re-scanning the class an edit
    fell in; None when that cannot be done exactly."""
    if not facts.separable:
        return None
    start, old_end, new_end = changed_span(old, new)
    if start == old_end == new_end:  # the same bytes (an edit undone before the re-plan)
        return Spliced(facts, 0, 0, 0, 0, 0, 0, True, True)
    window = _window(facts.classes, start, old_end)
    if window is None:
        return None
    a, b = (_past_semicolon(old, at) for at in window[:2])
    scope = window[2].scope
    delta = len(new) - len(old)
    if line_start(new, b + delta) != line_start(old, b) + delta:
        return None  # the window ends on a line the edit moved: columns after it would change
    try:
        deadline = Deadline(SCAN_SECONDS)
        before, seen = _scan_window(path, old, a, b, scope, deadline)
        after, got = _scan_window(path, new, a, b + delta, scope, deadline)
    except (OverLimit, RecursionError):
        return None
    inside = (a, b)
    if not (seen.separable and got.separable and _plain(seen) and _plain(got)
            and seen.classes == _within(facts.classes, inside)
            and seen.recovered_macros == tuple(r for r in facts.recovered_macros if a <= r[0] < b)
            and _closes(before, start, old_end) and _closes(after, start, new_end)):
        return None
    first, last = line_of(old, a), line_of(old, b)
    if any(first <= m.line <= last for m in facts.macro_classes):
        return None
    lines = line_of(new, b + delta) - last
    spliced = FileFacts(
        path=path,
        digest=digest(new),
        classes=tuple(c for c in facts.classes if c.start < a) + got.classes + tuple(
            _moved(c, delta, lines) for c in facts.classes if c.start >= b),
        aliases=facts.aliases,
        usings=facts.usings,
        macro_classes=tuple(m for m in facts.macro_classes if m.line < first) + tuple(
            replace(m, line=m.line + lines) for m in facts.macro_classes if m.line > last),
        unparsed=(),
        recovered_macros=tuple(r for r in facts.recovered_macros if r[0] < a) + got.recovered_macros + tuple(
            (at + delta, spelled) for at, spelled in facts.recovered_macros if at >= b),
        separable=True,
    )
    return Spliced(spliced, a, b, delta, lines, first, last, loose_reads(old[a:b]) == loose_reads(new[a:b + delta]),
                   classes_signature(seen.classes) == classes_signature(got.classes))


def _window(classes: tuple[ClassDecl, ...], start: int, old_end: int) -> tuple[int, int, ClassDecl] | None:
    """From the end of the outermost class before the one holding the edit
    (past its `;`) to the end of that one (with its `;`), and that class:
    None when the edit is not inside an outermost class."""
    previous = reach = 0
    for cls in classes:  # by start
        if cls.start < reach:
            continue  # nested in the one before
        if cls.start < start and old_end < cls.end:
            return previous, cls.end, cls
        if cls.start >= old_end:
            return None
        previous = reach = cls.end
    return None


def _past_semicolon(data: bytes, at: int) -> int:
    m = _SEMICOLON.match(data, at)
    return m.end() if m else at


def _scan_window(path: str, data: bytes, a: int, b: int, scope: tuple[str, ...], deadline: Deadline
                 ) -> tuple[_Part, FileFacts]:
    """The facts of data[a:b] where they lie in `data`, read inside the
    namespaces `scope` names (written on a line of their own before it, and
    closed after it). A class there that needs the file's indentation step
    makes them not separable (the splice declines), so the step handed in is
    never one a result keeps."""
    first = line_start(data, a)
    opening = b"".join(b"namespace {" if name.startswith("(") else b"namespace %s {" % name.encode()
                       for name in scope)
    prefix = opening + b"\n" if scope else b""
    shift = first - len(prefix)
    part = _Part(shift, len(scope), b - shift, prepare(
        prefix + data[first:a].translate(BLANK) + data[a:b] + b"\n}" * len(scope), deadline))
    found = scan_part(path, part.prepared, deadline, lambda: "  ", detect_newline(data))
    lines = line_of(data, first) - 1 - (1 if scope else 0)
    return part, replace(found, classes=tuple(_moved(c, shift, lines) for c in found.classes),
                         recovered_macros=tuple((at + shift, spelled) for at, spelled in found.recovered_macros))


@dataclass(frozen=True)
class _Part:
    """A window prepared on its own: byte `shift` of the file is its byte 0
    (negative when namespace heads were written before it)."""

    shift: int
    depth: int  # namespaces written around it
    end: int  # where the window ends in it
    prepared: Prepared


def _plain(facts: FileFacts) -> bool:
    """Declares nothing without a byte offset to move it by."""
    return not facts.aliases and facts.usings == _NO_USINGS and not facts.macro_classes


def _within(classes: tuple[ClassDecl, ...], span: tuple[int, int]) -> tuple[ClassDecl, ...]:
    return tuple(c for c in classes if span[0] <= c.start < span[1])


def _closes(part: _Part, start: int, end: int) -> bool:
    """The edit [start, end) lies inside a brace pair directly in the
    namespaces written around the window that closes at its class's `}`
    (the window ends there, or at its `;`)."""
    lexed = part.prepared.lexed
    chain = []
    pair = lexed.enclosing(start - part.shift)
    while pair >= 0:
        chain.append(pair)
        pair = lexed.parents[pair]
    if len(chain) <= part.depth:
        return False
    body = chain[-1 - part.depth]
    if lexed.closes[body] < end - part.shift:
        return False
    tail = part.prepared.data[lexed.closes[body] + 1:part.end]
    return tail.strip(b" \t;") == b"" and tail.count(b";") <= 1


def _moved(cls: ClassDecl, delta: int, lines: int) -> ClassDecl:
    """`cls`, `delta` bytes and `lines` lines further (dataclasses.replace,
    at 15 us a call, was most of a splice's time for 2,500 classes)."""
    moved = shallow_copy(cls)
    fields = moved.__dict__
    fields["line"] += lines
    fields["name_span"] = (cls.name_span[0] + delta, cls.name_span[1] + delta)
    fields["start"] += delta
    fields["end"] += delta
    if cls.insertion is not None:
        insertion = fields["insertion"] = shallow_copy(cls.insertion)
        insertion.__dict__["offset"] += delta
    return moved


def shallow_copy(frozen):
    """A shallow copy of a frozen dataclass instance, to be changed before anyone sees it."""
    copied = object.__new__(type(frozen))
    copied.__dict__.update(frozen.__dict__)
    return copied
