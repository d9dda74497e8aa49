"""pnpm-lock.yaml as pnpm 7, 8 and 9 write it: lockfileVersion 5.4
(`specifiers:` beside the dependency maps, keys `/node-addon-api/8.2.1`),
6.0 (`{specifier, version}` per dependency, keys `/node-addon-api@8.2.1`)
and 9.0 (keys `node-addon-api@8.2.1`, plus `snapshots` and `catalogs`).

PyYAML composes the file into nodes that carry their exact positions, so
each edit replaces one scalar (a specifier, a version, a package key, an
integrity) and nothing else: comments, order and quoting stay as they are.
Any other lockfileVersion, and YAML anchors (pnpm never writes them; an
alias shared by many importers would make every lookup rescan it), are
refused: the root is left alone with the command to run instead.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import yaml

from codemod import rules
from codemod.edits import Edit
from codemod.manifests import spec as specs
from codemod.manifests.jsonspan import BadInput
from codemod.manifests.lockplan import Installs, LockPlan, LockSource, Pins, Refusal
from codemod.results import PIN, PIN_SAFE, Finding
from codemod.rules import ADMITS_BAD, RESOLVES_BAD
from codemod.sources.base import within
from codemod.textpos import line_of

EDITS_LOCK = True
UPDATE = "pnpm update node-addon-api@^8.2.2"  # what a person runs where the lock cannot be moved offline
REGENERATE = "pnpm install --lockfile-only"  # ... where pnpm did not write the lock

# libyaml's composer when PyYAML was built with it (its marks count characters
# as the pure-Python one does): a 30,000-line lock in a tenth of the time.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# lockfileVersion -> the format's generation; pnpm 7 writes 5.4, pnpm 8 6.0, pnpm 9 9.0.
FORMATS = {"5.4": 5, "6.0": 6, "9.0": 9}
# An importer's dependency sections (pnpm keeps no peerDependencies section there).
IMPORTER_FIELDS = ("dependencies", "devDependencies", "optionalDependencies")
_VERSION = r"(?P<version>\d+\.\d+\.\d+(?:-[\w.]+)?)"
# A package key or a reference to one: /node-addon-api/8.2.1 (5.4), /node-addon-api@8.2.1 (6.0),
# node-addon-api@8.2.1 (9.0); under the name node-addon-api itself a reference is the bare version.
_KEY = re.compile(r"^(?P<prefix>/?node-addon-api[@/])" + _VERSION + "$")
_BARE = re.compile(r"^(?P<prefix>)" + _VERSION + "$")
# Where YAML could start an anchor (&a) or an alias (*a): checked by the parser only when this matches.
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])[&*][^\s,\[\]{}]", re.M)


def reference(name: str, value: str) -> re.Match | None:
    """The node-addon-api version a dependency `name: value` of the lock
    points at (an alias `naa: /node-addon-api@8.2.1` too), or None."""
    return _KEY.match(value) or (_BARE.match(value) if name == specs.PACKAGE else None)


class Refused(Exception):
    """A lock napi-fix will not read or move: the root is left alone."""

    def __init__(self, line: int, reason: str, command: str):
        super().__init__(reason)
        self.line = line
        self.reason = reason
        self.command = command


class _Doc:
    def __init__(self, data: bytes, path: str, lockfile: bool = False):
        try:
            text = data.decode("utf-8")
            if lockfile:
                _refuse_anchors(text)
            self.root = yaml.compose(text, Loader=_LOADER)
        except UnicodeDecodeError as exc:
            raise BadInput(path, line_of(data, exc.start), "not UTF-8") from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise BadInput(path, (mark.line + 1) if mark else 1, f"invalid YAML: {exc.problem}") from None
        except yaml.YAMLError as exc:  # the reader's errors: NUL and other unprintable characters
            # libyaml's reader counts bytes; PyYAML's own (built without libyaml) counts characters.
            position = getattr(exc, "position", 0) or 0
            if _LOADER is yaml.SafeLoader:
                position = len(text[:position].encode("utf-8"))
            raise BadInput(path, line_of(data, position),
                           f"invalid YAML: {getattr(exc, 'reason', None) or exc}") from None
        self.data = data
        self.path = path
        # Character index -> byte offset (identity for ASCII files).
        self._offsets = None if text.isascii() else _char_offsets(text)

    def span(self, node) -> tuple[int, int]:
        start, end = node.start_mark.index, node.end_mark.index
        if self._offsets is not None:
            start, end = self._offsets[start], self._offsets[end]
        return start, end

    def line(self, node) -> int:
        return node.start_mark.line + 1

    def edit(self, node, text: bytes) -> Edit:
        return Edit(self.path, *self.span(node), text)


def _refuse_anchors(text: str) -> None:
    """pnpm writes no anchors: a lock holding one was not written by pnpm,
    and one mapping aliased by many importers multiplies every lookup."""
    if not _MAYBE_ANCHOR.search(text):
        return
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise Refused(event.start_mark.line + 1, rules.pnpm_anchors(REGENERATE), REGENERATE)


def _char_offsets(text: str) -> list[int]:
    offsets, total = [], 0
    for ch in text:
        offsets.append(total)
        total += len(ch.encode("utf-8"))
    offsets.append(total)
    return offsets


def _get(node, key: str):
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v
    return None


def _items(node):
    return node.value if isinstance(node, yaml.MappingNode) else []


def _scalar(node, text: str) -> bytes:
    """`text` in the same quoting style as the scalar it replaces."""
    style = getattr(node, "style", None)
    if style == "'":
        return ("'" + text.replace("'", "''") + "'").encode()
    if style == '"':
        return ('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"').encode()
    if re.match(r"^[*&!|>%@`'\"{\[]|^[-?:,\]}#]\s|: | #", text) or text in ("", "*"):
        return ("'" + text.replace("'", "''") + "'").encode()
    return text.encode()


@dataclass(frozen=True)
class _Dep:
    """One importer's dependency on node-addon-api (or an alias of it)."""

    importer: str
    field: str
    name: str
    specifier: yaml.Node
    version: yaml.Node


