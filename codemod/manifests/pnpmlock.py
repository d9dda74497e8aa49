"""pnpm-lock.yaml, lockfileVersion 6 (`/node-addon-api@8.2.1`) and 9
(`node-addon-api@8.2.1`, plus `snapshots`).

PyYAML composes the file into nodes that carry their exact positions, so
each edit replaces one scalar (a specifier, a version, a package key, an
integrity) and nothing else: comments, order and quoting stay as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from codemod.edits import Edit
from codemod.manifests import spec as specs
from codemod.manifests.jsonspan import BadInput
from codemod.results import MANUAL, PIN, PIN_SAFE, Finding
from codemod.rules import ADMITS_BAD, NEEDS_PERSON, RESOLVES_BAD
from codemod.textpos import line_of

# libyaml's composer when PyYAML was built with it (its marks count characters
# as the pure-Python one does): a 30,000-line lock in a tenth of the time.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# An importer's dependency sections (pnpm keeps no peerDependencies section there).
IMPORTER_FIELDS = ("dependencies", "devDependencies", "optionalDependencies")
_KEY = re.compile(r"^(?P<slash>/?)node-addon-api@(?P<version>\d+\.\d+\.\d+(?:-[\w.]+)?)$")


@dataclass(frozen=True)
class PnpmChange:
    line: int
    reason: str
    edits: tuple[Edit, ...]
    span: tuple[int, int] | None = None  # the bad version's key


class _Doc:
    def __init__(self, data: bytes, path: str):
        try:
            text = data.decode("utf-8")
            self.root = yaml.compose(text, Loader=_LOADER)
        except UnicodeDecodeError as exc:
            raise BadInput(path, line_of(data, exc.start), "not UTF-8") from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise BadInput(path, (mark.line + 1) if mark else 1, f"invalid YAML: {exc.problem}") from None
        except yaml.YAMLError as exc:  # the reader's errors: NUL and other unprintable characters
            raise BadInput(path, line_of(data, getattr(exc, "position", 0) or 0),
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


def plan_pnpm_lock(data: bytes, path: str, importers: dict[str, dict[str, str]], mode: str,
                   overrides: dict[str, str] | None = None) -> list[PnpmChange]:
    """importers: importer key ('.' or 'packages/a') -> {field: new spec};
    overrides: override key -> new value (pnpm.overrides, pnpm-workspace.yaml)."""
    doc = _Doc(data, path)
    root = doc.root
    changes: list[PnpmChange] = []
    overrides = overrides or {}

    # The lock repeats the overrides; a global one is also every importer's specifier.
    for key, value in _items(_get(root, "overrides")):
        new = overrides.get(key.value)
        if new is not None and new != value.value:
            changes.append(PnpmChange(doc.line(value), f"overrides > {key.value} follows the pin",
                                      (doc.edit(value, _scalar(value, new)),)))
    forced = overrides.get(specs.PACKAGE)

    # Importers: v9 always, v6 for workspaces; a v6 single project keeps its
    # dependency maps at the top level (importer '.').
    importer_nodes = [(k.value, v) for k, v in _items(_get(root, "importers"))] or [(".", root)]
    wanted: dict[str, list[str]] = {}  # bad version -> ranges asking for it
    for key, importer in importer_nodes:
        for field in IMPORTER_FIELDS:
            entry = _get(_get(importer, field), specs.PACKAGE)
            specifier, version = _get(entry, "specifier"), _get(entry, "version")
            if specifier is None or version is None:
                continue
            for node in (specifier, version):
                if not isinstance(node, yaml.ScalarNode):
                    raise BadInput(path, doc.line(node), f"importer {key} {field}: node-addon-api's "
                                                         f"{'specifier' if node is specifier else 'version'} is not "
                                                         "a string")
            new_spec = forced or importers.get(key, {}).get(field)
            edits = []
            if new_spec and new_spec != specifier.value:
                edits.append(doc.edit(specifier, _scalar(specifier, new_spec)))
            if specs.is_bad(version.value):
                wanted.setdefault(version.value, []).append(new_spec or specifier.value)
            if edits:
                changes.append(PnpmChange(doc.line(specifier), f"importer {key} {field}: specifier follows the pin",
                                          tuple(edits)))

    # Which safe release each bad one moves to.
    packages = _get(root, "packages")
    snapshots = _get(root, "snapshots")
    bad_versions = {m.group("version") for k, _ in _items(packages) if (m := _KEY.match(k.value))
                    and specs.is_bad(m.group("version"))}
    moves: dict[str, str] = {}
    for bad in sorted(bad_versions):
        ranges = [r for r in wanted.get(bad, []) if specs.judge(specs.split_alias(r)[1]).status != specs.UNKNOWN]
        new = specs.choose_version(ranges, mode)
        existing = {k.value for k, _ in _items(packages)}
        if new is None or any(_KEY.match(k) and _KEY.match(k).group("version") == new for k in existing):
            changes.append(PnpmChange(1, f"node-addon-api@{bad}: cannot move it offline (no safe release satisfies "
                                         f"{ranges}, or the target is already locked): run `pnpm update "
                                         f"node-addon-api` after the pin", ()))
            continue
        moves[bad] = new

    for bad, new in moves.items():
        info = specs.safe_versions()[new]
        edits: list[Edit] = []
        first_line = first_span = None
        for section in (packages, snapshots):
            for key, value in _items(section):
                m = _KEY.match(key.value)
                if m and m.group("version") == bad:
                    edits.append(doc.edit(key, _scalar(key, f"{m.group('slash')}node-addon-api@{new}")))
                    first_line, first_span = first_line or doc.line(key), first_span or doc.span(key)
                    integrity = _get(_get(value, "resolution"), "integrity")
                    if integrity is not None:
                        edits.append(doc.edit(integrity, _scalar(integrity, info.integrity)))
                # Other packages' resolved dependencies on the bad copy.
                for field in ("dependencies", "optionalDependencies"):
                    dep = _get(_get(value, field), specs.PACKAGE)
                    if dep is not None and dep.value == bad:
                        edits.append(doc.edit(dep, _scalar(dep, new)))
        for _, importer in importer_nodes:
            for field in IMPORTER_FIELDS:
                version = _get(_get(_get(importer, field), specs.PACKAGE), "version")
                if version is not None and version.value == bad:
                    edits.append(doc.edit(version, _scalar(version, new)))
        changes.append(PnpmChange(first_line or 1, f"move node-addon-api@{bad} to {new}", tuple(edits), first_span))
    return changes


def plan_workspace_overrides(data: bytes, path: str, mode: str, target: str) -> list[tuple[int, str, str, str, tuple]]:
    """pnpm-workspace.yaml `overrides:` entries for node-addon-api:
    (line, key, judgement detail, new value or "", edits)."""
    doc = _Doc(data, path)
    out = []
    for key, value in _items(_get(doc.root, "overrides")):
        name = key.value.rsplit(">", 1)[-1] if isinstance(key.value, str) else ""
        if not (name == specs.PACKAGE or name.startswith(specs.PACKAGE + "@")) or not isinstance(value, yaml.ScalarNode):
            continue
        judgement = specs.judge(value.value)
        if judgement.status != specs.AFFECTED:
            out.append((doc.line(value), key.value, judgement.detail, "", ()))
            continue
        new = specs.rollback(value.value) if mode == "rollback" else specs.upgrade(value.value, target)
        out.append((doc.line(value), key.value, judgement.detail, new, (doc.edit(value, _scalar(value, new)),)))
    return out


def plan_workspace_file(path: str, data: bytes, mode: str) -> list[tuple[Finding, str, str]]:
    """(finding, override key, new value or "") per node-addon-api override in pnpm-workspace.yaml."""
    out = []
    for line, key, detail, new, edits in plan_workspace_overrides(data, path, mode, specs.upgrade_target()):
        if new:
            out.append((Finding(path, line, 1, PIN, f"overrides > {key}", "",
                                f"overrides > {key}: {detail}; pin to {new!r}", edits, rule=ADMITS_BAD.id,
                                span=(edits[0].start, edits[0].end)), key, new))
        else:
            out.append((Finding(path, line, 1, PIN_SAFE, f"overrides > {key}", "", detail), key, ""))
    return out


def plan_lock_file(path: str, data: bytes, importers: dict[str, dict[str, str]], mode: str,
                   overrides: dict[str, str]) -> list[Finding]:
    return [Finding(path, c.line, 1, PIN if c.edits else MANUAL, "pnpm-lock.yaml", "", c.reason, c.edits,
                    rule=(RESOLVES_BAD.id if c.span else None) if c.edits else NEEDS_PERSON.id, span=c.span)
            for c in plan_pnpm_lock(data, path, importers, mode, overrides)]
