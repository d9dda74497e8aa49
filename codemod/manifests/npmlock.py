"""package-lock.json / npm-shrinkwrap.json (lockfileVersion 1, 2 and 3).

Every installed copy of node-addon-api is a lock entry: v2/v3 key it by
install path in `packages` (`node_modules/node-addon-api`,
`node_modules/foo/node_modules/node-addon-api`), v1 (and v2's legacy half)
nest it under `dependencies`. A copy that resolves 8.2.0 or 8.2.1 moves to
the smallest safe release that every package resolving to that copy admits
(npm's own lookup: nearest node_modules up the path). node-addon-api has no
dependencies, so an entry is rewritten offline from the safe-versions table:
version, integrity, and the version inside `resolved` when there is one.
The lock's copies of package.json specs (`packages[""]`, workspace entries)
follow the package.json edits, or `npm ci` would call them out of sync.

An alias (`node_modules/naa` with `"name": "node-addon-api"`) is a copy too.
An entry moves only where npm checks it against a range: one asked for by a
file, git or URL spec, or fetched from such a source, cannot move without
its spec, and a lock whose copies of the specs differ from package.json was
not regenerated: both refuse the root (docs/pin.md).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

from codemod.edits import Edit
from codemod.manifests import spec as specs
from codemod.manifests.jsonspan import BadInput, Obj, Str, insert_member, json_kind, loads, quoted
from codemod.manifests.lockplan import Installs, Key, LockPlan, LockSource, Pins, Refusal
from codemod.manifests.packagejson import DEP_FIELDS
from codemod import rules
from codemod.results import PIN, Finding
from codemod.rules import RESOLVES_BAD
from codemod.sources.base import within
from codemod.textpos import line_of, lines_of

SUFFIX = "node_modules/" + specs.PACKAGE
EDITS_LOCK = True


@dataclass(frozen=True)
class _Change:
    """One lock entry moved, or a reason it could not be (then `command`: what to run instead)."""

    key: str
    at: int  # the byte offset it is reported at (plan numbers the lines in one sweep)
    new: str | None
    reason: str
    edits: tuple[Edit, ...] = ()
    span: tuple[int, int] | None = None  # the entry's version value
    # Parents whose own range admits no safe release: the lock entry can only
    # move with an npm override scoped to each of them.
    override_parents: tuple[str, ...] = ()
    command: str = ""


@dataclass(frozen=True)
class _Dependent:
    package: str  # lock key of the package that asks ("" the root)
    name: str  # the name it asks under: node-addon-api, or an alias
    spec: str  # what it asks for, after the pin


def names_package(name: str, spec: str) -> bool:
    """Is the dependency `name: spec` node-addon-api (itself, or an alias of it)?"""
    return specs.is_alias(spec) or (name == specs.PACKAGE and not spec.strip().startswith("npm:"))


def lazy_entries(key_path: tuple) -> bool:
    """The lock entries napi-fix never edits unless they mention node-addon-api
    (an alias's entry does: `"name": "node-addon-api"`): every `packages`
    entry but the root's and the copies' own, and every top-level legacy
    entry but node-addon-api's (jsonspan.loads' `lazy`)."""
    if len(key_path) != 2:
        return False
    section, key = key_path
    if section == "packages":
        return key != "" and not key.endswith(SUFFIX)
    return section == "dependencies" and key != specs.PACKAGE


def _changes(path: str, data: bytes, lock: Obj, spec_changes: dict[str, dict[Key, str]],
             declared: dict[str, dict[Key, str]], mode: str) -> tuple[list[_Change], list[Edit]]:
    """(moved copies and refusals, edits of spec mirrors). spec_changes:
    package dir relative to the lock -> {(field, name): new spec}; declared:
    every package.json of the lock's root -> its node-addon-api specs as
    written (what the lock's copies must equal). One pass over the entries,
    one lookup per dependent: linear in the lock."""
    packages = lock.get("packages") if isinstance(lock.get("packages"), Obj) else None
    legacy = lock.get("dependencies") if isinstance(lock.get("dependencies"), Obj) else None

    mirror_edits: list[Edit] = []
    installs: dict[str, list[tuple[Obj, bool]]] = {}  # install key -> (entry, is legacy)
    dependents: list[_Dependent] = []
    copies: dict[str, dict[Key, str]] = {}  # package key -> the lock's copy of its node-addon-api specs

    if packages is not None:
        for key, entry in packages.items():
            if not isinstance(entry, Obj):
                continue
            if _is_install(key, entry):
                installs.setdefault(key, []).append((entry, False))
            changes = spec_changes.get(key, {})
            for field in DEP_FIELDS:
                deps = entry.get(field)
                if not isinstance(deps, Obj):
                    continue
                for name, value in deps.items():
                    if not (isinstance(value, Str) and names_package(name, value.value)):
                        continue
                    copies.setdefault(key, {})[(field, name)] = value.value
                    new = changes.get((field, name))
                    if new is not None and new != value.value:
                        mirror_edits.append(Edit(path, value.start, value.end, quoted(new)))
                    dependents.append(_Dependent(key, name, new or value.value))
    if legacy is not None:
        for key, name, entry, requires in _legacy_entries(legacy, ()):
            if _is_legacy_install(name, entry):
                installs.setdefault(key, []).append((entry, True))
            for dep_name, value in requires:
                new = _workspace_spec(entry, dep_name, spec_changes)
                if new is not None and new != value.value:
                    mirror_edits.append(Edit(path, value.start, value.end, quoted(new)))
                if packages is None:
                    dependents.append(_Dependent(key, dep_name, new or value.value))
        if packages is None:
            root = {k: spec_changes.get("", {}).get(k, v) for k, v in declared.get("", {}).items()}
            dependents.extend(_Dependent("", name, spec) for (_, name), spec in root.items())

    changes = _drift(packages, legacy, installs, declared, copies)
    wanted: dict[str, list[_Dependent]] = {}
    for dependent in dependents:
        target = _resolves_to(dependent.package, dependent.name, installs)
        if target is not None:
            wanted.setdefault(target, []).append(dependent)
    for key, entries in sorted(installs.items()):
        version = next((_version(e, legacy_entry) for e, legacy_entry in entries
                        if _version(e, legacy_entry) is not None), None)
        if version is None or not specs.is_bad(version[1]):
            continue
        changes.append(_move(path, key, entries, version, wanted.get(key, []), packages, mode))
    return changes, mirror_edits


def _move(path: str, key: str, entries, version: tuple[Str, str], wanted: list[_Dependent],
          packages, mode: str) -> _Change:
    """One install resolving a bad release: moved inside every range that asks
    for it, or refused."""
    value, found = version
    at, span = value.start, (value.start, value.end)
    source = next((_entry_source(e, legacy_entry) for e, legacy_entry in entries
                   if _entry_source(e, legacy_entry)), None)
    literal = next((d for d in wanted if specs.source_kind(d.spec)), None)
    if literal is not None or source is not None:
        kind = specs.source_kind(literal.spec) if literal is not None else source
        asked = rules.asks_for(_who(literal.package), literal.name, literal.spec) if literal else \
            rules.fetched_from(source)
        command = _command(literal or _Dependent("", specs.PACKAGE, ""), mode)
        return _Change(key, at, None, rules.npm_literal(key, found, asked, kind, command), span=span, command=command)
    ranges = {(d.package, specs.split_alias(d.spec)[1]) for d in wanted}
    ranges = {(dep, r) for dep, r in ranges if specs.judge(r).status != specs.UNKNOWN}
    blocked = sorted(dep for dep, r in ranges if specs.choose_version([r], mode) is None)
    new = specs.choose_version([r for dep, r in ranges if dep not in blocked], mode)
    parents = tuple(_package_name(dep, packages) for dep in blocked)
    if new is None or "" in blocked or None in parents:
        return _Change(key, at, None,
                       rules.npm_unsatisfiable(key, found, sorted(r for _, r in ranges), specs.upgrade_target()),
                       span=span, command="npm install")
    edits = [edit for entry, legacy_entry in entries for edit in _entry_edits(path, entry, legacy_entry, new)]
    reason = rules.npm_entry_moved(key, found, new, sorted({d.spec for d in wanted}), parents)
    return _Change(key, at, new, reason, tuple(edits), span, parents)


def _who(package_key: str) -> str:
    if package_key == "":
        return "package.json"
    if "node_modules/" in package_key:
        return package_key.rsplit("node_modules/", 1)[1]
    return f"{package_key}/package.json"


def _command(dependent: _Dependent, mode: str) -> str:
    """What a person runs instead: the spec replaced by a registry range, and
    npm re-locks (with -w for a workspace member)."""
    version = specs.ROLLBACK if mode == "rollback" else f"^{specs.upgrade_target()}"
    spec = f"{specs.PACKAGE}@{version}" if dependent.name == specs.PACKAGE else \
        f"{dependent.name}@npm:{specs.PACKAGE}@{version}"
    if "node_modules/" in dependent.package:
        parent = dependent.package.rsplit("node_modules/", 1)[1]
        return f"npm pkg set 'overrides.{parent}.{dependent.name}={version.lstrip('^')}' && npm install"
    workspace = f" -w {dependent.package}" if dependent.package else ""
    return f"npm install {spec}{workspace}"


def _drift(packages, legacy, installs, declared: dict[str, dict[Key, str]],
           copies: dict[str, dict[Key, str]]) -> list[_Change]:
    """Each package.json the lock no longer describes (it was not
    regenerated): a node-addon-api dependency added or removed, or a range
    the locked release does not satisfy. `npm ci` rejects such a pair itself,
    and moving an entry to follow one side could break the other. A range
    changed in package.json that the locked release still satisfies is no
    drift: npm ci accepts it, and the pin writes both sides."""
    out = []
    for folder, asked in sorted(declared.items()):
        if packages is not None:
            entry = packages.get(folder)
            if entry is None:
                continue  # not a package this lock describes
            where = entry.start if isinstance(entry, Obj) else packages.spans[folder][0]
            recorded = copies.get(folder, {})
        elif folder == "" and legacy is not None:
            where, recorded = legacy.start, None  # v1 records no copy: the locked release is the record
        else:
            continue
        stale = []
        for field, name in sorted(set(asked) | set(recorded or ())):
            spec = asked.get((field, name))
            copy = recorded.get((field, name)) if recorded is not None else None
            if spec is None or (recorded is not None and copy is None):  # added or removed
                stale.append(rules.spec_drift(field, name, spec, copy))
            elif recorded is None or spec != copy:
                inner = specs.split_alias(spec)[1]
                target = _resolves_to(folder, name, installs)
                held = next((v for e, legacy_entry in installs.get(target, []) if (v := _version(e, legacy_entry))),
                            None)
                if held is None or specs.judge(inner).status == specs.UNKNOWN or specs.source_kind(spec):
                    if recorded is not None:
                        stale.append(rules.spec_drift(field, name, spec, copy))
                elif not specs.satisfies(held[1], inner):
                    stale.append(rules.spec_drift(field, name, spec, release=held[1]))
        if stale:
            out.append(_Change(folder or "(root)", where, None, rules.npm_drift(stale), span=None,
                               command="npm install"))
    return out


def _is_install(key: str, entry: Obj) -> bool:
    """`node_modules/<name>` (nested or not) holding node-addon-api, under its own name or an alias."""
    if "node_modules/" not in key or entry.get("link") is not None:
        return False
    name = entry.get("name")
    if isinstance(name, Str):
        return name.value == specs.PACKAGE
    return key == SUFFIX or key.endswith("/" + SUFFIX)


def _is_legacy_install(name: str, entry: Obj) -> bool:
    version = entry.get("version")
    if isinstance(version, Str) and version.value.startswith("npm:"):
        return specs.is_alias(version.value)
    return name == specs.PACKAGE


def _version(entry: Obj, legacy_entry: bool) -> tuple[Str, str] | None:
    """(the version value, the release it names): a legacy alias entry says
    `npm:node-addon-api@8.2.1`."""
    value = entry.get("version")
    if not isinstance(value, Str):
        return None
    return value, specs.split_alias(value.value)[1] if legacy_entry else value.value


_REGISTRY_TARBALL = re.compile(r"/node-addon-api/-/node-addon-api-\d+\.\d+\.\d+(?:-[\w.]+)?\.tgz$")


def _entry_source(entry: Obj, legacy_entry: bool) -> str | None:
    """Where a lock entry comes from when that is not the registry: git, a
    file, a URL (lockfile v1 writes such a source as the entry's version)."""
    version = entry.get("version")
    if legacy_entry and isinstance(version, Str) and specs.source_kind(version.value):
        return specs.source_kind(version.value)
    resolved = entry.get("resolved")
    if isinstance(resolved, Str) and not _REGISTRY_TARBALL.search(resolved.value.split("#")[0].split("?")[0]):
        return specs.source_kind(resolved.value) or rules.FOREIGN_TARBALL
    return None


def _entry_edits(path: str, entry: Obj, legacy_entry: bool, new: str) -> list[Edit]:
    info = specs.safe_versions()[new]
    version = entry.get("version")
    if not isinstance(version, Str):
        return []  # names no release (one half of a lock v2 that disagrees with the other): nothing to move
    prefix = specs.split_alias(version.value)[0] if legacy_entry else ""
    edits = [Edit(path, version.start, version.end, quoted(prefix + new))]
    integrity = entry.get("integrity")
    if isinstance(integrity, Str):
        edits.append(Edit(path, integrity.start, integrity.end, quoted(info.integrity)))
    resolved = entry.get("resolved")
    if isinstance(resolved, Str):
        edits.append(Edit(path, resolved.start, resolved.end, quoted(specs.tarball_url(resolved.value, new))))
    return edits


def _workspace_spec(entry: Obj, name: str, spec_changes: dict[str, dict[Key, str]]) -> str | None:
    """The pinned spec a workspace member's legacy entry (`"version":
    "file:packages/a"`) must now require: `requires` mirrors the member's
    dependencies and optionalDependencies, not its devDependencies."""
    version = entry.get("version")
    if not (isinstance(version, Str) and version.value.startswith("file:")):
        return None
    changes = spec_changes.get(os.path.normpath(version.value[len("file:"):]).replace(os.sep, "/"), {})
    return changes.get(("dependencies", name)) or changes.get(("optionalDependencies", name))


def _package_name(key: str, packages) -> str | None:
    """The npm name of the package at lock key `key` (`node_modules/@s/x` -> `@s/x`)."""
    entry = packages.get(key) if packages is not None else None
    if isinstance(entry, Obj) and isinstance(entry.get("name"), Str):
        return entry["name"].value
    if "node_modules/" in key:
        return key.rsplit("node_modules/", 1)[1] or None
    return None


def _legacy_entries(deps: Obj, chain: tuple[str, ...]):
    """(install key, name, entry, [(name, requires value)] naming node-addon-api)
    over lockfile v1's nested tree, without recursion (a deep tree is input, not a stack)."""
    stack = [(deps, chain)]
    while stack:
        level, chain = stack.pop()
        nested = []
        for name, entry in level.items():
            if not isinstance(entry, Obj):
                continue
            key = "/".join(f"node_modules/{n}" for n in chain + (name,))
            requires = entry.get("requires")
            asks = [(n, v) for n, v in requires.items() if isinstance(v, Str) and names_package(n, v.value)] \
                if isinstance(requires, Obj) else []
            yield key, name, entry, asks
            if isinstance(entry.get("dependencies"), Obj):
                nested.append((entry["dependencies"], chain + (name,)))
        stack.extend(reversed(nested))


def _resolves_to(package_key: str, name: str, installs: dict) -> str | None:
    """Node's lookup of `name` from a package folder: nearest node_modules upward."""
    parts = package_key.split("/") if package_key else []
    suffix = f"node_modules/{name}"
    while True:
        candidate = "/".join(parts + [suffix]) if parts else suffix
        if candidate in installs:
            return candidate
        if not parts:
            return None
        parts = parts[:-1]
        if parts and parts[-1].startswith("@"):
            parts = parts[:-1]
        if parts and parts[-1] == "node_modules":
            parts = parts[:-1]


def read(path: str, data: bytes, parse=loads) -> Obj:
    """The lock parsed by `parse` (jsonspan.loads, or the editor's memo of
    it), its entries napi-fix never edits stepped over (`lazy_entries`);
    BadInput when it is no JSON object."""
    document = parse(data, path, lazy_entries)
    if not isinstance(document, Obj):
        raise BadInput(path, 1, f"the lockfile holds {json_kind(document)}, not an object")
    return document


def plan(lock: LockSource, pins: Pins) -> LockPlan:
    """One npm lock moved with the pins. Its `overrides`: the parents
    ({name: version}) whose own range admits only bad releases (package.json
    needs an override scoped to each: packagejson.plan_overrides)."""
    path, data, folder = lock.path, lock.data, pins.folder
    document = read(path, data, lock.parse)

    def relative(by_folder: dict) -> dict:
        return {("" if d == folder else os.path.relpath(d, folder or ".").replace(os.sep, "/")): value
                for d, value in by_folder.items() if not folder or within(d, folder)}

    changes, mirrors = _changes(path, data, document, relative(pins.names), relative(pins.declared), pins.mode)
    findings = []
    if mirrors:
        findings.append(Finding(path, line_of(data, mirrors[0].start), 1, PIN, "package specs", "",
                                rules.NPM_SPECS_FOLLOW, tuple(mirrors)))
    lines = lines_of(data, (c.at for c in changes))
    findings += [Finding(path, lines[c.at], 1, PIN, c.key, "", c.reason, c.edits, rule=RESOLVES_BAD.id, span=c.span)
                 for c in changes if c.edits]
    refusals = tuple(Refusal(path, lines[c.at], c.key, c.reason, c.command, c.span) for c in changes if not c.edits)
    overrides = {parent: c.new for c in changes if c.new for parent in c.override_parents}
    return LockPlan(tuple(findings), refusals, tuple(overrides.items()))


def declare_package(path: str, data: bytes, lock: Obj, spec: str, version: str) -> list[Edit] | None:
    """Edits adding node-addon-api to an npm lock's root and its packages; None
    when a copy already installed at the top level does not satisfy `spec`."""
    info = specs.safe_versions()[version]
    edits = []
    packages = lock.get("packages")
    if isinstance(packages, Obj):
        root = packages.get("")
        if isinstance(root, Obj):
            deps = root.get("dependencies")
            edits.append(insert_member(path, data, deps, specs.PACKAGE, spec) if isinstance(deps, Obj)
                         else insert_member(path, data, root, "dependencies", {specs.PACKAGE: spec}))
        key = SUFFIX
        existing = packages.get(key)
        if isinstance(existing, Obj):
            held = existing.get("version")
            if not (isinstance(held, Str) and (specs.is_bad(held.value) or specs.satisfies(held.value, spec))):
                return None
        else:
            entry = {"version": version, "integrity": info.integrity, "license": "MIT", "engines": {"node": info.engines}}
            after = sorted(k for k in packages if k > key)
            edits.append(insert_member(path, data, packages, key, entry, before=after[0] if after else None))
    legacy = lock.get("dependencies")
    entry = {"version": version, "integrity": info.integrity}
    if isinstance(legacy, Obj) and specs.PACKAGE not in legacy:
        after = sorted(k for k in legacy if k > specs.PACKAGE)
        edits.append(insert_member(path, data, legacy, specs.PACKAGE, entry, before=after[0] if after else None))
    elif legacy is None and not isinstance(packages, Obj):
        # Lockfile v1 of a project with no dependencies yet: npm wrote no
        # `dependencies` at all, and npm ci rejects a dependency the lock lacks.
        edits.append(insert_member(path, data, lock, "dependencies", {specs.PACKAGE: entry}))
    return edits


# -- who depends on node-addon-api, for the leak verdicts (leaks.py) ----------


def dependents(data: bytes) -> Installs | None:
    """Each package a v2/v3 lock installs (links and the root aside): whether
    it depends on node-addon-api, and whether npm marked it
    `hasInstallScript` (a binding.gyp is built at install). None for a v1
    lock, which records neither; ValueError when it is not JSON."""
    text = data.decode(json.detect_encoding(data), "surrogatepass")  # as json.loads decodes bytes
    del data  # the caller hands its bytes over: not kept beside their text while it is parsed
    lock = json.loads(text, object_pairs_hook=_lock_entry)
    packages = lock.get("packages") if isinstance(lock, dict) else None
    if not isinstance(packages, dict):
        return None
    return {key: (entry.depends, entry.installs) for key, entry in packages.items()
            if isinstance(entry, _Entry) and key.startswith("node_modules/") and not entry.link}


@dataclass(frozen=True)
class _Entry:
    """What the verdict needs of one lock entry, kept instead of the entry
    itself: a 100,000-entry lock read whole as dicts costs ~100 MB more."""

    depends: bool
    installs: bool
    link: bool


# The fields npm writes in a lock entry (package-lock.json's `packages` values).
_ENTRY_FIELDS = frozenset((
    "name", "version", "resolved", "integrity", "link", "dev", "optional", "devOptional", "inBundle",
    "hasInstallScript", "hasShrinkwrap", "bin", "license", "engines", "os", "cpu", "libc", "deprecated",
    "funding", "extraneous", "bundleDependencies", "bundledDependencies", "peerDependenciesMeta",
    "dependencies", "devDependencies", "optionalDependencies", "peerDependencies", "workspaces"))


def _lock_entry(pairs: list) -> dict | _Entry:
    """json's object hook: a lock entry (only entry fields, a version, a
    resolved URL or a link) becomes an _Entry; the lock itself, the packages
    map and maps of specs (keyed by package names) stay dicts."""
    keys = {key for key, _ in pairs}
    if not keys <= _ENTRY_FIELDS or not keys & {"version", "resolved", "link"}:
        return dict(pairs)
    values = dict(pairs)
    return _Entry(any(isinstance(values.get(f), dict) and specs.PACKAGE in values[f] for f in DEP_FIELDS),
                  values.get("hasInstallScript") is True, bool(values.get("link")))
