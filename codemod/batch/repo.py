"""One repository up to its commit -> a frozen RepoOutcome, or Ready.

prepare (on the preparing thread): the clone or fetch, the base commit and
what the engine reads: for a dry run, the commit's tree in the object store
(trees.py); for a commit, a --verify or a tree git converts on checkout, a
worktree detached at it. process (on the main thread, with the batch's
one worker pool): the engine's plan of the worktree, exactly as `napi-fix
--dry-run .` plans it there, the patch, and as asked apply
and verify; with --commit the repository is then Ready for finish.py.
Every failure becomes a `failed` outcome naming its stage; only an
interrupt leaves this module as an exception.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from codemod import engine, rules, settings
from codemod.apply import apply_report
from codemod.batch import clones, log, trees, worktrees
from codemod.batch.changes import Changes, Described, describe, only_attention
from codemod.batch.config import Config
from codemod.batch.git import GitError, git, ok
from codemod.batch.inputs import RepoSpec
from codemod.batch.ledger import Ledger
from codemod.batch.log import RepoLog, writing_to
from codemod.batch.outcome import (CLEAN, FAILED, FIXED, HYGIENE_COMMITTED, HYGIENE_ONLY, NEEDS_ATTENTION, SAME_CHANGE,
                                   WOULD_FIX, RepoOutcome)
from codemod.batch.stop import Stopper, TimedOut
from codemod.batch.verify import verify
from codemod.batch.worktrees import Base
from codemod.discover import BUILD_FILES, CPP_SUFFIXES, NAPI_OWN_HEADERS, PACKAGE_FILES, entry_path
from codemod.parallel import Workers
from codemod.present.diff import diff
from codemod.present.summary import summary
from codemod.present.paths import label
from codemod.results import REMAINS_FAILED, REMAINS_LEAK, Report
from codemod.sources.disk import DiskSources
from codemod.sources.gittree import GitTreeSources


# What the pin reads, by file name (the engine's own lists): with the pin
# strategy, no --verify and no hooks, the worktree holds only these files.
# C/C++ files too: whether a leaky copy leaks depends on the ObjectWrap
# classes compiled against it (leaks.py); the Finalize strategies get every file.
PIN_READS = tuple(sorted(PACKAGE_FILES | BUILD_FILES | NAPI_OWN_HEADERS | {".gitignore"}
                         | {f"*{suffix}" for suffix in CPP_SUFFIXES}))
# NAPI004's own words (rules.py), then batch's way of asking for the pin.
HYGIENE_NOTE = f"no leak: only empty Finalize overrides, {rules.HYGIENE_ONLY}"
LEAK_REMAINS = (f"the leak remains: only empty Finalize overrides, {rules.HYGIENE_ONLY} "
                "(--strategy pin or both plans it)")


@dataclass(frozen=True)
class Checkout:
    spec: RepoSpec
    git_dir: str = ""
    remote: str = ""
    base: Base | None = None
    worktree: str | None = None
    tree: GitTreeSources | None = None  # a dry run's files, served at `root` from the object store
    root: str = ""  # where the engine reads the repository: the worktree, or the folder the tree is served at
    outcome: RepoOutcome | None = None  # settled before any work: the clone failed, or the ledger has it
    resumed: bool = False  # the outcome is an earlier run's, from the ledger
    seconds: float = 0.0  # spent preparing
    log: RepoLog | None = field(default=None, compare=False)  # what ran for it (None: nothing ran)


def log_path(config: Config, spec: RepoSpec) -> str:
    return os.path.join(config.patch_dir, spec.stem + ".log")


def prepare(spec: RepoSpec, config: Config, ledger: Ledger, scratch: str) -> Checkout:
    what_ran = RepoLog()
    with writing_to(what_ran):
        checkout = _prepare(spec, config, ledger, scratch)
    return checkout if checkout.resumed else replace(checkout, log=what_ran)


def _prepare(spec: RepoSpec, config: Config, ledger: Ledger, scratch: str) -> Checkout:
    start = time.monotonic()
    git_dir = ""
    try:
        if spec.is_url:
            git_dir, remote = clones.cached_clone(spec.location, spec.stem, config.timeout), clones.REMOTE
        elif os.path.isdir(spec.location):
            git_dir, remote = spec.location, config.remote
            if config.push and not ok(git_dir, "config", "--get", f"remote.{remote}.url"):
                # found before anything is committed, not at the push
                raise GitError(f"no remote {remote!r} in {git_dir} to push to (--remote names it)")
        else:
            raise GitError(f"{spec.location}: no such directory")
        base = worktrees.resolve_base(git_dir, remote, spec.branch, cached=spec.is_url)
        earlier = ledger.done(spec.id, base.commit) if config.resume else None
        if earlier is not None:
            return Checkout(spec, outcome=replace(earlier, reason=_joined("done in an earlier run", earlier.reason)),
                            resumed=True)
        worktrees.prune_ours(git_dir)
        path = os.path.join(scratch, spec.stem)
        if not (config.commit or config.verify):
            tree = trees.open_tree(git_dir, base.commit, path, PIN_READS + (".gitattributes",),
                                   remote if spec.is_url else None, config.timeout)
            if isinstance(tree, GitTreeSources):
                os.mkdir(path)  # empty: the engine runs "in" it, as in a checkout there
                return Checkout(spec, git_dir, remote, base, tree=tree, root=path,
                                seconds=time.monotonic() - start)
            log.note(f"a worktree, not the object store: {tree}")
        complete = config.options_for(_peek_settings(git_dir, base.commit)).finalize or config.verify or (
            config.commit and not config.no_verify and worktrees.has_hooks(git_dir))
        path = worktrees.add(git_dir, path, base.commit, None if complete else PIN_READS, config.timeout)
    except Exception as exc:  # GitError, OSError, or a bug: one repository fails, never the batch
        message = str(exc) if isinstance(exc, (GitError, OSError)) else f"internal error: {type(exc).__name__}: {exc}"
        seconds = round(time.monotonic() - start, 2)
        return Checkout(spec, git_dir, outcome=RepoOutcome(spec.id, FAILED, "clone", message, seconds=seconds,
                                                           log=log_path(config, spec)))
    return Checkout(spec, git_dir, remote, base, path, root=path, seconds=time.monotonic() - start)


def process(checkout: Checkout, config: Config, workers: Workers, stop: Stopper) -> RepoOutcome | Ready:
    """The outcome, or a repository edited and verified in its worktree that
    is Ready to be committed (on the finishing thread, while the next one is
    analysed)."""
    work = Work(checkout, config)
    budget = None if config.timeout is None else config.timeout - checkout.seconds
    try:
        with _inside(work.root), writing_to(checkout.log), stop.deadline(budget):  # the alarm is off first
            return _steps(work, workers, stop)
    except TimedOut:
        return work.failed(f"timed out after {config.timeout:g} s (--timeout)")
    except GitError as exc:
        return work.failed(str(exc))
    except Exception as exc:  # a bug must cost one repository, never the batch
        return work.failed(f"internal error: {type(exc).__name__}: {exc}")


class Work:
    """What is known so far about one repository, and where it stands."""

    def __init__(self, checkout: Checkout, config: Config):
        self.checkout, self.config = checkout, config
        self.root = checkout.root
        self.stage = "analyze"
        self.start = time.monotonic()
        self.facts: dict = {"log": log_path(config, checkout.spec)}
        self.remains_now: list[str] = []  # results.REMAINS_* as the repository is
        self.remains_fixed: list[str] = []  # ... once the planned edits are on its branch
        self.patch = os.path.join(config.patch_dir, checkout.spec.stem + ".patch")
        self.report = os.path.join(config.patch_dir, checkout.spec.stem + ".report.txt")

    def outcome(self, status: str, **fields) -> RepoOutcome:
        base = self.checkout.base
        seconds = round(self.checkout.seconds + time.monotonic() - self.start, 2)
        fields = {**self.facts, **fields}
        if "remains" not in fields and status != FAILED:
            done = status in (FIXED, HYGIENE_COMMITTED) or fields.get("skip") == SAME_CHANGE
            fields["remains"] = tuple(self.remains_fixed if done else self.remains_now)
        if base is not None and base.note:
            fields["reason"] = "; ".join(p for p in (fields.get("reason", ""), base.note) if p)
        return RepoOutcome(self.checkout.spec.id, status, base=base.commit if base else "",
                           base_branch=base.branch if base else "", seconds=seconds, **fields)

    def failed(self, message: str) -> RepoOutcome:
        return self.outcome(FAILED, stage=self.stage, reason=message)

    def left(self) -> float | None:
        """Seconds left of the repository's --timeout."""
        if self.config.timeout is None:
            return None
        return self.config.timeout - self.checkout.seconds - (time.monotonic() - self.start)


