"""package.json: where node-addon-api is declared or forced, and the pins.

Declared: dependencies, devDependencies, optionalDependencies,
peerDependencies, under its own name or an alias (`"naa":
"npm:node-addon-api@8.2.1"`, npm's `<alias>@npm:<name>` package spec). Forced: npm `overrides` (nested, `name@range` keys,
`$name` references), yarn `resolutions` (`**/name`, `parent/name`), pnpm
`pnpm.overrides` (`name@range`, `parent>name`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from codemod import rules
from codemod.edits import Edit
from codemod.manifests import spec as specs
from codemod.manifests.jsonspan import Obj, Str, insert_member, insert_members, quoted
from codemod.results import MANUAL, PIN, Finding
from codemod.rules import NEEDS_PERSON
from codemod.textpos import line_of

DEP_FIELDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")


@dataclass(frozen=True)
class SpecSite:
    where: str  # e.g. "dependencies", "dependencies > naa" (an alias) or "overrides > foo > node-addon-api"
    field: str  # the top-level field
    value: Str
    name: str = specs.PACKAGE  # the name it is installed under: node-addon-api, or an alias (`naa`)


@dataclass(frozen=True)
class OddSpec:
    """node-addon-api given something that is not a spec string (null, 8.2, {})."""

    where: str
    line: int
    found: str  # what it is, in words


def _names_package(key: str, separators: str) -> bool:
    """Is an override/resolution key about node-addon-api itself?"""
    last = key
    for sep in separators:
        last = last.rsplit(sep, 1)[-1]
    return last == specs.PACKAGE or last.startswith(specs.PACKAGE + "@")


def odd_specs(pkg: Obj, data: bytes) -> list[OddSpec]:
    """Dependency fields that name node-addon-api with a value that is no spec."""
    out = []
    for field in DEP_FIELDS:
        deps = pkg.get(field)
        if isinstance(deps, Obj) and specs.PACKAGE in deps and not isinstance(deps[specs.PACKAGE], Str):
            value = deps[specs.PACKAGE]
            found = "null" if value is None else "an object" if isinstance(value, dict) else \
                "an array" if isinstance(value, list) else f"the {type(value).__name__} {json.dumps(value)}"
            out.append(OddSpec(field, line_of(data, deps.key_starts[specs.PACKAGE]), found))
    return out


def spec_sites(pkg: Obj) -> list[SpecSite]:
    sites: list[SpecSite] = []
    for field in DEP_FIELDS:
        deps = pkg.get(field)
        if not isinstance(deps, Obj):
            continue
        for name, value in deps.items():
            if not isinstance(value, Str):
                continue
            if name == specs.PACKAGE and (specs.is_alias(value.value) or not value.value.strip().startswith("npm:")):
                sites.append(SpecSite(field, field, value))
            elif name != specs.PACKAGE and specs.is_alias(value.value):  # "naa": "npm:node-addon-api@8.2.1"
                sites.append(SpecSite(f"{field} > {name}", field, value, name))
    overrides = pkg.get("overrides")
    if isinstance(overrides, Obj):
        _walk_npm_overrides(overrides, "overrides", sites)
    resolutions = pkg.get("resolutions")
    if isinstance(resolutions, Obj):
        for key, value in resolutions.items():
            if isinstance(value, Str) and _names_package(key, "/"):
                sites.append(SpecSite(f"resolutions > {key}", "resolutions", value))
    pnpm = pkg.get("pnpm")
    if isinstance(pnpm, Obj) and isinstance(pnpm.get("overrides"), Obj):
        for key, value in pnpm["overrides"].items():
            if isinstance(value, Str) and _names_package(key, ">"):
                sites.append(SpecSite(f"pnpm.overrides > {key}", "pnpm.overrides", value))
    return sites


def _walk_npm_overrides(node: Obj, where: str, sites: list[SpecSite]) -> None:
    for key, value in node.items():
        here = f"{where} > {key}"
        if isinstance(value, Obj):
            if _names_package(key, "") and isinstance(value.get("."), Str):
                sites.append(SpecSite(f"{here} > .", "overrides", value["."]))
            _walk_npm_overrides(value, here, sites)
        elif isinstance(value, Str) and key != "." and _names_package(key, ""):
            sites.append(SpecSite(here, "overrides", value))


def resolve_reference(value: str, pkg: Obj) -> str:
    """npm's `"$node-addon-api"` override value: the root's own spec."""
    if value.startswith("$"):
        name = value[1:]
        for field in DEP_FIELDS:
            deps = pkg.get(field)
            if isinstance(deps, Obj) and isinstance(deps.get(name), Str):
                return deps[name].value
    return value


@dataclass(frozen=True)
class SpecPin:
    site: SpecSite
    line: int
    judgement: specs.Judgement
    new: str | None  # None: nothing to change

    def edit(self, path: str) -> Edit:
        assert self.new is not None
        return Edit(path, self.site.value.start, self.site.value.end, quoted(self.new))


def plan_specs(pkg: Obj, data: bytes, mode: str, target: str) -> list[SpecPin]:
    pins = []
    for site in spec_sites(pkg):
        raw = site.value.value
        value = resolve_reference(raw, pkg) if site.field == "overrides" else raw
        judgement = specs.judge(value)
        new = None
        if judgement.status == specs.AFFECTED and not raw.startswith("$"):
            new = specs.rollback(raw) if mode == "rollback" else specs.upgrade(raw, target)
        pins.append(SpecPin(site, line_of(data, site.value.start), judgement, new))
    return pins


def plan_overrides(path: str, data: bytes, pkg: Obj, parents: dict[str, str]) -> Finding:
    """npm `overrides` scoped to each parent whose range admits no safe
    release: `"overrides": {"parent": {"node-addon-api": "8.2.2"}}`."""
    existing = pkg.get("overrides")
    edits: list[Edit] = []
    if existing is None:
        edits = [insert_member(path, data, pkg, "overrides",
                               {p: {specs.PACKAGE: v} for p, v in sorted(parents.items())})]
    elif isinstance(existing, Obj):
        added: dict[str, dict[str, str]] = {}
        for parent, version in sorted(parents.items()):
            scoped = existing.get(parent)
            if isinstance(scoped, Obj):
                edits.append(insert_member(path, data, scoped, specs.PACKAGE, version))
            elif parent not in existing:
                added[parent] = {specs.PACKAGE: version}
            else:
                edits, added = [], {}
                break
        if added:  # members added at the same place: one edit
            edits.append(insert_members(path, data, existing, added))
    where = "overrides > " + ", ".join(sorted(parents))
    if not edits:
        return Finding(path, 1, 1, MANUAL, where, "", rules.overrides_by_hand(sorted(parents)), rule=NEEDS_PERSON.id)
    reason = rules.override_forces(where, ", ".join(sorted(set(parents.values()))))
    return Finding(path, line_of(data, edits[0].start), 1, PIN, where, "", reason, tuple(edits))
