"""Pull requests a reviewer can act on: every finding of the repository in
the commit message, the pull request and a report file (the "needs a
person" ones too), templates for the texts, DCO sign-off, gh's draft,
label, reviewer and assignee, and a rerun that still shows the pull
request of a repository done before."""

from __future__ import annotations

import json
import os
import shlex
import shutil

from batch_repos import fake_gh, git, ledger
from codemod import __version__
from codemod.batch.fork import fork_url

BRANCH = "napi-fix/objectwrap-leak"
MESON = "dep = dependency('node-addon-api')\n"  # a build napi-fix does not read: a person must look


def with_meson(fleet, name: str) -> str:
    """The remote `name` with a meson.build beside its package.json."""
    work = fleet.checkout(name)
    (work / "meson.build").write_text(MESON)
    git(work, "add", "meson.build")
    git(work, "commit", "-qm", "Build with meson too")
    git(work, "push", "-q", "origin", "main")
    return fleet.url(name)


def record(fleet) -> dict:
    return ledger(fleet.root / "napi-fix-patches" / "ledger.jsonl")[-1]


def test_every_finding_reaches_the_commit_the_pull_request_and_the_report(fleet, monkeypatch):
    calls = fake_gh(fleet.root)
    monkeypatch.setenv("PATH", f"{fleet.root / 'bin'}{os.pathsep}{os.environ['PATH']}")
    url = with_meson(fleet, "npm-app")
    args = ["--commit", "--push", "--open-pr", "--signoff", "--draft", "--label", "security", "--label", "deps",
            "--reviewer", "alice", "--assignee", "bob", url]
    code, out, err = fleet.batch(*args)
    assert code == 1, out + err  # fixed, and a person must look at meson.build
    done = record(fleet)
    assert done["status"] == "fixed" and done["attention"] == 1

    text = git(fleet.bare("npm-app"), "log", "-1", "--format=%B", BRANCH)
    assert "Needs a person (napi-fix did not change these):\n- meson.build:1: " in text
    assert "Signed-off-by: Test Author <author@example.invalid>" in text
    body = (fleet.root / "napi-fix-patches" / (os.path.basename(done["patch"])[:-6] + ".pr.md")).read_text()
    assert "## Needs a person" in body and "`meson.build` line 1: " in body
    report = open(done["report"]).read()
    assert [line.split(":")[0] for line in report.splitlines()[:-1]] == [
        "binding.gyp", "meson.build", "package-lock.json", "package-lock.json", "package.json"]
    argv = json.loads(calls.read_text().splitlines()[0])
    assert argv[argv.index("--body-file") + 2:] == ["--draft", "--label", "security", "--label", "deps",
                                                    "--reviewer", "alice", "--assignee", "bob"]

    code, out, err = fleet.batch(*args)  # again: done before, and its pull request shown
    again = record(fleet)
    assert (again["status"], again["skip"], again["pr"]) == ("skipped", "same-change", "https://git.example/org/repo/pull/7")
    assert "pull request: https://git.example/org/repo/pull/7" in out


def test_without_gh_the_command_is_printed_and_is_what_gh_gets(fleet, monkeypatch):
    """No gh on PATH: the pull request is the command a person runs, in the
    output and the ledger. Run later with gh, napi-fix gives gh that same
    command."""
    no_gh = [d for d in os.environ["PATH"].split(os.pathsep) if not os.path.exists(os.path.join(d, "gh"))]
    monkeypatch.setenv("PATH", os.pathsep.join(no_gh))
    assert shutil.which("gh") is None
    args = ["--commit", "--push", "--open-pr", "--draft", "--label", "security", fleet.url("npm-app")]
    code, out, err = fleet.batch(*args)
    assert code == 0, out + err
    printed = record(fleet)["pr"]
    assert f"pull request: {printed}" in out
    subject = git(fleet.bare("npm-app"), "log", "-1", "--format=%s", BRANCH).strip()
    body_file = str(fleet.root / "napi-fix-patches" / (os.path.basename(record(fleet)["patch"])[:-6] + ".pr.md"))
    assert shlex.split(printed) == ["gh", "pr", "create", "--repo", "remotes/npm-app", "--base", "main",
                                    "--head", BRANCH, "--title", subject, "--body-file", body_file,
                                    "--draft", "--label", "security"]
    assert "## How to verify" in open(body_file).read()

    calls = fake_gh(fleet.root)
    monkeypatch.setenv("PATH", f"{fleet.root / 'bin'}{os.pathsep}{os.environ['PATH']}")
    code, out, err = fleet.batch(*args)  # done before: gh is asked for its pull request now
    assert [json.loads(line) for line in calls.read_text().splitlines()] == [shlex.split(printed)[1:]]
    assert record(fleet)["pr"] == "https://git.example/org/repo/pull/7"


