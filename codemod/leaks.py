"""Whether a leaky copy of node-addon-api actually leaks.

A copy of 8.2.0/8.2.1 costs memory only where Napi::ObjectWrap classes are
compiled against it: the package's own sources, or an addon among its
dependents that is built from source at install. A gate that fails a
package whose sources wrap no object teaches people to ignore the gate, so
each NAPI001/NAPI003 finding gets a verdict (results.LEAKING, NOT_LEAKING,
LEAK_UNKNOWN) and says which packages compile against the copy and what was
found in them. The engine joins it in; the planners stay pure per root.

What "compiled against it" means here: the package's C/C++ files (the
finder's classes under its folder), and, for a lock entry or an installed
copy, the packages in node_modules that resolve node-addon-api to that copy
the way Node does (nearest node_modules up the tree) and are built from
source (a binding.gyp, or a CMakeLists.txt for cmake-js). Without
node_modules, the lock still says which packages depend on it (npm's v2/v3
also which have an install script, pnpm 7/8's which build); their sources
are not there, so such a copy is unknown until installed. A vendored copy
that no build target napi-fix read compiles is unknown when the package has
ObjectWrap classes: a spelling napi-fix does not read may reach it. Reads go
through Sources.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from typing import Iterable

from codemod.discover import BUILD_FILES, SKIP_DIRS, is_cpp
from codemod.manifests import locks
from codemod.manifests.lockplan import Installs
from codemod.results import (
    LEAK_RULES,
    PIN_UNKNOWN,
    HAS_OVERRIDE,
    INDIRECT,
    INSTALLED as INSTALLED_KIND,
    LEAK_UNKNOWN,
    LEAKING,
    MANUAL,
    MISSING_OVERRIDE,
    NOT_LEAKING,
    Finding,
)
from codemod.rules import LEAKY_HEADERS, NEEDS_PERSON, RESOLVES_BAD
from codemod.sources.base import DIR, Sources, Unreadable, within

PACKAGE = "node-addon-api"
DEP_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies", "devDependencies")
SHOWN = 3  # class names named per package; the rest are counted
NOT_INSTALLED = "dependencies not installed"
INSTALLED, LOCKED = "installed", "locked"  # how a root's dependents were learnt


@dataclass(frozen=True)
class Evidence:
    """What was found in one package that compiles against a copy."""

    package: str  # how the message names it
    classes: tuple[str, ...] = ()  # ObjectWrap classes found
    unknown: str | None = None  # why its sources could not be judged, if so

    def said(self) -> str:
        if self.classes:
            more = f", +{len(self.classes) - SHOWN} more" if len(self.classes) > SHOWN else ""
            return f"{self.package} ({', '.join(self.classes[:SHOWN])}{more})"
        return f"{self.package} ({self.unknown})" if self.unknown else self.package


def classes_of(findings: Iterable[Finding]) -> tuple[list[str], str | None]:
    """ObjectWrap classes among one C/C++ file's finder findings, and why
    the file may hold more than it says (a region it could not read)."""
    classes, unknown = [], None
    for f in findings:
        if f.kind in (MISSING_OVERRIDE, HAS_OVERRIDE, INDIRECT) or (f.kind == MANUAL and f.subject):
            classes.append(f.subject)
        elif f.kind == MANUAL:
            unknown = unknown or f"could not read {os.path.basename(f.path)}:{f.line}, which mentions ObjectWrap"
    return classes, unknown


def own_evidence(package: str, cpp: dict[str, list[Finding]], errors: dict[str, str]) -> Evidence:
    """A package's own sources: `cpp` the finder's findings per C/C++ file
    of the package, `errors` its files the finder could not finish."""
    classes, unknown = [], None
    for path in sorted(cpp):
        found, why = classes_of(cpp[path])
        classes += found
        unknown = unknown or why
    for path in sorted(errors):
        unknown = unknown or f"could not analyze {os.path.basename(path)}: {errors[path]}"
    return Evidence(package, tuple(classes), None if classes else unknown)


def verdict(evidence: list[Evidence], dependents_unknown: str | None) -> tuple[str, str]:
    """(LEAKING | NOT_LEAKING | LEAK_UNKNOWN, the words that say why: Finding.leak_detail)."""
    leaking = [e for e in evidence if e.classes]
    if leaking:
        return LEAKING, "leaking: ObjectWrap classes compile against this copy in " + \
            "; ".join(e.said() for e in leaking)
    unknown = [e for e in evidence if e.unknown]
    looked = ", ".join(e.package for e in evidence if not e.unknown) or "nothing"
    if unknown or dependents_unknown:
        why = [e.said() for e in unknown] + ([dependents_unknown] if dependents_unknown else [])
        return LEAK_UNKNOWN, f"leak unknown: no ObjectWrap class in {looked}, but could not look at " + \
            "; ".join(why)
    return NOT_LEAKING, f"not leaking today (no ObjectWrap class compiles against this copy: looked at " \
                        f"{looked}): pin to stay safe"


def untargeted_copy(own: Evidence) -> tuple[str, str]:
    """The verdict on a vendored copy that no build target napi-fix read
    compiles: a spelling it does not read (`include_dirs+`, a .gypi), or a
    relative #include, may still reach it, so the package's classes leave it
    undecided; a copy left behind after its targets were repointed stays so
    until it is removed or patched."""
    if own.classes:
        return LEAK_UNKNOWN, (f"leak unknown: no build target napi-fix read compiles this copy, but ObjectWrap "
                              f"classes in {own.said()} may (through a build spelling it does not read, or a "
                              "relative #include): remove the copy if nothing uses it, or patch it")
    return verdict([own], None)


def about_headers(finding: Finding) -> bool:
    """A NAPI005 on a build target whose headers napi-fix cannot read (a
    shell command, a GYP variable, a build system it does not read)."""
    return finding.rule == NEEDS_PERSON.id and finding.kind == PIN_UNKNOWN and \
        os.path.basename(finding.path) in BUILD_FILES


def judged(finding: Finding) -> bool:
    """Whether the engine gives this finding a verdict."""
    return finding.rule in LEAK_RULES or about_headers(finding)


class Judge:
    """The verdicts of one report: each package's own classes judged once,
    each root's dependents read once (`dependents`: kept by the caller
    across reports of a project)."""

    def __init__(self, sources: Sources, paths: Iterable[str], owned: dict[str, dict[str, list[Finding]]],
                 unfinished: dict[str, str], dependents: dict[str, "Dependents"]):
        self.sources = sources
        self.paths = tuple(paths)
        self.owned = owned  # root folder -> {C/C++ file: the finder's findings}
        self.unfinished = unfinished  # C/C++ file -> why the finder could not finish it
        self.dependents = dependents  # root folder -> Dependents
        self._own: dict[str, Evidence] = {}

    def finding(self, finding: Finding, root: str, targeted: bool) -> Finding:
        """`finding` (NAPI001/NAPI003 of the package root `root`) with its
        verdict; `targeted`: a build target of the root compiles a leaky copy."""
        built_here = os.path.basename(finding.path) in BUILD_FILES  # a target: its own folder compiles it
        evidence = [self.own(os.path.dirname(finding.path) if built_here else root, root)]
        pending = None
        if finding.rule == RESOLVES_BAD.id:  # a copy npm installs: its dependents may compile it too
            dependents = self.dependents.get(root)
            if dependents is None:
                dependents = self.dependents[root] = Dependents(self.sources, root)
            more, pending = dependents.of(copy_base(finding, root))
            evidence += more
        if finding.rule == LEAKY_HEADERS.id and not built_here and not targeted:
            leak, words = untargeted_copy(evidence[0])
        else:
            leak, words = verdict(evidence, pending)
        return replace(finding, leak=leak, leak_detail=words)

    def headers(self, finding: Finding, root: str, known: bool) -> Finding:
        """A build target's headers napi-fix cannot read (about_headers) bear
        on the leak only where ObjectWrap classes compile: `known`, the
        target's node-addon-api headers were read from another entry."""
        if known:
            return replace(finding, leak=NOT_LEAKING,
                           leak_detail="not about the leak: this target's node-addon-api headers are known")
        own = self.own(os.path.dirname(finding.path), root)
        if own.classes or own.unknown:
            return replace(finding, leak=LEAK_UNKNOWN, leak_detail=(
                f"may bear on the leak: ObjectWrap classes in {own.said()} may compile against headers from there"))
        return replace(finding, leak=NOT_LEAKING,
                       leak_detail=f"not about the leak: no ObjectWrap class in {own.package}")

    def own(self, scope: str, root: str) -> Evidence:
        """The classes of the C/C++ files under `scope` that belong to `root`."""
        if scope not in self._own:
            # Named relative to the root: the words do not depend on how the path was spelled.
            inner = os.path.relpath(scope, root or ".") if scope != root else ""
            name = f"the sources in {inner}" if inner else "its own sources"
            if covered(scope, self.paths, self.sources):
                files = {p: found for p, found in self.owned.get(root, {}).items() if not scope or within(p, scope)}
                self._own[scope] = own_evidence(name, files, {p: self.unfinished[p] for p in files
                                                              if p in self.unfinished})
            else:
                self._own[scope] = Evidence(name, unknown="its folder is not among the paths given")
        return self._own[scope]


