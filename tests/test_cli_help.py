"""One command line: what `--help` says of every subcommand, folders spelled
like a subcommand, the words the front-ends share, shell completion, and
usage errors as JSON in every subcommand with --format."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from batch_repos import git
from codemod.cli import main
from codemod.cli_options import BATCH_SUMMARY, SUBCOMMANDS, SUMMARY, STRATEGY_HELP

EXAMPLE = Path(__file__).parent.parent / "examples" / "leaky-addon"
LISTED = {**{f"napi-fix {name}": what for name, what in SUMMARY.items()},
          **{f"napi-fix batch {verb}": what for verb, what in BATCH_SUMMARY.items()}}


def flat(text: str) -> str:
    return " ".join(text.split())


def test_help_lists_every_subcommand_once_with_a_line(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command, what in LISTED.items():
        assert len([line for line in out.splitlines() if line.strip().startswith(command + " ")
                    and line.endswith(what)]) == 1, command
    assert "napi-fix -- batch" in out  # how to plan a folder named like one


def test_the_application_has_the_subcommands_the_fast_paths_know():
    """cli.py and cli_quick.py decide from SUBCOMMANDS, without typer, whether a first word is a subcommand."""
    import typer

    from codemod.cli_app import application

    group = typer.main.get_command(application())
    assert group.list_commands(None) == sorted(SUBCOMMANDS)
    assert group.get_command(None, "batch").list_commands(None) == sorted(BATCH_SUMMARY)


def test_help_has_no_escapes_and_no_second_default(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "\\[" not in out and "[default:" not in out
    assert "0 (the default) means one per core" in flat(out)


# Each command line: its --help (exit 0) lists these options and an exit-status table; a usage error.
COMMANDS = [
    pytest.param([], ["--dry-run", "--strategy pin|finalize|both", "--pin upgrade|rollback",
                      "--format text|json|sarif|github", "--jobs N", "--color auto|always|never", "--force",
                      "--package-roots", "--version", "--show-completion"], id="fix"),
    pytest.param(["batch"], ["--from FILE", "--strategy pin|finalize|both", "--pin upgrade|rollback", "--commit",
                             "--conflict skip|replace", "--push", "--shard K/N", "-j, --jobs N",
                             "--format text|json|markdown"], id="batch"),
    pytest.param(["batch", "merge"], ["--format text|json|markdown"], id="batch-merge"),
    pytest.param(["batch", "status"], ["--format text|json|markdown", "--remote REMOTE"], id="batch-status"),
    pytest.param(["lsp"], ["--stdio"], id="lsp"),
    pytest.param(["probe"], ["--format text|json|markdown", "--min-collected N", "--compare", "--package DIR",
                             "--rebuild"], id="probe"),
]


@pytest.mark.parametrize("words, options", COMMANDS)
def test_every_command_answers_its_help_with_its_options_and_exit_status(words, options, capsys):
    assert main([*words, "--help"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"Usage: {' '.join(['napi-fix', *words])} [OPTIONS]") and err == ""
    listed = [line.strip().split("  ")[0] for line in out.splitlines() if line.startswith("  -")]
    assert [option for option in options if option not in listed] == []
    assert "exit" in out.lower() and "{pin" not in out and "{text" not in out  # one spelling: pin|finalize|both


@pytest.mark.parametrize("words, row", [
    pytest.param([], "[PATH]...  Files or folders (default: .)", id="fix"),
    pytest.param(["batch"], "[REPO]...", id="batch"),
    pytest.param(["batch", "merge"], "LEDGER...", id="batch-merge"),
    pytest.param(["probe"], "-- COMMAND...  the command to run, after --", id="probe"),
])
def test_every_command_lists_its_arguments_once_with_their_help(words, row, capsys):
    """typer 0.19 lists them among the options; click 8.5 would add a section of its own and drop their help
    (scripts/check-floors runs this against each click)."""
    assert main([*words, "--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if line.endswith("rguments:")] == ["Arguments:"]
    assert lines[lines.index("Arguments:") + 1].strip() == row


@pytest.mark.parametrize("argv, said", [
    pytest.param(["--jobs", "x", "."], "Error: Invalid value for '--jobs': 'x' is not a valid integer.", id="fix"),
    pytest.param(["probe", "--min-collected", "x", "--", "true"],
                 "napi-fix probe: Invalid value for '--min-collected': 'x' is not a valid integer.", id="probe"),
])
def test_a_bad_value_names_its_option_and_no_environment_variable(argv, said, capsys):
    """click 8.2 would add "(env var: 'None')" (scripts/check-floors runs this against each click)."""
    assert main(argv) == 2
    assert said in capsys.readouterr().err.splitlines()


@pytest.mark.parametrize("words, options", COMMANDS)
def test_every_command_says_a_usage_error_in_text_and_in_json(words, options, capsys):
    assert main([*words, "--no-such-flag", "x"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "--no-such-flag" in err and "usage:" in err.lower()
    assert main([*words, "--format", "json", "--no-such-flag", "x"]) == 2
    out, err = capsys.readouterr()
    said = json.loads(out)["error"]
    assert said and said.splitlines()[0].split(": ")[-1] in err  # (lsp has no --format: that is its error)


@pytest.mark.parametrize("argv, said", [
    pytest.param(["batch", "merge", "nope.jsonl"], "napi-fix batch merge: error: nope.jsonl: no such file", id="batch"),
    pytest.param(["probe"], "napi-fix probe: no command", id="probe"),
])
def test_a_subcommand_name_first_is_never_a_path(argv, said, tmp_path, monkeypatch, capsys):
    """Not even on cli_quick.py's typer-free path, where `batch merge nope.jsonl` reads like three PATHs."""
    monkeypatch.chdir(tmp_path)
    main(argv)
    assert said in capsys.readouterr().err


