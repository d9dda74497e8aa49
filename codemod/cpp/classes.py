"""Class heads with bases and bodies: queries/classes.scm.

Purely syntactic facts about each class; whether a base leads to
Napi::ObjectWrap is the index's call (codemod/cpp/index.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from tree_sitter import Node

from codemod import queries
from codemod.cpp.finalize import Insertion, existing_override, finalize_by_body, insertion_point
from codemod.cpp.scope import enclosing_scope, template_params
from codemod.cpp.types import normalize, parse_type

_NOT_A_BASE = {"access_specifier", "comment", "virtual"}


@dataclass(frozen=True)
class ClassDecl:
    name: str
    scope: tuple[str, ...]  # enclosing namespaces/classes, plus any qualifier in the name
    params: tuple[str, ...] | None  # template parameters; None when not a template
    line: int  # 1-based, of the class name
    column: int
    name_span: tuple[int, int]  # bytes of the class name
    start: int  # byte range of the whole class specifier
    end: int
    bases: tuple[str, ...]  # normalized type texts
    override: str | None  # parameter type of an existing Finalize override
    other_finalize: bool  # a Finalize(...) that is not ObjectWrap's override
    insertion: Insertion | None

    @property
    def qualified(self) -> tuple[str, ...]:
        return self.scope + (self.name,)

    def display_name(self) -> str:
        named = [s for s in self.qualified if not s.startswith("(")]
        text = "::".join(named)
        return f"{text}<{', '.join(self.params)}>" if self.params else text


def find_classes(
    matches: queries.Matches, path: str, data: bytes, unit: Callable[[], str], newline: str,
    member_macros: tuple[tuple[int, int], ...] = (),
) -> tuple[ClassDecl, ...]:
    """`unit` is called for the file's indentation step only when a body tells none;
    `member_macros`: macro lines the parse left out (parse.py)."""
    finalize = finalize_by_body(matches["finalize"])
    found = []
    for m in matches["classes"]:
        cls, name_node, body = m["class"][0], m["name"][0], m["body"][0]
        parsed = parse_type(normalize(name_node))
        if parsed is None:
            continue
        override, other = existing_override(finalize.get(body.id, []))
        found.append(
            ClassDecl(
                name=parsed.last.name,
                scope=enclosing_scope(cls, path) + parsed.parts[:-1],
                params=template_params(cls),
                line=name_node.start_point[0] + 1,
                column=name_node.start_point[1] + 1,
                name_span=(name_node.start_byte, name_node.end_byte),
                start=cls.start_byte,
                end=cls.end_byte,
                bases=_bases(m["base"][0]),
                override=override,
                other_finalize=other,
                insertion=insertion_point(body, cls.type == "struct_specifier", data, unit, newline, member_macros),
            )
        )
    return tuple(found)


def _bases(clause: Node) -> tuple[str, ...]:
    return tuple(normalize(c) for c in clause.named_children if c.type not in _NOT_A_BASE)
