"""sources -> discover -> analyze -> plan -> merge: the one way through.

Every front-end (the CLI, the batch runner, the editor server) calls this
and nothing else to find out what to change; each one chooses the sources
(disk, or editor buffers over disk), owns the worker pool, and presents or
applies the Report. `plan` is a single run; a `Project` keeps its state so
the editor server can re-plan after one file changed at the cost of about
that file.
"""

from __future__ import annotations

import os
from functools import partial
from typing import Callable, Iterable, Sequence, TypeVar

from codemod import leaks, settings
from codemod.cpp import finder, splice
from codemod.cpp.plan import plan_file, replan
from codemod.cpp.scan import digest
from codemod.discover import BUILD_FILES, PACKAGE_FILES, ROOT_MARKERS, Discovered, discover, is_cpp
from codemod.manifests.jsonreparse import Parses
from codemod.manifests.plan import RootPlan, plan_root
from codemod.manifests.roots import PackageRoot, load_root, nearest, package_roots
from codemod.merge import merge_file
from codemod.options import Options
from codemod.parallel import MIN_ITEMS_FOR_POOL, Workers
from codemod.results import LEAK_RULES, FileResult, Finding, Report
from codemod.rules import LEAKY_HEADERS
from codemod.scope import Scope, refuse_outside
from codemod.sources.base import Sources, Unreadable, within
from codemod.withhold import not_asked, withhold_broken_units

Scan = Callable[[str, bytes], finder.Sifted]  # finder.prescan, or what stands in for it
MIN_ROOTS_FOR_POOL = 8  # fewer package roots plan faster inline than a fork costs
R = TypeVar("R")


def plan(sources: Sources, paths: Sequence[str], options: Options, workers: Workers) -> Report:
    """Everything napi-fix would change under `paths`, and why."""
    return Project(sources, paths, options).analyze(workers)