# -- dependents: packages in node_modules built from source against a copy ----


def copy_base(finding: Finding, root: str) -> str:
    """The folder whose node_modules holds the copy a finding is about: the
    root for a spec or a hoisted lock entry, `node_modules/a` for the entry
    or installed copy `node_modules/a/node_modules/node-addon-api`."""
    key = finding.subject
    if finding.kind == INSTALLED_KIND:  # the copy's folder
        key = os.path.relpath(key, root or ".")
    key = key.replace(os.sep, "/")
    suffix = "/node_modules/" + PACKAGE
    if key.startswith("node_modules/") and key.endswith(suffix) and "/.pnpm/" not in key:
        return os.path.join(root, *key[:-len(suffix)].split("/"))
    return root


class Dependents:
    """The installed (or npm-locked) packages of one root that compile
    against a copy; kept per root folder while node_modules is unchanged."""

    def __init__(self, sources: Sources, root: str):
        self.sources = sources
        self.root = root
        self._tree: tuple[dict[str, tuple[bool, bool]] | None, str] | None = None
        self._evidence: dict[str, Evidence] = {}
        # copy -> the packages built from source that resolve to it: one pass
        # over the tree for every copy (a 100,000-entry lock has 1,000s of copies).
        self._users: dict[str, list[str]] | None = None

    def of(self, base: str) -> tuple[list[Evidence], str | None]:
        """Evidence from each package that resolves node-addon-api to the
        copy in `base`/node_modules and is built from source; and why the
        rest could not be looked at, if so."""
        if self._tree is None:
            self._tree = self._read_tree()
        packages, how = self._tree
        if packages is None:
            return [], f"the packages built against it in node_modules ({how})"
        base_key = "" if base == self.root else os.path.relpath(base, self.root).replace(os.sep, "/")
        copy = (base_key + "/" if base_key else "") + "node_modules/" + PACKAGE
        if copy in packages:
            users = self._users_of(packages).get(copy, [])
        else:  # a copy the tree does not list: resolved against it alone
            present = set(packages) | {copy}
            users = [key for key, (depends, built) in packages.items()
                     if depends and built and _resolves(key, present) == copy]
        if how == LOCKED:
            return [], f"{', '.join(users)} ({NOT_INSTALLED})" if users else None
        return [self._scan(key) for key in users], None

    def _users_of(self, packages: dict[str, tuple[bool, bool]]) -> dict[str, list[str]]:
        if self._users is None:
            present = set(packages)
            self._users = {}
            for key, (depends, built) in packages.items():
                target = _resolves(key, present) if depends and built else None
                if target is not None:
                    self._users.setdefault(target, []).append(key)
        return self._users

    def _read_tree(self) -> tuple[dict[str, tuple[bool, bool]] | None, str]:
        """key -> (depends on node-addon-api, built from source at install),
        and how it was learnt (INSTALLED, LOCKED, or why it could not be)."""
        top = os.path.join(self.root, "node_modules")
        if self.sources.is_dir(os.path.join(top, ".pnpm")):
            return None, "pnpm's linked node_modules is not read"
        if self.sources.is_dir(top):
            return self._installed(top), INSTALLED
        locked = self._locked()
        return (locked, LOCKED) if locked is not None else (None, NOT_INSTALLED)

    def _installed(self, top: str) -> dict[str, tuple[bool, bool]]:
        found: dict[str, tuple[bool, bool]] = {}
        stack = [top]
        while stack:
            for entry in self._list(stack.pop()):
                if entry.kind != DIR or entry.name.startswith("."):
                    continue
                folders = [e.path for e in self._list(entry.path) if e.kind == DIR] \
                    if entry.name.startswith("@") else [entry.path]
                for folder in folders:
                    names = {e.name for e in self._list(folder)}
                    key = os.path.relpath(folder, self.root).replace(os.sep, "/")
                    found[key] = (self._depends(folder), self._built(folder, names))
                    if "node_modules" in names:
                        stack.append(os.path.join(folder, "node_modules"))
        return found

    def _list(self, folder: str):
        try:
            return self.sources.list_dir(folder)
        except Unreadable:
            return []

    def _depends(self, folder: str) -> bool:
        if os.path.basename(folder) == PACKAGE:
            return False
        try:
            pkg = json.loads(self.sources.read(os.path.join(folder, "package.json")))
        except (Unreadable, ValueError):
            return False
        return isinstance(pkg, dict) and any(isinstance(pkg.get(f), dict) and PACKAGE in pkg[f]
                                             for f in DEP_FIELDS)

    def _built(self, folder: str, names: set[str]) -> bool:
        if "binding.gyp" in names:
            return True
        if "CMakeLists.txt" in names:
            try:
                data = self.sources.read(os.path.join(folder, "CMakeLists.txt"))
            except Unreadable:
                return True
            return b"CMAKE_JS" in data or b"cmake-js" in data
        return False

    def _locked(self) -> Installs | None:
        """What the root's first lock that can be read says, when
        node_modules is not there: each format's module reads its own
        (locks.FORMATS' `dependents`). None when no lock can say."""
        for name in locks.NAMES:
            try:
                read = [self.sources.read(os.path.join(self.root, name))]
                # Handed over, not kept here: the reader drops the bytes once
                # decoded (a 34 MB npm lock parses in 30 MB less).
                return locks.planner_for(name, read[0]).dependents(read.pop())
            except (Unreadable, ValueError):
                continue
        return None

    def _scan(self, key: str) -> Evidence:
        if key not in self._evidence:
            self._evidence[key] = scan_package(self.sources, os.path.join(self.root, *key.split("/")), key)
        return self._evidence[key]


