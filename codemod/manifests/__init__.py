"""package.json, lockfiles, installed and vendored copies: read versions,
plan pins. The pin is the actual fix for the 8.2.0/8.2.1 leak.

Per lock root (a folder with package.json), the package.json edits and the
lock edits are planned together: if any of its files cannot be parsed,
nothing in that root is planned, so a package.json never goes out of sync
with its lock.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from codemod.discover import Discovered
from codemod.edits import Edit
from codemod.manifests import spec as specs
from codemod.manifests.jsonspan import BadInput, Obj, Str, insert_member, loads
from codemod.manifests.packagejson import plan_specs
from codemod.results import (
    HEADERS,
    INSTALLED,
    MANUAL,
    MISMATCH,
    PIN,
    PIN_SAFE,
    PIN_UNKNOWN,
    FileResult,
    Finding,
)
from codemod.textpos import line_of

NPM_LOCKS = ("package-lock.json", "npm-shrinkwrap.json")


@dataclass(frozen=True)
class PinOptions:
    mode: str = "upgrade"  # or "rollback"
    patch_vendored: bool = False  # apply upstream's fix to leaky vendored copies


def plan_pins(found: Discovered, options: PinOptions, read) -> tuple[list[FileResult], list[str]]:
    packages = sorted(p for p in found.package_files if os.path.basename(p) == "package.json")
    results: dict[str, FileResult] = {}
    notes: list[str] = []
    parsed: dict[str, tuple[bytes, Obj]] = {}

    def load(path: str):
        if path not in parsed:
            data = read(path)
            parsed[path] = (data, loads(data, path))
        return parsed[path]

    # 1. package.json specs, per package.
    spec_changes: dict[str, dict[str, str]] = {}  # package dir -> {field: new spec}
    spec_renames: dict[str, dict[str, str]] = {}  # package dir -> {old spec: new spec}
    pnpm_overrides: dict[str, dict[str, str]] = {}  # package dir -> {override key: new value}
    findings: dict[str, list[Finding]] = {}
    for path in packages:
        try:
            data, pkg = load(path)
        except (BadInput, OSError) as exc:
            results[path] = FileResult(path, error=_describe(exc))
            continue
        if isinstance(pkg.get("name"), Str) and pkg["name"].value == specs.PACKAGE:
            notes.append(f"{path}: this package is node-addon-api itself; nothing to pin")
            continue
        engines = pkg.get("engines")
        node_engines = engines.get("node").value if isinstance(engines, Obj) and engines.get("node") else None
        target = specs.upgrade_target(engines=node_engines)
        for pin in plan_specs(pkg, data, options.mode, target):
            site = pin.site
            if pin.new is None:
                kind = PIN_SAFE if pin.judgement.status == specs.SAFE else (
                    PIN_UNKNOWN if pin.judgement.status == specs.UNKNOWN else PIN)
                findings.setdefault(path, []).append(
                    Finding(path, pin.line, 1, kind, site.where, "", pin.judgement.detail))
                continue
            edit = Edit(path, site.value.start, site.value.end, pin.edit_text())
            reason = f"{site.where}: {pin.judgement.detail}; pinned to {pin.new!r} ({options.mode})"
            findings.setdefault(path, []).append(Finding(path, pin.line, 1, PIN, site.where, "", reason, (edit,)))
            if site.field in ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies"):
                spec_changes.setdefault(os.path.dirname(path), {})[site.field] = pin.new
            spec_renames.setdefault(os.path.dirname(path), {})[site.value.value] = pin.new
            if site.field == "pnpm.overrides":
                pnpm_overrides.setdefault(os.path.dirname(path), {})[site.where.split(" > ", 1)[1]] = pin.new

    # 2. npm lockfiles beside a package.json.
    for path in packages:
        folder = os.path.dirname(path)
        for name in NPM_LOCKS:
            lock_path = os.path.join(folder, name)
            if lock_path not in found.package_files:
                continue
            try:
                data, lock = load(lock_path)
            except (BadInput, OSError) as exc:
                results[lock_path] = FileResult(lock_path, error=_describe(exc))
                continue
            parents = _plan_npm_lock(lock_path, data, lock, folder, spec_changes, options, findings)
            if parents:
                _plan_overrides(path, *load(path), parents, findings)

    # 3. yarn and pnpm lockfiles beside a package.json.
    for path in packages:
        folder = os.path.dirname(path)
        yarn_path, pnpm_path = os.path.join(folder, "yarn.lock"), os.path.join(folder, "pnpm-lock.yaml")
        workspace_path = os.path.join(folder, "pnpm-workspace.yaml")
        try:
            if workspace_path in found.package_files:
                data = read(workspace_path)
                parsed[workspace_path] = (data, None)
                _plan_workspace_yaml(workspace_path, data, options, findings,
                                     pnpm_overrides.setdefault(folder, {}))
            if yarn_path in found.package_files:
                data = read(yarn_path)
                parsed[yarn_path] = (data, None)
                _plan_yarn_lock(yarn_path, data, folder, spec_renames, options, findings, results)
            if pnpm_path in found.package_files:
                data = read(pnpm_path)
                parsed[pnpm_path] = (data, None)
                _plan_pnpm_lock(pnpm_path, data, folder, spec_changes, options, findings,
                                pnpm_overrides.get(folder, {}))
        except (BadInput, OSError) as exc:
            bad = exc.path if isinstance(exc, BadInput) else getattr(exc, "filename", folder)
            results[bad] = FileResult(bad, error=_describe(exc))

    # 4. Build files, vendored header copies, installed copies.
    _plan_headers(found, options, read, load, findings, results, parsed)
    for path in packages:
        _report_installed(os.path.dirname(path), findings)

    # 5. A root with a broken file plans nothing at all.
    broken_roots = {os.path.dirname(p) for p in results}
    for path, found_here in findings.items():
        if path in results or not found_here:
            continue  # an error result already stands for this file
        if os.path.dirname(path) in broken_roots:
            found_here = [replace(f, edits=(), reason=f.reason + " (not planned: another file of this package "
                                  "could not be read)") for f in found_here]
        original = parsed[path][0] if any(f.edits for f in found_here) else None
        ordered = tuple(sorted(found_here, key=lambda f: (f.line, f.column)))
        results[path] = FileResult(path, ordered, original=original)
    return list(results.values()), notes


def _plan_npm_lock(lock_path, data, lock, folder, spec_changes, options, findings) -> None:
    from codemod.manifests.npmlock import plan_npm_lock

    relative = {
        ("" if d == folder else os.path.relpath(d, folder).replace(os.sep, "/")): changes
        for d, changes in spec_changes.items()
        if d == folder or d.startswith(folder + os.sep)
    }
    root_specs = dict(spec_changes.get(folder, {}))
    changes, mirrors = plan_npm_lock(lock, data, relative, root_specs, options.mode)
    if mirrors:
        _add_lock_changes(findings, lock_path, [(line_of(data, mirrors[0][0]), "package specs",
                                                 "the lock's copies of the package.json specs follow the pin",
                                                 mirrors)])
    _add_lock_changes(findings, lock_path, [(c.line, c.key, c.reason, c.edits) for c in changes])
    return {parent: c.new for c in changes if c.new for parent in c.override_parents}


def _plan_overrides(path: str, data: bytes, pkg: Obj, parents: dict[str, str], findings) -> None:
    """npm `overrides` scoped to each parent whose range admits no safe
    release: `"overrides": {"parent": {"node-addon-api": "8.2.2"}}`."""
    existing = pkg.get("overrides")
    if existing is None:
        edits = [insert_member(data, pkg, "overrides", {p: {specs.PACKAGE: v} for p, v in sorted(parents.items())})]
    elif isinstance(existing, Obj):
        edits, texts = [], b""
        for parent, version in sorted(parents.items()):
            scoped = existing.get(parent)
            if isinstance(scoped, Obj):
                edits.append(insert_member(data, scoped, specs.PACKAGE, version))
            elif parent not in existing:
                start, end, text = insert_member(data, existing, parent, {specs.PACKAGE: version})
                texts += text  # members added at the same place: one edit
            else:
                edits = []
                break
        if texts:
            edits.append((start, end, texts))
    else:
        edits = []
    where = "overrides > " + ", ".join(sorted(parents))
    if not edits:
        findings.setdefault(path, []).append(Finding(
            path, 1, 1, MANUAL, where, "", f"add npm overrides forcing node-addon-api for {sorted(parents)}"))
        return
    reason = (f"{where}: their ranges admit only 8.2.0/8.2.1, so an override scoped to them forces "
              f"{', '.join(sorted(set(parents.values())))}")
    findings.setdefault(path, []).append(Finding(
        path, line_of(data, edits[0][0]), 1, PIN, where, "", reason, tuple(Edit(path, s, e, t) for s, e, t in edits)))


def _add_lock_changes(findings, path: str, changes) -> None:
    """(line, subject, reason, edits) per lock change -> findings; a change
    without edits is one napi-fix could not make (MANUAL)."""
    for line, subject, reason, edits in changes:
        findings.setdefault(path, []).append(Finding(
            path, line, 1, PIN if edits else MANUAL, subject, "", reason,
            tuple(Edit(path, s, e, t) for s, e, t in edits)))


def _plan_yarn_lock(path, data, folder, spec_renames, options, findings, results) -> None:
    from codemod.manifests.yarnlock import berry_command, is_berry, plan_yarn_lock

    renamed = {old: new for d, renames in spec_renames.items() if d == folder or d.startswith(folder + os.sep)
               for old, new in renames.items()}
    if is_berry(data):
        if renamed or b"node-addon-api@npm:8.2.0" in data or b"node-addon-api@npm:8.2.1" in data:
            new = next(iter(renamed.values()), None)
            results[path] = FileResult(path, error=(
                "yarn berry lockfile: its checksums are of yarn's own zip archives and cannot be computed "
                f"offline; nothing planned for this package. Run `{berry_command(new)}` in {folder or '.'}"))
        return
    _add_lock_changes(findings, path, [(c.line, "yarn.lock", c.reason, c.edits)
                                       for c in plan_yarn_lock(data, renamed, options.mode)])


def _plan_workspace_yaml(path, data, options, findings, overrides: dict[str, str]) -> None:
    from codemod.manifests.pnpmlock import plan_workspace_overrides

    for line, key, detail, new, edits in plan_workspace_overrides(data, path, options.mode, specs.upgrade_target()):
        if new:
            overrides[key] = new
            findings.setdefault(path, []).append(Finding(
                path, line, 1, PIN, f"overrides > {key}", "", f"overrides > {key}: {detail}; pinned to {new!r}",
                tuple(Edit(path, s, e, t) for s, e, t in edits)))
        else:
            findings.setdefault(path, []).append(Finding(path, line, 1, PIN_SAFE, f"overrides > {key}", "", detail))


def _plan_pnpm_lock(path, data, folder, spec_changes, options, findings, overrides) -> None:
    from codemod.manifests.pnpmlock import plan_pnpm_lock

    importers = {
        ("." if d == folder else os.path.relpath(d, folder).replace(os.sep, "/")): changes
        for d, changes in spec_changes.items()
        if d == folder or d.startswith(folder + os.sep)
    }
    _add_lock_changes(findings, path, [(c.line, "pnpm-lock.yaml", c.reason, c.edits)
                                       for c in plan_pnpm_lock(data, path, importers, options.mode, overrides)])


def _plan_headers(found, options, read, load, findings, results, parsed) -> None:
    from codemod.manifests import buildfiles
    from codemod.manifests.fingerprint import LEAKY, fingerprint, plan_patch

    copies: dict[str, str] = {}  # folder -> fingerprint

    def judge(folder: str) -> str:
        if folder not in copies:
            try:
                copies[folder] = fingerprint(read(os.path.join(folder, "napi-inl.h")))
            except OSError:
                copies[folder] = "unreadable"
        return copies[folder]

    for path in found.build_files:
        name = os.path.basename(path)
        try:
            data = read(path)
            parsed[path] = (data, None)  # the bytes any edit of this file is planned on
            if name == "binding.gyp":
                sources = buildfiles.gyp_sources(path, data)
            elif name == "CMakeLists.txt":
                sources = buildfiles.cmake_sources(path, data)
            else:
                sources = buildfiles.other_sources(path, data)
        except (BadInput, OSError) as exc:
            bad = exc.path if isinstance(exc, BadInput) else path
            results[bad] = FileResult(bad, error=_describe(exc))
            continue
        for source in sources:
            kind = {buildfiles.NPM: HEADERS, buildfiles.UNKNOWN: PIN_UNKNOWN}.get(source.kind, HEADERS)
            detail = source.detail
            edits: tuple[Edit, ...] = ()
            if source.folder is not None:
                detail += f": {judge(source.folder)}"
                kind = MANUAL if copies[source.folder] == LEAKY else HEADERS
                if kind == MANUAL and source.span is not None and not options.patch_vendored:
                    kind, detail, edits = _repoint(source, found, load, findings, detail)
            findings.setdefault(path, []).append(
                Finding(path, source.line, 1, kind, f"target {source.target}", "", detail, edits))

    for folder in sorted(set(found.napi_copies) | set(copies)):
        if judge(folder) != LEAKY:
            continue
        inl, h = os.path.join(folder, "napi-inl.h"), os.path.join(folder, "napi.h")
        if not options.patch_vendored:
            findings.setdefault(inl, []).append(Finding(
                inl, 1, 1, MANUAL, "vendored copy", "",
                "leaky header copy (FinalizeCallback sets `instance->_ref = nullptr;`): build against the npm "
                "package instead (include_dirs: <!(node -p \"require('node-addon-api').include_dir\") with "
                "node-addon-api ^8.2.2 in package.json), or run with --patch-vendored to apply upstream's fix"))
            continue
        try:
            h_data, inl_data = read(h), read(inl)
        except OSError as exc:
            results[h] = FileResult(h, error=_describe(exc))
            continue
        patch = plan_patch(h_data, inl_data)
        if patch is None:
            findings.setdefault(inl, []).append(Finding(inl, 1, 1, MANUAL, "vendored copy", "",
                                                        "leaky copy whose layout the upstream fix does not fit"))
            continue
        parsed[h], parsed[inl] = (h_data, None), (inl_data, None)
        why = "--patch-vendored: upstream's 8.2.2 fix (PR #1607): a `_finalized` flag replaces `_ref = nullptr`"
        for path, edits, data in ((h, patch[0], h_data), (inl, patch[1], inl_data)):
            findings.setdefault(path, []).append(Finding(
                path, line_of(data, edits[0][0]), 1, PIN, "vendored copy", "", why,
                tuple(Edit(path, s, e, t) for s, e, t in edits)))


def _repoint(source, found, load, findings, detail: str):
    """Point a gyp target that compiles a leaky vendored copy at the npm
    package instead, and declare node-addon-api (package.json and its npm
    lock, offline). Returns the gyp finding's (kind, reason, edits)."""
    from codemod.manifests.buildfiles import NPM_INCLUDE
    from codemod.manifests.packagejson import DEP_FIELDS

    folder = os.path.dirname(source.build_file)
    package_path = os.path.join(folder, "package.json")
    target = specs.upgrade_target()
    spec = f"^{target}"
    if package_path not in found.package_files:
        return MANUAL, detail + "; no package.json beside it to declare node-addon-api in: use --patch-vendored", ()
    for other in ("yarn.lock", "pnpm-lock.yaml"):
        if os.path.join(folder, other) in found.package_files:
            return MANUAL, (detail + f"; to build against the npm package, point include_dirs at "
                            f"{NPM_INCLUDE.decode()} and run `{'yarn' if other == 'yarn.lock' else 'pnpm'} add "
                            f"node-addon-api@{spec}`, or use --patch-vendored"), ()
    data, pkg = load(package_path)
    plans: list[tuple[str, tuple[int, int, bytes]]] = []
    if not any(isinstance(pkg.get(f), Obj) and specs.PACKAGE in pkg[f] for f in DEP_FIELDS):
        deps = pkg.get("dependencies")
        plans.append((package_path, insert_member(data, deps, specs.PACKAGE, spec) if isinstance(deps, Obj)
                      else insert_member(data, pkg, "dependencies", {specs.PACKAGE: spec})))
        for lock_name in NPM_LOCKS:
            lock_path = os.path.join(folder, lock_name)
            if lock_path in found.package_files:
                lock_plans = _declare_in_npm_lock(lock_path, *load(lock_path), spec, target)
                if lock_plans is None:
                    return MANUAL, detail + f"; {lock_name} already holds a node-addon-api that {spec} rules out", ()
                plans += lock_plans
    by_file: dict[str, list[Edit]] = {}
    for path, (start, end, text) in plans:
        by_file.setdefault(path, []).append(Edit(path, start, end, text))
    for path, edits in by_file.items():
        if any(f.subject == "declare node-addon-api" for f in findings.get(path, [])):
            continue  # another target of this package already declared it
        findings.setdefault(path, []).append(Finding(
            path, line_of(load(path)[0], edits[0].start), 1, PIN, "declare node-addon-api", "",
            f"{source.build_file} target {source.target} now builds against the npm package: "
            f"node-addon-api {spec} declared", tuple(edits)))
    reason = (detail + f"; repointed to the npm package node-addon-api {spec} (use --patch-vendored to keep "
              "the copy and fix it instead)")
    return PIN, reason, (Edit(source.build_file, *source.span, NPM_INCLUDE),)


