"""Regions tree-sitter could not parse that mention ObjectWrap: queries/errors.scm.

Mentions are read from code (lexer.Lexed.code): a comment or a string that
says ObjectWrap inside an unparsable region is no reason to report it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from tree_sitter import Node

from codemod import queries
from codemod.textpos import whole_words


@dataclass(frozen=True)
class Unparsed:
    """A place the finder could not read, reported as NAPI005 with `reason`."""

    line: int
    column: int
    start: int
    end: int
    reason: str


def outermost_errors(matches: queries.Matches) -> list[Node]:
    """ERROR nodes not inside another, in order."""
    found: list[Node] = []
    for m in matches["errors"]:
        node = m["error"][0]
        if not found or node.start_byte >= found[-1].end_byte:
            found.append(node)
    return found


def find_unparsed(errors: list[Node], code: bytes, where: Callable[[Node], tuple[int, int]],
                  reason: str) -> list[Unparsed]:
    """The `errors` whose code mentions ObjectWrap; `where`: a node's (line, column), textpos's (node_places)."""
    return [
        Unparsed(*where(node), node.start_byte, node.end_byte, reason)
        for node in errors
        if next(objectwrap_mentions(code, node.start_byte, node.end_byte), None) is not None
    ]


def objectwrap_mentions(code: bytes, start: int, end: int):
    return whole_words(code, b"ObjectWrap", start, end)
