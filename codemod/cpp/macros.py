"""Macros that generate ObjectWrap-derived classes: queries/macros.scm.

The class only exists after preprocessing, so no edit can be placed; each
such macro is reported with file and line for a human to handle.
"""

from __future__ import annotations

from dataclasses import dataclass

from codemod import queries


@dataclass(frozen=True)
class MacroClass:
    macro: str
    line: int
    column: int


def find_macro_classes(matches: queries.Matches) -> tuple[MacroClass, ...]:
    return tuple(
        MacroClass(
            macro=m["name"][0].text.decode("utf-8", "replace"),
            line=m["macro"][0].start_point[0] + 1,
            column=m["macro"][0].start_point[1] + 1,
        )
        for m in matches["macros"]
    )
