"""What the batch prints and returns: JSON lines that match the table, the
markdown table, one line per repository when piped and a live bar on a
terminal, the exit codes, and the ways repositories are named."""

from __future__ import annotations

import json
import os
import pty
import subprocess

import pytest

from batch_repos import FAST, GIT_ENV
from codemod.batch.outcome import RepoOutcome, exit_code, repo_exit_code


def table_rows(text: str) -> dict[str, list[str]]:
    """The final table by repository: the lines after its header."""
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("repo  "))
    rows = [line.split() for line in lines[header + 1:] if line and " repositories: " not in line
            and not line.startswith("note:")]
    return {row[0]: row for row in rows}


def test_json_lines_parse_and_match_the_table(fleet):
    urls = [fleet.url(n) for n in FAST]
    code, out, err = fleet.batch("--format", "json", "--strategy", "both", *urls)
    lines = [json.loads(line) for line in out.splitlines()]
    repos, summary = lines[:-1], lines[-1]
    assert [r["type"] for r in repos] == ["repo"] * len(FAST) and summary["type"] == "summary"
    assert summary["repos"] == len(FAST) and summary["exit_code"] == code == 2
    assert sum(summary["counts"].values()) == len(FAST)

    code, text, err = fleet.batch("merge", str(fleet.root / "napi-fix-patches" / "ledger.jsonl"))
    rows = table_rows(text)
    assert len(rows) == len(FAST)
    for record in repos:
        name, status, files, pins, finalize = rows[record["repo"].rsplit("/", 1)[-1]][:5]
        assert (status, int(files), int(pins), int(finalize)) == (
            record["status"], record["files"], record["pins"], record["finalize"])
    line = next(line for line in text.splitlines() if line.startswith(f"{len(FAST)} repositories: "))
    counted = dict(reversed(part.split(" ")) for part in line.split(": ", 1)[1].split(", "))
    assert {status: int(n) for status, n in counted.items()} == summary["counts"]


def test_markdown_is_a_table_for_a_tracking_issue(fleet):
    code, out, err = fleet.batch("--format", "markdown", fleet.url("npm-app"), fleet.url("already-fixed"))
    lines = out.splitlines()
    assert lines[0] == ("**napi-fix batch**: 2 repositories: 0 fixed, 1 would-fix, 0 hygiene-committed, "
                        "0 hygiene-only, 1 clean, 0 needs-attention, 0 skipped, 0 failed")
    assert lines[2] == "| repo | status | files | pins | Finalize | branch@commit | seconds | note |"
    assert [line.split(" | ")[:2] for line in lines[4:]] == [["| `already-fixed`", "clean"],
                                                             ["| `npm-app`", "would-fix"]]


def test_piped_output_is_one_plain_line_per_repository(fleet):
    done = subprocess.run(fleet.command(fleet.url("npm-app"), fleet.url("broken-json")), cwd=fleet.root,
                          capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    first, second = done.stdout.splitlines()[:2]
    assert first.split() == ["would-fix", "npm-app"]
    assert second.split()[:6] == ["failed", "broken-json", "analyze:", "package.json:", "line", "6:"]
    assert "\r" not in done.stdout and "\033" not in done.stdout


def test_a_terminal_gets_a_live_bar_with_counts(fleet):
    controller, terminal = pty.openpty()
    process = subprocess.Popen(fleet.command(fleet.url("npm-app"), fleet.url("already-fixed")), cwd=fleet.root,
                               stdout=terminal, stderr=terminal, env={**os.environ, **GIT_ENV})
    os.close(terminal)
    seen = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed: the batch is done
            break
        if not chunk:
            break
        seen += chunk
    assert process.wait(timeout=60) == 1
    text = seen.decode()
    assert "\r\033[2K[##########..........] 1/2 would-fix 1 " in text
    assert "\r\033[2K[####################] 2/2 would-fix 1 clean 1 " in text
    assert "repo           status" in text  # the table follows the bar


@pytest.mark.parametrize(
    "repos, args, code",
    [
        pytest.param(["already-fixed", "finalize-only"], [], 0, id="all clean"),
        pytest.param(["npm-app", "already-fixed"], ["--commit"], 0, id="clean and fixed"),
        pytest.param(["npm-app", "already-fixed"], [], 1, id="would fix"),
        pytest.param(["npm-app", "broken-json"], ["--commit"], 2, id="one failed"),
    ],
)
def test_exit_codes(fleet, repos, args, code):
    assert fleet.batch(*args, *(fleet.url(n) for n in repos))[0] == code


def test_repositories_from_a_list_a_csv_and_a_folder(fleet):
    checkouts = [fleet.checkout(n) for n in ("npm-app", "npm-workspaces")]
    (checkouts[0] / "node_modules" / "dep").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(checkouts[0] / "node_modules" / "dep")], check=True)
    (fleet.root / "list.txt").write_text(f"# our addons\n\n{fleet.url('npm-app')}\n  {fleet.url('broken-json')}  \n")
    (fleet.root / "list.csv").write_text(f"name,cloneUrl,branch\napp,{fleet.url('finalize-only')},main\n"
                                         f"old,{fleet.url('already-fixed')},release-1\n")
    code, out, err = fleet.batch("--format", "json", "--from", "list.txt", str(fleet.root / "nowhere"))
    assert [(r["repo"].rsplit("/", 1)[-1], r["status"], r["stage"]) for r in map(json.loads, out.splitlines()[:-1])] \
        == [("nowhere", "failed", "clone"), ("npm-app", "would-fix", ""), ("broken-json", "failed", "analyze")]
    code, out, err = fleet.batch("--format", "json", "--from", "list.csv")
    found = [json.loads(line) for line in out.splitlines()[:-1]]
    assert [(r["status"], r["stage"], r["base_branch"]) for r in found] == [("clean", "", "main"),
                                                                          ("failed", "clone", "")]
    assert "no branch 'release-1'" in found[1]["reason"]
    code, out, err = fleet.batch("--format", "json", "--under", "checkouts")
    assert [json.loads(line)["repo"] for line in out.splitlines()[:-1]] == [str(c) for c in checkouts]


