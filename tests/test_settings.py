"""The package.json "napi-fix" settings and the ignore comment: the reader as
a table, then the same tree through the CLI and `napi-fix batch --dry-run`
on a real git checkout (the server: test_lsp_hover.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cases
from batch_repos import git
from codemod import settings
from codemod.cli import main
from helpers import copy_example, fix, plan, write_tree


def manifest(key) -> bytes:
    return json.dumps({"name": "x", "napi-fix": key}, indent=2).encode()


@pytest.mark.parametrize("key, strategy, pin, ignore, exclude", [
    pytest.param({}, None, None, set(), None, id="empty"),
    pytest.param({"strategy": "both"}, "both", None, set(), None, id="strategy"),
    pytest.param({"pin": "rollback"}, None, "rollback", set(), None, id="pin"),
    pytest.param({"ignore": ["NAPI004", "NAPI002"]}, None, None, {"NAPI004", "NAPI002"}, None, id="ignore"),
    pytest.param({"exclude": ["gen/", "*.inl"]}, None, None, set(), ("gen/", "*.inl"), id="exclude"),
])
def test_the_key_is_read(key, strategy, pin, ignore, exclude):
    found = settings.parse(manifest(key), "/p/package.json")
    assert (found.strategy, found.pin_mode, set(found.ignore)) == (strategy, pin, ignore)
    assert (found.exclude.patterns if found.exclude else None) == exclude


NO_SETTINGS = [
    pytest.param(b'{"name": "x"}', id="no key"),
    pytest.param(b'{"name": "napi-fix"}', id="a value, not the key"),
    pytest.param(b'{"name": "x", "napi-fix": ', id="invalid JSON: the planner reports it"),
]


@pytest.mark.parametrize("data", NO_SETTINGS)
def test_no_settings(data):
    assert settings.parse(data, "package.json") == settings.Settings()


@pytest.mark.parametrize("text, line, words", [
    pytest.param('{\n  "napi-fix": ["pin"]\n}', 2, "must be an object", id="not an object"),
    pytest.param('{\n  "napi-fix": {\n    "strategy": "fast"\n  }\n}', 3, "'fast' is not one of", id="strategy"),
    pytest.param('{\n  "napi-fix": {\n    "pin": 1\n  }\n}', 3, "pin: 1 is not one of", id="pin"),
    pytest.param('{\n  "napi-fix": {\n\n    "ignore": ["NAPI009"]\n  }\n}', 4, "NAPI009 is not a rule",
                 id="unknown rule"),
    pytest.param('{\n  "napi-fix": {\n    "exclude": "gen/"\n  }\n}', 3, "list of strings", id="exclude"),
    pytest.param('{\n  "napi-fix": {\n    "strategyy": "pin"\n  }\n}', 3, "unknown key(s) strategyy", id="typo"),
])
def test_wrong_settings_name_file_and_line(text, line, words):
    with pytest.raises(settings.BadSettings) as caught:
        settings.parse(text.encode(), "pkg/package.json")
    assert caught.value.line == line and words in str(caught.value)
    assert str(caught.value).startswith(f"pkg/package.json:{line}: ")


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8)
                    | st.sampled_from(["pin", "both", "NAPI004", "gen/"]),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from([*settings.FIELDS, "x"]), inner, max_size=4), max_leaves=8)


@given(JSON)
def test_any_value_is_read_or_refused_with_a_line(key):
    """Whatever a package.json holds under the key: settings, or BadSettings naming the line; never a crash."""
    data = manifest(key)
    try:
        found = settings.parse(data, "package.json")
    except settings.BadSettings as exc:
        assert 1 <= exc.line <= data.count(b"\n") + 1
    else:
        assert found.strategy in (None, "pin", "finalize", "both") and found.ignore <= {"NAPI004"}


@pytest.mark.parametrize("text, marks", [
    pytest.param(b"// napi-fix: ignore NAPI004\nclass A", {1: {"NAPI004"}}, id="one rule"),
    pytest.param(b"x;\nclass A {  // napi-fix: ignore\n", {2: {settings.ALL}}, id="bare: every rule"),
    pytest.param(b"/* napi-fix: ignore NAPI004, NAPI005 */", {1: {"NAPI004", "NAPI005"}}, id="block, two"),
    pytest.param(b"//napi-fix:ignore NAPI004", {1: {"NAPI004"}}, id="no spaces"),
    pytest.param(b"// napi-fix: ignored\n// napi-fix NAPI004\n// eslint-disable", {}, id="not ours"),
])
def test_ignore_comments(text, marks):
    assert {line: set(codes) for line, codes in settings.ignore_comments(text).items()} == marks


DECL = f"  {cases.DECL}\n"
A = "class A : public Napi::ObjectWrap<A> {\n public:\n  A();\n};\n"
B = "class B : public Napi::ObjectWrap<B> {\n public:\n  B();\n};\n"


def fixed_a(text: str) -> str:
    return text.replace("  A();\n", "  A();\n" + DECL)


@pytest.mark.parametrize("before, after", [
    pytest.param(A + B, fixed_a(A) + B.replace("  B();\n", "  B();\n" + DECL), id="no comment: both"),
    pytest.param(A + "// napi-fix: ignore NAPI004\n" + B, fixed_a(A) + "// napi-fix: ignore NAPI004\n" + B,
                 id="the line above: that class only"),
    pytest.param(A + B.replace("{", "{  // napi-fix: ignore", 1), fixed_a(A) + B.replace("{", "{  // napi-fix: ignore", 1),
                 id="bare, on the head line"),
    pytest.param(A + "// napi-fix: ignore NAPI005\n" + B, fixed_a(A) + "// napi-fix: ignore NAPI005\n"
                 + B.replace("  B();\n", "  B();\n" + DECL), id="another rule: still fixed"),
    pytest.param(A + "// napi-fix: ignore NAPI004\n\n" + B, fixed_a(A) + "// napi-fix: ignore NAPI004\n\n"
                 + B.replace("  B();\n", "  B();\n" + DECL), id="two lines above: too far"),
])
def test_an_ignore_comment_keeps_its_class_as_it_is(before, after):
    assert fix(before).decode() == after  # fix() also holds a second run to no change


def test_suppressed_findings_are_counted(tmp_path):
    write_tree(tmp_path, {"a.h": "// napi-fix: ignore\n" + A + "// napi-fix: ignore NAPI004\n" + B})
    report = plan([tmp_path], "finalize")
    assert report.suppressed == 2 and not report.changed
    assert all(f.rule is None for r in report.files for f in r.findings)


# -- one tree, every front-end -------------------------------------------------------

SETTINGS = {"strategy": "both", "exclude": ["src/timer.h"]}


def project(dest: Path, key=SETTINGS, comment: str = "// napi-fix: ignore NAPI004\n") -> Path:
    """leaky-addon with a "napi-fix" key and an ignore comment above class Counter."""
    copy_example("leaky-addon", dest)
    data = json.loads((dest / "package.json").read_text())
    (dest / "package.json").write_text(json.dumps({**data, "napi-fix": key}, indent=2) + "\n")
    header = dest / "src" / "counter.h"
    header.write_text(header.read_text().replace("class Counter ", comment + "class Counter ", 1))
    return dest


def cli_json(root: Path, *flags: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "codemod", "--dry-run", "--format", "json", *flags, "."],
                          cwd=root, capture_output=True, text=True)
    assert done.returncode in (0, 1, 3), done.stderr
    return json.loads(done.stdout)


def classes(payload: dict) -> dict[str, set[str]]:
    """Files -> the classes of their NAPI004 findings."""
    found: dict[str, set[str]] = {}
    for result in payload["files"]:
        for f in result["findings"]:
            if f["rule"] == "NAPI004":
                found.setdefault(result["path"], set()).add(f["class"])
    return found


def test_the_cli_follows_the_key_and_the_comment(tmp_path):
    payload = cli_json(project(tmp_path / "p"))
    assert payload["strategy"] == "both"  # from package.json
    # Counter: ignored by its comment; Timer: in an excluded file; Point remains.
    assert classes(payload) == {"src/point.h": {"leaky::Point"}}
    assert payload["summary"]["suppressed"] == 1
    assert not any(e for r in payload["files"] if r["path"] == "src/counter.h" for f in r["findings"]
                   for e in f["edits"])


def test_a_flag_wins_over_the_key(tmp_path):
    payload = cli_json(project(tmp_path / "p"), "--strategy", "pin")
    assert payload["strategy"] == "pin"
    assert payload["summary"]["files_changed"] == 2  # package.json and its lock only


def test_without_the_comment_the_class_is_a_finding(tmp_path):
    payload = cli_json(project(tmp_path / "p", comment=""))
    assert classes(payload) == {"src/counter.h": {"leaky::Counter"}, "src/point.h": {"leaky::Point"}}
    assert payload["summary"]["suppressed"] == 0


@pytest.mark.parametrize("ignored, files_changed, remaining", [
    pytest.param(["NAPI001"], 1, {"NAPI004"}, id="the pin's rule: no edit of the root"),
    pytest.param(["NAPI004"], 2, {"NAPI001"}, id="the hints: the pin stays"),
    pytest.param(["NAPI001", "NAPI004"], 0, set(), id="both"),
])
def test_ignored_rules_take_their_edits_with_them(tmp_path, ignored, files_changed, remaining):
    payload = cli_json(project(tmp_path / "p", {"strategy": "both", "ignore": ignored}, comment=""),
                       "--strategy", "both")
    rules = {f["rule"] for r in payload["files"] for f in r["findings"] if f["rule"]}
    assert rules == remaining
    changed = {r["path"] for r in payload["files"] for f in r["findings"] if f["edits"]}
    assert len([p for p in changed if not p.startswith("src/")]) == (2 if "NAPI001" not in ignored else 0)
    assert payload["summary"]["files_changed"] == files_changed + (0 if "NAPI004" in ignored else 2)


def test_wrong_settings_are_bad_input(tmp_path):
    root = project(tmp_path / "p", {"strategy": "fast"})
    done = subprocess.run([sys.executable, "-m", "codemod", "--format", "json", "."], cwd=root,
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "package.json:" in done.stderr and "'fast' is not one of" in done.stderr
    assert "error" in json.loads(done.stdout)
    assert '"node-addon-api": "^8.2.0"' in (root / "package.json").read_text()  # nothing written


def test_batch_follows_the_same_settings(tmp_path, monkeypatch):
    root = project(tmp_path / "repo")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "addon with napi-fix settings")
    expected = subprocess.run([sys.executable, "-m", "codemod", "--dry-run", "."], cwd=root,
                              capture_output=True).stdout
    monkeypatch.chdir(tmp_path)
    assert main(["batch", "--dry-run", "--patch-dir", "patches", str(root)]) in (1, 3)  # would fix
    patch, = (tmp_path / "patches").glob("*.patch")
    assert patch.read_bytes() == expected  # the CLI's diff in the repository
    text = patch.read_text()
    assert "src/point.h" in text and "src/counter.h" not in text and "src/timer.h" not in text


def test_a_flag_wins_over_the_key_in_batch(tmp_path, monkeypatch):
    root = project(tmp_path / "repo")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "addon with napi-fix settings")
    monkeypatch.chdir(tmp_path)
    assert main(["batch", "--dry-run", "--strategy", "pin", "--patch-dir", "patches", str(root)]) in (1, 3)  # would fix
    patch, = (tmp_path / "patches").glob("*.patch")
    assert "src/point.h" not in patch.read_text()
    assert os.path.exists(root / "src" / "point.h")


def run_json(root: Path, *args: str) -> tuple[int, dict]:
    done = subprocess.run([sys.executable, "-m", "codemod", "--dry-run", "--format", "json", *args], cwd=root,
                          capture_output=True, text=True)
    return done.returncode, json.loads(done.stdout)


def member_tree(root: Path, member_key=None) -> Path:
    member = {"name": "a"} | ({"napi-fix": member_key} if member_key is not None else {})
    write_tree(root, {"package.json": json.dumps({"name": "root", "napi-fix": {"ignore": ["NAPI004"]}}),
                      "packages/a/package.json": json.dumps(member),
                      "packages/a/a.h": A, "packages/b/package.json": json.dumps({"name": "b"}),
                      "packages/b/b.h": B})
    (root / ".git").mkdir()  # the checkout's root: no settings are read above it
    return root


def test_a_member_without_a_key_follows_its_root(tmp_path):
    root = member_tree(tmp_path / "repo")
    code, payload = run_json(root, "--strategy", "finalize", "packages/a")
    assert payload["summary"]["suppressed"] == 1 and payload["summary"]["files_changed"] == 0
    code, payload = run_json(root, "--strategy", "finalize", "packages/a", "packages/b")  # the same settings
    assert code != 2 and payload["summary"]["suppressed"] == 2


def test_paths_with_different_settings_are_refused(tmp_path):
    root = member_tree(tmp_path / "repo", member_key={"ignore": []})
    code, payload = run_json(root, "--strategy", "finalize", "packages/a")
    assert code in (1, 3) and payload["summary"]["suppressed"] == 0  # its own key wins over the root's
    code, payload = run_json(root, "packages/b", "packages/a")
    assert code == 2 and "settings differ" in payload["error"]