@dataclass(frozen=True)
class Ready:
    """Edited (and verified) in its worktree: to be committed and pushed."""

    work: Work
    changes: Changes
    note: str  # for the outcome: what else needs a person


def _steps(work: Work, workers: Workers, stop: Stopper) -> RepoOutcome | Ready:
    config = work.config
    for earlier in (work.patch, work.report):
        if os.path.exists(earlier):
            os.unlink(earlier)  # files from an earlier run must not outlive its plan
    root = entry_path(work.root)  # as the command line spells `.`: the same plan, byte for byte
    sources = work.checkout.tree or DiskSources()
    try:
        options = config.options_for(settings.read(sources, root))
    except settings.BadSettings as exc:
        return work.failed(str(exc))
    full = engine.plan(sources, [root], options, workers)
    changes = describe(full, root)
    attention = _summary(changes.attention)
    report = replace(full, files=tuple(r for r in full.files if r.error is None))
    patch = diff(report, root) if report.changed else b""
    if any(r.error or r.findings for r in full.files):
        text = summary(full, root, not config.commit, patch)
        _write_report(work, text)
        log.note(f"$ napi-fix --dry-run --strategy {options.strategy} .\n{text}")
    if full.failed and not only_attention(full):
        return work.failed(_first_error(full, root))
    # What remains (results.py: the command line's exit-code table) as the
    # repository is now, and once the planned edits are on its branch. A
    # lock napi-fix refuses comes as an error with a NAPI005 finding: undecided,
    # not a failure of the run.
    work.remains_now = sorted(full.remaining(written=False) - {REMAINS_FAILED})
    work.remains_fixed = sorted(full.remaining(written=True) - {REMAINS_FAILED})
    work.facts.update(files=len(changes.files), pins=changes.pins, finalize=changes.finalize,
                      attention=len(changes.attention), leak=REMAINS_LEAK in work.remains_now)
    if not report.changed:
        return work.outcome(NEEDS_ATTENTION if changes.attention else CLEAN, reason=attention)

    work.stage = "plan"
    os.makedirs(config.patch_dir, exist_ok=True)
    with open(work.patch, "wb") as handle:
        handle.write(patch)
    work.facts["patch"] = work.patch
    if work.checkout.worktree is not None:
        # (From the object store the patch is the diff of the blobs
        # themselves; the tests hold it equal to a worktree's checked one.)
        git(work.root, "apply", "--check", work.patch)
    note = _joined("also needs a person", attention) if attention else ""
    if changes.hygiene_only and not (config.commit and config.commit_hygiene_only):
        said = LEAK_REMAINS if work.facts["leak"] else HYGIENE_NOTE
        if config.commit:
            said += "; not committed (--commit-hygiene-only commits it)"
        return work.outcome(HYGIENE_ONLY, reason=_joined(said, note))
    if not config.commit and not config.verify:
        return work.outcome(WOULD_FIX, reason=note)

    work.stage = "apply"
    applied = apply_report(report, [root])
    if applied.signal is not None:
        stop.stop(applied.signal)  # arrived while the files were renamed: the worktree goes anyway
    if applied.report.failed:
        return work.failed(_first_error(applied.report, root))
    if config.verify:
        work.stage = "verify"
        problem = verify(config.verify, work.root)
        if problem is not None:
            return work.failed(problem)
    if not config.commit:
        return work.outcome(WOULD_FIX, reason=note)

    work.stage = "commit"
    return Ready(work, changes, note)


