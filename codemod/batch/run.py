"""The batch loop: one worker pool for every repository; threads that
prepare the next checkouts (clone or fetch, a worktree or a tree), commit and push the
last repository, and remove finished worktrees, while the main thread
analyses the current one.

Repositories are analysed one at a time on the main thread, where the
signals arrive: on Ctrl-C or SIGTERM the repository being analysed is
rolled back, the one being committed is rolled back or (once its branch
moved) finished, every worktree is removed, the ledger holds whole lines
only, and the summary so far is printed.
"""

from __future__ import annotations

import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from codemod.batch import repo, worktrees
from codemod.batch.config import Config
from codemod.batch.finish import finish
from codemod.batch.inputs import RepoSpec
from codemod.batch.ledger import Ledger
from codemod.batch.outcome import RepoOutcome
from codemod.batch.report import Live
from codemod.batch.shard import in_shard
from codemod.batch.stop import Interrupted, Stopper
from codemod.parallel import Workers


@dataclass
class BatchResult:
    outcomes: list[RepoOutcome] = field(default_factory=list)
    selected: int = 0
    excluded: int = 0  # in other shards
    stopped: str | None = None  # why the loop ended early
    signal: int | None = None
    rolled_back: list[str] = field(default_factory=list)  # in progress at the interrupt, undone
    finished: list[str] = field(default_factory=list)  # in progress at the interrupt, finished
    not_started: list[str] = field(default_factory=list)


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
    ledger = Ledger(config.ledger, config.options_hash(), config.shard)
    chosen, excluded = select(specs, config, ledger)
    live: Live = live_for(chosen)
    loop = _Loop(config, ledger, live, BatchResult(selected=len(chosen), excluded=excluded))
    try:
        with worktrees.RunFolder() as scratch, Stopper() as stop, Workers(config.jobs) as workers:
            _start_pool(workers)  # forked before any thread exists: a fork copies held locks
            with _Checkouts(chosen, config, ledger, scratch) as checkouts, ThreadPoolExecutor(
                    1, thread_name_prefix="napi-fix-finish") as finisher:
                loop.run(chosen, checkouts, finisher, workers, stop)
            loop.result.signal = stop.signum
    finally:
        live.close()
    result = loop.result
    seen = {o.repo for o in result.outcomes} | set(result.rolled_back)
    result.not_started = [s.id for s in chosen if s.id not in seen]
    if result.signal is not None:
        result.stopped = _interrupted(result, live.short)
    return result


def _interrupted(result: BatchResult, short: dict[str, str]) -> str:
    """Which repositories were in progress, and what became of each."""
    said = [f"{short.get(r, r)} rolled back (nothing of it committed or pushed)" for r in result.rolled_back]
    said += [f"{short.get(r, r)} finished (its branch had moved: committed"
             f"{', pushed' if any(o.pushed for o in result.outcomes if o.repo == r) else ''})"
             for r in result.finished]
    return f"interrupted ({_signal_name(result.signal)}): " + ("; ".join(said) or "between two repositories")


class _Loop:
    """Repositories in order on the main thread; a Ready one is committed
    and pushed on the finishing thread while the next one is analysed, and
    its outcome is recorded before the next one's (the ledger and the
    output keep the input order)."""

    def __init__(self, config: Config, ledger: Ledger, live: Live, result: BatchResult):
        self.config, self.ledger, self.live, self.result = config, ledger, live, result
        self.pushes = 0
        self.stop_requested = lambda: False
        self.pending: tuple[repo.Checkout, Future] | None = None

    def run(self, chosen, checkouts, finisher, workers, stop) -> None:
        self.stop_requested = lambda: stop.requested
        # Shielded but for the work on one repository: an interrupt anywhere
        # else waits for the loop to reach a point where it stops cleanly.
        with stop.shielded():
            for spec in chosen:
                if stop.requested or self.result.stopped:
                    break
                self.live.start(spec.id)
                checkout = settled = None
                try:
                    with stop.unshielded():
                        checkout = checkouts.next(spec)
                        settled = checkout.outcome or repo.process(checkout, self.config, workers, stop)
                except Interrupted:  # rolled back: its worktree goes, nothing of it is recorded
                    self.result.rolled_back.append(spec.id)
                self._collect(checkouts)
                if settled is None or stop.requested or self.result.stopped:  # interrupted, or the canary
                    checkouts.release(checkout)
                    break
                if isinstance(settled, repo.Ready):
                    may_push = self.config.max_pushes is None or self.pushes < self.config.max_pushes
                    self.pending = checkout, finisher.submit(finish, settled, may_push, lambda: stop.requested)
                else:
                    self._record(settled, fresh=not checkout.resumed)
                    checkouts.release(checkout)
            self._collect(checkouts)

    def _collect(self, checkouts) -> None:
        """The pending repository's outcome, when one is being finished."""
        if self.pending is None:
            return
        checkout, future = self.pending
        self.pending = None
        outcome = future.result()
        checkouts.release(checkout)
        if outcome is None:  # rolled back because the batch is stopping
            self.result.rolled_back.append(checkout.spec.id)
            return
        if self.stop_requested():
            self.result.finished.append(checkout.spec.id)
        self._record(outcome, fresh=True)

    def _record(self, outcome: RepoOutcome, fresh: bool) -> None:
        if fresh:  # an outcome carried over from the ledger is there already
            self.ledger.append(outcome)
            self.pushes += outcome.pushed
        self.live.finish(outcome)
        self.result.outcomes.append(outcome)
        canary = self.config.canary
        if canary is not None and self.pushes >= canary and not self.result.stopped:
            self.result.stopped = (f"--canary {canary}: stopped after {self.pushes} push(es); "
                                   "look at them, then run again with --resume")


def _start_pool(workers: Workers) -> None:
    if workers.jobs > 1:
        workers.start()


def _signal_name(signum: int) -> str:
    import signal

    return signal.Signals(signum).name


class _Checkouts:
    """Prepares checkouts ahead of the loop on a few threads; removes the
    finished ones on another. Leaves no worktree behind in any outcome."""

    def __init__(self, specs: list[RepoSpec], config: Config, ledger: Ledger, scratch: str):
        self.config, self.ledger, self.scratch = config, ledger, scratch
        self.queue = list(specs)
        # Fetches wait on the network: a few run at once, a few repositories ahead.
        threads = max(2, config.jobs)
        self.ahead = 2 * threads
        self.futures: dict[str, Future] = {}
        self.preparer = ThreadPoolExecutor(threads, thread_name_prefix="napi-fix-prepare")
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

    def release(self, checkout: repo.Checkout | None, started: bool = True) -> None:
        if checkout is None:
            return
        if started and checkout.log is not None:
            checkout.log.write(repo.log_path(self.config, checkout.spec))
        if checkout.worktree is not None:
            self.remover.submit(worktrees.remove, checkout.git_dir, checkout.worktree)
        elif checkout.tree is not None:
            checkout.tree.close()
            self.remover.submit(shutil.rmtree, checkout.root, True)

    def __exit__(self, *exc) -> None:
        for future in self.futures.values():
            future.cancel()
        self.preparer.shutdown(wait=True)
        for future in self.futures.values():
            if not future.cancelled() and future.exception() is None:
                self.release(future.result(), started=False)
        self.remover.shutdown(wait=True)
