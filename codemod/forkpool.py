"""The one-shot command line's process pool: forked workers, pipes and
pickle, nothing else. ProcessPoolExecutor costs the parent ~20 ms before the
first task (importing multiprocessing and concurrent.futures: logging,
socket, tempfile, subprocess, threading, ...; then starting it) and its
feeder and result threads take the parent's CPU while it walks; the parent
is a dry run's critical path. parallel.py says which front-end gets which pool.

Tasks go through one shared pipe in submission order; the worker that holds
the token (one byte in a second pipe) reads the next task whole, so an idle
worker takes the next task with no help from the parent, which may be busy
walking. Each worker answers on its own pipe; the parent reads the answers
whenever it submits or waits, and buffers what the task pipe cannot take
yet, so neither side blocks on a full pipe while the other waits for it.
A worker that dies (the OOM killer, a SIGKILL) breaks the pool: every wait
not yet answered raises WorkerLost, never hangs.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
from typing import Callable

_TASK = struct.Struct("<QI")  # task id, payload length
_ANSWER = struct.Struct("<QBI")  # task id, 1 if a result (0: an exception), payload length
_PIPE_SIZE = 1 << 20  # answers of many files' facts fit without a worker waiting for the parent


class WorkerLost(Exception):
    """A worker ended before answering: the pool is broken."""


class RemoteTraceback(Exception):
    """The worker's traceback, set as the cause of the exception its task raised."""

    def __str__(self) -> str:
        return self.args[0]


class ForkPool:
    """`jobs` workers forked now, each calling `initializer` first."""

    def __init__(self, jobs: int, initializer: Callable[[], None]):
        self._next = 0
        self._received: dict[int, tuple[bool, bytes]] = {}  # task -> (a result?, its pickle)
        self._answers: dict[int, tuple[bool, object]] = {}  # unpickled once, by the first wait
        self._unanswered: set[int] = set()
        self._outgoing = bytearray()  # what the task pipe could not take yet
        self._lost: WorkerLost | None = None
        task_r, self._task_w = os.pipe()
        token_r, token_w = os.pipe()
        os.write(token_w, b".")
        answers = [os.pipe() for _ in range(jobs)]
        for fd in (self._task_w, *(w for _, w in answers)):
            _grow(fd)
        self._workers: dict[int, int] = {}  # answer pipe's read end -> worker pid
        self._buffers: dict[int, bytearray] = {}
        for i, (answer_r, answer_w) in enumerate(answers):
            pid = os.fork()
            if pid == 0:  # the worker: never returns into the caller's stack
                code = 1
                try:
                    for fd in [self._task_w, *(fd for j, pair in enumerate(answers) for fd in pair
                                                if j != i or fd == answer_r)]:
                        os.close(fd)
                    _serve(task_r, token_r, token_w, answer_w, initializer)
                    code = 0
                finally:
                    os._exit(code)
            self._workers[answer_r] = pid
            self._buffers[answer_r] = bytearray()
        for fd in (task_r, token_r, token_w, *(w for _, w in answers)):
            os.close(fd)
        os.set_blocking(self._task_w, False)

    def submit(self, call: bytes) -> Callable[[], object]:
        """Queue the pickled call; returns the wait for its result."""
        if self._lost is not None:
            raise self._lost
        task = self._next
        self._next += 1
        self._outgoing += _TASK.pack(task, len(call)) + call
        self._unanswered.add(task)
        self._pump(block=False)
        return lambda: self._result(task)

    def _result(self, task: int):
        while task in self._unanswered:
            if self._lost is not None:
                raise self._lost
            self._pump(block=True)
        if task not in self._answers:  # unpickled here: the parent pays only for what it uses
            self._answers[task] = _unpickled(*self._received.pop(task))
        ok, value = self._answers[task]
        if ok:
            return value
        raise value

    def _pump(self, block: bool) -> None:
        """Send what the task pipe takes, read what the workers answered;
        with `block`, wait until one of the two happens."""
        if not self._workers:
            return
        poll = select.poll()
        for fd in self._workers:
            poll.register(fd, select.POLLIN)
        if self._outgoing:
            poll.register(self._task_w, select.POLLOUT)
        ready = [fd for fd, _ in poll.poll(None if block else 0)]
        if self._task_w in ready:
            try:
                sent = os.write(self._task_w, self._outgoing)
            except BlockingIOError:
                sent = 0
            except BrokenPipeError:  # no worker left to read it: the answers below say why
                sent = len(self._outgoing)
            del self._outgoing[:sent]
        for fd in ready:
            if fd == self._task_w:
                continue
            chunk = os.read(fd, _PIPE_SIZE)
            if not chunk:
                self._worker_ended(fd)
                continue
            buffer = self._buffers[fd]
            buffer += chunk
            while len(buffer) >= _ANSWER.size:
                task, ok, size = _ANSWER.unpack_from(buffer)
                end = _ANSWER.size + size
                if len(buffer) < end:
                    break
                self._received[task] = (bool(ok), bytes(buffer[_ANSWER.size:end]))
                self._unanswered.discard(task)
                del buffer[:end]

    def _worker_ended(self, fd: int) -> None:
        pid = self._workers.pop(fd)
        os.close(fd)
        status = _reap(pid)  # its pipe closed: it has exited, or is exiting
        if status is None:
            how = "ended"
        elif os.WIFSIGNALED(status):
            how = f"was killed by {signal.Signals(os.WTERMSIG(status)).name}"
        else:
            how = f"exited with status {os.WEXITSTATUS(status)}"
        self._lost = WorkerLost(f"a worker process (pid {pid}) {how} before finishing its tasks")

    def shutdown(self, cancel: bool) -> None:
        """End the workers and reap them: at once when cancelling or when
        some task is still unanswered (nothing waits for it any more), else
        when they have read the end of the task pipe."""
        os.close(self._task_w)
        if cancel or self._unanswered:
            for pid in self._workers.values():
                os.kill(pid, signal.SIGKILL)
        for fd, pid in self._workers.items():
            os.close(fd)
            _reap(pid)
        self._workers.clear()


