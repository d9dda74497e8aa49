"""Class heads with bases and bodies: queries/classes.scm.

Purely syntactic facts about each class; whether a base leads to
Napi::ObjectWrap is the index's call (codemod/cpp/index.py).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Callable

from tree_sitter import Node

from codemod import queries
from codemod.cpp.finalize import Insertion, existing_override, finalize_by_body, insertion_point
from codemod.cpp.scope import enclosing_scope, template_params
from codemod.cpp.types import node_text, normalize, parse_type

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
    # Macro invocations among its members (`DECLARE_METHODS(Foo)` alone on a
    # line, `DECLARE_FINALIZE(Foo);`): what they declare is known only from
    # their definitions (index.py reads them).
    member_macros: tuple[str, ...] = ()

    @property
    def declares_finalize(self) -> bool:
        """Overrides ObjectWrap's Finalize, in its own words."""
        return self.override is not None

    @property
    def qualified(self) -> tuple[str, ...]:
        return self.scope + (self.name,)

    def display_name(self) -> str:
        named = [s for s in self.qualified if not s.startswith("(")]
        text = "::".join(named)
        return f"{text}<{', '.join(self.params)}>" if self.params else text


def find_classes(
    matches: queries.Matches, path: str, data: bytes, where: Callable[[Node], tuple[int, int]],
    unit: Callable[[], str], newline: str,
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
        name = parsed.last.name
        line, column = where(name_node)
        found.append(
            ClassDecl(
                name=name,
                scope=enclosing_scope(cls, path) + parsed.parts[:-1],
                params=template_params(cls),
                line=line,
                column=column,
                name_span=(name_node.start_byte, name_node.end_byte),
                start=cls.start_byte,
                end=cls.end_byte,
                bases=_bases(m["base"][0]),
                override=override,
                other_finalize=other,
                insertion=insertion_point(body, cls.type == "struct_specifier", data, unit, newline, member_macros),
                member_macros=_macro_members(body, name, data, member_macros),
            )
        )
    return tuple(found)


def _bases(clause: Node) -> tuple[str, ...]:
    return tuple(normalize(c) for c in clause.named_children if c.type not in _NOT_A_BASE)


_PREPROC = ("preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef")


def _macro_members(body: Node, name: str, data: bytes, member_macros: tuple[tuple[int, int], ...]) -> tuple[str, ...]:
    """Names of the macros invoked directly among the members of `body`: the
    semicolon-less lines the parse left out, and declarations of a function
    without a return type that is not the class's constructor (`MACRO(x);`)."""
    found: list[str] = []
    at = bisect_left(member_macros, (body.start_byte, 0))
    while at < len(member_macros) and member_macros[at][0] < body.end_byte:
        start, end = member_macros[at]
        at += 1
        holder = body.descendant_for_byte_range(start, end)
        while holder is not None and holder.type != "field_declaration_list":
            holder = holder.parent
        if holder is not None and holder.id == body.id:
            found.append(data[start:end].split(b"(")[0].strip().decode("utf-8", "replace"))
    pending = list(body.named_children)
    while pending:
        node = pending.pop()
        if node.type in _PREPROC:
            pending.extend(node.named_children)
        elif node.type == "declaration" and node.child_by_field_name("type") is None:
            declarator = node.child_by_field_name("declarator")
            called = declarator.child_by_field_name("declarator") if declarator is not None \
                and declarator.type == "function_declarator" else None
            if called is not None and called.type == "identifier" and node_text(called) != name.encode():
                found.append(node_text(called).decode("utf-8", "replace"))
    return tuple(dict.fromkeys(found))
