"""Type aliases (`using A = X;`, `typedef X A;`, alias templates): queries/aliases.scm."""

from __future__ import annotations

from dataclasses import dataclass

from codemod import queries
from codemod.cpp.scope import enclosing_scope, template_params
from codemod.cpp.types import normalize


@dataclass(frozen=True)
class AliasDecl:
    name: str
    scope: tuple[str, ...]
    params: tuple[str, ...] | None  # alias template parameters
    target: str  # normalized type text


def find_aliases(matches: queries.Matches, path: str) -> tuple[AliasDecl, ...]:
    found = []
    for m in matches["aliases"]:
        alias = m["alias"][0]
        found.append(
            AliasDecl(
                name=normalize(m["name"][0]),
                scope=enclosing_scope(alias, path),
                params=template_params(alias),
                target=normalize(m["target"][0]),
            )
        )
    return tuple(found)
