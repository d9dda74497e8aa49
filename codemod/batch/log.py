"""Each repository's log: the git commands run for it (with what they said
on stderr, and their output when they failed), --verify's whole output and
napi-fix's own report, in `<name>-<hash>.log` beside its patch, so that a
failed `npm ci` or a rejected push can be read in full, not only the last
lines the table shows.

A repository moves between threads (prepared on one, analysed on the main
thread, committed and pushed on another): each sets the log it writes to
for as long as it works on that repository. Every line is redacted.
"""

from __future__ import annotations

import os
import shlex
import threading
from contextlib import contextmanager

from codemod.batch import redact

_current = threading.local()


class RepoLog:
    def __init__(self):
        self.parts: list[str] = []

    def add(self, text: str) -> None:
        self.parts.append(redact.text(text.rstrip("\n")) + "\n")

    def write(self, path: str) -> None:
        if not self.parts:
            return
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("".join(self.parts))


@contextmanager
def writing_to(log: RepoLog | None):
    previous = getattr(_current, "log", None)
    _current.log = log
    try:
        yield
    finally:
        _current.log = previous


def note(text: str) -> None:
    log = getattr(_current, "log", None)
    if log is not None:
        log.add(text)


def command(words: list[str], code: int, out: str, err: str) -> None:
    """A command that ran: its words, its exit code, stderr, and stdout
    when it failed (a successful query's output is data, not a message)."""
    if getattr(_current, "log", None) is None:
        return
    note(f"$ {shlex.join(words)}  # exit {code}" + (f"\n{err.rstrip()}" if err.strip() else "")
         + (f"\n{out.rstrip()}" if code != 0 and out.strip() else ""))
