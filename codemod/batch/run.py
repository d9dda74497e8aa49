"""The batch loop: one worker pool for every repository, a thread that
prepares the next checkouts (clone or fetch, worktree) while the current
one is analysed, and a thread that removes finished worktrees.

Repositories are processed one at a time on the main thread, where the
signals arrive: on Ctrl-C or SIGTERM the repository in progress is rolled
back (or finished, once its branch moves), every worktree is removed, the
ledger holds whole lines only, and the summary so far is printed.
"""

from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from codemod.batch import repo, worktrees
from codemod.batch.config import Config
from codemod.batch.inputs import RepoSpec
from codemod.batch.ledger import Ledger
from codemod.batch.outcome import RepoOutcome
from codemod.batch.report import Live
from codemod.batch.shard import in_shard
from codemod.batch.stop import Interrupted, Stopper
from codemod.parallel import MIN_ITEMS_FOR_POOL, Workers


@dataclass
class BatchResult:
    outcomes: list[RepoOutcome] = field(default_factory=list)
    selected: int = 0
    excluded: int = 0  # in other shards
    stopped: str | None = None  # why the loop ended early
    signal: int | None = None


def select(specs: list[RepoSpec], config: Config, ledger: Ledger) -> tuple[list[RepoSpec], int]:
    """This shard's repositories (and how many the shard left out), narrowed
    by --only to those whose last ledger outcome has one of those statuses."""
    mine = [s for s in specs if in_shard(s.id, config.shard)]
    excluded = len(specs) - len(mine)
    if config.only:
        last = ledger.latest()
        mine = [s for s in mine if s.id in last and last[s.id].status in config.only]
    return mine, excluded


def run(specs: list[RepoSpec], config: Config, live_for) -> BatchResult:
    ledger = Ledger(config.ledger, config.options_hash())
    chosen, excluded = select(specs, config, ledger)
    result = BatchResult(selected=len(chosen), excluded=excluded)
    live: Live = live_for(chosen)
    scratch = tempfile.mkdtemp(prefix="napi-fix-batch-")
    pushes = 0
    try:
        with Stopper() as stop, Workers(config.jobs) as workers:
            _start_pool(workers)  # forked before any thread exists: a fork copies held locks
            with _Checkouts(chosen, config, ledger, scratch) as checkouts:
                for spec in chosen:
                    if stop.requested:
                        break
                    live.start(spec.id)
                    outcome, fresh = _one(spec, checkouts, config, workers, stop, pushes, ledger)
                    if outcome is None:
                        break
                    live.finish(outcome)
                    result.outcomes.append(outcome)
                    pushes += fresh and outcome.pushed
                    if config.canary is not None and pushes >= config.canary:
                        result.stopped = (f"--canary {config.canary}: stopped after {pushes} push(es); "
                                          "look at them, then run again with --resume")
                        break
            result.signal = stop.signum
    finally:
        live.close()
        shutil.rmtree(scratch, ignore_errors=True)
    if result.signal is not None:
        result.stopped = f"interrupted ({_signal_name(result.signal)}): the repository in progress was rolled back"
    return result


def _one(spec, checkouts, config, workers, stop, pushes, ledger) -> tuple[RepoOutcome | None, bool]:
    """One repository's outcome, recorded, and whether it is this run's (not
    the ledger's); None when interrupted before it was settled (then nothing
    of it remains)."""
    checkout = None
    try:
        checkout = checkouts.next(spec)
        outcome = checkout.outcome
        if checkout.resumed:
            return outcome, False  # carried over from the ledger, where it is already
        if outcome is None:
            may_push = config.max_pushes is None or pushes < config.max_pushes
            outcome = repo.process(checkout, config, workers, stop, may_push)
        with stop.shielded():
            ledger.append(outcome)
        return outcome, True
    except Interrupted:
        return None, False
    finally:
        with stop.shielded():
            checkouts.release(checkout)


def _start_pool(workers: Workers) -> None:
    if workers.jobs > 1:
        workers.submit(int, alongside=MIN_ITEMS_FOR_POOL)()


def _signal_name(signum: int) -> str:
    import signal

    return signal.Signals(signum).name


class _Checkouts:
    """Prepares checkouts ahead of the loop on one thread; removes the
    finished ones on another. Leaves no worktree behind in any outcome."""

    def __init__(self, specs: list[RepoSpec], config: Config, ledger: Ledger, scratch: str):
        self.config, self.ledger, self.scratch = config, ledger, scratch
        self.queue = list(specs)
        self.ahead = max(1, config.jobs)
        self.futures: dict[str, Future] = {}
        self.preparer = ThreadPoolExecutor(1, thread_name_prefix="napi-fix-prepare")
        self.remover = ThreadPoolExecutor(1, thread_name_prefix="napi-fix-remove")

    def __enter__(self) -> "_Checkouts":
        self._fill()
        return self

    def _fill(self) -> None:
        while self.queue and len(self.futures) < self.ahead:
            spec = self.queue.pop(0)
            self.futures[spec.id] = self.preparer.submit(repo.prepare, spec, self.config, self.ledger, self.scratch)

    def next(self, spec: RepoSpec) -> repo.Checkout:
        checkout = self.futures[spec.id].result()
        del self.futures[spec.id]
        self._fill()
        return checkout

    def release(self, checkout: repo.Checkout | None) -> None:
        if checkout is not None and checkout.worktree is not None:
            self.remover.submit(worktrees.remove, checkout.git_dir, checkout.worktree)

    def __exit__(self, *exc) -> None:
        for future in self.futures.values():
            future.cancel()
        self.preparer.shutdown(wait=True)
        for future in self.futures.values():
            if not future.cancelled() and future.exception() is None:
                self.release(future.result())
        self.remover.shutdown(wait=True)
