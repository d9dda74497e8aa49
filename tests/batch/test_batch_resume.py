"""Interrupts and resume, on the batch run as a real subprocess: SIGINT or
SIGTERM rolls back (or finishes) the repository in progress, leaves the
ledger whole and prints the summary so far; --resume then finishes the job
with no commit or push made twice; --only failed re-runs the failures."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from batch_repos import GIT_ENV, commits_above, git, ledger, pushes
from helpers import alive

BRANCH = "napi-fix/objectwrap-leak"
ORDER = ("npm-app", "npm-workspaces", "finalize-only", "already-fixed")
# The second repository's verification waits (only in the interrupted run)
# until the test interrupts it; the others pass at once.
VERIFY = ('case "$(basename "$PWD")" in npm-workspaces-*) touch "$MARKS/waiting"; sleep "${NAPI_TEST_SLEEP:-0}";; '
          'esac')


def start(fleet, args: list[str], **env) -> subprocess.Popen:
    return subprocess.Popen(fleet.command(*args), cwd=fleet.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **GIT_ENV, **env})


def wait_for(ready, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the batch never got there"
        time.sleep(0.05)


def records(fleet) -> list[dict]:
    return ledger(fleet.root / "napi-fix-patches" / "ledger.jsonl")


def name_of(record: dict) -> str:
    return record["repo"].rsplit("/", 1)[-1]


def cache_worktrees(fleet) -> int:
    clones = fleet.root / "cache" / "clones"
    return sum(git(c, "worktree", "list", "--porcelain").count("worktree ") - 1 for c in clones.iterdir())


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupt_rolls_back_then_resume_finishes_without_duplicates(fleet, signum):
    marks = fleet.root / "marks"
    marks.mkdir()
    args = ["--commit", "--push", "--strategy", "both", "--commit-hygiene-only", "-j", "2", "--verify", VERIFY,
            *(fleet.url(n) for n in ORDER)]
    process = start(fleet, args, MARKS=str(marks), NAPI_TEST_SLEEP="60")
    # npm-app is pushed (on the finishing thread) and npm-workspaces is being verified:
    wait_for(lambda: (marks / "waiting").exists() and pushes(fleet.bare("npm-app"), BRANCH) == 1, process)
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, err
    assert [(name_of(r), r["status"]) for r in records(fleet)] == [("npm-app", "fixed")]
    assert "1 repositories: 1 fixed" in out and "interrupted" in out  # the summary so far
    assert "3 repositories not started" in out
    assert pushes(fleet.bare("npm-workspaces"), BRANCH) == 0  # rolled back: nothing committed or pushed
    assert git(fleet.bare("npm-workspaces"), "branch", "--list", BRANCH) == ""
    assert cache_worktrees(fleet) == 0

    resumed = start(fleet, ["--resume", *args], MARKS=str(marks))
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, out + err
    assert sorted((name_of(r), r["status"]) for r in records(fleet)) == [
        ("already-fixed", "clean"), ("finalize-only", "hygiene-committed"), ("npm-app", "fixed"),
        ("npm-workspaces", "fixed")]
    assert "done in an earlier run" in out  # npm-app, from the ledger
    for name in ("npm-app", "npm-workspaces", "finalize-only"):
        bare = fleet.bare(name)
        assert pushes(bare, BRANCH) == 1
        assert len(commits_above(bare, "main", BRANCH)) == 1
    assert cache_worktrees(fleet) == 0


def test_an_interrupt_during_the_push_finishes_that_repository(fleet):
    repo = fleet.checkout("npm-app")
    hook = repo / ".git" / "hooks" / "pre-push"
    hook.write_text(f"#!/bin/sh\ntouch '{fleet.root}/pushing'\nsleep 1\n")
    hook.chmod(0o755)
    args = ["--commit", "--push", str(repo), fleet.url("npm-workspaces")]
    process = start(fleet, args)
    wait_for((fleet.root / "pushing").exists, process)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert [(name_of(r), r["status"], r["pushed"]) for r in records(fleet)] == [("npm-app", "fixed", True)]
    assert pushes(fleet.bare("npm-app"), BRANCH) == 1
    assert pushes(fleet.bare("npm-workspaces"), BRANCH) == 0
    out, err = start(fleet, ["--resume", *args]).communicate(timeout=60)
    assert pushes(fleet.bare("npm-app"), BRANCH) == 1 and pushes(fleet.bare("npm-workspaces"), BRANCH) == 1
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1


def test_an_interrupt_during_the_commit_rolls_that_repository_back(fleet):
    repo = fleet.checkout("npm-app")
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\ntouch '{fleet.root}/committing'\nsleep 1\n")
    hook.chmod(0o755)
    process = start(fleet, ["--commit", "--push", str(repo), fleet.url("npm-workspaces")])
    wait_for((fleet.root / "committing").exists, process)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert records(fleet) == []  # nothing settled: no half commit anywhere
    assert git(repo, "branch", "--list", BRANCH) == ""
    assert pushes(fleet.bare("npm-app"), BRANCH) == 0
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
    assert "0 repositories" in out and "2 repositories not started" in out


def test_only_failed_runs_the_failures_again(fleet):
    repo = fleet.checkout("npm-app")
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    args = ["--commit", str(repo), fleet.url("npm-workspaces")]
    assert fleet.batch(*args)[0] == 2
    hook.unlink()  # the person fixed what failed
    code, out, err = fleet.batch("--only", "failed", *args)
    assert code == 0, out + err
    assert [(name_of(r), r["status"]) for r in records(fleet)] == [
        ("npm-app", "failed"), ("npm-workspaces", "fixed"), ("npm-app", "fixed")]


def test_resume_runs_again_a_repository_that_failed(fleet, monkeypatch):
    """A failure is not done: --resume, at the same base commit with the same
    options, redoes the repository that failed and leaves the done one alone."""
    marks = fleet.root / "marks"
    marks.mkdir()
    monkeypatch.setenv("MARKS", str(marks))
    # npm-app's first verification fails (a flaky CI step); every later one passes.
    verify = ('case "$(basename "$PWD")" in npm-app-*) test -e "$MARKS/failed-once" && exit 0; '
              'touch "$MARKS/failed-once"; exit 1;; esac')
    args = ["--commit", "--push", "--verify", verify, fleet.url("npm-app"), fleet.url("npm-workspaces")]
    assert fleet.batch(*args)[0] == 2
    assert [(name_of(r), r["status"]) for r in records(fleet)] == [("npm-app", "failed"), ("npm-workspaces", "fixed")]
    assert pushes(fleet.bare("npm-app"), BRANCH) == 0

    code, out, err = fleet.batch("--resume", *args)
    assert code == 0, out + err
    assert [(name_of(r), r["status"]) for r in records(fleet)] == [
        ("npm-app", "failed"), ("npm-workspaces", "fixed"), ("npm-app", "fixed")]
    assert pushes(fleet.bare("npm-app"), BRANCH) == 1 and pushes(fleet.bare("npm-workspaces"), BRANCH) == 1
    assert "done in an earlier run" in out  # npm-workspaces only


def test_a_torn_last_ledger_line_is_skipped_and_kept_apart(fleet):
    assert fleet.batch(fleet.url("npm-app"))[0] == 1
    path = fleet.root / "napi-fix-patches" / "ledger.jsonl"
    path.write_bytes(path.read_bytes() + b'{"repo": "half a li')  # power cut mid-write
    code, out, err = fleet.batch("--resume", fleet.url("npm-app"), fleet.url("npm-workspaces"))
    lines = path.read_text().splitlines()
    assert lines[2] == '{"repo": "half a li'
    assert [name_of(json.loads(line)) for line in lines[1::2]] == ["npm-app", "npm-workspaces"]
    assert "done in an earlier run" in out


def test_ctrl_c_at_a_terminal_reaches_the_batch_alone_which_finishes_the_push(fleet):
    """A terminal sends SIGINT to the whole foreground process group: git
    and its hooks run in groups of their own, so the push is finished, not
    cut off with the branch moved and nothing on the remote."""
    repo = fleet.checkout("npm-app")
    hook = repo / ".git" / "hooks" / "pre-push"
    hook.write_text(f"#!/bin/sh\ntouch '{fleet.root}/pushing'\nsleep 1\n")
    hook.chmod(0o755)
    process = subprocess.Popen(fleet.command("--commit", "--push", "--format", "json", str(repo),
                                             fleet.url("npm-workspaces"), fleet.url("finalize-only")),
                               cwd=fleet.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **GIT_ENV}, start_new_session=True)
    wait_for((fleet.root / "pushing").exists, process)
    os.killpg(process.pid, signal.SIGINT)  # as the terminal does
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert pushes(fleet.bare("npm-app"), BRANCH) == 1
    summary = json.loads(out.splitlines()[-1])
    assert summary["exit_code"] == 130
    # The next repositories may already be prepared (a worktree) when the signal comes, on a
    # loaded machine: not started or rolled back, but never pushed.
    others = {fleet.url(name).removesuffix(".git") for name in ("npm-workspaces", "finalize-only")}
    assert set(summary["not_started"]) <= others
    assert all(pushes(fleet.bare(name), BRANCH) == 0 for name in ("npm-workspaces", "finalize-only"))
    assert summary["stopped"].startswith("interrupted (SIGINT): ")
    assert summary["stopped"].endswith("npm-app finished (its branch had moved: committed, pushed)")


@pytest.mark.parametrize("cache_removed", [False, True], ids=["as left", "cache removed meanwhile"])
def test_a_killed_batch_leaves_no_verify_running_and_the_next_run_cleans_up(fleet, cache_removed):
    repo = fleet.checkout("npm-app")
    marks = fleet.root / "marks"
    marks.mkdir()
    process = start(fleet, ["--commit", "--verify", 'sleep 300 & echo $! > "$MARKS/sleeper"; wait', str(repo)],
                    MARKS=str(marks))
    wait_for((marks / "sleeper").exists, process)
    time.sleep(0.2)
    process.kill()  # SIGKILL, as the OOM killer does: no handler runs
    process.wait()
    sleeper = int((marks / "sleeper").read_text())
    deadline = time.monotonic() + 10
    while alive(sleeper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(sleeper)
    owned = fleet.root / "cache" / "worktrees"
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 2  # left behind
    if cache_removed:  # `rm -rf ~/.cache/napi-fix` is always allowed
        shutil.rmtree(fleet.root / "cache")
    assert fleet.batch(str(repo))[0] == 1
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
    assert not (repo / ".git" / "worktrees").exists() or not list((repo / ".git" / "worktrees").iterdir())
    assert list(owned.iterdir()) == []
