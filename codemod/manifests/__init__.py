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
from codemod.manifests.jsonspan import BadInput, Obj, Str, loads
from codemod.manifests.packagejson import plan_specs
from codemod.results import MANUAL, PIN, PIN_SAFE, PIN_UNKNOWN, FileResult, Finding

NPM_LOCKS = ("package-lock.json", "npm-shrinkwrap.json")


@dataclass(frozen=True)
class PinOptions:
    mode: str = "upgrade"  # or "rollback"


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
            _plan_npm_lock(lock_path, data, lock, folder, spec_changes, options, findings)

    # 3. yarn and pnpm lockfiles beside a package.json.
    for path in packages:
        folder = os.path.dirname(path)
        yarn_path, pnpm_path = os.path.join(folder, "yarn.lock"), os.path.join(folder, "pnpm-lock.yaml")
        try:
            if yarn_path in found.package_files:
                data = read(yarn_path)
                parsed[yarn_path] = (data, None)
                _plan_yarn_lock(yarn_path, data, folder, spec_renames, options, findings, results)
            if pnpm_path in found.package_files:
                data = read(pnpm_path)
                parsed[pnpm_path] = (data, None)
                _plan_pnpm_lock(pnpm_path, data, folder, spec_changes, options, findings)
        except (BadInput, OSError) as exc:
            bad = exc.path if isinstance(exc, BadInput) else getattr(exc, "filename", folder)
            results[bad] = FileResult(bad, error=_describe(exc))

    # 4. A root with a broken file plans nothing at all.
    broken_roots = {os.path.dirname(p) for p in results}
    for path, found_here in findings.items():
        if path in results or not found_here:
            continue  # an error result already stands for this file
        if os.path.dirname(path) in broken_roots:
            found_here = [replace(f, edits=(), reason=f.reason + " (not planned: another file of this package "
                                  "could not be read)") for f in found_here]
        original = parsed[path][0] if any(f.edits for f in found_here) else None
        results[path] = FileResult(path, tuple(found_here), original=original)
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
    out = findings.setdefault(lock_path, [])
    if mirrors:
        out.append(Finding(lock_path, _line(data, mirrors[0][0]), 1, PIN, "package specs", "",
                           "the lock's copies of the package.json specs follow the pin",
                           tuple(Edit(lock_path, s, e, t) for s, e, t in mirrors)))
    for change in changes:
        kind = PIN if change.new else MANUAL
        out.append(Finding(lock_path, change.line, 1, kind, change.key, "", change.reason,
                           tuple(Edit(lock_path, s, e, t) for s, e, t in change.edits)))
    if not out:
        del findings[lock_path]


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
    out = findings.setdefault(path, [])
    for change in plan_yarn_lock(data, renamed, options.mode):
        kind = PIN if change.edits else MANUAL
        out.append(Finding(path, change.line, 1, kind, "yarn.lock", "", change.reason,
                           tuple(Edit(path, s, e, t) for s, e, t in change.edits)))
    if not out:
        del findings[path]


def _plan_pnpm_lock(path, data, folder, spec_changes, options, findings) -> None:
    from codemod.manifests.pnpmlock import plan_pnpm_lock

    importers = {
        ("." if d == folder else os.path.relpath(d, folder).replace(os.sep, "/")): changes
        for d, changes in spec_changes.items()
        if d == folder or d.startswith(folder + os.sep)
    }
    out = findings.setdefault(path, [])
    for change in plan_pnpm_lock(data, path, importers, options.mode):
        kind = PIN if change.edits else MANUAL
        out.append(Finding(path, change.line, 1, kind, "pnpm-lock.yaml", "", change.reason,
                           tuple(Edit(path, s, e, t) for s, e, t in change.edits)))
    if not out:
        del findings[path]


def _line(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _describe(exc: Exception) -> str:
    if isinstance(exc, BadInput):
        return f"line {exc.line}: {exc.message}; nothing planned for this package"
    return f"cannot read: {getattr(exc, 'strerror', None) or exc}"
