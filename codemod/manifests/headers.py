"""Where each build target gets node-addon-api's headers, and what to do
about a leaky header copy.

A target that compiles a leaky vendored copy is pointed at the npm package
by default (include_dirs becomes `<!(node -p "require('node-addon-api')
.include_dir")` and node-addon-api ^8.2.2 is declared in package.json and
its npm lock); with patch_vendored the copy is kept and upstream's 8.2.2 fix
is written into it. Part of the pin planner: it reads through the
planner's RootFiles only.
"""

from __future__ import annotations

import json
import os

from codemod import rules
from codemod.edits import Edit
from codemod.manifests import buildfiles, locks, spec as specs
from codemod.manifests.fingerprint import LEAKY, UNREADABLE, fingerprint, leaky_line, plan_patch
from codemod.manifests.jsonspan import BadInput, Obj, Str, insert_member
from codemod.manifests.packagejson import DEP_FIELDS
from codemod.manifests.roots import Unloadable
from codemod.results import (
    HEADERS,
    HINT_KEEP_COPY,
    HINT_NO_PACKAGE,
    HINT_OTHER_PM,
    HINT_PATCH_COPY,
    MANUAL,
    PIN,
    PIN_UNKNOWN,
    Finding,
)
from codemod.rules import LEAKY_HEADERS, NEEDS_PERSON, unreadable
from codemod.textpos import line_of

DECLARE = "declare node-addon-api"
# The fields whose spec decides which headers a repointed build compiles
# (peerDependencies only asks consumers for a copy; it installs nothing here).
INSTALLING_FIELDS = ("dependencies", "devDependencies", "optionalDependencies")


def repoint_specs(planner) -> dict[str, str]:
    """package.json -> the spec its package must declare because a target of
    its build is repointed from a leaky copy to the npm package: `^8.2.2`
    (never lower: the copy was 8.2.0/8.2.1, and the sources may use 8.2 API).
    The pin planner plans these before the locks, so the locks follow them."""
    if planner.options.patch_vendored:
        return {}
    wanted: dict[str, str] = {}
    for path in planner.files.root.build_files:
        try:
            build_sources = _sources(planner, path)
        except (BadInput, Unloadable):
            continue  # plan_headers reports it
        for source in build_sources:
            if source.span is None or source.folder is None:
                continue
            inl = os.path.join(source.folder, "napi-inl.h")
            if fingerprint(planner.files.contents.get(inl, b"")) == LEAKY:
                folder = os.path.dirname(source.home)
                if _blocker(planner, folder) is None:
                    package = os.path.join(folder, "package.json")
                    target = repoint_target(planner, source.folder)
                    if package not in wanted or specs.version_key(target) > specs.version_key(wanted[package][1:]):
                        wanted[package] = f"^{target}"
    return wanted


def repoint_target(planner, copy: str) -> str:
    """The release a target repointed from `copy` declares: 8.2.2, or the
    smallest safe release at or above the copy's own version when its
    package.json claims a later one (its sources may use that API)."""
    target = specs.upgrade_target()
    try:
        claimed = json.loads(planner.files.contents.get(os.path.join(copy, "package.json"), b"{}")).get("version")
        floor = specs.version_key(claimed)
    except (ValueError, AttributeError, TypeError, RecursionError):
        return target
    later = [v for v in specs.upgrades() if specs.version_key(v) >= floor]
    return max(target, later[0] if later else specs.upgrades()[-1], key=specs.version_key)


# Locks napi-fix does not declare packages in: their own tool adds it.
_OTHER_MANAGERS = {f.name: f.manager for f in locks.FORMATS if f.manager != "npm"}


def _blocker(planner, folder: str) -> tuple[str, str | None] | None:
    """Why the package in `folder` cannot be repointed here (the words, and
    the hint code), or None. Checked before any spec is moved for it, so a
    refused repoint leaves the package's specs and locks alone."""
    spec = f"^{specs.upgrade_target()}"
    if not planner.has(os.path.join(folder, "package.json")):
        return rules.NO_PACKAGE_BESIDE, HINT_NO_PACKAGE
    for other, tool in _OTHER_MANAGERS.items():
        if planner.has(os.path.join(folder, other)):
            return rules.other_manager(buildfiles.NPM_INCLUDE.decode(), tool, spec), HINT_OTHER_PM
    try:
        _, pkg = planner.json(os.path.join(folder, "package.json"))
    except Unloadable:
        return None  # _repoint reports it
    elsewhere = [f for f in INSTALLING_FIELDS[1:] if isinstance(pkg, Obj) and isinstance(pkg.get(f), Obj)
                 and specs.PACKAGE in pkg[f]]
    if elsewhere and not (isinstance(pkg.get("dependencies"), Obj) and specs.PACKAGE in pkg["dependencies"]):
        # npm keeps the last of the fields it reads (devDependencies) for the
        # project itself: the move is npm's own, and it rewrites both files.
        return rules.not_in_dependencies(elsewhere[0], spec), None
    for lock_path, _, lock in planner.npm_locks(folder):
        flags = _flags(lock)
        if flags - {"dev"}:
            return rules.installed_as(os.path.basename(lock_path), ", ".join(sorted(flags)), spec), None
    return None


