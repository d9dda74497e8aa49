"""One lockfile interface: every format in manifests/locks.py's table is a
LockPlanner, and the pin planner and the leak verdicts reach each lock only
through that table.

Each row is a lockfile name with a real lock of that name (tests/data/locks,
written by npm, yarn 1 and pnpm 7-9; bun 1.4.5's from test_lock_formats).
The registered planner is swapped for a spy that records its calls and
hands back what the real one says: the run must ask it, once, with the
lock's own bytes, and say exactly what it said without the spy."""

from __future__ import annotations

import builtins
import inspect
import io
import os
import sys
import types
from pathlib import Path

import pytest

from codemod.manifests import locks
from codemod.manifests.lockplan import LockPlan, LockSource, Pins, Refusal
from codemod.results import Finding
from helpers import plan, write_tree
from test_lock_formats import BUN_LOCK, SPEC
from test_lock_tables import LOCKS, files

BUN_LOCKB = b"#!/usr/bin/env bun\nbun-lockfile-format-v0\n\0\x02node-addon-api"


def case(name: str, folder: str | None = None, rename: str | None = None) -> dict[str, bytes]:
    tree = files(LOCKS / folder / "before") if folder else {"package.json": SPEC.encode()}
    if rename:
        tree[name] = tree.pop(rename)
    return tree


# lockfile name -> a tree holding a real lock of that name (and its package.json)
ROWS = [
    pytest.param("package-lock.json", case("package-lock.json", "npm-v1-direct"), id="npm-v1"),
    pytest.param("package-lock.json", case("package-lock.json", "npm-v3-transitive"), id="npm-v3"),
    pytest.param("npm-shrinkwrap.json", case("npm-shrinkwrap.json", "npm-v2-direct", "package-lock.json"),
                 id="npm-shrinkwrap"),
    pytest.param("yarn.lock", case("yarn.lock", "yarn-classic-workspace"), id="yarn-classic"),
    pytest.param("pnpm-lock.yaml", case("pnpm-lock.yaml", "pnpm-v5-direct"), id="pnpm-5.4"),
    pytest.param("pnpm-lock.yaml", case("pnpm-lock.yaml", "pnpm-v6-workspace"), id="pnpm-6.0"),
    pytest.param("pnpm-lock.yaml", case("pnpm-lock.yaml", "pnpm-v9-direct"), id="pnpm-9.0"),
    pytest.param("bun.lock", {**case("bun.lock"), "bun.lock": BUN_LOCK.encode()}, id="bun-text"),
    pytest.param("bun.lockb", {**case("bun.lockb"), "bun.lockb": BUN_LOCKB}, id="bun-binary"),
]


def test_every_lockfile_name_has_a_row_here():
    assert {p.values[0] for p in ROWS} == set(locks.NAMES)


@pytest.mark.parametrize("lock_format", locks.FORMATS, ids=lambda f: f.name)
def test_every_registered_planner_is_a_lock_planner(lock_format):
    planner = lock_format.planner()
    assert isinstance(planner, locks.LockPlanner)
    assert isinstance(planner.EDITS_LOCK, bool)
    assert list(inspect.signature(planner.plan).parameters) == ["lock", "pins"]
    assert list(inspect.signature(planner.dependents).parameters) == ["data"]


def test_discovery_the_pin_planner_and_the_leak_verdicts_spell_no_lockfile_name_of_their_own():
    from codemod import discover, leaks
    from codemod.manifests import plan as pin_planner

    assert discover.LOCKFILES == locks.NAMES
    for module in (pin_planner, leaks):
        source = Path(inspect.getsourcefile(module)).read_text()
        assert [name for name in locks.NAMES if name in source] == []


class Spy:
    """A lock format's module that records each call and answers as `real` does."""

    def __init__(self, real):
        self.real = real
        self.EDITS_LOCK = real.EDITS_LOCK
        self.calls: list[tuple[LockSource, Pins]] = []
        self.read: list[bytes] = []  # what `dependents` was asked about

    def plan(self, lock: LockSource, pins: Pins) -> LockPlan:
        self.calls.append((lock, pins))
        return self.real.plan(lock, pins)

    def dependents(self, data: bytes):
        self.read.append(data)
        return self.real.dependents(data)


def spy_on(monkeypatch, name: str, claims=None) -> Spy:
    """Put a spy in front of `name`'s planner: a row of its own (claiming
    what `claims` claims) before the registered one."""
    row = next(f for f in locks.FORMATS if f.name == name)
    spy = Spy(row.planner())
    monkeypatch.setitem(sys.modules, "spy_lock_planner", types.SimpleNamespace(
        EDITS_LOCK=spy.EDITS_LOCK, plan=spy.plan, dependents=spy.dependents))
    monkeypatch.setattr(locks, "FORMATS", (locks.LockFormat(name, row.manager, "spy_lock_planner", claims),)
                        + locks.FORMATS)
    return spy


@pytest.mark.parametrize("name, tree", ROWS)
def test_the_pin_planner_asks_the_registered_planner_of_each_lock(monkeypatch, tmp_path, name, tree):
    write_tree(tmp_path, tree)
    unwatched = plan([tmp_path])
    spy = spy_on(monkeypatch, name)
    assert plan([tmp_path]) == unwatched
    [(lock, pins)] = spy.calls
    assert (lock.path, lock.data) == (str(tmp_path / name), tree[name])
    assert (pins.folder, pins.mode) == (str(tmp_path), "upgrade")