class Project:
    """`parses`: where the root planner keeps the last parse of large
    lockfiles (jsonreparse.py), owned by a caller that re-plans after each
    edit (the editor server); None parses every file afresh."""

    def __init__(self, sources: Sources, paths: Sequence[str], options: Options, parses: Parses | None = None):
        self.sources = sources
        self.paths = tuple(paths) or (".",)
        self.options = options
        self.parses = parses
        self.found = Discovered()
        self.roots: dict[str, PackageRoot] = {}
        self.root_plans: dict[str, RootPlan] = {}
        self.cpp: finder.CppAnalysis | None = None
        self._scanned: dict[str, tuple[str, bytes]] = {}  # path -> (digest, bytes) of C++ files with edits
        # Each C++ file's findings, kept between reports: after an edit that
        # changes nothing other files resolve through, only that file is re-planned.
        self._cpp_findings: dict[str, list[Finding]] = {}
        # path -> its latest splice (one class re-read): (the bytes, the facts it started from, it, its scan)
        self._splices: dict[str, tuple[bytes, object, splice.Spliced, finder.Sifted]] = {}
        self.last_spliced = False  # the last update re-planned a file from a splice
        # Per root folder: the packages in its node_modules built against a
        # copy (leaks.py); read once per whole run, node_modules is not watched.
        self._dependents: dict[str, leaks.Dependents] = {}
        self._ignores: dict[str, dict[int, frozenset[str]]] = {}  # path -> its ignore comments (settings.py)

    # -- whole runs -----------------------------------------------------------

    def analyze(self, workers: Workers) -> Report:
        self._ignores.clear()
        first_round = finder.FirstRound(self.sources, workers) if self.options.finalize else None
        ahead = _RootsAhead(workers, self.sources, self.options, self.parses, first_round) \
            if workers.jobs > 1 else None
        self.found = discover(self.sources, list(self.paths), first_round.add if first_round else None,
                              self.options.exclude, ahead and ahead.found, ahead and ahead.subtree)
        self.roots = {r.folder: r for r in package_roots(self.found)}
        if first_round is not None:
            first_round.build_files(self.found.build_files)
        pins: Callable[[], list[RootPlan]] = list  # no roots, no plans
        if self.roots:
            # Package roots are planned on the workers (_plan_roots_on), from
            # during the walk on (_RootsAhead), while the parent sifts the
            # C/C++ files; inline when the run is small.
            # Planned under --strategy finalize too (their edits dropped): a
            # leak that remains must decide the exit status whatever was asked.
            roots = tuple(self.roots.values())
            worth = len(roots) >= MIN_ROOTS_FOR_POOL or (
                self.options.finalize and len(self.found.cpp_files) >= MIN_ITEMS_FOR_POOL)
            pins = _plan_roots_on(workers, self.sources, roots, self.options, self.parses, worth,
                                  ahead.planned(roots) if ahead is not None else {})
        self.cpp = None
        self._cpp_findings.clear()
        self._dependents.clear()
        if self.options.finalize:
            self.cpp = finder.analyze(self.sources, self.found.cpp_files, self.found.build_files, workers,
                                      first_round)
        self.root_plans = dict(zip(self.roots, pins()))
        self._classes_for_leaks(workers)
        return self.report()

    def _classes_for_leaks(self, workers: Workers) -> None:
        """Whether a leaky copy leaks depends on the ObjectWrap classes built
        against it: a pin-only run finds them too, once some root resolves
        or compiles a leaky copy (and only then: a clean tree stays fast)."""
        if self.cpp is None and any(leaks.judged(f) for root_plan in self.root_plans.values()
                                    for found in root_plan.findings.values() for f in found):
            self.cpp = finder.analyze(self.sources, self.found.cpp_files, self.found.build_files, workers)
            self._cpp_findings.clear()

    # -- one file changed (the editor server) ---------------------------------

    def update(self, changed: Iterable[str], workers: Workers, scan: Scan | None = None) -> Report:
        """Re-plan after `changed` files were edited, created or deleted.
        `scan(path, data)`: how an edited C/C++ file's bytes are scanned
        (finder.prescan's result; the editor server passes one that takes a
        scan it started ahead, lsp/prefetch.py). None: scanned here."""
        changed = [os.path.normpath(p) for p in changed]
        self.last_spliced = False
        for path in changed:
            self._ignores.pop(path, None)
        known = set(self.found.cpp_files) | set(self.found.package_files) | set(self.found.build_files)
        read = set().union(*(root_plan.read for root_plan in self.root_plans.values()))
        # An installed copy a root looked at re-plans that root; the rest of
        # node_modules (npm ci rewriting it) never concerns the plan.
        fresh = [p for p in changed if _interesting(p) and p not in read and "node_modules" not in p.split(os.sep)]
        if any(p not in known or not self.sources.exists(p) for p in fresh):
            return self.analyze(workers)  # files came or went: roots and candidates may differ
        for folder in {f for p in changed for f in self._roots_of(p)}:
            self.root_plans[folder] = _plan_one_root(self.sources, self.roots[folder], self.options, self.parses)
        if self.cpp is not None:
            if any(os.path.basename(p) in BUILD_FILES for p in changed):
                self.cpp = finder.analyze(self.sources, self.found.cpp_files, self.found.build_files, workers)
                self._cpp_findings.clear()
            else:
                cpp_files = set(self.found.cpp_files)
                for path in (p for p in changed if p in cpp_files):
                    read: list[bytes] = []

                    def scanned(data: bytes, path=path, read=read) -> finder.Sifted | None:
                        read.append(data)
                        return self.spliced(path, data) or (scan(path, data) if scan is not None else None)

                    rescanned = finder.scan_one(self.sources, self.cpp.index, path, scanned)
                    self.cpp.errors.pop(path, None)
                    if rescanned.error is not None:
                        self.cpp.errors[path] = rescanned.error
                    self._rescanned(path, rescanned, read[0] if read else None)
        self._classes_for_leaks(workers)
        return self.report()

    def scannable(self, path: str) -> bytes | None:
        """The bytes of `path` when the next update() would scan them: an
        analysed C/C++ file whose bytes can hold what the finder looks for.
        A caller may scan them ahead (finder.prescan, on a worker) and hand
        the scan to update() through `scan`."""
        path = os.path.normpath(path)
        if self.cpp is None or path not in self.found.cpp_files:
            return None
        try:
            data = self.sources.read(path)
        except Unreadable:
            return None  # update() reports it
        return data if finder.worth_scanning(self.cpp.index, data) else None

    def spliced(self, path: str, data: bytes) -> finder.Sifted | None:
        """The scan of `data`, an edit of `path`'s last scanned bytes, re-reading
        only the class the edit fell in (cpp/splice.py): exactly what a whole
        scan gives, or None when that cannot be done. The editor server makes
        it during the debounce (lsp/prefetch.py); update() takes it then."""
        path = os.path.normpath(path)
        facts = self.cpp.index.files.get(path) if self.cpp is not None else None
        held = self._splices.get(path)
        if held is not None and held[1] is facts and held[0] == data:
            return held[3]
        old = self._scanned.get(path)
        if facts is None or old is None or old[0] != facts.digest:
            return None
        try:
            done = splice.rescan(path, old[1], facts, data)
        except Exception:  # noqa: BLE001 -- the whole scan then runs, and reports what fails
            return None
        if done is None:
            return None
        sifted = finder.Sifted(path, done.facts, same_signature=done.same_signature)
        self._splices[path] = (data, facts, done, sifted)
        return sifted

    def _rescanned(self, path: str, rescanned: finder.Rescanned, data: bytes | None) -> None:
        """After `path` was scanned again (from `data`): what the next splice
        starts from, and its findings: moved when one class was re-read and
        nothing else changed, else planned again by report(); every file's
        when other files may resolve differently."""
        facts = self.cpp.index.files.get(path)
        if facts is not None and data is not None:
            self._scanned[path] = (facts.digest, data)
        held = self._splices.pop(path, None)
        old = self._cpp_findings.pop(path, None)
        if rescanned.others_affected:
            self._cpp_findings.clear()
        elif held is not None and held[2].facts is facts and held[2].loose_same and old is not None:
            try:
                self._cpp_findings[path] = replan(self.cpp.index, facts, self.cpp.basic(path), old, held[2])
                self.last_spliced = True
            except Exception:  # noqa: BLE001 -- report() plans the file whole, and says what fails
                pass

    def _roots_of(self, path: str) -> list[str]:
        """The roots whose plan read `path`."""
        return [folder for folder, root_plan in self.root_plans.items() if path in root_plan.read]

    # -- merge ------------------------------------------------------------------

    def report(self) -> Report:
        per_path: dict[str, list[Finding]] = {}
        originals: dict[str, bytes] = {}
        units: dict[str, str] = {}
        errors: dict[str, str] = dict(self.found.missing)
        errors.update(dict(self.found.problems))
        error_lines: dict[str, int] = {}
        notes: list[str] = []
        for folder, root_plan in self.root_plans.items():
            notes += root_plan.notes
            for path, reason in root_plan.errors.items():
                errors.setdefault(path, reason)
                units.setdefault(path, folder)
            error_lines.update(root_plan.error_lines)
            for path, found in root_plan.findings.items():
                per_path.setdefault(path, []).extend(found)
                units.setdefault(path, folder)
            originals.update(root_plan.originals)
        if self.cpp is not None and self.options.finalize:  # a pin-only run's classes are for the verdicts only
            errors.update({p: e for p, e in self.cpp.errors.items() if p not in errors})
            for path, facts in self.cpp.index.files.items():
                try:
                    found = self._cpp_findings.get(path)
                    if found is None:
                        found = self._cpp_findings[path] = plan_file(self.cpp.index, facts, self.cpp.basic(path))
                except Exception as exc:  # noqa: BLE001 -- reported as this file's error
                    errors.setdefault(path, finder.internal_error(exc))
                    continue
                if not found:
                    continue
                per_path.setdefault(path, []).extend(found)
                units.setdefault(path, path)
                if any(f.edits for f in found):
                    data, problem = self._bytes_scanned(path, facts.digest)
                    if problem is not None:
                        errors.setdefault(path, problem)
                    else:
                        originals[path] = data
        self._judge_leaks(per_path, units)
        per_path, suppressed = settings.suppress(per_path, units, self.options.ignore, self._ignore_comments)
        results: dict[str, FileResult] = {}
        for path in sorted(set(per_path) | set(errors)):
            # dict.fromkeys: a copy two roots reach (its own folder's, and a build's naming it) is one finding.
            found = tuple(sorted(dict.fromkeys(per_path.get(path, ())), key=lambda f: (f.line, f.column)))
            if path in errors:
                results[path] = FileResult(path, found, error=errors[path], error_line=error_lines.get(path),
                                           unit=units.get(path, path))
            else:
                results[path] = merge_file(path, originals.get(path), found, units.get(path, path))
        results = refuse_outside(results, Scope(self.paths, self.found.brought))
        results = withhold_broken_units(results)
        return Report(self.options.strategy, tuple(results.values()), tuple(notes), self.found.brought, suppressed)

    def _ignore_comments(self, path: str) -> dict[int, frozenset[str]]:
        """A C/C++ file's ignore comments, read once per file and kept until
        it changes: the editor's re-plan after one edit reads about that file."""
        if path not in self._ignores:
            try:
                self._ignores[path] = settings.ignore_comments(self.sources.read(path))
            except Unreadable:
                return {}  # the file's own result says why
        return self._ignores[path]

    # -- the leak verdicts ------------------------------------------------------

    def _judge_leaks(self, per_path: dict[str, list[Finding]], units: dict[str, str]) -> None:
        """Each NAPI001/NAPI003 finding says whether ObjectWrap classes
        compile against its copy (leaks.py): the package's own classes from
        the finder, and the packages in node_modules built against it."""
        if not any(leaks.judged(f) for found in per_path.values() for f in found):
            return
        owned, unfinished = self._owned_cpp()
        judge = leaks.Judge(self.sources, self.paths, owned, unfinished, self._dependents)
        # Units where napi-fix read a build target that compiles a leaky copy.
        targeted = {units.get(path, "") for path, found in per_path.items()
                    if os.path.basename(path) in BUILD_FILES and any(f.rule == LEAKY_HEADERS.id for f in found)}
        # Build targets with a node-addon-api source napi-fix read (the npm package, a copy).
        known = {(f.path, f.subject) for found in per_path.values() for f in found
                 if os.path.basename(f.path) in BUILD_FILES and not leaks.about_headers(f)}
        for path, found in per_path.items():
            if any(leaks.judged(f) for f in found):
                root = units.get(path, "")
                per_path[path] = [
                    judge.finding(f, root, root in targeted) if f.rule in LEAK_RULES else
                    judge.headers(f, root, (f.path, f.subject) in known) if leaks.about_headers(f) else f
                    for f in found]

    def _owned_cpp(self) -> tuple[dict[str, dict[str, list[Finding]]], dict[str, str]]:
        """The finder's findings per analysed C/C++ file, by the root folder
        that holds it (the deepest), and the files it could not finish, with why."""
        unfinished = dict(self.cpp.errors) if self.cpp is not None else {}
        files = dict(self.cpp.index.files) if self.cpp is not None else {}
        for path, facts in files.items():
            if path not in self._cpp_findings:
                try:
                    self._cpp_findings[path] = plan_file(self.cpp.index, facts, self.cpp.basic(path))
                except Exception as exc:  # noqa: BLE001 -- a finalize run reports it as this file's error
                    unfinished[path] = finder.internal_error(exc)
        folders = sorted(self.roots, key=len, reverse=True)
        owned: dict[str, dict[str, list[Finding]]] = {}
        for path in set(files) | set(unfinished):
            owner = next((f for f in folders if not f or within(path, f)), None)
            if owner is not None:
                owned.setdefault(owner, {})[path] = self._cpp_findings.get(path, [])
        return owned, unfinished

    def _bytes_scanned(self, path: str, scanned: str) -> tuple[bytes | None, str | None]:
        """The bytes the edits apply to, checked to be the bytes scanned
        (workers return facts, not bytes; kept for the next report)."""
        cached = self._scanned.get(path)
        if cached is not None and cached[0] == scanned:
            return cached[1], None
        try:
            data = self.sources.read(path)
        except Unreadable as exc:
            return None, exc.reason
        if digest(data) != scanned:
            return None, "changed while napi-fix was reading it"
        self._scanned[path] = (scanned, data)
        return data, None