def _reap(pid: int) -> int | None:
    """Wait for the worker to end; its status, None if reaped elsewhere (SIGCHLD ignored)."""
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None


def _grow(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
    except (ImportError, AttributeError, OSError):  # not Linux, or over the user's pipe quota: the default
        pass


def _serve(tasks: int, token_r: int, token_w: int, answers: int, initializer: Callable[[], None]) -> None:
    """A worker's life: take the next task, answer it, until the parent
    closes the task pipe."""
    initializer()
    while True:
        os.read(token_r, 1)
        try:
            head = _read(tasks, _TASK.size)
            call = _read(tasks, _TASK.unpack(head)[1]) if head else b""
        finally:
            os.write(token_w, b".")
        if not head:
            return
        task = _TASK.unpack(head)[0]
        try:
            answer = (1, pickle.dumps(pickle.loads(call)(), pickle.HIGHEST_PROTOCOL))
        except BaseException as exc:  # noqa: BLE001 -- executor-like: the wait raises it
            answer = (0, _pickled_failure(exc))
        _write(answers, _ANSWER.pack(task, answer[0], len(answer[1])) + answer[1])


def _pickled_failure(exc: BaseException) -> bytes:
    """The exception with its traceback as text (a traceback object does not pickle)."""
    import traceback

    text = "".join(traceback.format_exception(exc))
    try:
        return pickle.dumps((exc, text), pickle.HIGHEST_PROTOCOL)
    except Exception as unpicklable:  # noqa: BLE001 -- as ProcessPoolExecutor does: the pickling error
        return pickle.dumps((unpicklable, text), pickle.HIGHEST_PROTOCOL)


def _unpickled(ok: bool, payload: bytes) -> tuple[bool, object]:
    try:
        value = pickle.loads(payload)
    except Exception as exc:  # noqa: BLE001 -- the task's failure, raised from its wait
        return False, exc
    if ok:
        return True, value
    exc, text = value
    exc.__cause__ = RemoteTraceback(text)
    return False, exc


def _read(fd: int, size: int) -> bytes:
    """Exactly `size` bytes; b"" at the end of the pipe."""
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return b""
        data += chunk
    return bytes(data)


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
