"""Using-directives, using-declarations, namespace aliases and includes: queries/usings.scm.

These decide whether an unqualified `ObjectWrap<T>` (or `Wrapped<T>`, or
`js::ObjectWrap<T>` after `namespace js = Napi;`) names node-addon-api's
class, e.g. under `using namespace Napi;` in this file or in a project
header it includes. An angle-bracket include is kept with its brackets
(`<ns/x.hpp>`): it is looked up on the build's include path only.
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
    aliases: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()  # (scope, alias, namespace)


def _split(text: str) -> tuple[str, ...]:
    return tuple(p for p in text.split("::") if p)


def find_usings(matches: queries.Matches, path: str) -> Usings:
    namespaces, declarations, includes, aliases = [], [], [], []
    for m in matches["usings"]:
        if "include" in m:
            includes.append(node_text(m["include"][0]).decode("utf-8", "replace"))
        elif "system_include" in m:
            includes.append(node_text(m["system_include"][0]).decode("utf-8", "replace").strip())
        elif "alias" in m:
            aliases.append((enclosing_scope(m["using"][0], path), node_text(m["alias"][0]).decode("utf-8", "replace"),
                            _split(normalize(m["target"][0]))))
        elif "namespace" in m:
            namespaces.append((enclosing_scope(m["using"][0], path), _split(normalize(m["namespace"][0]))))
        elif not any(token.type == "namespace" for token in m["using"][0].children):
            declarations.append((enclosing_scope(m["using"][0], path), _split(normalize(m["name"][0]))))
    return Usings(tuple(namespaces), tuple(declarations), tuple(includes), tuple(aliases))
