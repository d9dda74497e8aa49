"""The project-wide index: which classes derive from Napi::ObjectWrap, and with
which wrapped type T.

Aliases and intermediate bases are often declared in one header and used in
another file, so bases are resolved here, across the scanned files, by
qualified name and scope (as C++ name lookup does, simplified), never by bare
name: a vendored library's own `QueryResult` and the addon's
`node_addon::QueryResult` stay two classes. A name is looked up only among
the declarations the file's translation unit can see (the file and the
headers it includes, transitively, by its build's include folders); only
when none is visible, among its own project's: another package's class of
the same name is never its base.

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
from typing import Iterable, Union

from codemod.cpp.aliases import AliasDecl
from codemod.cpp.classes import ClassDecl
from codemod.cpp.scan import FileFacts
from codemod.cpp.types import TypeName, parse_type, substitute
from codemod.discover import project_root
from codemod.sources.base import Sources

OBJECTWRAP = ("Napi", "ObjectWrap")
_ALIAS = "="  # marks a namespace alias among the usings (no C++ name is "=")
_MAX_DEPTH = 32
_MAX_MACROS = 256  # definitions followed from one member macro line
# Member macros of libraries an addon builds against, whose expansions are
# known to declare no Finalize (node-addon-api's napi.h: deleted copy and
# assignment; Qt's moc markers and copy guards). A project's own definition
# of the same name, when its headers hold one, is read instead.
LIBRARY_MACROS = frozenset((
    "NAPI_DISALLOW_ASSIGN", "NAPI_DISALLOW_COPY", "NAPI_DISALLOW_ASSIGN_COPY",
    "Q_OBJECT", "Q_GADGET", "Q_DISABLE_COPY", "Q_DISABLE_COPY_MOVE",
))

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
    """Facts of the scanned files, and what they say about ObjectWrap.

    Files can be added, replaced and dropped one at a time (the editor
    server re-scans one buffer per change); answers are memoized and the
    memos dropped whenever the facts change.
    """

    def __init__(self, sources: Sources, known_files: Iterable[str] = (),
                 include_dirs: dict[str, tuple[str, ...]] | None = None):
        self._entities: dict[tuple[str, ...], list[_Entity]] = {OBJECTWRAP: ["Napi::ObjectWrap"]}
        self._by_path: dict[str, list[tuple[tuple[str, ...], _Entity]]] = {}
        self._facts: dict[str, FileFacts] = {}
        self._wrapped: dict[tuple[str, int], str | None] = {}
        self._visible: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = {}
        self._includes = Includes(sources, known_files, self._facts, include_dirs or {})

    # -- building -----------------------------------------------------------

    def add(self, facts: FileFacts, same_signature: bool | None = None) -> bool:
        """Add one file's facts, replacing what the index held for that file.
        True when what other files may resolve through it changed (its
        classes' names and bases, its aliases, usings, includes): only then
        can another file's classification change. `same_signature`: whether
        the signature is the old one, when the caller knows (a splice
        compares the classes it re-read, not all 2,500 of a generated header)."""
        old = self._facts.get(facts.path)
        if old is None:
            changed = True
        elif same_signature is not None:
            changed = not same_signature
        else:
            changed = signature(old) != signature(facts)
        self._forget(facts.path)
        self._facts[facts.path] = facts
        entries = self._by_path.setdefault(facts.path, [])
        for alias in facts.aliases:
            entries.append((alias.scope + (alias.name,), _Alias(alias, facts.path)))
        for cls in facts.classes:
            entries.append((cls.qualified, _Class(cls, facts.path)))
        for key, entity in entries:
            self._entities.setdefault(key, []).append(entity)
        self._includes.changed(facts.path)
        self._clear()
        return changed

    replace = add

    def drop(self, path: str) -> None:
        """Forget one file (deleted, or no longer a candidate)."""
        self._forget(path)
        self._includes.changed(path, gone=True)
        self._clear()

    def _forget(self, path: str) -> None:
        self._facts.pop(path, None)
        for key, entity in self._by_path.pop(path, ()):
            self._entities[key] = [e for e in self._entities[key] if e is not entity]

    def _clear(self) -> None:
        self._wrapped.clear()  # new or changed entities can change earlier answers
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

    def inherited_finalize(self, cls: ClassDecl, path: str) -> str | None:
        """The base between `cls` and Napi::ObjectWrap that already declares
        Finalize, if any (as the class spells it). An override inserted in
        `cls` would replace that base's cleanup: `cls` has its Finalize."""
        return self._class_declaring(_Class(cls, path), ())

    def _class_declaring(self, entity: _Class, stack: tuple) -> str | None:
        key = (entity.path, entity.decl.start)
        if key in stack or len(stack) > _MAX_DEPTH:
            return None
        ctx = Ctx(entity.path, entity.decl.scope, entity.decl.params or ())
        for base in entity.decl.bases:
            found = self._declaring(base, ctx, stack + (key,))
            if found is not None:
                return found
        return None

    def _declaring(self, text: str, ctx: Ctx, stack: tuple) -> str | None:
        """The class declaring Finalize on the way from type `text` to
        Napi::ObjectWrap, following the entity `_resolve` follows."""
        name = parse_type(text)
        if name is None or len(stack) > _MAX_DEPTH or (not name.is_global and name.parts[0] in ctx.params):
            return None
        args = name.last.args
        for entity in self._lookup(name, ctx):
            if isinstance(entity, str):
                continue
            if isinstance(entity, _Alias):
                target = entity.decl.target
                if entity.decl.params is not None:
                    if args is None:
                        continue
                    target = substitute(target, dict(zip(entity.decl.params, args)))
                if self._resolve(target, Ctx(entity.path, entity.decl.scope), stack) is not None:
                    return self._declaring(target, Ctx(entity.path, entity.decl.scope), stack + (id(entity),))
            elif self._class_wrapped(entity, ()) is not None:
                if entity.decl.declares_finalize or self.member_macros(entity.decl, entity.path)[0] is not None:
                    return entity.decl.display_name()
                return self._class_declaring(entity, stack)
        return None

    def member_macros(self, cls: ClassDecl, path: str) -> tuple[str | None, tuple[str, ...]]:
        """(a member macro of `cls` that declares Finalize, the member macros
        defined nowhere its translation unit can see): what a macro line
        expands to is read from its definition, other macros it names
        included."""
        unknown: list[str] = []
        for name in cls.member_macros:
            seen: set[str] = set()
            pending = [name]
            while pending:
                current = pending.pop()
                if current in seen or len(seen) > _MAX_MACROS:
                    continue
                seen.add(current)
                macro = self._includes.macro(path, current)
                if macro is None:
                    if current == name and name not in LIBRARY_MACROS:
                        unknown.append(name)
                    continue
                if macro.finalize:
                    return name, ()
                pending.extend(macro.words)
        return None, tuple(unknown)

    def unresolved_base(self, cls: ClassDecl, path: str) -> str | None:
        """A base of a class the index could not classify that may still lead
        to ObjectWrap: an `ObjectWrap<...>`, or a CRTP base (`X : Base<X>`),
        that names nothing this translation unit or the project declares and
        no library napi-fix knows. Such a class is reported, never passed
        over in silence."""
        ctx = Ctx(path, cls.scope, cls.params or ())
        for base in cls.bases:
            name = parse_type(base)
            if name is None or (not name.is_global and name.parts[0] in ctx.params):
                continue
            last = name.last
            if last.args is None:
                continue
            if last.name != "ObjectWrap" and not any(_names_class(arg, cls) for arg in last.args):
                continue
            if _known_library(name) or self._lookup(name, ctx) or last.name in self._includes.defined(path):
                continue
            return base
        return None

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
        """Entities `name` may denote from ctx: those the file's translation
        unit can see (the file and the headers it includes, transitively);
        when none is visible, those of the file's own project, never
        another project's (two packages may both declare `app::Base`)."""
        parts = name.parts
        candidates: list[tuple[str, ...]] = []
        if name.is_global:
            candidates.append(parts)
        else:
            candidates.extend(ctx.scope[:i] + parts for i in range(len(ctx.scope), -1, -1))
            usings = [(scope, target) for scope, target in self._visible_usings(ctx.path)
                      if ctx.scope[: len(scope)] == scope]
            for _, target in usings:
                if target[-1:] == ("*",):  # using namespace X;
                    candidates.append(target[:-1] + parts)
                elif target[0] != _ALIAS and target[-1] == parts[0]:  # using X::Name;
                    candidates.append(target + parts[1:])
            candidates.extend(_through_aliases(parts, [t[1:] for _, t in usings if t[0] == _ALIAS]))
        visible = self._includes.visible(ctx.path)
        home = self._includes.project(ctx.path)
        found: dict[int, _Entity] = {}
        same_project: dict[int, _Entity] = {}
        for key in candidates:
            for entity in self._entities.get(key, ()):
                if isinstance(entity, str) or entity.path in visible:
                    found.setdefault(id(entity), entity)
                elif self._includes.project(entity.path) == home:
                    same_project.setdefault(id(entity), entity)
        return list((found or same_project).values())

    def _visible_usings(self, path: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
        """(scope, target) pairs; target ends in "*" for a using-directive and
        is (_ALIAS, name, namespace...) for a namespace alias."""
        if path not in self._visible:
            facts = self._facts.get(path)
            own: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
            if facts is not None:
                own += [(scope, ns + ("*",)) for scope, ns in facts.usings.namespaces]
                own += [(scope, decl) for scope, decl in facts.usings.declarations]
                own += [(scope, (_ALIAS, name) + ns) for scope, name, ns in facts.usings.aliases]
            own += [((), target) for target in self._includes.usings(path)]
            self._visible[path] = tuple(own)
        return self._visible[path]


def _through_aliases(parts: tuple[str, ...], aliases: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """`js::ObjectWrap` after `namespace js = Napi;` is `Napi::ObjectWrap`;
    an alias of an alias is followed too (a few steps: no cycle runs on)."""
    out: list[tuple[str, ...]] = []
    for _ in range(8):
        target = next((alias[1:] for alias in aliases if alias[0] == parts[0]), None)
        if target is None or target + parts[1:] in out:
            break
        parts = target + parts[1:]
        out.append(parts)
    return out


def signature(facts: FileFacts) -> tuple:
    """What other files can see of a file: everything but positions and bodies."""
    return (classes_signature(facts.classes), tuple((a.scope, a.name, a.params, a.target) for a in facts.aliases),
            facts.usings)


def classes_signature(classes: Iterable[ClassDecl]) -> tuple:
    return tuple((c.qualified, c.params, c.bases, c.declares_finalize, c.member_macros) for c in classes)


# CRTP bases of libraries an addon uses that never lead to Napi::ObjectWrap.
_LIBRARIES = frozenset(("std", "Napi", "Nan", "node", "v8", "boost"))
_NAPI_CRTP = frozenset(("Addon", "InstanceWrap", "enable_shared_from_this"))


def _known_library(name: TypeName) -> bool:
    if len(name.parts) > 1:
        return name.parts[0] in _LIBRARIES and name.parts[-2:] != OBJECTWRAP
    return name.last.name in _NAPI_CRTP


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


# -- includes: what a file's translation unit sees ---------------------------

_INCLUDE = re.compile(rb'^[ \t]*#[ \t]*include[ \t]*("[^"\n]+"|<[^>\n]+>)', re.M)
_NAMESPACE_ALIAS = re.compile(rb"^[ \t]*namespace[ \t]+(\w+)[ \t]*=[ \t]*([\w:]+)[ \t]*;", re.M)
# Names a header defines as a class or an alias: a CRTP base spelled with
# one of them is no unknown (`template <class T> class Helper {};`).
_DEFINED = re.compile(rb"\b(?:class|struct)[ \t\r\n]+(\w+)[ \t\r\n]*(?:final[ \t\r\n]*)?[:{]|\busing[ \t]+(\w+)[ \t]*=")
_USING_NAMESPACE = re.compile(rb"^[ \t]*using[ \t]+namespace[ \t]+([\w:]+)[ \t]*;", re.M)
_USING_DECL = re.compile(rb"^[ \t]*using[ \t]+((?:::)?\w+(?:::\w+)+)[ \t]*;", re.M)


# `#define NAME(args) body`, continuation lines and all (an unrolled loop: linear).
_DEFINE = re.compile(rb"^[ \t]*#[ \t]*define[ \t]+(\w+)([^\n\\]*(?:\\[\s\S][^\n\\]*)*)", re.M)
_WORDS = re.compile(rb"[A-Za-z_]\w*")


@dataclass(frozen=True)
class Macro:
    finalize: bool  # its body says Finalize
    words: frozenset[str]  # the identifiers of its body: other macros it may expand


@dataclass(frozen=True)
class _HeaderText:
    includes: tuple[str, ...]
    usings: tuple[tuple[str, ...], ...]  # global using-directives (ending "*") and -declarations


@dataclass(frozen=True)
class _Declared:
    """What a file declares that only some classes need: read on demand."""

    macros: dict[str, Macro]
    defined: frozenset[str]  # names of classes and aliases (read loosely)


def loose_reads(data: bytes) -> tuple:
    """What Includes reads of a file's text without parsing it (its
    includes, usings, macros and defined names), as comparable values: an
    edit that leaves them alike in the text it touched changes none of them."""
    return (tuple(_INCLUDE.findall(data)), tuple(_NAMESPACE_ALIAS.findall(data)), tuple(_DEFINED.findall(data)),
            tuple(_USING_NAMESPACE.findall(data)), tuple(_USING_DECL.findall(data)), _macros(data))


def _macros(data: bytes) -> dict[str, Macro]:
    out: dict[str, Macro] = {}
    if b"define" not in data:
        return out
    for m in _DEFINE.finditer(data):
        words = frozenset(w.decode("ascii") for w in _WORDS.findall(m.group(2)))
        out[m.group(1).decode("ascii")] = Macro("Finalize" in words, words)
    return out


class Includes:
    """Quoted includes resolved the way the compiler would, memoized.

    `#include "x.h"` from a file is looked up beside the file, then in the
    include folders its project's build names (binding.gyp include_dirs,
    CMake include_directories), then, for a path no build names, among the
    known files of the same project whose path ends in it. Never in another
    project by name alone: its folders are not on this build's include
    path, and a same-named header there would lend this file its classes.
    Headers are read as bytes, never parsed: a header that says only
    `using namespace Napi;` is not worth a parse.
    """

    def __init__(self, sources: Sources, known: Iterable[str], facts: dict[str, FileFacts],
                 include_dirs: dict[str, tuple[str, ...]]):
        self._sources = sources
        self._facts = facts
        self._include_dirs = include_dirs  # project folder -> include folders
        self._known: set[str] = set()
        self._by_name: dict[str, list[str]] = {}
        for path in known:
            self._know(path)
        self._resolved: dict[tuple[str, str], str | None] = {}
        self._texts: dict[str, _HeaderText | None] = {}
        self._declared: dict[str, _Declared | None] = {}
        self._closures: dict[str, frozenset[str]] = {}
        self._projects: dict[str, str] = {}

    def _know(self, path: str) -> None:
        if path not in self._known:
            self._known.add(path)
            self._by_name.setdefault(os.path.basename(path), []).append(path)

    def changed(self, path: str, gone: bool = False) -> None:
        self._texts.pop(path, None)
        self._declared.pop(path, None)
        self._closures.clear()
        if gone and path in self._known:
            self._known.discard(path)
            self._by_name[os.path.basename(path)].remove(path)
            self._resolved.clear()
        elif not gone and path not in self._known:
            self._know(path)
            self._resolved.clear()

    def project(self, path: str) -> str:
        folder = os.path.dirname(path)
        if folder not in self._projects:
            self._projects[folder] = project_root(self._sources, path)
        return self._projects[folder]

    def resolve(self, including: str, inc: str) -> str | None:
        key = (os.path.dirname(including), inc)
        if key not in self._resolved:
            self._resolved[key] = self._locate(including, inc)
        return self._resolved[key]

    def _locate(self, including: str, inc: str) -> str | None:
        angle = inc.startswith("<") and inc.endswith(">")
        if angle:
            inc = inc[1:-1].strip()
        # `#include <x>` is looked for on the include path only; `"x"` beside the file first.
        folders = (() if angle else (os.path.dirname(including),)) + self._include_dirs.get(self.project(including), ())
        for folder in folders:
            candidate = os.path.normpath(os.path.join(folder, inc))
            if candidate in self._known or self._sources.is_file(candidate):
                return candidate
        suffix = "/" + inc.lstrip("./")
        named = [k for k in self._by_name.get(os.path.basename(inc), ()) if k.endswith(suffix)]
        home = self.project(including)
        own = next((k for k in named if self.project(k) == home), None)
        if own is not None or not angle:
            return own
        # An angle include no include path of this build names: another
        # package of the repository (a monorepo's `<ns/objectwrap.hpp>`),
        # when exactly one header there ends with the included path.
        return named[0] if len(named) == 1 else None

    def text(self, path: str) -> _HeaderText | None:
        if path not in self._texts:
            try:
                data = self._sources.read(path)
            except OSError:
                self._texts[path] = None
            else:
                usings = [_split(m.group(1)) + ("*",) for m in _USING_NAMESPACE.finditer(data)]
                usings += [_split(m.group(1)) for m in _USING_DECL.finditer(data)]
                usings += [(_ALIAS, m.group(1).decode("ascii")) + _split(m.group(2))
                           for m in _NAMESPACE_ALIAS.finditer(data)]
                includes = tuple(m.group(1).decode("utf-8", "replace").strip('"') for m in _INCLUDE.finditer(data))
                self._texts[path] = _HeaderText(includes, tuple(usings))
        return self._texts[path]

    def declared(self, path: str) -> _Declared | None:
        """Its macros and defined names: needed only for a class with member
        macros or a base the index cannot find, so read apart from `text`."""
        if path not in self._declared:
            try:
                data = self._sources.read(path)
            except OSError:
                self._declared[path] = None
            else:
                defined = frozenset((m.group(1) or m.group(2)).decode("ascii") for m in _DEFINED.finditer(data))
                self._declared[path] = _Declared(_macros(data), defined)
        return self._declared[path]

    def _direct(self, path: str) -> tuple[str, ...]:
        facts = self._facts.get(path)
        if facts is not None:
            return facts.usings.includes
        text = self.text(path)
        return text.includes if text is not None else ()

    def visible(self, path: str) -> frozenset[str]:
        """The file and every project header it includes, transitively."""
        if path not in self._closures:
            seen = {path}
            pending = [path]
            while pending:
                current = pending.pop()
                for inc in self._direct(current):
                    header = self.resolve(current, inc)
                    if header is not None and header not in seen:
                        seen.add(header)
                        pending.append(header)
            self._closures[path] = frozenset(seen)
        return self._closures[path]

    def macro(self, path: str, name: str) -> Macro | None:
        """The definition of macro `name` that `path`'s translation unit sees
        (in the file or a header it includes), if any."""
        for header in sorted(self.visible(path)):
            declared = self.declared(header)
            if declared is not None and name in declared.macros:
                return declared.macros[name]
        return None

    def defined(self, path: str) -> frozenset[str]:
        """Names of the classes and aliases `path`'s translation unit defines (read loosely, from text)."""
        out: set[str] = set()
        for header in self.visible(path):
            declared = self.declared(header)
            if declared is not None:
                out |= declared.defined
        return frozenset(out)

    def usings(self, path: str) -> tuple[tuple[str, ...], ...]:
        """Global using-declarations of the headers `path` includes, transitively."""
        out: list[tuple[str, ...]] = []
        for header in sorted(self.visible(path) - {path}):
            text = self.text(header)
            if text is not None:
                out.extend(text.usings)
        return tuple(out)


def _split(raw: bytes) -> tuple[str, ...]:
    return tuple(p for p in raw.decode("utf-8", "replace").split("::") if p)
