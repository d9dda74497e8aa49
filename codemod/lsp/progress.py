"""Work-done progress ($/progress) for a scan that takes over a second.

The server scans on its event loop's thread, one event at a time
(session.py), so nothing on that thread can speak while a scan runs. A
timer on its own thread does: when a scan is still running after AFTER
seconds it creates a token (window/workDoneProgress/create, for a client
that states window.workDoneProgress) and sends `begin`; the scan's end
sends `end`. A scan that finishes sooner sends nothing: a first analysis
of a small package, a keystroke's re-plan.

The create request is not waited for: clients handle messages in order,
so the token exists when `begin` arrives (vscode-languageclient and
Neovim make it on the request). Its response is read by pygls, which is
told the ids to expect (server.py), or nobody would own it.
"""

from __future__ import annotations

import itertools
import os
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

from codemod.lsp.wire import Outbox

AFTER = 1.0  # seconds a scan runs before the editor is shown its progress


class Progress:
    def __init__(self, out: Outbox, after: float | None = None):
        self.out = out
        self.after = AFTER if after is None else after
        self.supported = False  # the client's window.workDoneProgress
        self.tokens = (f"napi-fix-progress-{os.getpid()}-{n}" for n in itertools.count(1))
        # Called with each create request's id: pygls, once it runs, must
        # expect its response (server.py); until then they are kept here.
        self.requested: list[str] = []
        self.expect: Callable[[str], None] = self.requested.append

    @contextmanager
    def shown(self, title: str) -> Iterator[None]:
        """Progress titled `title` while the body runs, if it runs longer than `after`."""
        if not self.supported:
            yield
            return
        lock = threading.Lock()
        state: dict[str, object] = {"token": None, "over": False}

        def begin() -> None:
            with lock:
                if state["over"]:
                    return
                token = next(self.tokens)
                self.expect(token)
                self.out.request(token, "window/workDoneProgress/create", {"token": token})
                self.out.notify("$/progress", {"token": token, "value": {"kind": "begin", "title": title}})
                state["token"] = token

        timer = threading.Timer(self.after, begin)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
            with lock:  # a begin being sent now is finished before its end
                state["over"] = True
                if state["token"] is not None:
                    self.out.notify("$/progress", {"token": state["token"], "value": {"kind": "end"}})
