"""`napi-fix batch`'s command line (codemod/batch/cli.py, typer): every
option parsed to what the run reads, with its default; usage errors exit 2
naming the option, on stderr after a `usage:` line, and as one JSON line
under --format json; merge and status as subcommands. Nothing here clones
or runs a batch (tests/test_batch_*.py do)."""

from __future__ import annotations

import json

import pytest
from click.exceptions import NoSuchOption

from codemod.batch.cli import parse
from codemod.batch.config import DEFAULT_BRANCH
from codemod.cli import main

DEFAULTS = {
    "repos": [], "from_file": None, "under": None, "strategy": None, "pin": None, "patch_vendored": False,
    "dry_run": False, "commit": False, "branch": DEFAULT_BRANCH, "conflict": "skip", "no_verify": False,
    "verify": None, "push": False, "remote": "origin", "fork": False, "open_pr": False, "message": None,
    "pr_title": None, "pr_body": None, "signoff": False, "draft": False, "label": [], "reviewer": [],
    "assignee": [], "commit_hygiene_only": False, "max_pushes": None, "canary": None, "timeout": None,
    "patch_dir": None, "ledger": None, "resume": False, "only": None, "shard": None, "jobs": 0, "output": "text",
}


def test_every_option_has_its_default():
    verb, args = parse([])
    assert verb is None and vars(args) == DEFAULTS


@pytest.mark.parametrize("argv, given", [
    pytest.param(["a", "b"], {"repos": ["a", "b"]}, id="repos"),
    pytest.param(["--", "merge"], {"repos": ["merge"]}, id="a-checkout-named-merge"),
    pytest.param(["--from", "list.txt", "--under", "dir"], {"from_file": "list.txt", "under": "dir"}, id="inputs"),
    pytest.param(["--strategy", "both", "--pin=rollback", "--patch-vendored"],
                 {"strategy": "both", "pin": "rollback", "patch_vendored": True}, id="fix-options"),
    pytest.param(["--commit", "--branch", "b", "--conflict", "replace", "--no-verify", "--verify", "make test"],
                 {"commit": True, "branch": "b", "conflict": "replace", "no_verify": True, "verify": "make test"},
                 id="commit"),
    pytest.param(["--push", "--remote", "up", "--fork", "--open-pr"],
                 {"push": True, "remote": "up", "fork": True, "open_pr": True}, id="push"),
    pytest.param(["--message", "@m.txt", "--pr-title", "t", "--pr-body", "b", "--signoff", "--draft"],
                 {"message": "@m.txt", "pr_title": "t", "pr_body": "b", "signoff": True, "draft": True}, id="text"),
    pytest.param(["--label", "a", "--label", "b", "--reviewer", "r", "--assignee", "s"],
                 {"label": ["a", "b"], "reviewer": ["r"], "assignee": ["s"]}, id="repeated"),
    pytest.param(["--commit-hygiene-only", "--max-pushes", "2", "--canary", "1", "--timeout", "1.5"],
                 {"commit_hygiene_only": True, "max_pushes": 2, "canary": 1, "timeout": 1.5}, id="pacing"),
    pytest.param(["--patch-dir", "p", "--ledger", "l.jsonl", "--resume", "--only", "failed, clean", "--shard", "1/2"],
                 {"patch_dir": "p", "ledger": "l.jsonl", "resume": True, "only": ("failed", "clean"),
                  "shard": "1/2"}, id="ledger"),
    pytest.param(["-j", "3", "--format", "markdown", "--dry-run"], {"jobs": 3, "output": "markdown", "dry_run": True},
                 id="jobs-format"),
    pytest.param(["x", "--jobs=2", "y"], {"repos": ["x", "y"], "jobs": 2}, id="interspersed"),
])
def test_every_option_is_parsed(argv, given):
    verb, args = parse(argv)
    assert verb is None and vars(args) == DEFAULTS | given


@pytest.mark.parametrize("argv, verb, given", [
    pytest.param(["merge", "a.jsonl", "b.jsonl"], "merge", {"ledgers": ["a.jsonl", "b.jsonl"], "output": "text"},
                 id="merge"),
    pytest.param(["merge", "--format", "json", "a"], "merge", {"ledgers": ["a"], "output": "json"}, id="merge-json"),
    pytest.param(["status", "a"], "status", {"ledgers": ["a"], "output": "text", "remote": "origin"}, id="status"),
    pytest.param(["status", "--remote", "up", "a", "--format=markdown"], "status",
                 {"ledgers": ["a"], "output": "markdown", "remote": "up"}, id="status-options"),
])
def test_merge_and_status_are_subcommands(argv, verb, given):
    assert parse(argv)[0] == verb and vars(parse(argv)[1]) == given


