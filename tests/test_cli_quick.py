"""The quick path (codemod/cli_quick.py) answers a plain command line without
typer, byte for byte as typer's path does: each command line runs both ways
on a copy of examples/leaky-addon, and stdout, stderr, the status and the
files written must agree. Whatever the quick path does not read goes to
typer, and a plain dry run never imports typer, click or a YAML parser."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checkout import ROOT
from codemod import cli_quick, engine
from codemod.cli import main

LEAKY = ROOT / "examples" / "leaky-addon"

PLAIN = [
    pytest.param(["--dry-run"], id="dry-run"),
    pytest.param(["--dry-run", "."], id="dry-run-dot"),
    pytest.param(["--dry-run", "--format", "json", "src", "package.json"], id="json-two-paths"),
    pytest.param(["--format=sarif", "--dry-run", "--strategy=both"], id="equals-forms"),
    pytest.param([".", "--dry-run", "--format", "github", "--pin", "rollback"], id="path-first"),
    pytest.param(["--dry-run", "--strategy", "finalize", "--color", "always", "--jobs", "2"], id="color-jobs"),
    pytest.param(["--dry-run", "--jobs", "007", "--patch-vendored", "--package-roots", "src/addon.cc"],
                 id="package-roots"),
    pytest.param(["--dry-run", "missing-folder"], id="missing-path"),
    pytest.param([], id="real-run"),
    pytest.param(["--format", "json", "--force"], id="real-run-json"),
]
TYPERS = [  # typer reads these: help, usage errors, and anything with a second meaning
    pytest.param(["--help"], id="help"),
    pytest.param(["--dry-run", "--format", "yaml"], id="bad-format"),
    pytest.param(["--dry-run", "--format"], id="format-without-value"),
    pytest.param(["--dry-run", "--jobs", "-1"], id="negative-jobs"),
    pytest.param(["--dry-run", "--jobs", "+2"], id="signed-jobs"),
    pytest.param(["--dry-run", "--jobs=two"], id="word-jobs"),
    pytest.param(["--dry-run", "--dry-run"], id="flag-twice"),
    pytest.param(["--dry-run", "--strategy", "pin", "--strategy", "both"], id="value-twice"),
    pytest.param(["--dry-run=yes"], id="flag-with-value"),
    pytest.param(["--dry-run", "--", "-odd"], id="double-dash"),
    pytest.param(["--dry-run", "-"], id="dash"),
    pytest.param(["--dry-run", ""], id="empty-path"),
    pytest.param(["--dry", "."], id="prefix-of-an-option"),
    pytest.param(["--version", "."], id="version-and-path"),
    pytest.param(["-h"], id="short-option"),
]


@pytest.fixture
def addon(tmp_path):
    """A fresh copy of the leaky addon, always at the same path (reports
    name it), so a real run by each path starts from the same files."""
    def copy() -> Path:
        target = tmp_path / "leaky-addon"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(LEAKY, target)
        return target

    return copy


def run(folder: Path, argv: list[str], monkeypatch, capfdbinary, quick: bool) -> tuple:
    monkeypatch.chdir(folder)
    if not quick:
        monkeypatch.setattr(cli_quick, "quick_args", lambda argv: None)
    status = main(list(argv))
    monkeypatch.undo()
    out, err = capfdbinary.readouterr()
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    return status, out, err, files


@pytest.mark.parametrize("argv", PLAIN)
def test_a_plain_command_line_answers_as_typer_does(addon, monkeypatch, capfdbinary, argv):
    assert cli_quick.quick_args(argv) is not None
    by_typer = run(addon(), argv, monkeypatch, capfdbinary, quick=False)
    by_quick = run(addon(), argv, monkeypatch, capfdbinary, quick=True)
    assert by_quick == by_typer
    assert b"Usage:" not in by_quick[2] and b"napi-fix" in by_quick[1] + by_quick[2]  # a run, not a usage message


@pytest.mark.parametrize("argv", TYPERS)
def test_anything_else_is_typers(addon, monkeypatch, capfdbinary, argv):
    assert cli_quick.quick_args(argv) is None
    status, out, err, _ = run(addon(), argv, monkeypatch, capfdbinary, quick=True)
    assert status in (0, 1, 2, 3)
    assert b"Traceback" not in out + err


def test_shell_completion_is_typers(monkeypatch):
    monkeypatch.setenv("_NAPI_FIX_COMPLETE", "complete_bash")
    assert cli_quick.quick_args(["--dry-run"]) is None


@pytest.mark.parametrize("quick", [True, False], ids=["quick", "typer"])
@pytest.mark.parametrize("output", ["text", "json"])
def test_ctrl_c_during_the_analysis_is_130_with_a_message(addon, monkeypatch, capfdbinary, quick, output):
    """Before the quick path typer answered a Ctrl-C in the analysis with
    status 0 and nothing at all, not even JSON under --format json."""
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # what Python's SIGINT handler raises

    monkeypatch.setattr(engine, "plan", interrupted)
    argv = ["--dry-run", "--format", output]
    status, out, err, _ = run(addon(), argv, monkeypatch, capfdbinary, quick=quick)
    assert status == 130
    assert err.endswith(b"napi-fix: interrupted: nothing written\n")
    if output == "json":
        assert json.loads(out)["exit_code"] == 130
    else:
        assert out == b""


def console(folder: Path, *argv: str) -> list[str]:
    return [str(Path(sys.executable).parent / "napi-fix"), *argv, str(folder)]


@pytest.mark.parametrize("argv", [["--dry-run"], ["--dry-run", "--dry-run"]], ids=["quick", "typer"])
def test_a_reader_that_goes_away_is_status_1_without_a_word(addon, argv):
    """`napi-fix --dry-run | head -c0`: the pipe closes before the diff is written."""
    process = subprocess.Popen(console(addon(), *argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()
    err = process.stderr.read()
    assert process.wait() == 1
    assert err == b""


# What a plain dry run of an npm addon never needs: the command-line library,
# YAML, the pool, and importlib.resources (with tempfile and shutil), which
# the grammar packages' __init__ imports for query files napi-fix never reads,
# and pathlib (with urllib.parse and ipaddress).
UNUSED = ('typer', 'click', 'yaml', 'concurrent.futures', 'importlib.resources', 'tempfile', 'shutil', 'pathlib')


def test_a_plain_dry_run_imports_neither_typer_nor_yaml(addon):
    probe = ("import sys; from codemod.cli import main; status = main(sys.argv[1:]); "
             f"print(status, sorted(m for m in {UNUSED!r} if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", probe, "--dry-run", str(addon())],
                           capture_output=True, text=True, check=True).stdout.splitlines()[-1]
    assert found == "1 []"
