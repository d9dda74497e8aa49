"""C++ type expressions as normalized text, split into qualified segments.

The finder compares and substitutes type names (`Napi :: ObjectWrap < T >`,
`Wrapped<Leaf>`, `::ns::Box<Box<T>>`) without a C++ front end. Every type is
first reduced to one canonical spelling: tokens joined with no white space
and no comments, except a single space between two word tokens
(`unsigned int`). Two spellings of one type then compare equal as strings.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

from tree_sitter import Node

_WORD = re.compile(r"[A-Za-z0-9_]")
_IDENT = re.compile(r"[A-Za-z_]\w*")
_BRACKETS = re.compile(r"[<>()\[\]]")


# The bytes the trees being read were parsed from. parse.py parses through a
# read callback (so a deadline can stop it), and for such a tree Node.text
# calls back into Python: 4 us a leaf instead of 0.3. scan.py sets this while
# it reads its trees.
_SOURCE: ContextVar[bytes | None] = ContextVar("_SOURCE", default=None)


@contextmanager
def reading(source: bytes) -> Iterator[None]:
    token = _SOURCE.set(source)
    try:
        yield
    finally:
        _SOURCE.reset(token)


def node_text(node: Node) -> bytes:
    source = _SOURCE.get()
    return (node.text or b"") if source is None else source[node.start_byte : node.end_byte]


def normalize(node: Node) -> str:
    """Canonical spelling of the source text under `node` (comments dropped)."""
    text = node_text(node)
    if not _NEEDS_TOKENS.search(text):
        # No comment, literal, continuation or directive: white space is all
        # that separates tokens, so the spelling follows from the text alone
        # (one space where two words meet, none elsewhere), without walking
        # the tree's leaves (6,000 types on one header re-plan in the editor).
        return _SPACE.sub(b"", _WORD_SPACE.sub(b" ", text)).decode("utf-8", "replace")
    tokens: list[str] = []
    _leaf_tokens(node, tokens)
    return join_tokens(tokens)


_NEEDS_TOKENS = re.compile(rb"[/\"'\\#]|[^\x00-\x7f]")
_WORD_SPACE = re.compile(rb"(?<=[A-Za-z0-9_])\s+(?=[A-Za-z0-9_])")
_SPACE = re.compile(rb"[^\S ]+| (?![A-Za-z0-9_])|(?<![A-Za-z0-9_]) ")


def _leaf_tokens(node: Node, out: list[str]) -> None:
    # A loop, not recursion: `B<B<B<...>>>` 3,000 deep is valid input.
    pending = [node]
    while pending:
        node = pending.pop()
        if node.type == "comment":
            continue
        if node.child_count == 0:
            text = node_text(node).decode("utf-8", "replace")
            if text:
                out.append(text)
            continue
        pending.extend(reversed(node.children))


def join_tokens(tokens: list[str]) -> str:
    pieces: list[str] = []
    for token in tokens:
        if pieces and _WORD.match(pieces[-1][-1]) and _WORD.match(token[0]):
            pieces.append(" ")
        pieces.append(token)
    return "".join(pieces)


@dataclass(frozen=True)
class Segment:
    name: str
    args: tuple[str, ...] | None  # None: no template argument list


@dataclass(frozen=True)
class TypeName:
    """`::a::B<x>::C<y,z>` -> global=True, segments (a, B<x>, C<y,z>)."""

    is_global: bool
    segments: tuple[Segment, ...]

    @property
    def last(self) -> Segment:
        return self.segments[-1]

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.segments)


# Memoized: a pure function of its text, and the editor server asks again for
# the same few hundred spellings on every re-plan of a file.
@lru_cache(maxsize=8192)
def parse_type(text: str) -> TypeName | None:
    """Split a normalized type into segments; None for anything that is not a
    plain (possibly qualified, possibly templated) name, e.g. `decltype(x)`."""
    text = text.strip()
    for keyword in ("typename ", "class ", "struct "):
        if text.startswith(keyword):
            text = text[len(keyword) :]
    is_global = text.startswith("::")
    if is_global:
        text = text[2:]
    segments: list[Segment] = []
    for raw in _split_top(text, "::"):
        segment = _parse_segment(raw)
        if segment is None:
            return None
        segments.append(segment)
    if not segments:
        return None
    return TypeName(is_global, tuple(segments))


def _parse_segment(raw: str) -> Segment | None:
    lt = raw.find("<")
    name = raw if lt < 0 else raw[:lt]
    if not _IDENT.fullmatch(name):
        return None
    if lt < 0:
        return Segment(name, None)
    if not raw.endswith(">"):
        return None
    inner = raw[lt + 1 : -1]
    args = tuple(a for a in _split_top(inner, ",")) if inner else ()
    return Segment(name, args)


def _split_top(text: str, sep: str) -> list[str]:
    """Split at `sep` where no <>, () or [] is open."""
    if not _BRACKETS.search(text):
        return text.split(sep)
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "<([":
            depth += 1
        elif ch in ">)]":
            depth -= 1
        elif depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


def substitute(text: str, mapping: dict[str, str]) -> str:
    """Replace whole identifiers (template parameters) by their arguments.

    A name right after `::` is a member of something else, not the parameter.
    """
    if not mapping:
        return text

    def repl(match: re.Match[str]) -> str:
        if match.start() >= 2 and text[match.start() - 2 : match.start()] == "::":
            return match.group(0)
        return mapping.get(match.group(0), match.group(0))

    return _IDENT.sub(repl, text)