def test_templates_fill_the_commit_message_and_the_pull_request(fleet, monkeypatch):
    calls = fake_gh(fleet.root)
    monkeypatch.setenv("PATH", f"{fleet.root / 'bin'}{os.pathsep}{os.environ['PATH']}")
    (fleet.root / "body.md").write_text("Fixes the leak in $repo (from $base_branch).\n\n$changes\n\nCost: $$0\n")
    code, out, err = fleet.batch("--commit", "--push", "--open-pr", "--message", "deps: node-addon-api 8.2.2\n\n$changes",
                                 "--pr-title", "[napi-fix] $subject", "--pr-body", "@body.md",
                                 fleet.url("npm-workspaces"))
    assert code == 0, out + err
    text = git(fleet.bare("npm-workspaces"), "log", "-1", "--format=%B", BRANCH)
    assert text.startswith("deps: node-addon-api 8.2.2\n\n- package-lock.json:")
    assert text.rstrip().endswith(f"Napi-Fix-Version: {__version__}")
    argv = json.loads(calls.read_text().splitlines()[0])
    assert argv[argv.index("--title") + 1] == "[napi-fix] Pin node-addon-api past the leaky 8.2.0/8.2.1"
    body = open(argv[argv.index("--body-file") + 1]).read()
    assert body.startswith(f"Fixes the leak in {fleet.url('npm-workspaces').removesuffix('.git')} (from main).\n\n- ")
    assert body.endswith("Cost: $0\n")


def test_each_repository_has_a_log_of_what_ran_for_it(fleet):
    verify = "echo 'npm ERR! code ERESOLVE' >&2; seq 1 40; exit 1"  # more than the table's last lines
    code, out, err = fleet.batch("--commit", "--verify", verify, fleet.url("npm-app"), fleet.url("already-fixed"))
    failed, clean = ledger(fleet.root / "napi-fix-patches" / "ledger.jsonl")
    assert (failed["status"], failed["stage"]) == ("failed", "verify")
    text = open(failed["log"]).read()
    assert "$ git worktree add --detach --quiet --no-checkout " in text
    assert "$ napi-fix --dry-run --strategy pin .\n" in text and "package.json:13:23: pin dependencies" in text
    assert "$ sh -c " in text
    assert "npm ERR! code ERESOLVE\n1\n2\n" in text and "\n40\n" in text  # all of it
    assert "$ git " in open(clean["log"]).read()


def fake_gh_view(folder, answers: dict) -> None:
    """A `gh` that answers `gh pr view BRANCH --repo R --json ...` from
    `answers` (R -> the JSON gh prints), and as gh does for a branch with
    no pull request otherwise."""
    (folder / "answers.json").write_text(json.dumps(answers))
    bin_dir = folder / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "gh").write_text(f"""#!/usr/bin/env python3
import json, sys
args = sys.argv[1:]
answers = json.load(open({str(folder / "answers.json")!r}))
repo = args[args.index("--repo") + 1]
if repo not in answers:
    sys.exit(print(f'no pull requests found for branch "{{args[2]}}"', file=sys.stderr) or 1)
print(json.dumps(answers[repo]))
""")
    (bin_dir / "gh").chmod(0o755)


