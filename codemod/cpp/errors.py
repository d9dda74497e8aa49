"""Regions tree-sitter could not parse that mention ObjectWrap: queries/errors.scm."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from codemod import queries


@dataclass(frozen=True)
class Unparsed:
    line: int
    column: int
    start: int
    end: int


def find_unparsed(root: Node, data: bytes) -> tuple[Unparsed, ...]:
    """Outermost ERROR nodes whose bytes mention ObjectWrap."""
    found: list[Unparsed] = []
    for m in queries.matches("errors", root):
        node = m["error"][0]
        if b"ObjectWrap" not in data[node.start_byte : node.end_byte]:
            continue
        if found and node.start_byte < found[-1].end:
            continue  # nested inside the previous one
        found.append(Unparsed(node.start_point[0] + 1, node.start_point[1] + 1, node.start_byte, node.end_byte))
    return tuple(found)
