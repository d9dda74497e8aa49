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


HEADER = "ledger"  # the first line's "type": which shard of how many the file is


def is_record(record) -> bool:
    return isinstance(record, dict) and isinstance(record.get("repo"), str) and record.get("status") in STATUSES


def is_header(record) -> bool:
    return isinstance(record, dict) and record.get("type") == HEADER


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
        if is_record(record):
            records.append(record)
    return records


def read_strict(path: str) -> tuple[list[dict], list[tuple[int, int] | None], list[str]]:
    """What `batch merge` reads: the records, the shards the file says it
    is (its header; its records for a header-less older ledger), and
    warnings. A line that is not a ledger line is an error naming the file
    and line; a line cut short by a crash mid-write is only a warning."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LedgerError(f"{path}: cannot read a ledger: {getattr(exc, 'strerror', None) or exc}") from None
    records, shards, warnings = [], set(), []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            if line.startswith('{"'):
                warnings.append(f"{path}:{number}: an unfinished line (a write cut short), skipped")
                continue
            record = None
        if is_header(record):
            shards.add(_shard(record.get("shard")))
        elif is_record(record):
            records.append(record)
            if "shard" in record:
                shards.add(_shard(record["shard"]))
        else:
            raise LedgerError(f"{path}:{number}: not a napi-fix batch ledger line: {line[:80]}")
    return records, sorted(shards, key=lambda s: s or (0, 0)), warnings


def _shard(value) -> tuple[int, int] | None:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return value[0], value[1]
    return None


def missing_shards(shards) -> list[str]:
    """The shards (K/N) of the ledgers' split that none of them is; empty
    when they cover it. Ledgers of different splits are an error."""
    splits = {n for s in shards if s for _, n in [s]}
    if len(splits) > 1:
        raise LedgerError(f"ledgers of different splits ({', '.join(f'of {n}' for n in sorted(splits))}): "
                          "merge the ledgers of one run")
    if not splits:
        return []
    n = splits.pop()
    seen = {k for s in shards if s for k, _ in [s]}
    return [f"{k}/{n}" for k in range(1, n + 1) if k not in seen]


def latest(records: Iterable[dict]) -> dict[str, RepoOutcome]:
    """The last outcome recorded for each repository."""
    found: dict[str, RepoOutcome] = {}
    for record in records:
        found[record["repo"]] = RepoOutcome.from_json(record)
    return found


class Ledger:
    def __init__(self, path: str, options_hash: str, shard: tuple[int, int] | None = None):
        self.path = path
        self.options_hash = options_hash
        self.shard = list(shard) if shard else None
        self.records = read(path)
        try:  # there from the start, even for a shard with no repositories: merge reads every shard's
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            os.close(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644))
        except OSError as exc:
            raise LedgerError(f"{path}: cannot write: {exc.strerror or exc}") from None
        if os.path.getsize(path) == 0:  # which shard of how many: merge tells a missing shard
            self._write({"type": HEADER, "shard": self.shard, "version": __version__})
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
        record = {**outcome.to_json(), "version": __version__, "options": self.options_hash, "shard": self.shard,
                  "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        self._write(record)
        self.records.append(record)

    def _write(self, record: dict) -> None:
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