def test_a_lockfile_version_with_a_module_of_its_own_is_one_row(monkeypatch, tmp_path):
    # A row before pnpm's claims the 9.0 locks: they go to it, the others still to pnpmlock.
    write_tree(tmp_path / "v9", case("pnpm-lock.yaml", "pnpm-v9-direct"))
    write_tree(tmp_path / "v6", case("pnpm-lock.yaml", "pnpm-v6-direct"))
    spy = spy_on(monkeypatch, "pnpm-lock.yaml", claims=lambda data: b"lockfileVersion: '9.0'" in data)
    report = plan([tmp_path / "v9", tmp_path / "v6"])
    assert [lock.path for lock, _ in spy.calls] == [str(tmp_path / "v9" / "pnpm-lock.yaml")]
    assert {os.path.relpath(r.path, tmp_path) for r in report.changed} >= {"v6/pnpm-lock.yaml", "v9/pnpm-lock.yaml"}


def _no_io(*args, **kwargs):
    raise AssertionError(f"a lock planner did I/O: {args}")


@pytest.mark.parametrize("name, tree", ROWS)
def test_a_planner_is_pure(monkeypatch, name, tree):
    planner = locks.planner_for(name, tree[name])
    pins = Pins("/app", "upgrade", renames={"/app": {"^8.2.0": "^8.2.2"}})
    source = LockSource(f"/app/{name}", tree[name])
    first = planner.plan(source, pins)
    for what in (builtins, io):
        monkeypatch.setattr(what, "open", _no_io)
    monkeypatch.setattr(os, "open", _no_io)
    assert planner.plan(source, pins) == first
    assert all(edit.path == source.path and 0 <= edit.start <= edit.end <= len(tree[name])
               for finding in first.findings for edit in finding.edits)


YARN_CLASSIC = files(LOCKS / "yarn-classic-direct" / "before")["yarn.lock"]
PNPM_9 = files(LOCKS / "pnpm-v9-direct" / "before")["pnpm-lock.yaml"]
NPM_3 = files(LOCKS / "npm-v3-direct" / "before")["package-lock.json"]
BERRY = b'__metadata:\n  version: 8\n\n"node-addon-api@npm:^8.2.0":\n  version: 8.2.1\n  resolution: "node-addon-api@npm:8.2.1"\n'
REFUSED = [
    pytest.param("package-lock.json", NPM_3, Pins("/app", "upgrade", declared={"/app": {
        ("dependencies", "node-addon-api"): "^9.0.0"}}), "npm install", id="npm-not-regenerated"),
    # A refusal of one entry carries its span (the version it could not move).
    pytest.param("package-lock.json", NPM_3.replace(b'"^8.2.0"', b'"file:naa.tgz"'), Pins("/app", "upgrade", declared={
        "/app": {("dependencies", "node-addon-api"): "file:naa.tgz"}}), "npm install node-addon-api@^8.2.2",
        id="npm-file-spec"),
    pytest.param("yarn.lock", BERRY, Pins("/app", "upgrade"), "yarn up node-addon-api@^8.2.2", id="yarn-berry"),
    pytest.param("yarn.lock", YARN_CLASSIC, Pins("/app", "upgrade", renames={"/app": {"^8.2.0": "8.2.1"}}),
                 "yarn upgrade node-addon-api@^8.2.2", id="yarn-no-safe-release"),
    pytest.param("pnpm-lock.yaml", PNPM_9.replace(b"'9.0'", b"'4.0'"), Pins("/app", "upgrade"),
                 "pnpm update node-addon-api@^8.2.2", id="pnpm-unknown-version"),
    pytest.param("pnpm-lock.yaml", PNPM_9 + b"x: &a 1\ny: *a\n", Pins("/app", "upgrade"),
                 "pnpm install --lockfile-only", id="pnpm-anchor"),
    pytest.param("bun.lock", BUN_LOCK.encode(), Pins("/app", "upgrade"), "bun update node-addon-api", id="bun"),
]


@pytest.mark.parametrize("name, data, pins, command", REFUSED)
def test_a_refusal_is_napi005_and_names_the_command_to_run(name, data, pins, command):
    planned = locks.planner_for(name, data).plan(LockSource(f"/app/{name}", data), pins)
    assert planned.refusals
    for refusal in planned.refusals:
        assert isinstance(refusal, Refusal) and refusal.command == command and command in refusal.reason
        # Reported where the refusal says, as it says it, nothing to apply.
        assert refusal.finding() == Finding(f"/app/{name}", refusal.line, 1, "manual", refusal.subject, "",
                                            refusal.reason, rule="NAPI005", span=refusal.span, command=command)


@pytest.mark.parametrize("manager, names", [
    ("npm", ("package-lock.json", "npm-shrinkwrap.json")),  # the repoint declares node-addon-api in both
    ("yarn", ("yarn.lock",)), ("pnpm", ("pnpm-lock.yaml",)), ("bun", ("bun.lock", "bun.lockb")), ("berry", ()),
])
def test_each_tool_names_the_lockfiles_it_writes(manager, names):
    assert locks.names_of(manager) == names