def builds_old_headers(spec: str, required: str) -> bool:
    """Does `spec` admit a release below `required`'s floor (8.1.0 for
    `~8.1.0`), or a leaky one? Judged with npm's semver over every release
    napi-fix knows."""
    floor = specs.version_key(required.lstrip("^~"))
    known = set(specs.safe_versions()) | set(specs.BAD)
    return any(specs.satisfies(v, spec) for v in known
               if specs.version_key(v) < floor or v in specs.BAD) or not specs.satisfies(required.lstrip("^~"), spec)


def plan_headers(planner) -> None:
    judged: dict[str, str] = {}  # copy folder -> fingerprint

    def judge(folder: str) -> str:
        if folder not in judged:
            inl = os.path.join(folder, "napi-inl.h")
            judged[folder] = fingerprint(planner.files.contents[inl]) if inl in planner.files.contents \
                else UNREADABLE
        return judged[folder]

    for path in planner.files.root.build_files:
        try:
            build_sources = _sources(planner, path)
        except BadInput as exc:
            planner.error(exc.path, unreadable(exc.line, exc.message), exc.line)
            continue
        except Unloadable as exc:
            planner.error(exc.path, exc.reason, exc.line)
            continue
        for source in build_sources:
            copy = judge(source.folder) if source.folder is not None else None
            kind, rule = _classified(source.kind, copy)
            detail = source.detail if copy is None else f"{source.detail}: {copy}"
            hint, edits = None, ()
            if rule == LEAKY_HEADERS.id and source.span is not None and not planner.options.patch_vendored:
                kind, detail, hint, edits = _repoint(planner, source, detail)
            planner.plan.add(Finding(source.build_file, source.line, 1, kind, f"target {source.target}", "", detail,
                                     edits, rule=rule, hint=hint, span=source.span))

    for folder in sorted(set(planner.files.root.copies) | set(judged)):
        if judge(folder) != LEAKY:
            continue
        _plan_copy(planner, folder)


def _classified(source: str, copy: str | None) -> tuple[str, str | None]:
    """A build target's finding kind and rule, decided once from what its
    headers are: the npm package (or a safe copy) needs nothing, a build
    napi-fix does not read needs a person (NAPI005), a leaky copy is NAPI003
    (a repoint makes its kind PIN, its rule stays)."""
    if copy == LEAKY:
        return MANUAL, LEAKY_HEADERS.id
    if copy is None and source == buildfiles.UNKNOWN:
        return PIN_UNKNOWN, NEEDS_PERSON.id
    return HEADERS, None


def _entries_below(path: str, lock: Obj, spec: str, target: str) -> list[Edit]:
    """Edits moving the top-level node-addon-api entries of an npm lock that
    `spec` rules out to `target` (a leaky one the lock planner moves already)."""
    from codemod.manifests.npmlock import _entry_edits

    entries = []
    # (the table, its key, whether it is lockfile v1's `dependencies`: its versions may carry an alias)
    for table, key, legacy in ((lock.get("packages"), "node_modules/" + specs.PACKAGE, False),
                               (lock.get("dependencies"), specs.PACKAGE, True)):
        entry = table.get(key) if isinstance(table, Obj) else None
        version = entry.get("version") if isinstance(entry, Obj) else None
        if isinstance(version, Str) and not specs.is_bad(version.value) and not specs.satisfies(version.value, spec):
            entries.append((entry, legacy))
    return [edit for entry, legacy in entries for edit in _entry_edits(path, entry, legacy, target)]


_FLAGS = ("dev", "optional", "devOptional", "peer")


def _top_entry(lock: Obj) -> Obj | None:
    packages = lock.get("packages")
    entry = packages.get("node_modules/" + specs.PACKAGE) if isinstance(packages, Obj) else None
    return entry if isinstance(entry, Obj) else None


def _flags(lock: Obj) -> set[str]:
    """The install flags of the lock's top-level node-addon-api (a parent's
    devDependency makes it `"dev": true`)."""
    entry = _top_entry(lock)
    return {flag for flag in _FLAGS if entry is not None and entry.get(flag) is True}


def _prod_edits(path: str, data: bytes, lock: Obj) -> list[Edit]:
    """Declared in the root's dependencies, the copy a dev parent brought in
    is a production install: npm drops its `"dev": true`, and so does this."""
    entry = _top_entry(lock)
    if entry is None or entry.get("dev") is not True:
        return []
    start, end = entry.key_starts["dev"], entry.spans["dev"][1]
    before = data.rfind(b",", entry.start, start)
    if before >= 0 and before > data.rfind(b"{", entry.start, start):
        return [Edit(path, before, end, b"")]  # `, "dev": true` after another member
    after = data.find(b'"', end)  # the first member: up to the next one's key
    return [Edit(path, start, after, b"")] if 0 <= after < entry.end else []