def test_status_tells_where_each_pull_request_stands(fleet, monkeypatch):
    urls = [fleet.url(n) for n in ("npm-app", "npm-workspaces", "already-fixed")]
    assert fleet.batch("--commit", "--push", *urls)[0] == 0
    path = str(fleet.root / "napi-fix-patches" / "ledger.jsonl")
    merged = {"state": "MERGED", "url": "https://git.example/remotes/npm-app/pull/1", "isDraft": False,
              "statusCheckRollup": [{"conclusion": "SUCCESS"}, {"state": "SUCCESS"}]}
    open_failing = {"state": "OPEN", "url": "https://git.example/remotes/npm-workspaces/pull/2", "isDraft": True,
                    "statusCheckRollup": [{"conclusion": "SUCCESS"}, {"conclusion": "FAILURE"}]}
    monkeypatch.setenv("PATH", f"{fleet.root / 'bin'}{os.pathsep}{os.environ['PATH']}")

    fake_gh_view(fleet.root, {"remotes/npm-app": merged})
    code, out, err = fleet.batch("status", path, "--format", "json")
    found = [json.loads(line) for line in out.splitlines()]
    assert [(p["repo"].rsplit("/", 1)[-1], p["state"], p["checks"]) for p in found[:-1]] == [
        ("npm-app", "merged", "passing"), ("npm-workspaces", "none", "")]  # already-fixed has no branch
    assert (found[-1]["states"], code) == ({"merged": 1, "none": 1}, 1)

    fake_gh_view(fleet.root, {"remotes/npm-app": merged, "remotes/npm-workspaces": open_failing})
    code, out, err = fleet.batch("status", path)
    assert code == 1 and "npm-workspaces  open (draft)  failing  https://git.example/remotes/npm-workspaces/pull/2" in out
    fake_gh_view(fleet.root, {"remotes/npm-app": merged, "remotes/npm-workspaces": {**merged, "url": "u"}})
    assert fleet.batch("status", path)[0] == 0  # every fix has landed


def test_status_needs_gh(fleet, monkeypatch):
    assert fleet.batch(fleet.url("npm-app"))[0] == 1
    monkeypatch.setenv("PATH", "/nowhere")
    code, out, err = fleet.batch("status", str(fleet.root / "napi-fix-patches" / "ledger.jsonl"))
    assert code == 2 and "gh is not installed" in err


def test_fork_pushes_to_your_fork_and_opens_the_pull_request_from_it(fleet, monkeypatch):
    """The upstream stays untouched; the branch lands on the fork (the
    same transport, the fork's owner and name); gh gets --head OWNER:BRANCH."""
    (fleet.root / "me").mkdir()
    shutil.copytree(fleet.bare("npm-app"), fleet.root / "me" / "npm-app.git")
    calls = fleet.root / "gh-calls.jsonl"
    bin_dir = fleet.root / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(f"""#!/bin/sh
python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@" >> '{calls}'
case "$1 $2" in
  "repo fork") echo "me/npm-app already exists" >&2 ;;
  *) echo "https://git.example/remotes/npm-app/pull/3" ;;
esac
""")
    (bin_dir / "gh").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    code, out, err = fleet.batch("--commit", "--push", "--fork", "--open-pr", fleet.url("npm-app"))
    assert code == 0, out + err
    assert git(fleet.bare("npm-app"), "branch", "--list", BRANCH) == ""  # the upstream: nothing pushed
    assert git(fleet.root / "me" / "npm-app.git", "branch", "--list", BRANCH).strip() == BRANCH
    fork_call, pr_call = [json.loads(line) for line in calls.read_text().splitlines()]
    assert fork_call == ["repo", "fork", "remotes/npm-app", "--clone=false", "--remote=false"]
    assert pr_call[pr_call.index("--repo") + 1] == "remotes/npm-app"
    assert pr_call[pr_call.index("--head") + 1] == f"me:{BRANCH}"
    assert record(fleet)["pr"] == "https://git.example/remotes/npm-app/pull/3"


def test_a_fork_url_keeps_the_transport_of_the_upstream():
    assert fork_url("git@github.com:o/r.git", "o/r", "me/r") == "git@github.com:me/r.git"
    assert fork_url("https://github.com/o/r", "o/r", "me/r-1") == "https://github.com/me/r-1"
