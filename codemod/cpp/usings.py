"""Using-directives, using-declarations and includes: queries/usings.scm.

These decide whether an unqualified `ObjectWrap<T>` (or `Wrapped<T>`) names
node-addon-api's class, e.g. under `using namespace Napi;` in this file or in
a project header it includes.
"""

from __future__ import annotations

from dataclasses import dataclass

from codemod import queries
from codemod.cpp.scope import enclosing_scope
from codemod.cpp.types import node_text, normalize


@dataclass(frozen=True)
class Usings:
    namespaces: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]  # (scope, namespace)
    declarations: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]  # (scope, qualified name)
    includes: tuple[str, ...]


def _split(text: str) -> tuple[str, ...]:
    return tuple(p for p in text.split("::") if p)


def find_usings(matches: queries.Matches, path: str) -> Usings:
    namespaces, declarations, includes = [], [], []
    for m in matches["usings"]:
        if "include" in m:
            includes.append(node_text(m["include"][0]).decode("utf-8", "replace"))
        elif "namespace" in m:
            namespaces.append((enclosing_scope(m["using"][0], path), _split(normalize(m["namespace"][0]))))
        elif not any(token.type == "namespace" for token in m["using"][0].children):
            declarations.append((enclosing_scope(m["using"][0], path), _split(normalize(m["name"][0]))))
    return Usings(tuple(namespaces), tuple(declarations), tuple(includes))