def _write_report(work: Work, text: str) -> None:
    """Every finding of the repository, as `napi-fix --dry-run .` lists
    them: the table's note shows the first of each kind only."""
    os.makedirs(work.config.patch_dir, exist_ok=True)
    with open(work.report, "w", encoding="utf-8") as handle:
        handle.write(text)
    work.facts["report"] = work.report


def _first_error(report: Report, root: str) -> str:
    failed = report.failed
    first = failed[0]
    where = label(first.path, root)  # the error names its line itself
    more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
    return f"{where}: {first.error}{more}"


def _summary(found: tuple[Described, ...]) -> str:
    if not found:
        return ""
    first = found[0]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return f"{first.path}:{first.line}: {first.reason}{more}"


def _joined(head: str, tail: str) -> str:
    return f"{head}: {tail}" if tail else head


def _peek_settings(git_dir: str, commit: str) -> settings.Settings:
    """The root package.json's settings at `commit`, before any checkout: a
    repository that asks for the Finalize strategy needs its C/C++ files.
    Wrong settings are reported once the worktree is read (_steps)."""
    try:
        data = git(git_dir, "show", f"{commit}:package.json", check=False).encode("utf-8", "surrogateescape")
        return settings.parse(data, "package.json")
    except (settings.BadSettings, GitError, OSError):
        return settings.Settings()


@contextmanager
def _inside(folder: str):
    """The main process stands in the worktree while it works on it, so
    that what the engine says relative to the current folder (a command to
    run "in .") reads as in a run inside the repository (every git call
    names its folder)."""
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)
