"""A probe's outcome as a terminal table, JSON, or a markdown summary (CI
step summaries, pull request comments). Pure: text in, text out."""

from __future__ import annotations

import json
import os
import signal as signals
from dataclasses import asdict
from typing import Sequence

from codemod.probe.provenance import advice
from codemod.probe.report import LEAKING, Addon, Outcome

COLUMNS = ("addon", "wrapped", "finalized", "refs deleted", "removed", "leaked", "verdict")


def _name(path: str, cwd: str) -> str:
    relative = os.path.relpath(path, cwd)
    return path if relative.startswith(os.pardir) else relative


def _row(addon: Addon, cwd: str) -> tuple[str, ...]:
    c = addon.counts
    return (_name(c.path, cwd), f"{c.wrapped:,}", f"{c.finalized:,}", f"{c.deleted:,}", f"{c.removed:,}",
            f"{c.leaked:,}", addon.verdict.verdict)


def _details(addon: Addon, cwd: str) -> list[str]:
    build = addon.build
    lines = [f"{_name(addon.counts.path, cwd)}: {addon.verdict.verdict}: {addon.verdict.reason}"]
    if addon.verdict.bytes_leaked:
        lines.append(f"  ~{addon.verdict.bytes_leaked / 1e6:.1f} MB kept by this run")
    if build.kind == "source" and build.node_addon_api:
        stale = "; they changed after the build" if build.stale else ""
        lines.append(f"  built from source against node-addon-api {build.node_addon_api} "
                     f"(headers found now: {build.headers}{stale})")
    hint = advice(build, addon.verdict.verdict == LEAKING)
    if hint:
        lines.append(f"  {hint}")
    return lines


def _ending(outcome: Outcome) -> str:
    if outcome.signal is not None:
        return f"the command was ended by {_signal_name(outcome.signal)} (status {outcome.status})"
    return f"the command exited with status {outcome.status}"


def _signal_name(number: int) -> str:
    try:
        return signals.Signals(number).name
    except ValueError:
        return f"signal {number}"


def to_text(outcome: Outcome, cwd: str) -> str:
    rows = [COLUMNS] + [_row(a, cwd) for a in outcome.addons]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    out = []
    if outcome.addons:
        for n, row in enumerate(rows):
            out.append("  ".join(cell.ljust(w) if i in (0, 6) else cell.rjust(w)
                                 for i, (cell, w) in enumerate(zip(row, widths))).rstrip())
            if n == 0:
                out.append("  ".join("-" * w for w in widths))
        out.append("")
        for addon in outcome.addons:
            out.extend(_details(addon, cwd))
    out.extend(outcome.notes)
    out.append(_ending(outcome))
    return "\n".join(out) + "\n"


def to_markdown(outcome: Outcome, cwd: str) -> str:
    out = ["## napi-fix probe", "", f"`{' '.join(outcome.command)}`: {_ending(outcome)}", ""]
    if outcome.addons:
        out.append("| " + " | ".join(COLUMNS) + " |")
        out.append("|---|" + "---:|" * (len(COLUMNS) - 2) + "---|")
        for addon in outcome.addons:
            cells = list(_row(addon, cwd))
            cells[0] = f"`{cells[0]}`"
            cells[-1] = f"**{cells[-1]}**" if addon.verdict.verdict == LEAKING else cells[-1]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
        out.extend(f"- {line.strip()}" for addon in outcome.addons for line in _details(addon, cwd))
    out.extend(f"- {note}" for note in outcome.notes)
    return "\n".join(out) + "\n"


def as_dict(outcome: Outcome) -> dict:
    return {
        "command": list(outcome.command),
        "command_status": outcome.status,
        "signal": _signal_name(outcome.signal) if outcome.signal is not None else None,
        "leaking": outcome.leaking,
        "addons": [{
            "path": a.counts.path,
            **{k: v for k, v in asdict(a.counts).items() if k != "path"},
            "verdict": a.verdict.verdict,
            "reason": a.verdict.reason,
            "bytes_leaked": a.verdict.bytes_leaked,
            "build": asdict(a.build),
            "advice": advice(a.build, a.verdict.verdict == LEAKING),
        } for a in outcome.addons],
        "notes": list(outcome.notes),
    }


def to_json(outcome: Outcome, status: int) -> str:
    return json.dumps({"tool": "napi-fix probe", "status": status, **as_dict(outcome)}, indent=2) + "\n"


def _cell(addon: Addon | None) -> str:
    if addon is None:
        return "not loaded"
    c = addon.counts
    return f"{addon.verdict.verdict} ({c.deleted:,} of {c.finalized:,} finalized deleted)"


def compare_text(sides: Sequence[tuple[str, Outcome]], cwd: str, markdown: bool = False) -> str:
    """Both runs' verdicts side by side, then each run in full."""
    paths = sorted({a.counts.path for _, o in sides for a in o.addons})
    found = [{a.counts.path: a for a in o.addons} for _, o in sides]
    rows = [("addon", *(title for title, _ in sides))]
    rows += [(_name(p, cwd), *(_cell(f.get(p)) for f in found)) for p in paths]
    rows.append(("command status", *(str(o.status) for _, o in sides)))
    if markdown:
        out = ["## napi-fix probe --compare", "", "| " + " | ".join(rows[0]) + " |", "|---" * len(rows[0]) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in rows[1:]] + [""]
        body = "".join(to_markdown(o, cwd).replace("## napi-fix probe", f"### {title}", 1) for title, o in sides)
        return "\n".join(out) + "\n" + body
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out) + "\n\n" + "".join(f"== {title} ==\n{to_text(o, cwd)}\n" for title, o in sides)


def compare_json(sides: Sequence[tuple[str, Outcome]], status: int) -> str:
    return json.dumps({"tool": "napi-fix probe --compare", "status": status,
                       "runs": {title: as_dict(o) for title, o in sides}}, indent=2) + "\n"
