"""Ctrl-C, SIGTERM and the per-repository timeout.

The first SIGINT or SIGTERM stops the batch: outside a shielded section it
raises Interrupted at once (the repository in progress is rolled back: its
worktree is removed, nothing was committed); inside one (moving the branch,
pushing, writing the ledger) it waits for the section to end, so that the
repository is finished. Either way the loop then stops and the summary so
far is printed. The timeout is SIGALRM, raised the same way.
"""

from __future__ import annotations

import os
import signal
from contextlib import contextmanager

STOPPING = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """Not an Exception: nothing on the way may swallow it."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class TimedOut(BaseException):
    pass


_fork_hook = []


def _workers_leave_signals_to_the_batch() -> None:
    # A pool worker forked from the batch must not run the batch's
    # handlers: Ctrl-C at a terminal reaches the whole process group.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGALRM):
        signal.signal(signum, signal.SIG_DFL)


class Stopper:
    def __init__(self):
        self.signum: int | None = None
        self._shield = 0
        self._previous: dict[int, object] = {}

    @property
    def requested(self) -> bool:
        return self.signum is not None

    def __enter__(self) -> "Stopper":
        if not _fork_hook:
            os.register_at_fork(after_in_child=_workers_leave_signals_to_the_batch)
            _fork_hook.append(True)
        for signum in STOPPING:
            self._previous[signum] = signal.signal(signum, self._on_stop)
        self._previous[signal.SIGALRM] = signal.signal(signal.SIGALRM, self._on_alarm)
        return self

    def __exit__(self, *exc) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _on_stop(self, signum, frame) -> None:
        first = self.signum is None
        self.signum = self.signum or signum
        if first and not self._shield:
            raise Interrupted(signum)

    def _on_alarm(self, signum, frame) -> None:
        if not self._shield:
            raise TimedOut()

    @contextmanager
    def shielded(self):
        """A section that is finished once started."""
        self._shield += 1
        try:
            yield
        finally:
            self._shield -= 1

    @contextmanager
    def unshielded(self):
        """Work that an interrupt rolls back, inside a shielded section."""
        saved, self._shield = self._shield, 0
        try:
            if self.signum is not None:
                raise Interrupted(self.signum)  # asked for while shielded
            yield
        finally:
            self._shield = saved

    @contextmanager
    def deadline(self, seconds: float | None):
        if seconds is not None:
            signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    def stop(self, signum: int) -> None:
        """A signal someone else caught (the file writer defers them)."""
        self._on_stop(signum, None)
