"""Macros that generate ObjectWrap-derived classes: queries/macros.scm.

The class only exists after preprocessing, so no edit can be placed; each
such macro is reported with file and line for a human to handle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codemod import queries
from codemod.cpp.types import node_text


@dataclass(frozen=True)
class MacroClass:
    macro: str
    line: int
    column: int


_DEFINES_CLASS = re.compile(rb"(?:class|struct)[^;]*ObjectWrap")


def find_macro_classes(matches: queries.Matches) -> tuple[MacroClass, ...]:
    return tuple(
        MacroClass(
            macro=node_text(m["name"][0]).decode("utf-8", "replace"),
            line=m["macro"][0].start_point[0] + 1,
            column=m["macro"][0].start_point[1] + 1,
        )
        for m in matches["macros"]
        if _DEFINES_CLASS.search(node_text(m["body"][0]))
    )