def no_such_option(option: str) -> str:
    """click's own words for an unknown option, which differ between releases (8.1: `No such option: --x`)."""
    return NoSuchOption(option).format_message()


USAGE_ERRORS = [
    pytest.param(["--no-such-flag"], "napi-fix batch: error: " + no_such_option("--no-such-flag"), id="unknown"),
    pytest.param(["--strategy", "bogus", "x"], "argument --strategy: 'bogus' is not one of 'pin', 'finalize'",
                 id="strategy"),
    pytest.param(["--conflict", "keep", "x"], "argument --conflict: 'keep' is not one of", id="conflict"),
    pytest.param(["--format", "yaml", "x"], "argument --format: 'yaml' is not one of", id="format"),
    pytest.param(["--timeout", "0", "x"], "argument --timeout: must be more than 0", id="timeout"),
    pytest.param(["--timeout", "nan", "x"], "argument --timeout: must be more than 0", id="timeout-nan"),
    pytest.param(["--timeout", "soon", "x"], "argument --timeout: 'soon' is not a number of seconds",
                 id="timeout-word"),
    pytest.param(["--max-pushes", "0", "x"], "argument --max-pushes: must be 1 or more", id="max-pushes"),
    pytest.param(["--canary", "one", "x"], "argument --canary: invalid int value: 'one'", id="canary"),
    pytest.param(["-j", "x", "y"], "argument -j/--jobs: 'x' is not a valid integer", id="jobs"),
    pytest.param(["--only", "broken", "x"], "argument --only: 'broken': statuses are fixed, would-fix", id="only"),
    pytest.param(["--dry-run", "--commit", "x"], "argument --commit: not allowed with argument --dry-run",
                 id="dry-run-and-commit"),
    pytest.param(["--branch"], "napi-fix batch: error: Option '--branch' requires an argument", id="no-value"),
    pytest.param(["merge"], "napi-fix batch merge: error: the following arguments are required: LEDGER",
                 id="merge-nothing"),
    pytest.param(["merge", "--remote", "x", "l"], "napi-fix batch merge: error: " + no_such_option("--remote"),
                 id="merge-has-no-remote"),
    pytest.param(["status", "--format", "csv", "l"], "napi-fix batch status: error: argument --format",
                 id="status-format"),
]


@pytest.mark.parametrize("argv, message", USAGE_ERRORS)
def test_a_usage_error_exits_2_naming_the_option(argv, message, capsys):
    assert main(["batch", *argv]) == 2
    out, err = capsys.readouterr()
    usage, said = err.splitlines()[-2:]
    assert out == "" and usage.startswith("usage: napi-fix batch") and message in said


@pytest.mark.parametrize("argv, message", USAGE_ERRORS)
def test_a_usage_error_is_one_json_line_under_format_json(argv, message, capsys):
    # `--format json` first: where the error is a bad --format, that later one is the one refused.
    argv = [*argv[:1], "--format", "json", *argv[1:]] if argv[:1] in (["merge"], ["status"]) else [
        "--format", "json", *argv]
    assert main(["batch", *argv]) == 2
    out, err = capsys.readouterr()
    line = json.loads(out)
    assert line == {"type": "error", "error": line["error"], "exit_code": 2}
    assert message in line["error"] and line["error"] in err


def test_help_shows_the_exit_status_and_the_subcommands(capsys):
    assert main(["batch", "-h"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Usage: napi-fix batch [OPTIONS] [REPO]...")
    lines = [line.strip() for line in out.splitlines()]
    for line in ("2  a repository failed, or the arguments, the list or a ledger are wrong",
                 "0  nothing remains (clean, fixed, hygiene-committed)",
                 "napi-fix batch merge LEDGER...   the combined summary of shard ledgers"):
        assert line in lines
    assert any(line.endswith("given after --: napi-fix batch -- merge") for line in lines)
    assert "\\[" not in out and "[default:" not in out and "[required]" not in out
