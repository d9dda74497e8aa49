"""bun.lock (text) and bun.lockb (binary): never edited, only refused.

napi-fix does not write bun's lockfiles, so a root holding one is refused
(NAPI005, with the command to run) when anything else in it would move, or
when the lock may resolve a leaky release: package.json never moves without
its lock, and a leaky bun lock is never called clean. bun.lock names what
it resolves (`"node-addon-api@8.2.1"`); bun.lockb cannot be read that far,
so any mention of node-addon-api counts, and so does a lock that could not
be read at all.
"""

from __future__ import annotations

import os

from codemod import rules
from codemod.manifests import spec as specs
from codemod.manifests.lockplan import Installs, LockPlan, LockSource, Pins, Refusal

EDITS_LOCK = False
UPDATE = "bun update node-addon-api"


def plan(lock: LockSource, pins: Pins) -> LockPlan:
    name = os.path.basename(lock.path)
    data = lock.data or b""
    leaky = any(f'"{specs.PACKAGE}@{bad}"'.encode() in data for bad in specs.BAD) if name == "bun.lock" \
        else specs.PACKAGE.encode() in data
    if not (pins.moving or leaky or lock.problem is not None):
        return LockPlan()
    return LockPlan(refusals=(Refusal(lock.path, 1, name, rules.bun_refused(name, UPDATE), UPDATE),))


def dependents(data: bytes) -> Installs | None:
    """Not read: a bun lock's dependents are unknown until installed."""
    return None
