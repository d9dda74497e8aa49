"""The pin on committed lockfiles, as tables: fast (no package manager, no
network, no subprocess).

Each tests/data/locks/<case>/ holds before/ (package files locked by the real
npm, yarn classic or pnpm), after/ (the files the pin changes, as the tool
itself re-locks them; absent when the case is a no-op) and case.json. The
real tools made and checked them with their frozen installs:
tests/data/locks/regenerate.py says how, and regenerates them.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

from checkout import LOCKS
import pytest


def pin_tree(root: Path, mode: str) -> dict[str, bytes]:
    """napi-fix's pin planned in-process on the tree at `root`, nothing
    written: {posix path relative to root: new bytes} of each file it would
    change. The one place this file knows napi-fix's internals."""
    from codemod import engine
    from codemod.edits import apply_edits
    from codemod.options import Options
    from codemod.parallel import Workers
    from codemod.sources.disk import DiskSources

    with Workers(1) as workers:
        report = engine.plan(DiskSources(), [str(root)], Options("pin", mode), workers)
    assert not report.failed, [(r.path, r.error) for r in report.failed]
    return {os.path.relpath(r.path, root).replace(os.sep, "/"): apply_edits(r.original, r.edits)
            for r in report.changed}




def files(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write(root: Path, tree: dict[str, bytes]) -> None:
    for rel, data in tree.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)


def load(folder: Path) -> dict:
    return {**json.loads((folder / "case.json").read_text()), "name": folder.name,
            "before": files(folder / "before"), "after": files(folder / "after")}


CASES = [load(folder) for folder in sorted(LOCKS.iterdir()) if (folder / "case.json").is_file()]


def params(known_failures: bool = False) -> list:
    """One param per case; with known_failures, a case napi-fix gets wrong
    (case.json's `known_failure`, found by the real tool) is a strict xfail."""
    def marks(case: dict):
        if known_failures and case.get("known_failure"):
            return pytest.mark.xfail(strict=True, raises=AssertionError, reason=case["known_failure"])
        return ()

    return [pytest.param(case, id=case["name"], marks=marks(case)) for case in CASES]


def _diff(want: bytes, got: bytes) -> str:
    def lines(data: bytes) -> list[str]:
        return [repr(line)[2:-1] + "\n" for line in data.splitlines(keepends=True)]  # \r and \t shown

    return "".join(difflib.unified_diff(lines(want), lines(got), "after/", "napi-fix", n=1))


def changed_files() -> list:
    return [pytest.param(case["before"][rel], after, id=f"{case['name']}:{rel}")
            for case in CASES for rel, after in case["after"].items()]


def test_every_lockfile_format_is_tabled():
    # An empty or misnamed folder would otherwise just leave the tables short.
    assert all(case["before"] for case in CASES)
    formats = {(case["tool"], case["lockfileVersion"]) for case in CASES}
    assert formats == {("npm", "1"), ("npm", "2"), ("npm", "3"), ("yarn", "1"), ("pnpm", "5.4"), ("pnpm", "6.0"),
                       ("pnpm", "9.0")}


@pytest.mark.parametrize("case", params(known_failures=True))
def test_before_gives_exactly_after(case, tmp_path):
    write(tmp_path, case["before"])
    planned = pin_tree(tmp_path, case["mode"])
    assert sorted(planned) == sorted(case["after"])
    for rel, want in case["after"].items():
        assert planned[rel] == want, f"{rel}:\n{_diff(want, planned[rel])}"


@pytest.mark.parametrize("case", params())
def test_after_tree_plans_nothing(case, tmp_path):
    # Also the already-safe cases, whose after tree is their before tree.
    write(tmp_path, {**case["before"], **case["after"]})
    assert sorted(pin_tree(tmp_path, case["mode"])) == []


@pytest.mark.parametrize("case", params())
def test_fix_twice_plans_nothing_the_second_time(case, tmp_path):
    write(tmp_path, case["before"])
    write(tmp_path, pin_tree(tmp_path, case["mode"]))
    assert sorted(pin_tree(tmp_path, case["mode"])) == []


def _indent(line: bytes) -> bytes:
    return line[: len(line) - len(line.lstrip(b" \t"))]


def _eol(line: bytes) -> bytes:
    return line[len(line.rstrip(b"\r\n")):]


@pytest.mark.parametrize("before, after", changed_files())
def test_only_changed_hunks_differ_and_they_keep_indent_and_line_endings(before, after):
    # The pin replaces values in place: no line is added or removed, and a
    # changed line keeps its own indentation and line ending.
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        assert tag == "replace" and i2 - i1 == j2 - j1, (tag, old[i1:i2], new[j1:j2])
        for a, b in zip(old[i1:i2], new[j1:j2]):
            assert (_indent(b), _eol(b)) == (_indent(a), _eol(a)), (a, b)