def _interesting(path: str) -> bool:
    name = os.path.basename(path)
    return is_cpp(path) or name in PACKAGE_FILES or name in BUILD_FILES


class _RootsAhead:
    """Root planning started during the walk. The workers are forked once the
    walk has found as many package roots as make planning them on the pool
    worth it, and each loads what planning a root needs (node-semver, the GYP
    grammar and query) on the core the walk leaves idle. The count never runs
    ahead of package_roots(): the walk lists a folder's files before its
    subfolders, so a root's lockfile is known before the package.json files
    below it (one listed before its own folder's lock is counted under the
    lock above, if any: fewer roots, never more). From then on, the roots of
    each subfolder the walk has finished go to the workers at once (while
    they have no C/C++ files to sift); a root is
    used at the end only if package_roots() of the whole tree is the very same
    root (same files), else it is planned again."""

    def __init__(self, workers: Workers, sources: Sources, options: Options, parses: Parses | None,
                 first_round: finder.FirstRound | None = None):
        self.workers = workers
        self.sources = sources
        self.options = options
        self.parses = parses
        self.first_round = first_round
        self.locks: set[str] = set()
        self.roots: set[str] = set()
        self.early: dict[str, tuple[PackageRoot, Callable[[], list[RootPlan]], int]] = {}

    def found(self, path: str) -> None:
        if self.worth:
            return
        folder, name = os.path.split(path)
        if name != "package.json":
            if name in ROOT_MARKERS:
                self.locks.add(folder)
            return
        lock_root = nearest(folder, self.locks)  # "" (a lock at the tree's top) is a root too
        self.roots.add(folder if lock_root is None else lock_root)
        if self.worth and not self.workers.started:
            self.workers.start(warm=_warm_for_roots)

    @property
    def worth(self) -> bool:
        """The run will plan its roots on the pool (an editor server's pool
        runs already; a small project's roots are still planned inline)."""
        return len(self.roots) >= MIN_ROOTS_FOR_POOL

    def subtree(self, folder: str, so_far: Discovered) -> None:
        """`folder`'s whole tree is walked: its roots are what they will be.
        Not while the workers sift C/C++ files (the first round's chunks):
        the C++ analysis, which the rest of the run waits for, comes first."""
        if not self.worth or not self.workers.started or (self.first_round is not None and self.first_round.waits):
            return
        done = tuple(r for r in package_roots(so_far) if within(r.folder, folder) and r.folder not in self.early)
        if done:
            wait = _once(self.workers.submit(_plan_roots, self.sources, done, self.options, self.parses))
            self.early.update((root.folder, (root, wait, i)) for i, root in enumerate(done))

    def planned(self, roots: tuple[PackageRoot, ...]) -> dict[int, Callable[[], RootPlan]]:
        """By index in `roots`: the wait for each root planned during the walk exactly as it is now."""
        return {i: partial(_nth, held[1], held[2]) for i, root in enumerate(roots)
                if (held := self.early.get(root.folder)) is not None and held[0] == root}


