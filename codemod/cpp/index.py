"""The project-wide index: which classes derive from Napi::ObjectWrap, and with
which wrapped type T.

Aliases and intermediate bases are often declared in one header and used in
another file, so bases are resolved here, across every scanned file, by
qualified name and scope (as C++ name lookup does, simplified), never by bare
name: a vendored library's own `QueryResult` and the addon's
`node_addon::QueryResult` stay two classes.

node-addon-api looks for a Finalize override on T itself, so a class is a
*target* when the T its bases resolve to names the class itself. A class
template whose T is one of its own parameters is an *intermediate* base
(`template <class T> class Wrapped : public Napi::ObjectWrap<T>`); its leaves
(`class Leaf : public Wrapped<Leaf>`) are the targets.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Union

from codemod.cpp.aliases import AliasDecl
from codemod.cpp.classes import ClassDecl
from codemod.cpp.scan import FileFacts
from codemod.cpp.types import TypeName, parse_type, substitute

OBJECTWRAP = ("Napi", "ObjectWrap")
_MAX_DEPTH = 32

TARGET = "target"
INTERMEDIATE = "intermediate"
INDIRECT = "indirect"


@dataclass(frozen=True)
class Ctx:
    """Where a name is looked up from."""

    path: str
    scope: tuple[str, ...]
    params: tuple[str, ...] = ()  # template parameters in scope: never project names


@dataclass(frozen=True)
class _Alias:
    decl: AliasDecl
    path: str


@dataclass(frozen=True)
class _Class:
    decl: ClassDecl
    path: str


_Entity = Union[_Alias, _Class, str]


@dataclass(frozen=True)
class Classified:
    kind: str  # TARGET, INTERMEDIATE or INDIRECT
    wrapped: str  # the T of Napi::ObjectWrap<T>, as the class spells it


class ProjectIndex:
    def __init__(self, read_header: Callable[[str], bytes | None], known_files: Iterable[str] = ()):
        self._entities: dict[tuple[str, ...], list[_Entity]] = {OBJECTWRAP: ["Napi::ObjectWrap"]}
        self._facts: dict[str, FileFacts] = {}
        self._wrapped: dict[tuple[str, int], str | None] = {}
        self._visible: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = {}
        self._includes = _IncludeUsings(read_header, known_files, self._facts)

    # -- building -----------------------------------------------------------

    def add(self, facts: FileFacts) -> None:
        self._facts[facts.path] = facts
        for alias in facts.aliases:
            self._entities.setdefault(alias.scope + (alias.name,), []).append(_Alias(alias, facts.path))
        for cls in facts.classes:
            self._entities.setdefault(cls.qualified, []).append(_Class(cls, facts.path))
        self._wrapped.clear()  # new entities can change earlier answers
        self._visible.clear()

    @property
    def files(self) -> dict[str, FileFacts]:
        return self._facts

    # -- queries ------------------------------------------------------------

    def classify(self, cls: ClassDecl, path: str) -> Classified | None:
        wrapped = self._class_wrapped(_Class(cls, path), ())
        if wrapped is None:
            return None
        if cls.params is not None and wrapped in cls.params:
            return Classified(INTERMEDIATE, wrapped)
        if _names_class(wrapped, cls):
            return Classified(TARGET, wrapped)
        return Classified(INDIRECT, wrapped)

    def leading_names(self) -> set[str]:
        """Bare names of aliases and intermediate bases that lead to ObjectWrap:
        a file mentioning one must be parsed even if it never says ObjectWrap."""
        names: set[str] = set()
        for key, entities in self._entities.items():
            for entity in entities:
                if isinstance(entity, _Alias):
                    target = entity.decl.target
                    ctx = Ctx(entity.path, entity.decl.scope, entity.decl.params or ())
                    if self._resolve(target, ctx, ()) is not None:
                        names.add(key[-1])
                elif isinstance(entity, _Class):
                    found = self.classify(entity.decl, entity.path)
                    if found is not None and found.kind == INTERMEDIATE:
                        names.add(key[-1])
        return names

    # -- resolution ---------------------------------------------------------

    def _class_wrapped(self, entity: _Class, stack: tuple) -> str | None:
        key = (entity.path, entity.decl.start)
        if key in self._wrapped:
            return self._wrapped[key]
        if key in stack or len(stack) > _MAX_DEPTH:
            return None
        ctx = Ctx(entity.path, entity.decl.scope, entity.decl.params or ())
        result = None
        for base in entity.decl.bases:
            result = self._resolve(base, ctx, stack + (key,))
            if result is not None:
                break
        self._wrapped[key] = result
        return result

    def _resolve(self, text: str, ctx: Ctx, stack: tuple) -> str | None:
        """The T that type `text` (seen from ctx) passes to Napi::ObjectWrap, if any."""
        if len(stack) > _MAX_DEPTH:
            return None
        name = parse_type(text)
        if name is None or (not name.is_global and name.parts[0] in ctx.params):
            return None
        args = name.last.args
        for entity in self._lookup(name, ctx):
            if isinstance(entity, str):  # Napi::ObjectWrap itself
                if args is not None and len(args) == 1:
                    return args[0]
            elif isinstance(entity, _Alias):
                target = entity.decl.target
                if entity.decl.params is not None:
                    if args is None:
                        continue
                    target = substitute(target, dict(zip(entity.decl.params, args)))
                found = self._resolve(target, Ctx(entity.path, entity.decl.scope), stack + (id(entity),))
                if found is not None:
                    return found
            else:
                found = self._class_wrapped(entity, stack)
                if found is None:
                    continue
                if entity.decl.params and args is not None:
                    found = substitute(found, dict(zip(entity.decl.params, args)))
                return found
        return None

    def _lookup(self, name: TypeName, ctx: Ctx) -> list[_Entity]:
        parts = name.parts
        candidates: list[tuple[str, ...]] = []
        if name.is_global:
            candidates.append(parts)
        else:
            candidates.extend(ctx.scope[:i] + parts for i in range(len(ctx.scope), -1, -1))
            for scope, target in self._visible_usings(ctx.path):
                if ctx.scope[: len(scope)] != scope:
                    continue
                if target[-1:] == ("*",):  # using namespace X;
                    candidates.append(target[:-1] + parts)
                elif target[-1] == parts[0]:  # using X::Name;
                    candidates.append(target + parts[1:])
        found: list[_Entity] = []
        for key in candidates:
            for entity in self._entities.get(key, ()):
                if entity not in found:
                    found.append(entity)
        return found

    def _visible_usings(self, path: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
        """(scope, target) pairs; target ends in "*" for a using-directive."""
        if path not in self._visible:
            facts = self._facts.get(path)
            own: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
            includes: tuple[str, ...] = ()
            if facts is not None:
                own += [(scope, ns + ("*",)) for scope, ns in facts.usings.namespaces]
                own += [(scope, decl) for scope, decl in facts.usings.declarations]
                includes = facts.usings.includes
            own += [((), target) for target in self._includes.usings(path, includes)]
            self._visible[path] = tuple(own)
        return self._visible[path]


def _names_class(wrapped: str, cls: ClassDecl) -> bool:
    """Does the type text `wrapped` name `cls` itself (`Foo`, `ns::Foo`, `Box<T>`)?"""
    name = parse_type(wrapped)
    if name is None or name.last.name != cls.name:
        return False
    expected = cls.params if cls.params else None
    if (name.last.args or None) != expected:
        return False
    qualifier = name.parts[:-1]
    named_scope = tuple(s for s in cls.scope if not s.startswith("("))
    if name.is_global:
        return qualifier == named_scope
    return not qualifier or named_scope[-len(qualifier) :] == qualifier


# -- using-directives of included project headers -------------------------

_INCLUDE = re.compile(rb'^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"', re.M)
_USING_NAMESPACE = re.compile(rb"^[ \t]*using[ \t]+namespace[ \t]+([\w:]+)[ \t]*;", re.M)
_USING_DECL = re.compile(rb"^[ \t]*using[ \t]+((?:::)?\w+(?:::\w+)+)[ \t]*;", re.M)


class _IncludeUsings:
    """Global using-declarations a file sees through the project headers it
    includes, transitively. Headers are read as bytes, never parsed: a header
    that says only `using namespace Napi;` is not worth a parse."""

    def __init__(self, read: Callable[[str], bytes | None], known: Iterable[str], facts: dict[str, FileFacts]):
        self._read = read
        self._known = tuple(known)
        self._facts = facts

    def usings(self, path: str, includes: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
        seen: set[str] = {path}
        out: list[tuple[str, ...]] = []
        pending = [(path, inc) for inc in includes]
        while pending:
            including, inc = pending.pop()
            header = self._locate(including, inc)
            if header is None or header in seen:
                continue
            seen.add(header)
            data = self._read(header)
            if data is None:
                continue
            out.extend(_split(m.group(1)) + ("*",) for m in _USING_NAMESPACE.finditer(data))
            out.extend(_split(m.group(1)) for m in _USING_DECL.finditer(data))
            pending.extend((header, m.group(1).decode("utf-8", "replace")) for m in _INCLUDE.finditer(data))
        return tuple(out)

    def _locate(self, including: str, inc: str) -> str | None:
        local = os.path.normpath(os.path.join(os.path.dirname(including), inc))
        if local in self._facts or local in self._known or os.path.isfile(local):
            return local
        suffix = "/" + inc.lstrip("./")
        return next((k for k in self._known if k.endswith(suffix)), None)


def _split(raw: bytes) -> tuple[str, ...]:
    return tuple(p for p in raw.decode("utf-8", "replace").split("::") if p)
