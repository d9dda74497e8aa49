"""The pin planner: one package root's bytes and the options -> findings with edits.

Pure: everything it looks at is in RootFiles (roots.py reads them). Per
root, the package.json edits and the lock edits are planned together: if
any of its files cannot be parsed, nothing in that root is planned, so a
package.json never goes out of sync with its lock. The pin is the actual
fix for the 8.2.0/8.2.1 leak.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from codemod import rules
from codemod.manifests import headers, locks, spec as specs
from codemod.manifests.installed import disagrees, is_leaky
from codemod.manifests.jsonreparse import Parses
from codemod.manifests.jsonspan import BadInput, Obj, Str, json_kind, loads
from codemod.manifests.lockplan import LockSource, Pins
from codemod.manifests.packagejson import DEP_FIELDS, SpecPin, odd_specs, plan_overrides, plan_specs
from codemod.manifests.roots import RootFiles, Unloadable
from codemod.options import Options
from codemod.results import INSTALLED, MANUAL, MISMATCH, PIN, PIN_SAFE, PIN_UNKNOWN, Finding, Related
from codemod.rules import ADMITS_BAD, NEEDS_PERSON, RESOLVES_BAD, unreadable
from codemod.textpos import line_start, lines_of
from codemod.withhold import withheld

WORKSPACE = "pnpm-workspace.yaml"  # pnpm's overrides and catalogs: specs, like package.json's
# A spec left as it is, by its judgement: its finding's kind and rule, decided together.
_SPEC_CLASSES = {specs.SAFE: (PIN_SAFE, None), specs.UNKNOWN: (PIN_UNKNOWN, None), specs.AFFECTED: (PIN, ADMITS_BAD.id)}


@dataclass
class RootPlan:
    """Findings and errors per file of one root, and the bytes edits apply to."""

    findings: dict[str, list[Finding]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    error_lines: dict[str, int] = field(default_factory=dict)  # where a file's error is, when known
    originals: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    read: frozenset[str] = frozenset()  # every path the plan looked at: a change to one re-plans the root
    # A lock napi-fix cannot keep in step with its package.json: the root is
    # reported (NAPI005, the command to run) and nothing of it is planned; the
    # other roots of the run are (a refusal is no failure of the run).
    refused: bool = False

    def add(self, finding: Finding) -> None:
        self.findings.setdefault(finding.path, []).append(finding)


class RootPlanner:
    """`parses`: the last parses of large lockfiles, kept by a caller that plans
    the same root again after each edit (the editor server); None: parse afresh."""

    def __init__(self, files: RootFiles, options: Options, parses: Parses | None = None):
        self.files = files
        self.options = options
        self._loads = parses.loads if parses is not None else loads
        self.plan = RootPlan()
        self._parsed: dict[str, Obj] = {}
        # What the package.json pins changed, for the locks to follow.
        self.spec_changes: dict[str, dict[str, str]] = {}  # package dir -> {field: new spec}
        # The same under every name (aliases too), and what each package.json
        # declares as written: the npm lock's copies must equal it.
        self.name_changes: dict[str, dict[tuple[str, str], str]] = {}  # package dir -> {(field, name): new spec}
        self.declared: dict[str, dict[tuple[str, str], str]] = {}  # package dir -> {(field, name): spec}
        self.spec_renames: dict[str, dict[str, str]] = {}  # package dir -> {old spec: new spec}
        self.pnpm_overrides: dict[str, dict[str, str]] = {}  # package dir -> {override key: new value}
        # pnpm-workspace.yaml's catalogs: package dir -> {catalog: new spec}; None: the file could not be read.
        self.catalogs: dict[str, dict[str, str] | None] = {}

    # -- reading (from RootFiles only) --------------------------------------

    def data(self, path: str) -> bytes:
        if path in self.files.contents:
            return self.files.contents[path]
        raise Unloadable(path, self.files.unreadable.get(path, "cannot read: not loaded"))

    def json(self, path: str) -> tuple[bytes, Obj]:
        data = self.data(path)
        if path not in self._parsed:
            try:
                self._parsed[path] = self._loads(data, path)
            except BadInput as exc:
                raise Unloadable(exc.path, describe(exc), exc.line) from None
        return data, self._parsed[path]

    def cannot_read(self, exc: BadInput | Unloadable) -> None:
        """A file that could not be read or parsed: this root's error."""
        if isinstance(exc, BadInput):
            self.error(exc.path, describe(exc), exc.line)
        else:
            self.error(exc.path, exc.reason, exc.line)

    def has(self, path: str) -> bool:
        return path in self.files.root.files

    def error(self, path: str, reason: str, line: int | None = None) -> None:
        if path not in self.plan.errors:
            self.plan.errors[path] = reason
            if line is not None:
                self.plan.error_lines[path] = line

    # -- the plan -----------------------------------------------------------

    def run(self) -> RootPlan:
        root = self.files.root
        # A build repointed from a leaky copy to the npm package needs a spec
        # that builds against fixed headers: planned with the pins, so the locks follow.
        self.repoint_specs = headers.repoint_specs(self)
        for path in root.packages:
            self._specs(path)
            self._workspace(path)
        for path in root.packages:
            self._locks(path, edits_lock=True)
        headers.plan_headers(self)
        for copy in self.files.installed:
            self._installed(copy)
        # A lock napi-fix never edits (bun's) is asked last: it refuses the
        # root when anything else in it moves.
        for path in root.packages:
            self._locks(path, edits_lock=False)
        return self._finish()

    def _specs(self, path: str) -> None:
        try:
            data, pkg = self.json(path)
        except Unloadable as exc:
            self.error(exc.path, exc.reason, exc.line)
            return
        if not isinstance(pkg, Obj):
            self.error(path, unreadable(1, f"package.json holds {json_kind(pkg)}, not an object"), 1)
            return
        if isinstance(pkg.get("name"), Str) and pkg["name"].value == specs.PACKAGE:
            self.plan.notes.append(f"{path}: this package is node-addon-api itself; nothing to pin")
            return
        engines = pkg.get("engines")
        node = engines.get("node") if isinstance(engines, Obj) else None
        target = specs.upgrade_target(engines=node.value if isinstance(node, Str) else None)
        folder = os.path.dirname(path)
        declared = self.declared.setdefault(folder, {})
        for odd in odd_specs(pkg, data):
            self.plan.add(Finding(path, odd.line, 1, MANUAL, odd.where, "", rules.not_a_range(odd.where, odd.found),
                                  rule=NEEDS_PERSON.id))
        for planned in plan_specs(pkg, data, self.options.pin_mode, target):
            pin = self._for_repoint(path, planned)
            site = pin.site
            span = (site.value.start, site.value.end)
            if site.field in DEP_FIELDS:
                declared[(site.field, site.name)] = site.value.value
            if pin.new is None:
                kind, rule = _SPEC_CLASSES[pin.judgement.status]
                self.plan.add(Finding(path, pin.line, 1, kind, site.where, "", pin.judgement.detail,
                                      rule=rule, span=span))
                continue
            edit = pin.edit(path)
            reason = rules.spec_pinned(site.where, pin.judgement.detail, pin.new, self.options.pin_mode)
            # A safe spec moved for a repoint is part of that NAPI003 fix (the build file's finding).
            self.plan.add(Finding(path, pin.line, 1, PIN, site.where, "", reason, (edit,),
                                  rule=ADMITS_BAD.id if planned.judgement.status == specs.AFFECTED else None,
                                  span=span))
            if site.field in DEP_FIELDS:
                self.name_changes.setdefault(folder, {})[(site.field, site.name)] = pin.new
                if site.name == specs.PACKAGE:
                    self.spec_changes.setdefault(folder, {})[site.field] = pin.new
            self.spec_renames.setdefault(folder, {})[site.value.value] = pin.new
            if site.field == "pnpm.overrides":
                self.pnpm_overrides.setdefault(folder, {})[site.where.split(" > ", 1)[1]] = pin.new

    def _for_repoint(self, path: str, pin: SpecPin) -> SpecPin:
        """A spec that would build a repointed target against older (or leaky)
        headers than its copy's (`~8.1.0`) becomes the repoint's spec."""
        required = self.repoint_specs.get(path)
        if required is None or pin.site.field not in headers.INSTALLING_FIELDS or \
                not headers.builds_old_headers(pin.new or pin.site.value.value, required):
            return pin
        why = rules.builds_older(pin.site.value.value)
        detail = f"{pin.judgement.detail}; {why}" if pin.judgement.status == specs.AFFECTED else why
        return replace(pin, new=required, judgement=replace(pin.judgement, detail=detail))

    def npm_locks(self, folder: str):
        """(path, bytes, parsed) of each npm lock beside a package.json in
        `folder` (the repoint of a vendored build declares node-addon-api in
        them); one that cannot be read is this root's error."""
        from codemod.manifests import npmlock

        for name in locks.names_of("npm"):
            lock_path = os.path.join(folder, name)
            if not self.has(lock_path):
                continue
            try:
                data = self.data(lock_path)
                if lock_path not in self._parsed:
                    self._parsed[lock_path] = npmlock.read(lock_path, data, self._loads)
            except (BadInput, Unloadable) as exc:
                self.cannot_read(exc)
                continue
            yield lock_path, data, self._parsed[lock_path]

    def _workspace(self, package: str) -> None:
        """pnpm-workspace.yaml's overrides and catalogs pinned; what they
        become is part of the pins the pnpm lock follows."""
        folder = os.path.dirname(package)
        path = os.path.join(folder, WORKSPACE)
        if not self.has(path):
            return
        from codemod.manifests.pnpmlock import plan_workspace_file  # and YAML: only where pnpm's files are

        catalogs: dict[str, str] = {}
        try:
            pins = plan_workspace_file(path, self.data(path), self.options.pin_mode)
        except (BadInput, Unloadable) as exc:
            self.cannot_read(exc)
            self.catalogs[folder] = None
            return
        for pin in pins:
            self.plan.add(pin.finding)
            if pin.new and pin.override is not None:
                self.pnpm_overrides.setdefault(folder, {})[pin.override] = pin.new
            elif pin.new:
                catalogs[pin.catalog] = pin.new
        self.catalogs[folder] = catalogs

    def _locks(self, package: str, edits_lock: bool) -> None:
        """Each lockfile beside a package.json, by its format's planner
        (locks.FORMATS), moved with the pins; a lock it cannot move right
        refuses the root."""
        folder = os.path.dirname(package)
        pins = None
        for name in locks.NAMES:
            path = os.path.join(folder, name)
            if not self.has(path):
                continue
            data = self.files.contents.get(path)
            planner = locks.planner_for(name, data)
            if planner.EDITS_LOCK != edits_lock:
                continue
            pins = pins or self._pins(folder, moving=not edits_lock and self._moving())
            try:
                # A lock napi-fix edits must be read; one it never edits is judged unread too.
                data = self.data(path) if edits_lock else data
                result = planner.plan(LockSource(path, data, self.files.unreadable.get(path), self._loads), pins)
            except (BadInput, Unloadable) as exc:
                self.cannot_read(exc)
                continue
            for finding in result.findings:
                self.plan.add(finding)
            for refusal in result.refusals:
                self.refuse(refusal.finding())
            if result.overrides:
                try:
                    pkg_data, pkg = self.json(package)
                except Unloadable as exc:
                    self.error(exc.path, exc.reason, exc.line)
                    continue
                self.plan.add(plan_overrides(package, pkg_data, pkg, dict(result.overrides)))

    def _pins(self, folder: str, moving: bool) -> Pins:
        return Pins(folder, self.options.pin_mode, self.name_changes, self.declared, self.spec_changes,
                    self.spec_renames, self.pnpm_overrides.get(folder, {}), self.catalogs.get(folder, {}), moving)

    def _moving(self) -> bool:
        return any(f.edits for found in self.plan.findings.values() for f in found)

    def refuse(self, finding: Finding) -> None:
        """A lockfile napi-fix cannot keep in step with package.json: reported
        (NAPI005, with the command to run) and nothing planned for the root."""
        self.plan.add(finding)
        self.plan.refused = True

    def _installed(self, copy) -> None:
        where = os.path.join(copy.folder, "package.json")
        if copy.problem is not None:
            self.error(where, copy.problem)
        elif disagrees(copy):
            self.plan.add(Finding(where, 1, 1, MISMATCH, copy.folder, "",
                                  rules.copy_disagrees(copy.version, copy.fingerprint), rule=NEEDS_PERSON.id))
        elif is_leaky(copy) or specs.is_bad(copy.version):
            self.plan.add(Finding(where, 1, 1, INSTALLED, copy.folder, "",
                                  rules.installed_copy(copy.version, copy.fingerprint), rule=RESOLVES_BAD.id))

    def _finish(self) -> RootPlan:
        plan = self.plan
        if plan.errors or plan.refused:
            # A root with a broken file, or one napi-fix refuses, plans nothing at all.
            plan.findings = {path: withheld(found) for path, found in plan.findings.items()}
        _place_at_spans(plan, self.files.contents)
        _link_specs_and_locks(plan)
        plan.read = frozenset(self.files.contents) | frozenset(self.files.unreadable) | frozenset(
            os.path.join(c.folder, name) for c in self.files.installed for name in ("package.json", "napi-inl.h"))
        for path, found in plan.findings.items():
            if any(f.edits for f in found):
                plan.originals[path] = self.files.contents[path]
        return plan


