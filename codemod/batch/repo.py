"""One repository up to its commit -> a frozen RepoOutcome, or Ready.

prepare (on the preparing thread): the clone or fetch, the base commit and
a worktree detached at it. process (on the main thread, with the batch's
one worker pool): the engine's plan of ".", the patch, and as asked apply
and verify; with --commit the repository is then Ready for finish.py.
Every failure becomes a `failed` outcome naming its stage; only an
interrupt leaves this module as an exception.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace

from codemod import engine
from codemod.apply import apply_report
from codemod.batch import clones, worktrees
from codemod.batch.changes import Change, Changes, describe, only_attention
from codemod.batch.config import Config
from codemod.batch.git import GitError, git
from codemod.batch.inputs import RepoSpec
from codemod.batch.ledger import Ledger
from codemod.batch.outcome import CLEAN, FAILED, NEEDS_ATTENTION, WOULD_FIX, RepoOutcome
from codemod.batch.rooted import RootedSources
from codemod.batch.stop import Stopper, TimedOut
from codemod.batch.verify import verify
from codemod.batch.worktrees import Base
from codemod.discover import BUILD_FILES, CPP_SUFFIXES, NAPI_OWN_HEADERS, PACKAGE_FILES
from codemod.parallel import Workers
from codemod.present.diff import diff
from codemod.present.paths import label
from codemod.results import Report


# What the pin reads, by file name (the engine's own lists): with the pin
# strategy, no --verify and no hooks, the worktree holds only these files.
# C/C++ files too: whether a leaky copy leaks depends on the ObjectWrap
# classes compiled against it (leaks.py); the Finalize strategies get every file.
PIN_READS = tuple(sorted(PACKAGE_FILES | BUILD_FILES | NAPI_OWN_HEADERS | {".gitignore"}
                         | {f"*{suffix}" for suffix in CPP_SUFFIXES}))


@dataclass(frozen=True)
class Checkout:
    spec: RepoSpec
    git_dir: str = ""
    remote: str = ""
    base: Base | None = None
    worktree: str | None = None
    outcome: RepoOutcome | None = None  # settled before any work: the clone failed, or the ledger has it
    resumed: bool = False  # the outcome is an earlier run's, from the ledger
    seconds: float = 0.0  # spent preparing


def prepare(spec: RepoSpec, config: Config, ledger: Ledger, scratch: str) -> Checkout:
    start = time.monotonic()
    git_dir = ""
    try:
        if spec.is_url:
            git_dir, remote = clones.cached_clone(spec.location, spec.stem, config.timeout), clones.REMOTE
        elif os.path.isdir(spec.location):
            git_dir, remote = spec.location, config.remote
        else:
            raise GitError(f"{spec.location}: no such directory")
        base = worktrees.resolve_base(git_dir, remote, spec.branch, cached=spec.is_url)
        earlier = ledger.done(spec.id, base.commit) if config.resume else None
        if earlier is not None:
            return Checkout(spec, outcome=replace(earlier, reason=_joined("done in an earlier run", earlier.reason)),
                            resumed=True)
        complete = config.options.finalize or config.verify or (
            config.commit and not config.no_verify and worktrees.has_hooks(git_dir))
        path = worktrees.add(git_dir, os.path.join(scratch, spec.stem), base.commit,
                             None if complete else PIN_READS, config.timeout)
    except Exception as exc:  # GitError, OSError, or a bug: one repository fails, never the batch
        message = str(exc) if isinstance(exc, (GitError, OSError)) else f"internal error: {type(exc).__name__}: {exc}"
        seconds = round(time.monotonic() - start, 2)
        return Checkout(spec, git_dir, outcome=RepoOutcome(spec.id, FAILED, "clone", message, seconds=seconds))
    return Checkout(spec, git_dir, remote, base, path, seconds=time.monotonic() - start)


def process(checkout: Checkout, config: Config, workers: Workers, stop: Stopper) -> RepoOutcome | Ready:
    """The outcome, or a repository edited and verified in its worktree that
    is Ready to be committed (on the finishing thread, while the next one is
    analysed)."""
    work = Work(checkout, config)
    budget = None if config.timeout is None else config.timeout - checkout.seconds
    try:
        with _inside(work.root), stop.deadline(budget):  # the alarm is off before the way back out
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
        self.root = checkout.worktree or ""
        self.stage = "analyze"
        self.start = time.monotonic()
        self.facts: dict = {}
        self.patch = os.path.join(config.patch_dir, checkout.spec.stem + ".patch")

    def outcome(self, status: str, **fields) -> RepoOutcome:
        base = self.checkout.base
        seconds = round(self.checkout.seconds + time.monotonic() - self.start, 2)
        return RepoOutcome(self.checkout.spec.id, status, base=base.commit if base else "",
                           base_branch=base.branch if base else "", seconds=seconds, **{**self.facts, **fields})

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
    if os.path.exists(work.patch):
        os.unlink(work.patch)  # a patch from an earlier run must not outlive its plan
    report = engine.plan(RootedSources(work.root), ["."], config.options, workers)
    changes = describe(report, work.root)
    attention = _summary(changes.attention)
    if report.failed and not only_attention(report):
        return work.failed(_first_error(report, work.root))
    report = replace(report, files=tuple(r for r in report.files if r.error is None))
    work.facts.update(files=len(changes.files), pins=changes.pins, finalize=changes.finalize,
                      attention=len(changes.attention))
    if not report.changed:
        return work.outcome(NEEDS_ATTENTION if changes.attention else CLEAN, reason=attention)

    work.stage = "plan"
    os.makedirs(config.patch_dir, exist_ok=True)
    with open(work.patch, "wb") as handle:
        handle.write(diff(report, work.root))
    work.facts["patch"] = work.patch
    git(work.root, "apply", "--check", work.patch)
    note = _joined("also needs a person", attention) if attention else ""
    if not config.commit and not config.verify:
        return work.outcome(WOULD_FIX, reason=note)

    work.stage = "apply"
    applied = apply_report(report, [work.root])
    if applied.signal is not None:
        stop.stop(applied.signal)  # arrived while the files were renamed: the worktree goes anyway
    if applied.report.failed:
        return work.failed(_first_error(applied.report, work.root))
    if config.verify:
        work.stage = "verify"
        problem = verify(config.verify, work.root)
        if problem is not None:
            return work.failed(problem)
    if not config.commit:
        return work.outcome(WOULD_FIX, reason=note)

    work.stage = "commit"
    return Ready(work, changes, note)


def _first_error(report: Report, root: str) -> str:
    failed = report.failed
    first = failed[0]
    where = label(first.path, root)  # the error names its line itself
    more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
    return f"{where}: {first.error}{more}"


def _summary(found: tuple[Change, ...]) -> str:
    if not found:
        return ""
    first = found[0]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return f"{first.path}:{first.line}: {first.reason}{more}"


def _joined(head: str, tail: str) -> str:
    return f"{head}: {tail}" if tail else head


@contextmanager
def _inside(folder: str):
    """The main process stands in the worktree while it works on it: the
    engine plans and writes ".", and paths and reasons read as in a run
    inside the repository (every git call names its folder)."""
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)
