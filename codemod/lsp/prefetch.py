"""Edited C/C++ buffers scanned on a worker ahead of the re-plan, and timed.

While the server waits out the debounce after a keystroke, the edited
buffer's scan can already run on a worker, so the re-plan finds it done.
When to start it is the server's choice (session.prefetch_delay), by how
long the file's last scan took, measured here: on the worker when its scan
was used, here otherwise. The engine only offers the plain parts: the bytes
a re-plan would scan (Project.scannable) and a re-plan that scans through
the function it is given (Project.update's `scan`). A scan of bytes edited
again since is not used; the re-plan scans them here instead, as without a
prefetch, so what it reports is the same.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import Future
from dataclasses import dataclass

from codemod.cpp import finder
from codemod.engine import Project
from codemod.parallel import Workers


class Prefetches:
    """The scans started ahead for one Project, and how long each file's last scan took."""

    def __init__(self):
        self._started: dict[str, _Started] = {}
        self.seconds: dict[str, float] = {}  # path -> the last scan's time: the next prefetch waits by it

    def start(self, project: Project, path: str, workers: Workers) -> None:
        """Start scanning `path`'s current bytes on a worker, in place of a
        scan started for older bytes (which never starts if still queued)."""
        path = os.path.normpath(path)
        old = self._started.pop(path, None)
        if old is not None and not old.future.cancel():
            seconds = old.seconds_if_done()
            if seconds is not None:  # typing on: the next prefetch waits by the latest time
                self.seconds[path] = seconds
        data = project.scannable(path)
        if data is None:
            return
        try:
            future = workers.ahead(_timed_prescan, path, data)
        except Exception:  # noqa: BLE001 -- a broken pool: the re-plan scans here, and says what fails
            return
        if future is not None:
            self._started[path] = _Started(data, future)

    def scan(self, path: str, data: bytes) -> finder.Sifted:
        """Project.update's `scan`: the scan started ahead when it is of
        `data` and succeeded, else one made now; timed either way."""
        started = self._started.pop(path, None)
        done = started.result() if started is not None and started.data == data else None
        if done is None:
            done = _timed_prescan(path, data)
        sifted, self.seconds[path] = done
        return sifted

    def drop(self) -> None:
        """Forget the scans not taken: each is of bytes planned in since, or no longer there."""
        for started in self._started.values():
            started.future.cancel()
        self._started.clear()


@dataclass
class _Started:
    """A scan started on a worker, of `data`."""

    data: bytes
    future: Future

    def seconds_if_done(self) -> float | None:
        done = self.result() if self.future.done() else None
        return done[1] if done else None

    def result(self) -> tuple[finder.Sifted, float] | None:
        """Waits for the scan; None when it failed or was cancelled (a broken
        pool: the caller scans, as without a prefetch)."""
        try:
            return self.future.result()
        except Exception:  # noqa: BLE001 -- CancelledError is one too
            return None


def _timed_prescan(path: str, data: bytes) -> tuple[finder.Sifted, float]:
    """finder.prescan, and how long it took where it ran."""
    started = time.perf_counter()
    return finder.prescan(path, data), time.perf_counter() - started
