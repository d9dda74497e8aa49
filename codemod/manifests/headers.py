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

import os

from codemod.edits import Edit
from codemod.manifests import buildfiles, spec as specs
from codemod.manifests.fingerprint import LEAKY, UNREADABLE, fingerprint, leaky_line, plan_patch
from codemod.manifests.jsonspan import BadInput, Obj, insert_member
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
from codemod.rules import LEAKY_HEADERS, NEEDS_PERSON
from codemod.textpos import line_of

DECLARE = "declare node-addon-api"


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
            build_sources = _sources(path, planner.data(path), planner.files.copy_folders)
        except BadInput as exc:
            planner.error(exc.path, f"line {exc.line}: {exc.message}; nothing planned for this package", exc.line)
            continue
        except Unloadable as exc:
            planner.error(exc.path, exc.reason, exc.line)
            continue
        for source in build_sources:
            kind = {buildfiles.NPM: HEADERS, buildfiles.UNKNOWN: PIN_UNKNOWN}.get(source.kind, HEADERS)
            rule = NEEDS_PERSON.id if kind == PIN_UNKNOWN else None
            detail, hint = source.detail, None
            edits: tuple[Edit, ...] = ()
            if source.folder is not None:
                detail += f": {judge(source.folder)}"
                kind = MANUAL if judged[source.folder] == LEAKY else HEADERS
                rule = LEAKY_HEADERS.id if kind == MANUAL else None
                if kind == MANUAL and source.span is not None and not planner.options.patch_vendored:
                    kind, detail, hint, edits = _repoint(planner, source, detail)
            planner.plan.add(Finding(path, source.line, 1, kind, f"target {source.target}", "", detail, edits,
                                     rule=rule, hint=hint, span=source.span))

    for folder in sorted(set(planner.files.root.copies) | set(judged)):
        if judge(folder) != LEAKY:
            continue
        _plan_copy(planner, folder)


def _sources(path: str, data: bytes, copy_folders: frozenset[str]):
    name = os.path.basename(path)
    if name == "binding.gyp":
        return buildfiles.gyp_sources(path, data, copy_folders)
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
            "leaky header copy (FinalizeCallback sets `instance->_ref = nullptr;`): build against the npm "
            "package instead (include_dirs: <!(node -p \"require('node-addon-api').include_dir\") with "
            "node-addon-api ^8.2.2 in package.json)", rule=LEAKY_HEADERS.id, hint=HINT_PATCH_COPY, span=span))
        return
    if h not in planner.files.contents:
        planner.error(h, planner.files.unreadable.get(h, "cannot read: not loaded"))
        return
    h_data = planner.files.contents[h]
    patch = plan_patch(h, h_data, inl, inl_data)
    if patch is None:
        planner.plan.add(Finding(inl, 1, 1, MANUAL, "vendored copy", "",
                                 "leaky copy whose layout the upstream fix does not fit",
                                 rule=NEEDS_PERSON.id, span=span))
        return
    why = "--patch-vendored: upstream's 8.2.2 fix (PR #1607): a `_finalized` flag replaces `_ref = nullptr`"
    for path, edits, data in ((h, patch[0], h_data), (inl, patch[1], inl_data)):
        planner.plan.add(Finding(path, line_of(data, edits[0].start), 1, PIN, "vendored copy", "", why,
                                 tuple(edits),
                                 rule=LEAKY_HEADERS.id if path == inl else None,
                                 span=span if path == inl else None))


def _repoint(planner, source, detail: str):
    """Point a gyp target that compiles a leaky vendored copy at the npm
    package instead, and declare node-addon-api (package.json and its npm
    lock, offline). Returns the gyp finding's (kind, reason, hint, edits)."""
    from codemod.manifests.npmlock import declare_package

    folder = os.path.dirname(source.build_file)
    package_path = os.path.join(folder, "package.json")
    target = specs.upgrade_target()
    spec = f"^{target}"
    if not planner.has(package_path):
        return MANUAL, detail + "; no package.json beside it to declare node-addon-api in", HINT_NO_PACKAGE, ()
    for other in ("yarn.lock", "pnpm-lock.yaml"):
        if planner.has(os.path.join(folder, other)):
            return MANUAL, (detail + f"; to build against the npm package, point include_dirs at "
                            f"{buildfiles.NPM_INCLUDE.decode()} and run `{'yarn' if other == 'yarn.lock' else 'pnpm'} "
                            f"add node-addon-api@{spec}`"), HINT_OTHER_PM, ()
    try:
        data, pkg = planner.json(package_path)
    except Unloadable as exc:
        planner.error(exc.path, exc.reason, exc.line)
        return MANUAL, detail, None, ()
    edits: list[Edit] = []
    if isinstance(pkg, Obj) and not any(isinstance(pkg.get(f), Obj) and specs.PACKAGE in pkg[f] for f in DEP_FIELDS):
        deps = pkg.get("dependencies")
        edits.append(insert_member(package_path, data, deps, specs.PACKAGE, spec) if isinstance(deps, Obj)
                     else insert_member(package_path, data, pkg, "dependencies", {specs.PACKAGE: spec}))
        for lock_path, lock_data, lock in planner.npm_locks(folder):
            lock_edits = declare_package(lock_path, lock_data, lock, spec, target)
            if lock_edits is None:
                return (MANUAL, detail + f"; {os.path.basename(lock_path)} already holds a node-addon-api that "
                        f"{spec} rules out", None, ())
            edits += lock_edits
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
            f"{os.path.basename(source.build_file)} target {source.target} will build against the npm package: "
            f"declare node-addon-api {spec}", tuple(file_edits)))
    reason = detail + f"; point it at the npm package node-addon-api {spec}"
    return PIN, reason, HINT_KEEP_COPY, (Edit(source.build_file, *source.span, buildfiles.NPM_INCLUDE),)