def lockfile_version(doc: _Doc) -> int:
    node = _get(doc.root, "lockfileVersion")
    found = node.value if isinstance(node, yaml.ScalarNode) else None
    if found not in FORMATS:
        raise Refused(doc.line(node) if node is not None else 1, rules.pnpm_version(found, FORMATS, UPDATE), UPDATE)
    return FORMATS[found]


def _importer_deps(doc: _Doc, generation: int) -> list[_Dep]:
    """Every importer's dependencies that resolve node-addon-api, under its
    own name or an alias. v5.4 keeps the specifiers in their own map; v6/v9
    a {specifier, version} per dependency; a single project without
    `importers` keeps it all at the top level (importer '.')."""
    importer_nodes = [(k.value, v) for k, v in _items(_get(doc.root, "importers"))] or [(".", doc.root)]
    found = []
    for key, importer in importer_nodes:
        specifiers = _get(importer, "specifiers")
        for field in IMPORTER_FIELDS:
            for name_node, entry in _items(_get(importer, field)):
                name = name_node.value
                if generation == 5:
                    specifier, version = _get(specifiers, name), entry
                else:
                    specifier, version = _get(entry, "specifier"), _get(entry, "version")
                if specifier is None or version is None:
                    if name == specs.PACKAGE:  # skipped, its version would stay while its package moves
                        missing = "specifier" if specifier is None else "version"
                        raise BadInput(doc.path, doc.line(name_node),
                                       f"importer {key} {field}: node-addon-api has no {missing}")
                    continue
                if not isinstance(version, yaml.ScalarNode) or not isinstance(specifier, yaml.ScalarNode):
                    if name == specs.PACKAGE:
                        bad = "specifier" if not isinstance(specifier, yaml.ScalarNode) else "version"
                        raise BadInput(doc.path, doc.line(specifier if bad == "specifier" else version),
                                       f"importer {key} {field}: node-addon-api's {bad} is not a string")
                    continue
                if reference(name, version.value) or name == specs.PACKAGE:
                    found.append(_Dep(key, field, name, specifier, version))
    return found


def _catalog_name(specifier: str) -> str | None:
    """'default' for `catalog:`, 'x' for `catalog:x`; None when no catalog spec."""
    if not specifier.startswith("catalog:"):
        return None
    return specifier[len("catalog:"):].strip() or "default"


