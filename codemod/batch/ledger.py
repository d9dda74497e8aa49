"""The ledger: one JSON line per finished repository, appended as each
finishes, keyed by repository, base commit, napi-fix version and options
hash. Each line goes out in one write() on an O_APPEND descriptor and is
fsynced: after Ctrl-C, SIGTERM or a crash the file holds whole lines for
finished repositories (a torn last line from a power cut is skipped)."""

from __future__ import annotations

import json
import os
import time
from typing import Iterable

from codemod import __version__
from codemod.batch.outcome import STATUSES, RepoOutcome


class LedgerError(Exception):
    pass


def read(path: str) -> list[dict]:
    """The ledger's records, oldest first; none when it does not exist yet."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise LedgerError(f"{path}: cannot read: {exc.strerror or exc}") from None
    records = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a torn last line
        if isinstance(record, dict) and isinstance(record.get("repo"), str) and record.get("status") in STATUSES:
            records.append(record)
    return records


def latest(records: Iterable[dict]) -> dict[str, RepoOutcome]:
    """The last outcome recorded for each repository."""
    found: dict[str, RepoOutcome] = {}
    for record in records:
        found[record["repo"]] = RepoOutcome.from_json(record)
    return found


class Ledger:
    def __init__(self, path: str, options_hash: str):
        self.path = path
        self.options_hash = options_hash
        self.records = read(path)
        try:  # there from the start, even for a shard with no repositories: merge reads every shard's
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            os.close(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644))
        except OSError as exc:
            raise LedgerError(f"{path}: cannot write: {exc.strerror or exc}") from None
        self._done = {(r["repo"], r.get("base"), r.get("version"), r.get("options")): r
                      for r in self.records if RepoOutcome.from_json(r).done}

    def done(self, repo: str, base: str) -> RepoOutcome | None:
        """The earlier outcome when this repository at this base was done
        by this version with these options."""
        record = self._done.get((repo, base, __version__, self.options_hash))
        return RepoOutcome.from_json(record) if record else None

    def latest(self) -> dict[str, RepoOutcome]:
        return latest(self.records)

    def append(self, outcome: RepoOutcome) -> None:
        record = {**outcome.to_json(), "version": __version__, "options": self.options_hash,
                  "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        line = (json.dumps(record, sort_keys=True) + "\n").encode()
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    line = b"\n" + line  # a torn last line stays alone on its line
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise LedgerError(f"{self.path}: cannot write: {exc.strerror or exc}") from None
        self.records.append(record)