def plan_root(files: RootFiles, options: Options, parses: Parses | None = None) -> RootPlan:
    return RootPlanner(files, options, parses).run()


def _place_at_spans(plan: RootPlan, contents: dict[str, bytes]) -> None:
    """A finding that knows its bytes is reported at them: the line and
    column of the spec, the lock entry's version, the leaking statement."""
    for path, found in plan.findings.items():
        data = contents.get(path)
        if data is not None:
            lines = lines_of(data, (f.span[0] for f in found if f.span))
            plan.findings[path] = [replace(f, line=lines[f.span[0]],
                                           column=f.span[0] - line_start(data, f.span[0]) + 1) if f.span else f
                                   for f in found]


def _link_specs_and_locks(plan: RootPlan) -> None:
    """A spec whose lock resolves a leaking release is NAPI001, not NAPI002,
    and each side points at the other."""
    bad_locks = [f for found in plan.findings.values() for f in found
                 if f.rule == RESOLVES_BAD.id and f.kind == PIN]
    if not bad_locks:
        return
    specs_found = [f for found in plan.findings.values() for f in found if f.rule == ADMITS_BAD.id]
    bad_ids = {id(f) for f in bad_locks}  # by identity: comparing findings field by field is quadratic
    for path, found in plan.findings.items():
        updated = []
        for f in found:
            if f.rule == ADMITS_BAD.id:
                f = replace(f, rule=RESOLVES_BAD.id, related=tuple(
                    Related(lock.path, lock.line, lock.span, lock.reason) for lock in bad_locks))
            elif id(f) in bad_ids:
                f = replace(f, related=tuple(Related(s.path, s.line, s.span, rules.spec_behind(s.reason))
                                             for s in specs_found))
            updated.append(f)
        plan.findings[path] = updated


def describe(exc: BadInput) -> str:
    return unreadable(exc.line, exc.message)
