"""Where a declaration sits: its enclosing namespaces and classes.

Scopes are tuples of names, outermost first. An anonymous namespace gets a
name that includes the file, so the same class name in two anonymous
namespaces in two files is two classes.
"""

from __future__ import annotations

from tree_sitter import Node

from codemod.cpp.types import normalize, parse_type

_CLASS_TYPES = ("class_specifier", "struct_specifier", "union_specifier")


def anonymous(path: str) -> str:
    return f"(anonymous namespace in {path})"


def enclosing_scope(node: Node, path: str) -> tuple[str, ...]:
    names: list[str] = []
    parent = node.parent
    while parent is not None:
        if parent.type == "namespace_definition":
            name = parent.child_by_field_name("name")
            if name is None:
                names.append(anonymous(path))
            else:
                names.extend(reversed(normalize(name).split("::")))
        elif parent.type in _CLASS_TYPES:
            name = parent.child_by_field_name("name")
            if name is not None:
                parsed = parse_type(normalize(name))
                if parsed is not None:
                    names.extend(reversed(parsed.parts))
        parent = parent.parent
    return tuple(reversed(names))


def template_params(node: Node) -> tuple[str, ...] | None:
    """Names of the template parameters of the template declaring `node`, or None."""
    parent = node.parent
    if parent is None or parent.type != "template_declaration":
        return None
    plist = parent.child_by_field_name("parameters")
    names: list[str] = []
    if plist is None:
        return ()
    for param in plist.named_children:
        ident = _param_name(param)
        if ident:
            names.append(ident)
    return tuple(names)


def _param_name(param: Node) -> str | None:
    name = param.child_by_field_name("name")
    if name is not None:
        return normalize(name)
    declarator = param.child_by_field_name("declarator")
    if declarator is not None:
        return normalize(declarator).lstrip("&*.")
    for child in param.named_children:  # type_parameter_declaration: `class T`
        if child.type in ("type_identifier", "identifier"):
            return normalize(child)
    return None
