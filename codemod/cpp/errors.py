"""Regions tree-sitter could not parse that mention ObjectWrap: queries/errors.scm."""

from __future__ import annotations

from dataclasses import dataclass

from codemod import queries


@dataclass(frozen=True)
class Unparsed:
    line: int
    column: int
    start: int
    end: int


def find_unparsed(matches: queries.Matches, data: bytes) -> tuple[Unparsed, ...]:
    """Outermost ERROR nodes whose bytes mention ObjectWrap."""
    found: list[Unparsed] = []
    for m in matches["errors"]:
        node = m["error"][0]
        if b"ObjectWrap" not in data[node.start_byte : node.end_byte]:
            continue
        if found and node.start_byte < found[-1].end:
            continue  # nested inside the previous one
        found.append(Unparsed(node.start_point[0] + 1, node.start_point[1] + 1, node.start_byte, node.end_byte))
    return tuple(found)
