"""What a lock planner takes and returns (the planners: manifests/locks.py).

Each package manager spells its lock differently (npm's JSON, yarn
classic's own syntax, pnpm's YAML, bun's files napi-fix does not edit), but
the pin asks every lock the same question: given what the root's
package.json (and pnpm-workspace.yaml) now say about node-addon-api, how
does this lock move with it? Every planner takes a `LockSource` and the
`Pins`, and answers with a `LockPlan`: what moves (findings carrying their
`Edit`s) and what cannot (refusals: the reason, and the command a person
runs instead; one refusal leaves the whole root untouched, so package.json
never goes out of step with its lock).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

from codemod.manifests.jsonspan import loads
from codemod.results import MANUAL, Finding
from codemod.rules import NEEDS_PERSON

Key = tuple[str, str]  # (dependency field, the name node-addon-api is installed under)
# What a lock says of the packages it installs, for the leak verdicts when
# node_modules is not there (leaks.py): install path as npm keys it
# ("node_modules/a", "node_modules/a/node_modules/b") -> (depends on
# node-addon-api, built from source at install).
Installs = dict[str, tuple[bool, bool]]


@dataclass(frozen=True)
class LockSource:
    """One lockfile as read: its bytes, or why it could not be read."""

    path: str
    data: bytes | None
    problem: str | None = None  # why `data` is None
    # How JSON is parsed here: jsonspan.loads, or the editor's memo of the
    # last parses of large locks (jsonreparse.Parses.loads), which returns the same.
    parse: Callable = loads


@dataclass(frozen=True)
class Pins:
    """What the root says about node-addon-api after the pin, seen from one
    lock's folder. Package folders are the root's own (as in the paths);
    each planner takes the ones at or below `folder`."""

    folder: str  # the lock's folder
    mode: str  # --pin upgrade | rollback
    # package folder -> {(field, name): new spec}, under every name it is installed as (aliases too)
    names: Mapping[str, Mapping[Key, str]] = field(default_factory=dict)
    # package folder -> {(field, name): spec as written}: what a lock's copies of the specs must equal
    declared: Mapping[str, Mapping[Key, str]] = field(default_factory=dict)
    # package folder -> {field: new spec} of node-addon-api under its own name
    fields: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # package folder -> {old spec: new spec}, every spec the pin rewrote (overrides and aliases too)
    renames: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # pnpm's overrides of this folder (package.json pnpm.overrides, pnpm-workspace.yaml): key -> new value
    overrides: Mapping[str, str] = field(default_factory=dict)
    # pnpm-workspace.yaml's catalogs: name -> new spec; None when that file could not be read
    catalogs: Mapping[str, str] | None = field(default_factory=dict)
    # Does anything else in the root move? Known to the planners asked last (EDITS_LOCK False).
    moving: bool = False


@dataclass(frozen=True)
class Refusal:
    """A lock napi-fix cannot move right: reported as NAPI005 with the
    command to run, and nothing of the root is written."""

    path: str
    line: int
    subject: str
    reason: str  # the whole sentence shown; it names `command`
    command: str  # what a person runs instead
    span: tuple[int, int] | None = None

    def finding(self) -> Finding:
        return Finding(self.path, self.line, 1, MANUAL, self.subject, "", self.reason, rule=NEEDS_PERSON.id,
                       span=self.span, command=self.command)


@dataclass(frozen=True)
class LockPlan:
    """What one lock does with the pins."""

    findings: tuple[Finding, ...] = ()  # each lock change, with its edits
    refusals: tuple[Refusal, ...] = ()  # any one of them leaves the root untouched
    # npm: parents whose own range admits only leaky releases -> the release
    # an override in package.json must force for each (packagejson.plan_overrides).
    overrides: tuple[tuple[str, str], ...] = ()
