"""Lockfile formats: the one table of them, and what a planner of one is.

FORMATS is the only list of lockfile names: discovery, package roots, the
repoint of vendored builds, the leak verdicts and the pin planner (plan.py)
all read it. Adding
a format is one module (`EDITS_LOCK` and `plan(lock, pins)`, pure: the
lock's bytes and the pins in, a `LockPlan` out, `BadInput` for a lock it
cannot read; and `dependents(data)`, what the lock says of who depends on
node-addon-api) and one row here; so is a lockfile version that needs a module
of its own: a row before the catch-all one of that name, claiming the files
it reads. A planner is imported the first time a root holds its lock
(pnpm's pulls in PyYAML), and this module imports nothing else of napi-fix,
so discovery reads the names at no cost.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable, Protocol, runtime_checkable

if TYPE_CHECKING:
    from codemod.manifests.lockplan import Installs, LockPlan, LockSource, Pins


@runtime_checkable
class LockPlanner(Protocol):
    """A lock format's module."""

    # False: napi-fix never edits this lock; it is asked last, when the
    # root's whole plan is known (`Pins.moving`), and can only refuse.
    EDITS_LOCK: bool

    def plan(self, lock: LockSource, pins: Pins) -> LockPlan: ...

    # The leak verdicts without node_modules: the packages the lock installs
    # (lockplan.Installs), None when it cannot say; ValueError for bytes that
    # are not this format, and the root's next lockfile is asked. The caller
    # hands the bytes over (a large lock need not be held twice while parsed).
    def dependents(self, data: bytes) -> Installs | None: ...


class LockFormat:
    __slots__ = ("name", "manager", "module", "claims")

    def __init__(self, name: str, manager: str, module: str, claims: Callable[[bytes], bool] | None = None):
        self.name = name  # the lockfile's name
        self.manager = manager  # the tool that writes it
        self.module = module  # its planner
        self.claims = claims  # which files of that name the module plans, from their bytes (None: every one)

    def planner(self) -> LockPlanner:
        return importlib.import_module(self.module)


# In the order their plans are made.
FORMATS = (
    LockFormat("package-lock.json", "npm", "codemod.manifests.npmlock"),
    LockFormat("npm-shrinkwrap.json", "npm", "codemod.manifests.npmlock"),
    LockFormat("yarn.lock", "yarn", "codemod.manifests.yarnlock"),  # classic; berry is refused
    LockFormat("pnpm-lock.yaml", "pnpm", "codemod.manifests.pnpmlock"),  # 5.4, 6.0, 9.0; others refused
    LockFormat("bun.lock", "bun", "codemod.manifests.bunlock"),
    LockFormat("bun.lockb", "bun", "codemod.manifests.bunlock"),
)
NAMES = tuple(dict.fromkeys(f.name for f in FORMATS))


def planner_for(name: str, data: bytes | None) -> LockPlanner:
    """The planner of the first row for `name` that claims these bytes."""
    return next(f for f in FORMATS if f.name == name and (
        f.claims is None or (data is not None and f.claims(data)))).planner()


def names_of(manager: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.name for f in FORMATS if f.manager == manager))