@pytest.mark.parametrize(
    "args, message",
    [
        pytest.param([], "no repositories given", id="nothing"),
        pytest.param(["--push", "x"], "--push needs --commit", id="push without commit"),
        pytest.param(["--commit", "--canary", "1", "x"], "need --push", id="canary without push"),
        pytest.param(["--commit", "--fork", "x"], "--fork need --push", id="fork without push"),
        pytest.param(["--from", "missing.txt"], "missing.txt: cannot read", id="missing list"),
        pytest.param(["--shard", "5/4", "x"], "K must be between 1 and N", id="bad shard"),
        pytest.param(["--only", "broken", "x"], "statuses are fixed", id="bad status"),
    ],
)
def test_bad_input_is_exit_2_with_a_message(fleet, args, message):
    code, out, err = fleet.batch(*args)
    assert code == 2 and message in err and "Traceback" not in err


def test_canary_and_max_pushes_pace_the_pushes_and_resume_goes_on(fleet):
    urls = [fleet.url(n) for n in ("npm-workspaces", "already-fixed", "finalize-only", "npm-app")]
    both = ["--commit", "--push", "--strategy", "both", "--commit-hygiene-only"]
    code, out, err = fleet.batch(*both, "--canary", "1", *urls)
    assert "--canary 1: stopped after 1 push(es)" in out and "3 repositories not started" in out
    code, out, err = fleet.batch(*both, "--max-pushes", "1", "--resume", *urls)
    assert [line.split()[:2] for line in out.splitlines()[:4]] == [
        ["fixed", "npm-workspaces"], ["clean", "already-fixed"], ["hygiene-committed", "finalize-only"],
        ["skipped", "npm-app"]]
    assert "--max-pushes 1 reached" in out
    assert code == 1  # npm-app still leaks: a skip is not a success
    code, out, err = fleet.batch(*both, "--resume", *urls)
    assert [line.split()[:2] for line in out.splitlines()[:4]][3] == ["fixed", "npm-app"]
    assert "done in an earlier run" in out.splitlines()[2] and code == 0


@pytest.mark.parametrize(
    "fields, code",
    [
        # records of older ledgers (no "remains"): judged from their status
        pytest.param({"status": "fixed", "leak": True}, 0, id="leak fixed"),
        pytest.param({"status": "hygiene-committed", "leak": False}, 0, id="hygiene committed"),
        pytest.param({"status": "clean", "leak": False}, 0, id="clean"),
        pytest.param({"status": "would-fix", "leak": True}, 1, id="dry run: the leak remains"),
        pytest.param({"status": "would-fix", "leak": None}, 1, id="an older ledger: not known"),
        pytest.param({"status": "would-fix", "leak": False}, 3, id="dry run: a pin to stay safe"),
        pytest.param({"status": "hygiene-only", "leak": False}, 3, id="hygiene pending"),
        pytest.param({"status": "needs-attention"}, 1, id="needs a person"),
        pytest.param({"status": "fixed", "leak": True, "attention": 2}, 1, id="fixed, but a person must look"),
        pytest.param({"status": "skipped", "skip": "same-change", "leak": True}, 0, id="skipped: done before"),
        pytest.param({"status": "skipped", "skip": "different-change", "leak": True}, 1, id="skipped: other change"),
        pytest.param({"status": "skipped", "skip": "max-pushes", "leak": True, "retry": True}, 1,
                     id="skipped: push limit"),
        pytest.param({"status": "skipped", "skip": "checked-out", "leak": False}, 3, id="skipped: no leak"),
        pytest.param({"status": "failed"}, 2, id="failed"),
        # what this version records: the engine's own words for what remains
        pytest.param({"status": "would-fix", "leak": False, "remains": ("pending",)}, 3, id="a pin to stay safe"),
        pytest.param({"status": "fixed", "leak": True, "remains": ()}, 0, id="fixed: nothing remains"),
        pytest.param({"status": "skipped", "skip": "max-pushes", "remains": ("leak", "pending")}, 1,
                     id="recorded: skipped with the leak"),
    ],
)
def test_each_repository_counts_as_the_command_lines_exit_code_table(fields, code):
    assert repo_exit_code(RepoOutcome("r", **fields)) == code


