"""Macros that generate ObjectWrap-derived classes: queries/macros.scm.

The class only exists after preprocessing, so no edit can be placed; each
such macro is reported with file and line for a human to handle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from tree_sitter import Node

from codemod import queries
from codemod.cpp.types import node_text


@dataclass(frozen=True)
class MacroClass:
    macro: str
    line: int
    column: int


_CLASS_WORD = re.compile(rb"class|struct")


def _defines_class(body: bytes) -> bool:
    """`class` or `struct`, then ObjectWrap, with no `;` between: one pass
    per statement (a regex `(class|struct)[^;]*ObjectWrap` is quadratic on a
    body full of `class`)."""
    for statement in body.split(b";"):
        keyword = _CLASS_WORD.search(statement)
        if keyword is not None and statement.find(b"ObjectWrap", keyword.end()) != -1:
            return True
    return False


def find_macro_classes(matches: queries.Matches, where: Callable[[Node], tuple[int, int]]) -> tuple[MacroClass, ...]:
    """`where`: a node's (line, column), textpos's (node_places)."""
    return tuple(
        MacroClass(node_text(m["name"][0]).decode("utf-8", "replace"), *where(m["macro"][0]))
        for m in matches["macros"]
        if _defines_class(node_text(m["body"][0]))
    )
