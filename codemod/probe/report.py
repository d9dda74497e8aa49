"""The counts the audit library wrote, summed per addon over every process
of the command, and a verdict for each.

The signature is exact: an addon built against node-addon-api 8.2.0/8.2.1
lets every wrapped object be finalized and never deletes its reference
(measured: 0 of 2M deleted, ~82 bytes each on Node 20). A clean build
deletes them all. A handful may still be pending at a process.exit() (a
finalizer deferred past the last turn of the loop), so "leaking" needs most
finalized objects to have kept their reference, not just one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

BYTES_PER_OBJECT = 82  # measured, Node 20 (docs: objectwrap-leak.md's table)
LEAKING, CLEAN, UNDECIDED = "leaking", "clean", "undecided"
FIELDS = ("wrapped", "references", "finalized", "deleted", "removed", "leaked")


@dataclass(frozen=True)
class Counts:
    path: str
    wrapped: int = 0  # napi_wrap calls that succeeded
    references: int = 0  # ... that returned a reference (ObjectWrap always asks for one)
    finalized: int = 0  # wrapped objects whose finalizer ran
    deleted: int = 0  # napi_delete_reference of a finalized object's reference (by its finalizer or later)
    removed: int = 0  # napi_remove_wrap calls
    leaked: int = 0  # finalized, and the reference still not deleted at exit
    processes: int = 1  # processes that loaded the addon

    def __add__(self, other: Counts) -> Counts:
        return replace(self, processes=self.processes + other.processes,
                       **{f: getattr(self, f) + getattr(other, f) for f in FIELDS})


@dataclass(frozen=True)
class Verdict:
    verdict: str  # LEAKING, CLEAN or UNDECIDED
    reason: str
    bytes_leaked: int = 0


def read_counts(folder: str) -> tuple[Counts, ...]:
    """Every process's file (<pid>.tsv) in `folder`, summed per addon path."""
    total: dict[str, Counts] = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".tsv"):
            continue  # a .part file: a process died while writing it
        try:
            with open(os.path.join(folder, name), encoding="utf-8", errors="surrogateescape") as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        for line in lines:
            path, *numbers = line.rsplit("\t", len(FIELDS))
            if len(numbers) != len(FIELDS) or not all(n.isdigit() for n in numbers):
                continue
            counts = Counts(path, **dict(zip(FIELDS, map(int, numbers))))
            total[path] = total[path] + counts if path in total else counts
    return tuple(sorted(total.values(), key=lambda c: c.path))


def judge(counts: Counts, min_collected: int) -> Verdict:
    if counts.references == 0:
        return Verdict(CLEAN, "no object was wrapped with a reference: nothing this leak could keep")
    if counts.finalized < min_collected:
        return Verdict(UNDECIDED, f"only {counts.finalized:,} of {counts.references:,} wrapped objects were "
                                  f"finalized (at least {min_collected:,} needed to tell); a process.exit() "
                                  "leaves finalizers no turn of the event loop: let the command end by itself, "
                                  "or make more objects")
    if counts.leaked * 2 > counts.finalized:
        return Verdict(LEAKING, f"{counts.leaked:,} of {counts.finalized:,} finalized objects kept their reference "
                                f"(~{BYTES_PER_OBJECT} B each)", counts.leaked * BYTES_PER_OBJECT)
    return Verdict(CLEAN, f"{counts.deleted:,} references deleted for {counts.finalized:,} finalized objects")


@dataclass(frozen=True)
class Addon:
    counts: Counts
    verdict: Verdict
    build: object  # provenance.Build (kept untyped here: this module does no I/O)


@dataclass(frozen=True)
class Outcome:
    command: tuple[str, ...]
    status: int  # the command's own exit status (128+N after signal N)
    addons: tuple[Addon, ...] = ()
    notes: tuple[str, ...] = ()
    signal: int | None = None

    @property
    def leaking(self) -> bool:
        return any(a.verdict.verdict == LEAKING for a in self.addons)

    @property
    def undecided(self) -> bool:
        return any(a.verdict.verdict == UNDECIDED for a in self.addons)

    def exit_status(self) -> int:
        """1 when a leak was seen; else the command's own failure; else 1 when
        an addon could not be judged; else 0 (2 is the probe's own failure,
        decided before any command runs)."""
        if self.leaking:
            return 1
        if self.status:
            return self.status
        return 1 if self.undecided else 0
