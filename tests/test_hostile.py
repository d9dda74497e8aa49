"""Bad input of any kind: a clear message naming file and line on stderr,
exit 2, valid JSON under --format json, never a traceback, never a hang."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codemod.cli import main
from helpers import write_tree
from hostile_trees import PATHS, TREES

SPEC = '{"name": "app", "dependencies": {"node-addon-api": "^8.2.0"}}\n'
PNPM = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      node-addon-api:\n" \
       "        specifier: {spec}\n        version: 8.2.1\n"


def run_both(capfdbinary, root: Path) -> tuple[int, str, dict]:
    """napi-fix as text and as JSON on `root`: (exit status, stderr of the text run, the JSON)."""
    code = main(["--dry-run", str(root)])
    _, err = capfdbinary.readouterr()
    assert main(["--dry-run", "--format", "json", str(root)]) == code
    out, _ = capfdbinary.readouterr()
    for text in (err, out):
        assert b"Traceback" not in text
    return code, err.decode("utf-8", "replace"), json.loads(out)


@pytest.mark.parametrize("files, where, message", [
    *[pytest.param({"package.json": text}, "package.json", f"package.json holds {kind}", id=f"package-json-{kind}")
      for text, kind in (("[]", "an array"), ('"str"', "a string"), ("42", "a number"), ("null", "null"),
                         ("true", "a boolean"))],
    pytest.param({"package.json": SPEC, "package-lock.json": "[]"}, "package-lock.json", "the lockfile holds an array",
                 id="lock-is-an-array"),
    pytest.param({"package.json": "{\n  \"name\": \"app\",\n}\n"}, "package.json", "line 3: invalid JSON",
                 id="invalid-json"),
    pytest.param({"package.json": SPEC, "pnpm-lock.yaml": PNPM.format(spec="^8.2.0") + "\0"}, "pnpm-lock.yaml",
                 "invalid YAML", id="pnpm-nul-byte"),
    pytest.param({"package.json": SPEC, "pnpm-lock.yaml": PNPM.format(spec="[^8.2.0]")}, "pnpm-lock.yaml",
                 "line 6: importer . dependencies: node-addon-api's specifier is not a string", id="pnpm-specifier-list"),
    pytest.param({"package.json": SPEC, "yarn.lock": b"node-addon-api@^8.2.0, M\xfcller:\n  version \"8.2.1\"\n"},
                 "yarn.lock", "line 1: not UTF-8", id="yarn-latin1-header"),
    pytest.param({"package.json": SPEC, "yarn.lock": "<html>this is not a lockfile</html>\n"}, "yarn.lock",
                 "line 1: not a yarn.lock entry header", id="yarn-garbage"),
    pytest.param({"package.json": SPEC, "binding.gyp": "{'targets': [{'target_name': 'a',,]}"}, "binding.gyp",
                 "line 1: invalid GYP", id="gyp-invalid"),
])
def test_bad_input_is_named_with_its_line(tmp_path, capfdbinary, files, where, message):
    write_tree(tmp_path, files)
    code, err, payload = run_both(capfdbinary, tmp_path)
    assert code == 2
    assert f"{tmp_path / where}: error:" in err.replace(os.path.relpath(tmp_path), str(tmp_path)) or where in err
    assert message in err
    failed = {Path(f["path"]).name: f["error"] for f in payload["files"] if f["error"]}
    assert message in failed[where]
    assert payload["summary"]["errors"] >= 1


@pytest.mark.parametrize("value, says", [
    ("null", "null"), ("{}", "an object"), ("8.2", "the float 8.2"), ("[]", "an array")])
def test_a_spec_that_is_not_a_string_is_a_finding(tmp_path, capfdbinary, value, says):
    write_tree(tmp_path, {"package.json": f'{{"name": "a", "dependencies": {{"node-addon-api": {value}}}}}\n'})
    code, err, payload = run_both(capfdbinary, tmp_path)
    assert code == 1  # NAPI005: napi-fix cannot decide, a person must look
    finding = payload["files"][0]["findings"][0]
    assert (finding["kind"], finding["rule"]) == ("manual", "NAPI005")
    assert f"node-addon-api is given {says}, not a version range" in finding["reason"]


def test_engines_that_are_not_a_string_do_not_stop_the_pin(tmp_path, capfdbinary):
    write_tree(tmp_path, {"package.json": '{"name": "a", "engines": {"node": 18}, '
                                          '"dependencies": {"node-addon-api": "^8.2.0"}}\n'})
    code, _, payload = run_both(capfdbinary, tmp_path)
    assert code == 3 and payload["summary"]["files_changed"] == 1  # NAPI002: a pin pending, no lock leaks


def test_json_nested_600_deep_is_read(tmp_path, capfdbinary):
    deep = '{"a": ' * 600 + "1" + "}" * 600
    write_tree(tmp_path, {"package.json": '{"name": "a", "deep": ' + deep + ', "dependencies": '
                                          '{"node-addon-api": "^8.2.0"}}\n'})
    code, _, payload = run_both(capfdbinary, tmp_path)
    assert code == 3 and payload["summary"]["files_changed"] == 1  # NAPI002: a pin pending, no lock leaks


def test_a_folder_name_with_a_newline_is_quoted_as_git_does(tmp_path, capfdbinary):
    pkg = "we\nird\033[31m"
    write_tree(tmp_path, {f"{pkg}/package.json": SPEC})
    os.chdir(tmp_path)
    assert main(["--dry-run", "."]) == 3  # NAPI002 only: a pin pending
    out, err = capfdbinary.readouterr()
    assert b'--- "a/we\\nird\\033[31m/package.json"\n+++ "b/we\\nird\\033[31m/package.json"\n' in out
    assert b"\033" not in err and b"\033" not in out
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q"], check=True)
        subprocess.run(["git", "apply", "--check", "-"], input=out, check=True)
        subprocess.run(["git", "apply", "-"], input=out, check=True)
    assert main(["--dry-run", "."]) == 0  # applied by git: nothing left to do
    capfdbinary.readouterr()


def test_usage_errors_under_json_are_json(capfdbinary):
    assert main(["--format", "json", "--pin", "sideways"]) == 2
    out, err = capfdbinary.readouterr()
    assert json.loads(out)["error"].startswith("usage: Invalid value for --pin")
    assert b"Invalid value for --pin" in err


# -- a hostile tree: every kind of file that is not what it claims ------------


def test_a_hostile_tree_finishes_quickly_and_names_every_problem(tmp_path):
    root = tmp_path / "tree"
    write_tree(root, {"package.json": SPEC, "src/ok.h": "class A : public Napi::ObjectWrap<A> { public: A(); };\n",
                      "node_modules/node-addon-api/napi-inl.h": "// a copy\n"})
    os.mkfifo(root / "src/fifo.h")
    os.mkfifo(root / "node_modules/node-addon-api/package.json")
    os.symlink("/dev/zero", root / "src/zero.h")  # a link: the walk steps over it
    os.symlink(root, root / "src/loop")  # a loop: never followed
    (root / "src/we\nird\033].h").write_text("class B : public Napi::ObjectWrap<B> { public: B(); };\n")
    (root / "src/huge.cc").write_bytes(b"// ObjectWrap\n" + b"int x;\n" * (70 * 2**20 // 7))
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "codemod", "--dry-run", "--strategy", "both", "--format", "json",
                           str(root)], capture_output=True, timeout=120)
    assert time.monotonic() - started < 60
    assert done.returncode == 2, done.stderr.decode()
    assert b"Traceback" not in done.stderr
    payload = json.loads(done.stdout)
    errors = {Path(f["path"]).name: f["error"] for f in payload["files"] if f["error"]}
    assert "a FIFO" in errors["fifo.h"]
    assert "a FIFO" in errors["package.json"]  # the installed copy's
    assert "over the 64 MB limit" in errors["huge.cc"]
    changed = {Path(f["path"]).name for f in payload["files"] if any(x["edits"] for x in f["findings"])}
    assert "we\nird\033].h" in changed or "ok.h" in changed


@pytest.mark.skipif(os.geteuid() == 0 and shutil.which("setpriv") is None,
                    reason="root reads every folder; setpriv drops the capabilities that let it")
def test_an_unreadable_folder_is_reported():
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="napi-fix-unreadable-"))
    write_tree(root, {"package.json": SPEC, "secret/a.h": "// x\n"})
    os.chmod(root / "secret", 0o000)
    # Root is refused the folder once it lacks the two capabilities that
    # bypass permissions, and still reads this checkout wherever it was
    # cloned (another user could not enter a 0700 temporary folder).
    as_refused = (["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else [])
    done = subprocess.run([*as_refused, sys.executable, "-m", "codemod", "--dry-run", str(root)],
                          capture_output=True, cwd="/", timeout=60,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    os.chmod(root / "secret", 0o755)
    shutil.rmtree(root)
    assert done.returncode == 2, done.stderr.decode()
    assert b"secret: error: cannot list: Permission denied" in done.stderr


# -- shapes a repository can hold to stall or stop the run (hostile_trees.py) --


@pytest.mark.parametrize("build", TREES, ids=lambda b: b.__name__)
def test_a_hostile_shape_is_one_files_problem_and_never_the_runs(tmp_path, build):
    """Through the CLI, as a user runs it: quickly, every other package still
    planned, the bad file named with exit 2, and no control character raw."""
    hostile = build(tmp_path)
    paths = PATHS.get(build, (".",))
    outcomes = []
    for fmt in ([], ["--format", "json"]):
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "codemod", "--dry-run", *fmt, *paths], cwd=tmp_path,
                              capture_output=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
        assert time.monotonic() - started < hostile.seconds, build.__name__
        assert b"Traceback" not in done.stderr and b"internal error" not in done.stderr, done.stderr[-2000:]
        assert not re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", done.stdout + done.stderr), (done.stdout + done.stderr)[-2000:]
        outcomes.append(done)
    text, as_json = outcomes
    assert text.returncode == as_json.returncode == (2 if hostile.bad else text.returncode) != 0
    payload = json.loads(as_json.stdout)
    errors = {f["path"]: f["error"] for f in payload["files"] if f["error"]}
    if hostile.bad:
        assert hostile.says in errors[hostile.bad], errors
        assert f"{hostile.bad}: error:".encode() in text.stderr
    else:
        assert not errors, errors
        reasons = [f"{x['class']}: {x['reason']}" for f in payload["files"] for x in f["findings"]]
        assert any(hostile.says in r for r in reasons), reasons
        assert hostile.says.encode() in text.stderr
    planned = {f["path"] for f in payload["files"] if any(x["edits"] for x in f["findings"])}
    assert hostile.survivor in planned, payload["files"]