def _nth(wait: Callable[[], list[RootPlan]], at: int) -> RootPlan:
    return wait()[at]


def _once(wait: Callable[[], R]) -> Callable[[], R]:
    """`wait`, called at most once (an inline task is the planning itself)."""
    done: list = []

    def result() -> R:
        if not done:
            done.append(wait())
        return done[0]

    return result


def _warm_for_roots() -> None:
    """What planning the first package root loads (plan.py and spec.py import it lazily)."""
    from codemod import queries
    from codemod.manifests import npmlock, spec  # noqa: F401 -- the import is the point

    spec.satisfies("8.2.2", "^8.2.2")  # node-semver: ~40 regexes compiled at import
    queries.bundle("python")  # binding.gyp's grammar and query


def _plan_roots_on(workers: Workers, sources: Sources, roots: tuple[PackageRoot, ...], options: Options,
                   parses: Parses | None, pool: bool,
                   early: dict[int, Callable[[], RootPlan]]) -> Callable[[], list[RootPlan]]:
    """Package roots in a few tasks per worker, the roots with a lockfile
    (the costly ones: JSON with spans, node-semver) first and fewer to a
    task, so a large root never starts last while a worker idles; `early`:
    the roots already on their way (by index). Returns the wait for every
    root's plan, in the order of `roots`."""
    if not pool or workers.jobs <= 1:
        return workers.submit(_plan_roots, sources, roots, options, parses, pool=False)
    heavy = [i for i, root in enumerate(roots) if root.manifests and i not in early]
    light = [i for i, root in enumerate(roots) if not root.manifests and i not in early]
    tasks = _chunks(heavy, 4 * workers.jobs) + _chunks(light, 2 * workers.jobs)
    waits = [workers.submit(_plan_roots, sources, tuple(roots[i] for i in task), options, parses)
             for task in tasks]

    def plans() -> list[RootPlan]:
        placed: list = [None] * len(roots)
        for i, wait in early.items():
            placed[i] = wait()
        for task, wait in zip(tasks, waits):
            for i, planned in zip(task, wait()):
                placed[i] = planned
        return placed

    return plans