def _plan(path: str, data: bytes, importers: dict[str, dict[str, str]], mode: str, overrides: dict[str, str],
          renames: dict[str, dict[str, str]], catalogs: dict[str, str]) -> LockPlan:
    """importers: importer key ('.' or 'packages/a') -> {field: new spec} of node-addon-api;
    renames: importer key -> {old spec: new spec} (aliases are found by their spec);
    overrides: override key -> new value (pnpm.overrides, pnpm-workspace.yaml);
    catalogs: catalog name -> new spec of node-addon-api (pnpm-workspace.yaml)."""
    try:
        doc = _Doc(data, path, lockfile=True)
        generation = lockfile_version(doc)
    except Refused as exc:
        return LockPlan(refusals=(Refusal(path, exc.line, "pnpm-lock.yaml", exc.reason, exc.command),))
    root = doc.root
    changes: list[Finding] = []
    refusals: list[Refusal] = []

    def pin(line: int, reason: str, edits: tuple[Edit, ...], span: tuple[int, int] | None = None) -> None:
        changes.append(Finding(path, line, 1, PIN, "pnpm-lock.yaml", "", reason, edits,
                               rule=RESOLVES_BAD.id if span else None, span=span))

    # The lock repeats the overrides; a global one is also every importer's specifier.
    for key, value in _items(_get(root, "overrides")):
        new = overrides.get(key.value)
        if new is not None and new != value.value:
            pin(doc.line(value), rules.follows_pin(f"overrides > {key.value}"), (doc.edit(value, _scalar(value, new)),))
    forced = overrides.get(specs.PACKAGE)

    # The lock's copy of the catalogs (pnpm >= 9.5): {specifier, version} per catalog and package.
    catalog_entries = []  # (catalog name, specifier node, version node)
    for name, catalog in _items(_get(root, "catalogs")):
        entry = _get(catalog, specs.PACKAGE)
        specifier, version = _get(entry, "specifier"), _get(entry, "version")
        if isinstance(specifier, yaml.ScalarNode) and isinstance(version, yaml.ScalarNode):
            catalog_entries.append((name.value, specifier, version))
            new = catalogs.get(name.value)
            if new and new != specifier.value:
                pin(doc.line(specifier), rules.specifier_follows(f"catalogs > {name.value}"),
                    (doc.edit(specifier, _scalar(specifier, new)),))
    catalog_specs = {name: catalogs.get(name) or specifier.value for name, specifier, _ in catalog_entries}

    deps = _importer_deps(doc, generation)
    wanted: dict[str, list[str]] = {}  # bad version -> ranges asking for it
    for dep in deps:
        old_spec = dep.specifier.value
        new_spec = (forced if dep.name == specs.PACKAGE else None) \
            or (importers.get(dep.importer, {}).get(dep.field) if dep.name == specs.PACKAGE else None) \
            or renames.get(dep.importer, {}).get(old_spec)
        if new_spec and new_spec != old_spec and _catalog_name(old_spec) is None:
            pin(doc.line(dep.specifier), rules.specifier_follows(f"importer {dep.importer} {dep.field} > {dep.name}"),
                (doc.edit(dep.specifier, _scalar(dep.specifier, new_spec)),))
        else:
            new_spec = old_spec
        catalog = _catalog_name(new_spec)
        asked = catalog_specs.get(catalog, "") if catalog else new_spec
        ref = reference(dep.name, dep.version.value)
        if ref and specs.is_bad(ref.group("version")):
            wanted.setdefault(ref.group("version"), []).append(specs.split_alias(asked)[1])
    for name, specifier, version in catalog_entries:
        if specs.is_bad(version.value):
            wanted.setdefault(version.value, []).append(catalog_specs[name])

    # Which safe release each bad one moves to.
    packages = _get(root, "packages")
    snapshots = _get(root, "snapshots")
    keys = {m.group("version"): m for k, _ in _items(packages) if (m := _KEY.match(k.value))}
    moves: dict[str, str] = {}
    for bad in sorted(v for v in keys if specs.is_bad(v)):
        ranges = [r for r in wanted.get(bad, []) if specs.judge(r).status != specs.UNKNOWN]
        new = specs.choose_version(ranges, mode)
        if new is None or new in keys:
            why = rules.pnpm_would_merge(new) if new else rules.no_safe_release(ranges)
            refusals.append(Refusal(path, 1, "pnpm-lock.yaml", rules.pnpm_unmovable(bad, why, UPDATE), UPDATE))
            continue
        moves[bad] = new

    for bad, new in moves.items():
        pin(*_move(doc, bad, new, packages, snapshots, deps, catalog_entries))
    return LockPlan(tuple(changes), tuple(refusals))


def _move(doc: _Doc, bad: str, new: str, packages, snapshots, deps: list[_Dep], catalog_entries):
    """(line, reason, edits, span): every place the lock records node-addon-api@bad, moved to `new`."""
    info = specs.safe_versions()[new]
    edits: list[Edit] = []
    first_line = first_span = None
    for section in (packages, snapshots):
        for key, value in _items(section):
            m = _KEY.match(key.value)
            if m and m.group("version") == bad:
                edits.append(doc.edit(key, _scalar(key, m.group("prefix") + new)))
                first_line, first_span = first_line or doc.line(key), first_span or doc.span(key)
                integrity = _get(_get(value, "resolution"), "integrity")
                if integrity is not None:
                    edits.append(doc.edit(integrity, _scalar(integrity, info.integrity)))
            # Other packages' resolved dependencies on the bad copy (under an alias too).
            for field in ("dependencies", "optionalDependencies"):
                for name, dep in _items(_get(value, field)):
                    ref = isinstance(dep, yaml.ScalarNode) and reference(name.value, dep.value)
                    if ref and ref.group("version") == bad:
                        edits.append(doc.edit(dep, _scalar(dep, ref.group("prefix") + new)))
    for dep in deps:
        ref = reference(dep.name, dep.version.value)
        if ref and ref.group("version") == bad:
            edits.append(doc.edit(dep.version, _scalar(dep.version, ref.group("prefix") + new)))
    for _, _, version in catalog_entries:
        if version.value == bad:
            edits.append(doc.edit(version, _scalar(version, new)))
    return first_line or 1, rules.pnpm_moved(bad, new), tuple(edits), first_span


