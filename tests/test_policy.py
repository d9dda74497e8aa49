"""Each write policy at its one home: scope.py (nothing outside the paths
given is edited), withhold.py (files planned together are written together),
rules.unreadable (the words saying nothing was planned). The engine and
apply.py both call scope.py; the root planner and the engine both call
withhold.py: these tests hold each home to its rule, whoever calls it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codemod.apply import apply_report
from codemod.edits import Edit
from codemod.merge import merge_file
from codemod.results import MISSING_OVERRIDE, PIN, FileResult, Finding, Report
from codemod.rules import NOTHING_PLANNED
from codemod.scope import OUTSIDE, Scope
from codemod.withhold import NOT_PLANNED, withhold_broken_units
from helpers import copy_example, plan, write_tree


@pytest.mark.parametrize("given, brought, path, admitted", [
    pytest.param(["a"], [], "a/x.h", True, id="below"),
    pytest.param(["a"], [], "a", True, id="the-path-itself"),
    pytest.param(["a"], [], "ab/x.h", False, id="a-name-that-only-begins-alike"),
    pytest.param(["a"], [], "b/x.h", False, id="a-sibling"),
    pytest.param(["a/package.json"], ["a/package-lock.json"], "a/package-lock.json", True, id="brought-beside"),
    pytest.param(["a/package.json"], [], "a/package-lock.json", False, id="not-brought"),
    pytest.param(["a"], [], "a/link/x.h", False, id="through-a-link-out"),
    pytest.param(["b"], [], "a/link/x.h", True, id="through-a-link-to-a-given-folder"),
])
def test_the_scope_is_the_paths_given_where_they_really_are(tmp_path, monkeypatch, given, brought, path, admitted):
    write_tree(tmp_path, {"a/x.h": "", "b/x.h": "", "ab/x.h": ""})
    os.symlink(tmp_path / "b", tmp_path / "a/link")
    monkeypatch.chdir(tmp_path)
    assert Scope(given, brought).admits(path) is admitted


def test_a_path_no_file_can_have_admits_nothing_and_nothing_lands_in_it(tmp_path):
    scope = Scope([str(tmp_path / "a\0b"), str(tmp_path / "ok")])
    assert scope.outside([str(tmp_path / "a\0b" / "x.h"), str(tmp_path / "ok" / "x.h")]) == [
        str(tmp_path / "a\0b" / "x.h")]


@pytest.mark.parametrize("where", ["elsewhere/x.h", "given/link/x.h"], ids=["a-sibling", "through-a-link"])
def test_apply_refuses_an_edit_outside_the_paths_even_in_a_report_the_engine_did_not_make(tmp_path, where):
    """apply.py is the last step before the writer: a report made by other
    hands (the engine, which refuses these too, bypassed) writes nothing outside."""
    write_tree(tmp_path, {"elsewhere/x.h": "class X {};\n", "given/y.h": "class Y {};\n"})
    os.symlink(tmp_path / "elsewhere", tmp_path / "given/link")
    path = str(tmp_path / where)
    data = Path(path).read_bytes()
    finding = Finding(path, 1, 1, MISSING_OVERRIDE, "X", "", "no Finalize", (Edit(path, 0, 0, b"// x\n"),))
    report = Report("finalize", (merge_file(path, data, [finding], path),))
    assert report.changed  # the edit is there to be written
    applied = apply_report(report, (str(tmp_path / "given"),))
    assert [r.error for r in applied.report.failed] == [OUTSIDE]
    assert applied.written == ()
    assert Path(path).read_bytes() == data


def test_a_root_with_a_lock_it_cannot_read_plans_nothing(tmp_path):
    """The root planner withholds its own root (withhold.py): the package.json
    pin is reported but not planned, and the lock's error says why."""
    root = copy_example("leaky-addon", tmp_path / "addon")
    lock = root / "package-lock.json"
    lock.write_bytes(lock.read_bytes()[:-3])  # cut short: invalid JSON
    files = {os.path.basename(r.path): r for r in plan([root]).files}
    assert files["package-lock.json"].error.endswith(NOTHING_PLANNED)
    pins = [f for f in files["package.json"].findings if f.reason.endswith(NOT_PLANNED)]
    assert pins and not any(f.edits for f in files["package.json"].findings)
    assert not files["package.json"].edits


def _result(path: str, unit: str, error: str | None = None) -> FileResult:
    data = b'{"version": "1"}\n'  # valid JSON before and after: merge checks a manifest's edits give JSON
    finding = Finding(path, 1, 1, PIN, "version", "", "pin it", (Edit(path, 13, 14, b"2"),))
    if error is not None:
        return FileResult(path, (finding,), error=error, unit=unit)
    return merge_file(path, data, [finding], unit)


@pytest.mark.parametrize("results, withheld", [
    pytest.param([("r/package.json", "r", None), ("r/package-lock.json", "r", "refused: outside the paths given")],
                 {"r/package.json"}, id="a-unit-with-a-failed-file"),
    pytest.param([("r/package.json", "r", None), ("s/package.json", "s", "line 1: bad")], set(),
                 id="another-unit-failed"),
    pytest.param([("a.h", "a.h", None), ("b.h", "b.h", "changed while napi-fix was reading it")], set(),
                 id="a-cpp-file-is-its-own-unit"),
    pytest.param([("r/package.json", "r", None), ("r/yarn.lock", "r", None)], set(), id="nothing-failed"),
])
def test_a_unit_is_written_whole_or_not_at_all(results, withheld):
    made = {path: _result(path, unit, error) for path, unit, error in results}
    assert all(r.edits for r in made.values() if r.error is None)
    after = withhold_broken_units(dict(made))
    for path, result in after.items():
        if path in withheld:
            assert not result.edits and result.original is None
            assert all(f.reason.endswith(NOT_PLANNED) and not f.edits for f in result.findings)
        else:
            assert result == made[path]  # untouched, a failed file's own result too