def _resolves(key: str, present: set[str]) -> str | None:
    """The node-addon-api a package at `key` requires, found as Node finds
    it: `<ancestor>/node_modules/node-addon-api`, nearest first, skipping
    ancestors that are node_modules folders themselves."""
    parts = key.split("/")
    for n in range(len(parts), -1, -1):
        if n and parts[n - 1] == "node_modules":
            continue
        candidate = "/".join(parts[:n] + ["node_modules", PACKAGE])
        if candidate in present:
            return candidate
    return None


def scan_package(sources: Sources, folder: str, name: str) -> Evidence:
    """The ObjectWrap classes of an installed package's own C/C++ files."""
    from codemod.cpp import finder
    from codemod.cpp.plan import plan_file
    from codemod.parallel import Workers

    cpp, build = [], []
    for top, entries in sources.walk(folder, prune=lambda e: e.name in SKIP_DIRS, on_error=lambda exc: None):
        for e in entries:
            if is_cpp(e.path) and e.name not in ("napi.h", "napi-inl.h"):
                cpp.append(e.path)
            elif e.name in ("binding.gyp", "CMakeLists.txt"):
                build.append(e.path)
    with Workers(1) as workers:
        analysis = finder.analyze(sources, cpp, build, workers)
    found = {path: plan_file(analysis.index, facts, False) for path, facts in analysis.index.files.items()}
    return own_evidence(name, found, analysis.errors)


def covered(folder: str, paths: Iterable[str], sources: Sources) -> bool:
    """Whether the walk read `folder`'s C/C++ files: it lies in a folder given."""
    real = os.path.realpath(folder or ".")
    return any(sources.is_dir(p) and within(real, os.path.realpath(p)) for p in paths)
