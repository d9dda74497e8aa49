"""What a batch must never do: show or store a token (in the URLs it is
given, or in the ones git's `insteadOf` expands them to), let a
repository's own configuration run code in a dry run or without hooks, or
hand git or a shell something an attacker wrote (a URL starting with `-`,
an `ext::` transport, a branch name in a printed command)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from batch_repos import fake_gh, git, ledger, pushes
from codemod.batch import redact
from codemod.batch.inputs import InputError, spec
from codemod.batch.changes import Changes
from codemod.batch.push import body

BRANCH = "napi-fix/objectwrap-leak"
SECRET = "ghs_S3cr3tT0k3nValue"
PUBLIC = "https://github.com/org/"  # what the user lists: where the token goes is git's config


def secret_in_files(top: Path, allowed) -> list[str]:
    found = []
    for path in top.rglob("*"):
        if path.is_file() and not path.is_symlink() and not any(path.is_relative_to(a) for a in allowed):
            if SECRET.encode() in path.read_bytes():
                found.append(str(path.relative_to(top)))
    return found


@pytest.mark.parametrize("with_gh", [False, True], ids=["no gh: the command", "gh: the pull request"])
def test_no_token_is_printed_or_stored(fleet, monkeypatch, with_gh):
    # The CI recipe's way: a token injected by insteadOf (here into the path
    # git expands the checkout's remote to), and a token in a listed URL.
    vault = fleet.root / f"x-access-token:{SECRET}@vault"
    shutil.copytree(fleet.bare("npm-app"), vault / "npm-app.git")
    rules = {f"url.{vault.as_uri()}/.insteadOf": PUBLIC,
             f"url.{(fleet.root / 'remotes').as_uri()}/.insteadOf": f"https://x-access-token:{SECRET}@github.com/org/"}
    for n, (key, value) in enumerate(rules.items()):
        monkeypatch.setenv(f"GIT_CONFIG_KEY_{n}", key)
        monkeypatch.setenv(f"GIT_CONFIG_VALUE_{n}", value)
    monkeypatch.setenv("GIT_CONFIG_COUNT", str(len(rules)))
    checkout = fleet.checkout("npm-app")
    git(checkout, "remote", "set-url", "origin", PUBLIC + "npm-app.git")
    listed = f"https://x-access-token:{SECRET}@github.com/org/npm-workspaces.git"
    gone = f"https://github.com/org/gone.git?private_token={SECRET}"  # its clone fails: git's message names it
    (fleet.root / "repos.txt").write_text(f"{checkout}\n{listed}\n{gone}\n")
    if with_gh:
        calls = fake_gh(fleet.root)
        monkeypatch.setenv("PATH", f"{fleet.root / 'bin'}{os.pathsep}{os.environ['PATH']}")
    else:
        assert shutil.which("gh") is None

    outputs = []
    for output in ("text", "json", "markdown"):
        code, out, err = fleet.batch("--from", "repos.txt", "--commit", "--push", "--open-pr", "--format", output)
        assert code == 2, out + err  # gone failed
        outputs += [out, err]
    code, out, err = fleet.batch("merge", str(fleet.root / "napi-fix-patches" / "ledger.jsonl"))
    outputs += [out, err]

    assert pushes(vault / "npm-app.git", BRANCH) == 1 and pushes(fleet.bare("npm-workspaces"), BRANCH) == 1
    assert not [text for text in outputs if SECRET in text]
    clones = fleet.root / "cache" / "clones"
    # The clone itself is the one place the URL as given is kept (git needs it to fetch).
    assert secret_in_files(fleet.root, allowed=[vault, fleet.root / "repos.txt", *(c / ".git" / "config" for c in clones.iterdir())]) == []
    records = ledger(fleet.root / "napi-fix-patches" / "ledger.jsonl")
    assert [(r["repo"], r["status"]) for r in records[:3]] == [
        (str(checkout), "fixed"), ("https://github.com/org/npm-workspaces", "fixed"),
        ("https://github.com/org/gone.git?private_token=***", "failed")]
    assert "gone.git?private_token=***" in records[2]["reason"]
    first = records[0]
    if with_gh:
        argv = [json.loads(line) for line in calls.read_text().splitlines()]
        # (each rerun asks gh again for the pull request of a repository done before)
        assert [a[a.index("--repo") + 1] for a in argv] == ["org/npm-app", "org/npm-workspaces"] * 3
        assert not [a for a in argv if SECRET in json.dumps(a)]
        assert first["pr"] == "https://git.example/org/repo/pull/7"
    else:
        assert first["pr"].startswith("gh pr create --repo org/npm-app --base main --head napi-fix/objectwrap-leak ")


@pytest.mark.parametrize(
    "given, shown",
    [
        pytest.param(f"https://x-access-token:{SECRET}@github.com/o/r.git", "https://github.com/o/r.git", id="user:pass"),
        pytest.param(f"https://{SECRET}@github.com/o/r", "https://github.com/o/r", id="token as user"),
        pytest.param(f"https://gitlab.example/o/r.git?private_token={SECRET}&x=1",
                     "https://gitlab.example/o/r.git?private_token=***&x=***", id="query"),
        pytest.param(f"ssh://git:{SECRET}@host/o/r", "ssh://host/o/r", id="ssh password"),
        pytest.param("ssh://git@host/o/r", "ssh://git@host/o/r", id="ssh user kept"),
        pytest.param("git@github.com:o/r.git", "git@github.com:o/r.git", id="scp kept"),
        pytest.param(f"fatal: unable to access 'https://x-access-token:{SECRET}@github.com/o/r/': 403",
                     "fatal: unable to access 'https://github.com/o/r/': 403", id="in git's words"),
    ],
)
def test_redaction(given, shown):
    assert redact.text(given) == shown


@pytest.mark.parametrize(
    "url, repository",
    [
        pytest.param("https://github.com/o/r.git", "o/r", id="github"),
        pytest.param("git@github.com:o/r.git", "o/r", id="scp"),
        pytest.param("https://ghe.example/team/addon", "ghe.example/team/addon", id="enterprise host"),
        pytest.param("https://gitlab.example/r", None, id="no owner"),
    ],
)
def test_gh_gets_owner_and_name(url, repository):
    assert redact.gh_repository(url) == repository


def hostile_config(repo: Path, marks: Path) -> None:
    """A checkout whose hooks and file-system monitor leave a mark when run."""
    for name in ("post-checkout", "pre-commit", "reference-transaction", "pre-push"):
        hook = repo / ".git" / "hooks" / name
        hook.write_text(f"#!/bin/sh\necho {name} >> '{marks}'\n")
        hook.chmod(0o755)
    monitor = repo.parent / "fsmonitor"
    monitor.write_text(f"#!/bin/sh\necho fsmonitor >> '{marks}'\nexit 1\n")
    monitor.chmod(0o755)
    git(repo, "config", "core.fsmonitor", str(monitor))


@pytest.mark.parametrize(
    "args",
    [
        pytest.param([], id="dry run"),
        pytest.param(["--dry-run", "--no-verify", "--strategy", "both"], id="dry run, both, no-verify"),
        pytest.param(["--commit", "--push", "--no-verify", "--strategy", "both"], id="push, no-verify"),
        pytest.param(["--verify", "true"], id="dry run with --verify"),
    ],
)
def test_a_repositorys_own_configuration_runs_nothing(fleet, args):
    repo = fleet.checkout("npm-app")
    marks = fleet.root / "marks"
    hostile_config(repo, marks)
    code, out, err = fleet.batch(*args, str(repo))
    assert code in (0, 1), out + err
    assert not marks.exists(), marks.read_text()


def test_hooks_the_user_asked_for_still_run(fleet):
    repo = fleet.checkout("npm-app")
    marks = fleet.root / "marks"
    hostile_config(repo, marks)
    code, out, err = fleet.batch("--commit", "--push", str(repo))
    assert code == 0, out + err
    assert {"pre-commit", "pre-push"} <= set(marks.read_text().split())
    assert not {"post-checkout", "fsmonitor"} & set(marks.read_text().split())


@pytest.mark.parametrize(
    "text, message",
    [
        pytest.param("--upload-pack=touch /tmp/x", "cannot start with '-'", id="option"),
        pytest.param("-oProxyCommand=x", "cannot start with '-'", id="dash"),
        pytest.param("http://host/o/r", "transport 'http' is not allowed", id="http"),
        pytest.param("git://host/o/r", "transport 'git' is not allowed", id="git protocol"),
        pytest.param("ftp://host/o/r", "transport 'ftp' is not allowed", id="ftp"),
        pytest.param("git@-oProxy:o/r", "host cannot start with '-'", id="scp host"),
    ],
)
def test_hostile_repositories_are_refused(text, message):
    with pytest.raises(InputError, match=message):
        spec(text)


@pytest.mark.parametrize("text", ["https://h/o/r", "ssh://git@h/o/r", "git@h:o/r.git", "file:///srv/r.git",
                                  "git+ssh://h/o/r"])
def test_the_transports_a_user_means_are_taken(text):
    assert spec(text).location == text


def test_a_hostile_line_in_a_list_is_named_with_its_line(fleet):
    (fleet.root / "repos.txt").write_text(f"{fleet.url('npm-app')}\n--upload-pack=touch pwned\n")
    code, out, err = fleet.batch("--from", "repos.txt")
    assert code == 2 and "repos.txt:2: --upload-pack=touch pwned: a repository or branch cannot start with '-'" in err
    assert not (fleet.root / "napi-fix-patches").exists()


def test_the_base_branch_is_quoted_in_the_commands_a_reviewer_copies():
    text = body(Changes(), "release;touch pwned")
    assert "git diff 'release;touch pwned'...HEAD" in text


def test_clone_takes_the_url_as_a_url_never_as_an_option(fleet):
    from codemod.batch.clones import cached_clone
    from codemod.batch.git import GitError

    # (inputs.py refuses such a line before this; the clone holds on its own too)
    with pytest.raises(GitError, match="repository '--upload-pack=touch .* does not exist"):
        cached_clone(f"--upload-pack=touch {fleet.root / 'pwned'}", "stem", None)
    assert not (fleet.root / "pwned").exists()


def test_a_secret_once_seen_is_scrubbed_from_any_message_in_any_spelling():
    redact.remember("url.https://x-access-token:tok%2Fen+Secret42@github.com/.insteadof https://github.com/")
    assert redact.text("fatal: '/srv/x-access-token:tok%2Fen+Secret42@github.com/r' and tok%252Fen%2BSecret42") == \
        "fatal: '/srv/x-access-token:***@github.com/r' and ***"
