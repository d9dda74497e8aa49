"""The Finalize fixer: detect existing overrides (queries/finalize.scm), find
where an override goes in a class body, and plan the insertion as an Edit.

An empty Finalize override is hygiene. It does NOT stop the 8.2.0/8.2.1 leak:
the `_ref = nullptr` line runs before any override is consulted (measured,
see the knowledge file). Every place that offers this edit says so (rules.py's
HYGIENE_ONLY in NAPI004's reason, present/words.py's HYGIENE_NOTE on the
command line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from tree_sitter import Node

from codemod import queries
from codemod.cpp.types import node_text, normalize
from codemod.edits import Edit
from codemod.textpos import line_indent, line_start, starts_line

# Parameter spellings of ObjectWrap's two virtual Finalize overloads.
_ENV_TYPES = {"Napi::Env", "Env", "Napi::BasicEnv", "BasicEnv", "node_addon_api_basic_env"}
_PREPROC = {"preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef"}


def declaration(basic: bool) -> str:
    # Always `Napi::Env`: inside an ObjectWrap subclass the bare name `Env` is
    # the inherited member function Env(), even under `using namespace Napi`.
    # The commented-out name keeps -Wextra -Werror builds clean.
    env = "Napi::BasicEnv" if basic else "Napi::Env"
    return f"void Finalize({env} /*env*/) override {{}}"


def finalize_by_body(finalize_matches: list[queries.Captures]) -> dict[int, list[queries.Captures]]:
    """The file's Finalize declarators (from queries/finalize.scm's matches) by
    the id of the class body they sit directly in (perhaps inside
    preprocessor conditionals)."""
    grouped: dict[int, list[queries.Captures]] = {}
    for m in finalize_matches:
        if node_text(m["name"][0]) != b"Finalize":
            continue
        owner = m["method"][0].parent
        parent = owner.parent if owner is not None else None
        while parent is not None and parent.type in _PREPROC:
            parent = parent.parent
        if parent is not None and parent.type == "field_declaration_list":
            grouped.setdefault(parent.id, []).append(m)
    return grouped


def existing_override(in_body: list[queries.Captures]) -> tuple[str | None, bool]:
    """(parameter type of an existing Finalize override or None, has another Finalize),
    from the Finalize matches directly in one class body."""
    other = False
    for m in in_body:
        params = [
            p
            for p in m["params"][0].named_children
            if p.type in ("parameter_declaration", "optional_parameter_declaration")
        ]
        if len(params) == 1:
            ptype = params[0].child_by_field_name("type")
            declarator = params[0].child_by_field_name("declarator")
            spelled = normalize(ptype).lstrip(":") if ptype is not None else ""
            by_value = declarator is None or declarator.type == "identifier"
            if spelled in _ENV_TYPES and by_value:
                return spelled, other
        other = True
    return None, other


@dataclass(frozen=True)
class Insertion:
    """Where and how an override is inserted: `layout` holds `{decl}`."""

    offset: int
    layout: str


def insertion_point(
    body: Node, is_struct: bool, data: bytes, unit: Callable[[], str], newline: str,
    member_macros: tuple[tuple[int, int], ...] = (),
) -> Insertion | None:
    """Place for a public member in `body`; None when the body is malformed.

    The override goes at the end of the first public section (after its last
    member, never between a comment and the label it introduces), or under a
    new `public:` label before the closing brace when the class has no public
    section. Insertion points are always between direct children of the
    body, so never inside a preprocessor conditional. `member_macros` are
    semicolon-less macro lines the parse left out (parse.py): the override
    never follows one, since the compiler would read both as one member.
    Without a public section free of them before the place, it goes at the
    top of the body, before them all: in a class under a `public:` label,
    with `private:` (the access in force there) restored after it unless a
    label is the very next thing the compiler reads, so no member, whatever
    a macro line expands to, changes access.
    """
    children = body.children
    if len(children) < 2 or children[0].type != "{" or children[-1].type != "}" or children[-1].is_missing:
        return None
    close = children[-1]
    inner = children[1:-1]

    class_indent = _class_indent(body, data)
    member_indent = next(
        (_line_indent(data, c.start_byte) for c in inner
         if _member(c) and c.type not in _PREPROC and starts_line(data, c.start_byte)),
        None,
    )
    if member_indent is None:  # no member starts a line: one indentation step in from the class
        member_indent = class_indent + unit()
    label_indent = next(
        (_line_indent(data, c.start_byte) for c in _labels(inner) if starts_line(data, c.start_byte)),
        class_indent,
    )

    anchor = _public_anchor(children, is_struct)
    # A macro line before the place found: raw tree-sitter (an editor's
    # highlighting, other tools) could lose the class if the override came
    # after it, so the override goes before every macro line instead.
    after_macro = anchor is not None and any(body.start_byte < start < anchor.end_byte for start, _ in member_macros)
    if anchor is not None and not after_macro:
        offset = _after_line(anchor, data)
        if offset is not None:
            return Insertion(offset, member_indent + "{decl}" + newline)
        return Insertion(anchor.end_byte, " {decl}")

    if any(body.start_byte < start < close.start_byte for start, _ in member_macros):
        # Before every macro line, where the access in force is the class's
        # default whatever the labels and conditionals below say.
        at = _after_line(children[0], data)
        if at is None:
            return None
        if is_struct:  # public by default
            return Insertion(at, member_indent + "{decl}" + newline)
        # The default is restored unless a label is the very next thing the
        # compiler reads: a macro line the parse left out may come first, and
        # whatever it expands to must keep the access it had.
        first = next((c for c in inner if c.type != "comment"), None)
        labelled = (first is not None and first.type == "access_specifier"
                    and not any(body.start_byte < start < first.start_byte for start, _ in member_macros))
        restore = "" if labelled else label_indent + "private:" + newline
        return Insertion(at, label_indent + "public:" + newline + member_indent + "{decl}" + newline + restore)
    if starts_line(data, close.start_byte):
        return Insertion(
            line_start(data, close.start_byte),
            label_indent + "public:" + newline + member_indent + "{decl}" + newline,
        )
    space = "" if data[close.start_byte - 1 : close.start_byte].isspace() else " "
    return Insertion(close.start_byte, space + "public: {decl} ")


def _member(node: Node) -> bool:
    return node.type not in ("access_specifier", ":", "comment")


def _public_anchor(children: list[Node], is_struct: bool) -> Node | None:
    """Last member of the first public section (or its label's `:`, or a
    struct's `{`); None when there is none. A conditional holding a label
    ends the section before itself: after it the access depends on the build
    (`#ifdef X` / `private:` / `#endif` leaves what follows private when X is
    defined)."""
    access = "public" if is_struct else "private"
    anchor: Node | None = children[0] if is_struct else None
    for child in children[1:-1]:
        if child.type == "access_specifier":
            if access == "public":
                return anchor
            access = normalize(child)
        elif child.type in _PREPROC and _has_access_label(child):
            if access == "public":
                return anchor
            access = "unknown"  # which label wins depends on the build
        elif child.type != "comment" and access == "public":
            anchor = child  # a label's `:` first, then each member
    return anchor


def _labels(nodes: list[Node]):
    """Access labels among `nodes`, including those inside preprocessor
    conditionals (walked with a list: they may nest deeper than recursion goes)."""
    pending = list(reversed(nodes))
    while pending:
        node = pending.pop()
        if node.type == "access_specifier":
            yield node
        elif node.type in _PREPROC:
            pending.extend(reversed(node.children))


def _has_access_label(node: Node) -> bool:
    return next(_labels(node.children), None) is not None


_LINE_REST = re.compile(rb"[ \t]*(?://[^\n]*)?\r?\n")


def _after_line(anchor: Node, data: bytes) -> int | None:
    """Start of the line after `anchor` when only blanks or comments follow it
    on its line; None when more code shares the line."""
    pos = anchor.end_byte
    if data[pos - 1 : pos] == b"\n":
        return pos
    while True:
        m = _LINE_REST.match(data, pos)
        if m:
            return m.end()
        block = re.compile(rb"[ \t]*/\*.*?\*/", re.S).match(data, pos)
        if not block:
            return None
        pos = block.end()


def _line_indent(data: bytes, offset: int) -> str:
    return line_indent(data, offset).decode("ascii")


def _class_indent(body: Node, data: bytes) -> str:
    node = body.parent
    while node is not None and node.parent is not None and node.parent.type == "template_declaration":
        node = node.parent
    return _line_indent(data, (node or body).start_byte)


def detect_newline(data: bytes) -> str:
    crlf = data.count(b"\r\n")
    return "\r\n" if crlf and crlf * 2 >= data.count(b"\n") else "\n"


_INDENT = re.compile(rb"^([ \t]+)\S", re.M)


def detect_indent_unit(data: bytes) -> str:
    """Tabs when most indented lines start with a tab, else the most common
    step between successive indentation widths (2 when nothing tells)."""
    tabs = spaces = 0
    widths: list[int] = []
    for m in _INDENT.finditer(data):
        lead = m.group(1)
        if lead.startswith(b"\t"):
            tabs += 1
        else:
            spaces += 1
            widths.append(len(lead))
    if tabs > spaces:
        return "\t"
    steps: dict[int, int] = {}
    previous = 0
    for width in widths:
        step = width - previous
        if 2 <= step <= 8:
            steps[step] = steps.get(step, 0) + 1
        previous = width
    if not steps:
        return "  "
    return " " * max(sorted(steps), key=lambda s: steps[s])


def plan_insertion(path: str, insertion: Insertion, basic: bool) -> Edit:
    text = insertion.layout.replace("{decl}", declaration(basic))
    return Edit(path, insertion.offset, insertion.offset, text.encode("ascii"))