def _declare_in_npm_lock(path: str, data: bytes, lock: Obj, spec: str, version: str):
    """Edits adding node-addon-api to an npm lock's root and its packages; None
    when a copy already installed at the top level does not satisfy `spec`."""
    info = specs.safe_versions()[version]
    plans = []
    packages = lock.get("packages")
    if isinstance(packages, Obj):
        root = packages.get("")
        if isinstance(root, Obj):
            deps = root.get("dependencies")
            plans.append((path, insert_member(data, deps, specs.PACKAGE, spec) if isinstance(deps, Obj)
                          else insert_member(data, root, "dependencies", {specs.PACKAGE: spec})))
        key = "node_modules/" + specs.PACKAGE
        existing = packages.get(key)
        if isinstance(existing, Obj):
            held = existing.get("version")
            if not (isinstance(held, Str) and (specs.is_bad(held.value) or specs.satisfies(held.value, spec))):
                return None
        else:
            entry = {"version": version, "integrity": info.integrity, "license": "MIT", "engines": {"node": info.engines}}
            after = sorted(k for k in packages if k > key)
            plans.append((path, insert_member(data, packages, key, entry, before=after[0] if after else None)))
    legacy = lock.get("dependencies")
    if isinstance(legacy, Obj) and specs.PACKAGE not in legacy:
        after = sorted(k for k in legacy if k > specs.PACKAGE)
        plans.append((path, insert_member(data, legacy, specs.PACKAGE, {"version": version, "integrity": info.integrity},
                                          before=after[0] if after else None)))
    return plans


def _report_installed(package_dir: str, findings) -> None:
    from codemod.manifests.installed import disagrees, installed_copies

    for copy in installed_copies(package_dir):
        where = os.path.join(copy.folder, "package.json")
        if disagrees(copy):
            findings.setdefault(where, []).append(Finding(
                where, 1, 1, MISMATCH, copy.folder, "",
                f"package.json says {copy.version} but the headers are {copy.fingerprint}"))
        elif copy.fingerprint == "leaky" or specs.is_bad(copy.version):
            findings.setdefault(where, []).append(Finding(
                where, 1, 1, INSTALLED, copy.folder, "",
                f"installed {copy.version} ({copy.fingerprint}): reinstall from the pinned lockfile "
                "(npm ci / yarn install --frozen-lockfile / pnpm install --frozen-lockfile) and rebuild"))



def _describe(exc: Exception) -> str:
    if isinstance(exc, BadInput):
        return f"line {exc.line}: {exc.message}; nothing planned for this package"
    return f"cannot read: {getattr(exc, 'strerror', None) or exc}"