@pytest.mark.parametrize(
    "remains, code",
    [pytest.param([["failed"], ["leak"], ["pending"]], 2, id="2 first"),
     pytest.param([["pending"], ["undecided"], []], 1, id="then 1"),
     pytest.param([[], ["pending"]], 3, id="then 3"), pytest.param([], 0, id="nothing")],
)
def test_the_batch_exit_code_is_the_command_lines_over_every_repository(remains, code):
    assert exit_code([RepoOutcome(f"r{n}", "clean", remains=tuple(r)) for n, r in enumerate(remains)]) == code


@pytest.mark.parametrize(
    "files, args, message",
    [
        pytest.param({"list.csv": "name,url\napp,https://h/o/r\n"}, ["--from", "list.csv"],
                     "list.csv:1: a CSV header needs a cloneUrl column (found: name,url)", id="csv without cloneUrl"),
        pytest.param({"list.txt": "# nothing yet\n\n"}, ["--from", "list.txt"], "list.txt: the list names no repositories",
                     id="empty list"),
        pytest.param({"empty/README": ""}, ["--under", "empty"], "empty: no git checkout below this folder",
                     id="no checkout under"),
        pytest.param({}, ["--timeout", "0", "x"], "--timeout: must be more than 0", id="zero timeout"),
        pytest.param({}, ["--timeout", "-5", "x"], "must be more than 0", id="negative timeout"),
        pytest.param({}, ["--branch", "fix..leak", "x"], "--branch 'fix..leak' is not a valid branch name",
                     id="bad branch"),
        pytest.param({}, ["--branch=-f", "x"], "is not a valid branch name", id="branch like an option"),
        pytest.param({}, ["--commit-hygiene-only", "x"], "--commit-hygiene-only needs --commit", id="hygiene alone"),
    ],
)
def test_input_and_arguments_are_checked_before_any_work(fleet, files, args, message):
    for name, text in files.items():
        (fleet.root / name).parent.mkdir(parents=True, exist_ok=True)
        (fleet.root / name).write_text(text)
    code, out, err = fleet.batch(*args)
    assert code == 2 and message in err and "Traceback" not in err
    assert not (fleet.root / "napi-fix-patches").exists()


def test_a_list_reads_comments_anywhere_and_paths_from_its_own_folder(fleet):
    checkout = fleet.checkout("npm-app")
    lists = fleet.root / "lists"
    lists.mkdir()
    (lists / "repos.txt").write_text(f"../checkouts/npm-app   # our app\n{fleet.url('already-fixed')} # done\n")
    code, out, err = fleet.batch("--format", "json", "--from", str(lists / "repos.txt"))
    found = [json.loads(line) for line in out.splitlines()[:-1]]
    assert [(r["repo"], r["status"]) for r in found] == [
        (str(checkout), "would-fix"), (fleet.url("already-fixed").removesuffix(".git"), "clean")]


def test_a_local_branch_ahead_of_its_remote_is_said(fleet):
    checkout = fleet.checkout("already-fixed")
    (checkout / "NOTES.md").write_text("unpublished\n")
    subprocess.run(["git", "add", "NOTES.md"], cwd=checkout, check=True)
    subprocess.run(["git", "commit", "-qm", "Local only"], cwd=checkout, check=True, env={**os.environ, **GIT_ENV})
    code, out, err = fleet.batch("--format", "json", str(checkout))
    record = json.loads(out.splitlines()[0])
    assert (record["status"], record["reason"]) == (
        "clean", "main is 1 commit ahead of origin/main; that commit is not included")


def test_a_missing_remote_is_found_before_anything_is_committed(fleet):
    checkout = fleet.checkout("npm-app")
    subprocess.run(["git", "remote", "rename", "origin", "upstream"], cwd=checkout, check=True)
    code, out, err = fleet.batch("--format", "json", "--commit", "--push", str(checkout))
    record = json.loads(out.splitlines()[0])
    assert (code, record["status"], record["stage"]) == (2, "failed", "clone")
    assert f"no remote 'origin' in {checkout} to push to (--remote names it)" == record["reason"]
    assert subprocess.run(["git", "branch", "--list", "napi-fix/*"], cwd=checkout, capture_output=True,
                          text=True).stdout == ""


def test_the_patch_folder_defaults_outside_any_checkout(fleet, monkeypatch):
    checkout = fleet.checkout("npm-app")
    monkeypatch.chdir(checkout / "src")
    code, out, err = fleet.batch(".")
    assert code == 1
    assert (fleet.root / "checkouts" / "napi-fix-patches" / "ledger.jsonl").exists()
    assert git_status(checkout) == ""  # nothing of napi-fix's in the repository


def git_status(repo) -> str:
    return subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=repo, capture_output=True,
                          text=True).stdout