def test_batch_help_lists_merge_and_status(capsys):
    assert main(["batch", "--help"]) == 0
    out = capsys.readouterr().out
    for verb, what in BATCH_SUMMARY.items():
        assert f"napi-fix batch {verb} LEDGER...  " in out and what in out
    assert "napi-fix batch -- merge" in out


def test_the_front_ends_share_one_strategy_help(capsys):
    for argv in (["--help"], ["batch", "--help"]):
        assert main(argv) == 0
        assert flat(STRATEGY_HELP) in flat(capsys.readouterr().out)


@pytest.mark.parametrize("module", ["codemod.batch.cli", "codemod.probe.cli", "codemod.cli_app"])
def test_no_front_end_imports_the_fix_command(module):
    code = (f"import sys, typer; import {module} as m; from codemod.cli_app import application; "
            "typer.main.get_command(application()); "
            "from codemod.batch import cli; cli.parse(['x']); cli.parse(['status', 'x']); "
            "print('codemod.cli' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "False\n"


# -- a folder spelled like a subcommand ---------------------------------------------


@pytest.mark.parametrize("name", ["lsp", "batch", "probe", "merge"])
@pytest.mark.parametrize("spelled", [lambda n: [f"./{n}"], lambda n: ["--", n]], ids=["dot-slash", "after-dashes"])
def test_a_folder_named_like_a_subcommand_is_planned(name, spelled, tmp_path, monkeypatch, capfd):
    shutil.copytree(EXAMPLE, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    before = (tmp_path / name / "package.json").read_bytes()
    assert main(spelled(name)) == 0  # a real run: the pin is written, no leak remains
    assert (tmp_path / name / "package.json").read_bytes() != before
    assert f"{name}/package.json" in capfd.readouterr().out
    assert main(["--dry-run", "--", name]) == 0  # and nothing is left to do


@pytest.mark.parametrize("spelled", [["./merge"], ["--", "merge"]], ids=["dot-slash", "after-dashes"])
def test_a_checkout_named_merge_is_a_batch_repository(spelled, tmp_path, monkeypatch, capfd):
    shutil.copytree(EXAMPLE, tmp_path / "merge")
    git(tmp_path / "merge", "init", "-q")
    git(tmp_path / "merge", "add", "-A")
    git(tmp_path / "merge", "commit", "-qm", "import")
    monkeypatch.chdir(tmp_path)
    assert main(["batch", "--format", "json", "--patch-dir", str(tmp_path / "patches"), *spelled]) == 1
    repo, summary = (json.loads(line) for line in capfd.readouterr().out.splitlines())
    assert (repo["repo"], repo["status"], summary["repos"]) == (str(tmp_path / "merge"), "would-fix", 1)


# -- shell completion ----------------------------------------------------------------


def test_show_completion_prints_a_bash_script(capsys):
    assert main(["--show-completion", "bash"]) == 0
    out = capsys.readouterr().out
    assert "_NAPI_FIX_COMPLETE=complete_bash" in out
    assert out.rstrip().endswith("complete -o default -F _napi_fix_completion napi-fix")


def offered(words: list[str], cwd: Path | None = None) -> list[str]:
    """What bash would be offered after `napi-fix WORDS...` (the last word being completed)."""
    env = {**os.environ, "_NAPI_FIX_COMPLETE": "complete_bash", "COMP_WORDS": " ".join(["napi-fix", *words]),
           "COMP_CWORD": str(len(words)), "PYTHONPATH": str(Path(__file__).parent.parent)}
    done = subprocess.run([sys.executable, "-m", "codemod"], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return sorted(done.stdout.split())


@pytest.mark.parametrize("word, expected", [
    pytest.param("--st", ["--strategy"], id="strategy"),
    pytest.param("--pa", ["--package-roots", "--patch-vendored"], id="two"),
    pytest.param("--dry", ["--dry-run"], id="dry-run"),
])
def test_bash_completion_offers_the_options(word, expected):
    assert offered([word]) == expected


@pytest.mark.parametrize("files, words, expected", [
    pytest.param([], ["ba"], ["batch"], id="batch"),
    pytest.param([], [""], ["batch", "lsp", "probe"], id="every-subcommand"),
    pytest.param(["src/"], ["p"], ["probe"], id="no-folder-matches"),
    pytest.param(["probes/"], ["p"], [], id="a-folder-matches-so-the-shell-completes-files"),
    pytest.param([], ["--dry-run", "b"], [], id="not-the-first-word"),
    pytest.param([], ["src", "l"], [], id="after-a-path"),
    pytest.param([], ["batch", ""], ["merge", "status"], id="batch-verbs"),
    pytest.param(["merged/"], ["batch", "m"], [], id="a-checkout-matches"),
])
def test_bash_completion_offers_subcommands_as_the_first_word(files, words, expected, tmp_path):
    for name in files:
        (tmp_path / name).mkdir()
    assert offered(words, tmp_path) == expected


@pytest.mark.parametrize("words, expected", [
    pytest.param(["batch", "--com"], ["--commit", "--commit-hygiene-only"], id="batch-options"),
    pytest.param(["batch", "--strategy", ""], ["both", "finalize", "pin"], id="batch-choices"),
    pytest.param(["batch", "./merge", "--res"], ["--resume"], id="after-a-repo"),
    pytest.param(["batch", "merge", "--"], ["--format", "--help"], id="merge"),
    pytest.param(["batch", "status", "--r"], ["--remote"], id="status"),
    pytest.param(["batch", "--dry"], ["--dry-run"], id="batch-not-the-fix-command"),
    pytest.param(["batch", "--pack"], [], id="no-fix-command-option"),
    pytest.param(["lsp", "--"], ["--help", "--stdio"], id="lsp"),
    pytest.param(["probe", "--m"], ["--min-collected"], id="probe"),
    pytest.param(["probe", "--format", "m"], ["markdown"], id="probe-choices"),
    pytest.param(["--strategy", ""], ["both", "finalize", "pin"], id="fix-choices"),
    pytest.param(["--format", "s"], ["sarif"], id="fix-format"),
])
def test_bash_completion_after_a_subcommand_offers_its_own_options(words, expected):
    assert offered(words) == expected


# -- usage errors as JSON ------------------------------------------------------------


@pytest.mark.parametrize("argv", [
    pytest.param(["--format", "json", "--no-such-flag"], id="fix"),
    pytest.param(["--format", "json", "--strategy", "bogus"], id="fix-bad-value"),
    pytest.param(["batch", "--format", "json", "--no-such-flag"], id="batch"),
    pytest.param(["batch", "--format=json", "--push", "."], id="batch-combination"),
    pytest.param(["batch", "--format", "json"], id="batch-no-repository"),
    pytest.param(["batch", "merge", "--format", "json"], id="batch-merge"),
    pytest.param(["batch", "status", "--format", "json", "--no-such-flag", "x"], id="batch-status"),
    pytest.param(["probe", "--format", "json", "--no-such-flag", "--", "true"], id="probe"),
    pytest.param(["probe", "--format", "json", "--min-collected", "many", "--", "true"], id="probe-bad-value"),
    pytest.param(["lsp", "--format", "json"], id="lsp-has-no-format"),
])
def test_usage_errors_are_json_under_format_json(argv, capsys):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert "error" in json.loads(out) and err


@pytest.mark.parametrize("argv", [["batch", "--no-such-flag"], ["batch", "merge"], ["probe", "--no-such-flag"]])
def test_usage_errors_without_json_leave_stdout_empty(argv, capsys):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and "usage:" in err