def _sources(planner, path: str):
    name, data, copy_folders = os.path.basename(path), planner.data(path), planner.files.copy_folders
    if name == "binding.gyp":
        return buildfiles.gyp_sources(path, data, copy_folders, planner.files.contents.get)
    if name == "CMakeLists.txt":
        return buildfiles.cmake_sources(path, data, copy_folders)
    return buildfiles.other_sources(path, data)


def _plan_copy(planner, folder: str) -> None:
    inl, h = os.path.join(folder, "napi-inl.h"), os.path.join(folder, "napi.h")
    inl_data = planner.files.contents[inl]
    span = leaky_line(inl_data)
    if not planner.options.patch_vendored:
        planner.plan.add(Finding(
            inl, 1, 1, MANUAL, "vendored copy", "",
            rules.LEAKY_COPY, rule=LEAKY_HEADERS.id, hint=HINT_PATCH_COPY, span=span))
        return
    if h not in planner.files.contents:
        planner.error(h, planner.files.unreadable.get(h, "cannot read: not loaded"))
        return
    h_data = planner.files.contents[h]
    patch = plan_patch(h, h_data, inl, inl_data)
    if patch is None:
        planner.plan.add(Finding(inl, 1, 1, MANUAL, "vendored copy", "", rules.COPY_UNFIT,
                                 rule=NEEDS_PERSON.id, span=span))
        return
    for path, edits, data in ((h, patch[0], h_data), (inl, patch[1], inl_data)):
        planner.plan.add(Finding(path, line_of(data, edits[0].start), 1, PIN, "vendored copy", "",
                                 rules.COPY_PATCHED, tuple(edits),
                                 rule=LEAKY_HEADERS.id if path == inl else None,
                                 span=span if path == inl else None))


def _repoint(planner, source, detail: str):
    """Point a gyp target that compiles a leaky vendored copy at the npm
    package instead, and declare node-addon-api (package.json and its npm
    lock, offline). Returns the gyp finding's (kind, reason, hint, edits)."""
    from codemod.manifests.npmlock import declare_package

    folder = os.path.dirname(source.home)
    package_path = os.path.join(folder, "package.json")
    target = repoint_target(planner, source.folder)
    spec = planner.repoint_specs.get(package_path, f"^{target}")
    target = spec[1:]
    blocked = _blocker(planner, folder)
    if blocked is not None:
        return MANUAL, detail + blocked[0], blocked[1], ()
    try:
        data, pkg = planner.json(package_path)
    except Unloadable as exc:
        planner.error(exc.path, exc.reason, exc.line)
        return MANUAL, detail, None, ()
    edits: list[Edit] = []
    declared = isinstance(pkg, Obj) and isinstance(pkg.get("dependencies"), Obj) and \
        specs.PACKAGE in pkg["dependencies"]
    if isinstance(pkg, Obj) and not declared:
        # A consumer installing the published package gets no devDependencies:
        # what the build compiles must be in dependencies.
        deps = pkg.get("dependencies")
        edits.append(insert_member(package_path, data, deps, specs.PACKAGE, spec) if isinstance(deps, Obj)
                     else insert_member(package_path, data, pkg, "dependencies", {specs.PACKAGE: spec}))
        for lock_path, lock_data, lock in planner.npm_locks(folder):
            lock_edits = declare_package(lock_path, lock_data, lock, spec, target)
            if lock_edits is None:
                return MANUAL, detail + rules.lock_rules_out(os.path.basename(lock_path), spec), None, ()
            edits += lock_edits + _prod_edits(lock_path, lock_data, lock)
    else:
        # The spec was moved with the pins (plan.py); a lock entry still at a
        # safe release below it (8.1.0 for `~8.1.0`) moves with it, or npm ci
        # would find the lock out of sync with package.json.
        for lock_path, _, lock in planner.npm_locks(folder):
            edits += _entries_below(lock_path, lock, spec, target)
    if planner.plan.errors:
        return MANUAL, detail, None, ()
    by_file: dict[str, list[Edit]] = {}
    for edit in edits:
        by_file.setdefault(edit.path, []).append(edit)
    for path, file_edits in by_file.items():
        if any(f.subject == DECLARE for f in planner.plan.findings.get(path, [])):
            continue  # another target of this package already declared it
        planner.plan.add(Finding(
            path, line_of(planner.data(path), file_edits[0].start), 1, PIN, DECLARE, "",
            rules.declared_for(os.path.basename(source.home), source.target, spec, declared), tuple(file_edits)))
    return (PIN, rules.repointed(detail, spec), HINT_KEEP_COPY,
            (Edit(source.build_file, *source.span, buildfiles.NPM_INCLUDE),))
