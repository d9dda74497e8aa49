"""What a batch prints. Pure text builders, plus Live, the one object that
writes while the batch runs: a progress bar with counts by status on a
terminal, one plain line per finished repository when piped, JSON lines
with --format json. The final table lists repositories by id, so a merged
ledger prints the same table as one unsharded run."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from typing import Iterable, TextIO

from codemod.batch.outcome import FAILED, STATUSES, RepoOutcome, exit_code, repo_exit_code

COLUMNS = ("repo", "status", "files", "pins", "Finalize", "branch@commit", "seconds", "note")


def names(ids: Iterable[str]) -> dict[str, str]:
    """Short names for the table: ids without the folder or URL prefix they
    all share (the last part alone for a single repository)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    parts = [i.rstrip("/").split("/") for i in ids]
    shared = len(os.path.commonprefix(parts)) if len(ids) > 1 else len(parts[0]) - 1
    shared = min(shared, min(len(p) for p in parts) - 1)
    return {i: "/".join(p[shared:]) for i, p in zip(ids, parts)}


def summary(outcomes: list[RepoOutcome], stopped: str | None = None, code: int | None = None,
            **lists: list[str]) -> dict:
    """The counts and the exit code the process exits with (`code`: 128+N
    after signal N, 2 for missing shards; else the outcomes' own), plus
    lists such as the repositories not started."""
    counts = Counter(o.status for o in outcomes)
    return {"type": "summary", "repos": len(outcomes), "counts": {s: counts.get(s, 0) for s in STATUSES},
            "exit_code": exit_code(outcomes) if code is None else code, "stopped": stopped,
            **{name: sorted(value) for name, value in lists.items() if value}}


def summary_line(totals: dict) -> str:
    counts = ", ".join(f"{n} {status}" for status, n in totals["counts"].items())
    return f"{totals['repos']} repositories: {counts}"


def json_line(outcome: RepoOutcome) -> str:
    return json.dumps({"type": "repo", **outcome.to_json(), "exit_code": repo_exit_code(outcome)}, sort_keys=True)


def _row(outcome: RepoOutcome, name: str) -> list[str]:
    where = f"{outcome.branch}@{outcome.commit[:10]}" if outcome.commit else outcome.branch or "-"
    return [name, outcome.status, str(outcome.files), str(outcome.pins), str(outcome.finalize), where,
            f"{outcome.seconds:.1f}", note(outcome)]


def note(outcome: RepoOutcome) -> str:
    parts = [f"{outcome.stage}: {outcome.reason}" if outcome.status == FAILED else outcome.reason]
    if outcome.pushed:
        parts.append("pushed")
    if outcome.pr:
        parts.append(f"pull request: {outcome.pr}")
    return "; ".join(p for p in parts if p)


def _sorted(outcomes: list[RepoOutcome]) -> list[RepoOutcome]:
    return sorted(outcomes, key=lambda o: o.repo)


def table(outcomes: list[RepoOutcome]) -> str:
    short = names(o.repo for o in outcomes)
    return columns([list(COLUMNS)] + [_row(o, short[o.repo]) for o in _sorted(outcomes)])


def columns(rows: list[list[str]]) -> str:
    """Rows as aligned columns, the last one left ragged (a note, a URL):
    no line ends in the padding of an empty last cell."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return "".join(("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1]).rstrip(" ") + "\n"
                   for r in rows)


def markdown(outcomes: list[RepoOutcome], totals: dict) -> str:
    """A table for a tracking issue."""
    short = names(o.repo for o in outcomes)
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for outcome in _sorted(outcomes):
        cells = _row(outcome, short[outcome.repo])
        cells[0], cells[5] = f"`{cells[0]}`", f"`{cells[5]}`" if cells[5] != "-" else "-"
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    return f"**napi-fix batch**: {summary_line(totals)}\n\n" + "\n".join(lines) + "\n"


class Live:
    """Prints as repositories finish."""

    def __init__(self, output: str, total: int, ids: Iterable[str], out: TextIO, err: TextIO):
        self.output, self.total, self.out = output, total, out
        self.short = names(ids)
        self.counts: Counter = Counter()
        self.finished = 0
        bar_stream = out if output == "text" else err
        self.bar = bar_stream if bar_stream.isatty() else None

    def start(self, repo: str) -> None:
        self._draw(self.short.get(repo, repo))

    def finish(self, outcome: RepoOutcome) -> None:
        self.finished += 1
        self.counts[outcome.status] += 1
        if self.output == "json":
            self._clear()
            self.out.write(json_line(outcome) + "\n")
        elif self.output == "text" and self.bar is None:
            name = self.short.get(outcome.repo, outcome.repo)
            self.out.write(f"{outcome.status:<15} {name}  {note(outcome)}".rstrip() + "\n")
        self.out.flush()
        self._draw("")

    def close(self) -> None:
        self._clear()

    def _draw(self, current: str) -> None:
        if self.bar is None:
            return
        width = shutil.get_terminal_size((100, 20)).columns
        done = 20 * self.finished // max(self.total, 1)
        counts = " ".join(f"{s} {self.counts[s]}" for s in STATUSES if self.counts[s])  # fits a terminal
        line = f"[{'#' * done}{'.' * (20 - done)}] {self.finished}/{self.total} {counts} {current}"
        self.bar.write("\r\033[2K" + line[: width - 1])
        self.bar.flush()

    def _clear(self) -> None:
        if self.bar is not None:
            self.bar.write("\r\033[2K")
            self.bar.flush()