def _chunks(items: list[int], count: int) -> list[list[int]]:
    """`items` in at most `count` runs of equal length (the last shorter)."""
    size = max(1, -(-len(items) // count))
    return [items[i:i + size] for i in range(0, len(items), size)]


def _plan_roots(sources: Sources, roots: tuple[PackageRoot, ...], options: Options,
                parses: Parses | None) -> list[RootPlan]:
    return [_plan_one_root(sources, root, options, parses) for root in roots]


def _plan_one_root(sources: Sources, root: PackageRoot, options: Options, parses: Parses | None) -> RootPlan:
    """A root that breaks the planner is that root's error, never the run's end."""
    try:
        planned = plan_root(load_root(sources, root, options.patch_vendored), options, parses)
        return planned if options.pin else _findings_only(planned)
    except RecursionError:
        reason = "not planned: nested too deeply"
    except Exception as exc:  # noqa: BLE001 -- a bug of ours must not end the run; it is reported
        reason = finder.internal_error(exc).replace("not analyzed", "not planned")
    first = (root.files or (os.path.join(root.folder, "package.json"),))[0]
    return RootPlan(errors={first: reason})


def _findings_only(planned: RootPlan) -> RootPlan:
    """A root planned for what it says, not for what it would change."""
    planned.findings = {path: not_asked(found) for path, found in planned.findings.items()}
    return planned