@dataclass(frozen=True)
class WorkspacePin:
    """One node-addon-api entry of pnpm-workspace.yaml: an override or a catalog's."""

    finding: Finding
    override: str | None  # the override key, or None for a catalog entry
    catalog: str | None  # the catalog name ('default' for `catalog:`), or None for an override
    new: str  # the new value, "" when it is safe already


def _workspace_entries(doc: _Doc):
    """(where, override key or None, catalog name or None, value node) of each
    node-addon-api entry in `overrides:`, `catalog:` and `catalogs: {name: ...}`."""
    for key, value in _items(_get(doc.root, "overrides")):
        name = key.value.rsplit(">", 1)[-1] if isinstance(key.value, str) else ""
        if (name == specs.PACKAGE or name.startswith(specs.PACKAGE + "@")) and isinstance(value, yaml.ScalarNode):
            yield f"overrides > {key.value}", key.value, None, value
    catalogs = [("default", "catalog", _get(doc.root, "catalog"))]
    catalogs += [(k.value, f"catalogs > {k.value}", v) for k, v in _items(_get(doc.root, "catalogs"))]
    for name, where, catalog in catalogs:
        value = _get(catalog, specs.PACKAGE)
        if isinstance(value, yaml.ScalarNode):
            yield f"{where} > {specs.PACKAGE}", None, name, value


def plan_workspace_file(path: str, data: bytes, mode: str) -> list[WorkspacePin]:
    """The pin of each node-addon-api override and catalog entry in pnpm-workspace.yaml."""
    doc = _Doc(data, path)
    out = []
    target = specs.upgrade_target()
    for where, override, catalog, value in _workspace_entries(doc):
        judgement = specs.judge(value.value)
        if judgement.status != specs.AFFECTED:
            out.append(WorkspacePin(Finding(path, doc.line(value), 1, PIN_SAFE, where, "", judgement.detail),
                                    override, catalog, ""))
            continue
        new = specs.rollback(value.value) if mode == "rollback" else specs.upgrade(value.value, target)
        edit = doc.edit(value, _scalar(value, new))
        out.append(WorkspacePin(Finding(path, doc.line(value), 1, PIN, where, "",
                                        rules.spec_pinned(where, judgement.detail, new), (edit,),
                                        rule=ADMITS_BAD.id, span=(edit.start, edit.end)), override, catalog, new))
    return out


def plan(lock: LockSource, pins: Pins) -> LockPlan:
    """One pnpm-lock.yaml moved with the pins of its importers (the packages
    at or below its folder), its overrides and its catalogs. Nothing when
    pnpm-workspace.yaml could not be read (its own error says why)."""
    if pins.catalogs is None:
        return LockPlan()
    folder = pins.folder

    def importer(d: str) -> str:
        return "." if d == folder else os.path.relpath(d, folder or ".").replace(os.sep, "/")

    def mine(by_folder) -> dict:
        return {importer(d): value for d, value in by_folder.items() if not folder or within(d, folder)}

    return _plan(lock.path, lock.data, mine(pins.fields), pins.mode, dict(pins.overrides), mine(pins.renames),
                 dict(pins.catalogs))


def dependents(data: bytes) -> Installs | None:
    """The packages of a pnpm-lock.yaml that depend on node-addon-api, each
    counted as hoisted (resolving the root's copy), and whether pnpm
    recorded that they build (`requiresBuild`, lockfileVersion 5 and 6
    only; later ones record nothing, so each counts as built). None for a
    lock that is not YAML."""
    try:
        lock = yaml.load(data, Loader=_LOADER)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None
    if not isinstance(lock, dict):
        return None
    recorded = str(lock.get("lockfileVersion", "9")).split(".")[0] in ("5", "6")
    meta = lock.get("packages") if isinstance(lock.get("packages"), dict) else {}
    found: Installs = {}
    for section in ("packages", "snapshots"):
        entries = lock.get(section)
        for key, entry in (entries.items() if isinstance(entries, dict) else ()):
            if isinstance(entry, dict) and any(isinstance(entry.get(f), dict) and specs.PACKAGE in entry[f]
                                               for f in ("dependencies", "optionalDependencies")):
                info = meta.get(key) if isinstance(meta.get(key), dict) else entry
                found[f"node_modules/{str(key).lstrip('/')}"] = (True, info.get("requiresBuild") is True
                                                                 if recorded else True)
    return found
