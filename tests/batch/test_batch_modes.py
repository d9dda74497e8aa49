"""The batch's three modes on real repositories with file:// remotes: the
dry run's patches, --commit's one commit, --push's landing, and the user's
checkout left byte for byte as it was."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from batch_repos import FAILING_HOOK, commits_above, git, ledger, pushes, snapshot
from codemod import __version__
from codemod.rules import HYGIENE_ONLY

BRANCH = "napi-fix/objectwrap-leak"
STATUSES = {"npm-app": "would-fix", "npm-workspaces": "would-fix", "already-fixed": "clean",
            "finalize-only": "clean", "broken-json": "failed"}


def outcomes(fleet) -> dict[str, dict]:
    """The ledger's records by repository name."""
    records = ledger(fleet.root / "napi-fix-patches" / "ledger.jsonl")
    return {record["repo"].rsplit("/", 1)[-1]: record for record in records}


def single_run_diff(fleet, name: str) -> bytes:
    """`napi-fix --dry-run .` in a fresh clone: the single-repository run."""
    where = fleet.root / "single" / name
    where.parent.mkdir(exist_ok=True)
    git(where.parent, "clone", "-q", fleet.url(name), str(where))
    done = subprocess.run([sys.executable, "-m", "codemod", "--dry-run", "."], cwd=where, capture_output=True)
    assert done.returncode != 2, done.stderr  # 0, 1 (a leak) or 3 (pins pending, no leak)
    return done.stdout


def test_dry_run_writes_patches_that_apply_and_equal_the_single_run(fleet):
    refs_before = {n: git(fleet.bare(n), "show-ref") for n in STATUSES}
    code, out, err = fleet.batch(*(fleet.url(n) for n in STATUSES))
    assert code == 2  # broken-json failed
    found = outcomes(fleet)
    assert {n: o["status"] for n, o in found.items()} == STATUSES
    assert found["broken-json"]["stage"] == "analyze"
    assert found["broken-json"]["reason"].startswith("package.json: line 6: invalid JSON")
    for name, outcome in found.items():
        if outcome["status"] != "would-fix":
            assert outcome["patch"] == ""
            continue
        patch = fleet.root / "napi-fix-patches" / outcome["patch"].rsplit("/", 1)[-1]
        assert patch.read_bytes() == single_run_diff(fleet, name)
        git(fleet.root / "single" / name, "apply", "--check", str(patch))
    assert {n: git(fleet.bare(n), "show-ref") for n in STATUSES} == refs_before  # nothing changed anywhere


def test_commit_makes_one_commit_touching_exactly_the_edited_files(fleet):
    checkouts = {n: fleet.checkout(n) for n in ("npm-app", "npm-workspaces", "already-fixed")}
    code, out, err = fleet.batch("--commit", *(str(p) for p in checkouts.values()))
    assert code == 0, out + err
    found = outcomes(fleet)
    assert {n: o["status"] for n, o in found.items()} == {"npm-app": "fixed", "npm-workspaces": "fixed",
                                                          "already-fixed": "clean"}
    for name in ("npm-app", "npm-workspaces"):
        repo, outcome = checkouts[name], found[name]
        assert commits_above(repo, "origin/main", BRANCH) == [outcome["commit"]]
        touched = git(repo, "diff", "--name-only", "origin/main", BRANCH).split()
        patched = [line[6:] for line in (fleet.root / "napi-fix-patches" / outcome["patch"].rsplit("/", 1)[-1])
                   .read_text().splitlines() if line.startswith("+++ b/")]
        assert sorted(touched) == sorted(patched) and len(touched) == outcome["files"]
        text = git(repo, "log", "-1", "--format=%B", BRANCH)
        assert "nodejs/node-addon-api#1602" in text
        assert text.rstrip().endswith(f"Napi-Fix-Version: {__version__}")
        for path in patched:
            assert f"- {path}:" in text  # each change listed with its reason
    # The subject follows each repository's own style.
    assert git(checkouts["npm-app"], "log", "-1", "--format=%s", BRANCH).startswith("fix(deps): pin node-addon-api")
    assert git(checkouts["npm-workspaces"], "log", "-1", "--format=%s", BRANCH).startswith("Pin node-addon-api")
    assert git(checkouts["already-fixed"], "branch", "--list", BRANCH) == ""


def test_a_repository_with_only_finalize_targets(fleet):
    repo = fleet.checkout("finalize-only")
    assert fleet.batch("--commit", str(repo))[0] == 0  # the pin is all done: clean
    assert outcomes(fleet)["finalize-only"]["status"] == "clean"
    # It never leaked: by default no commit (and no pull request) goes to it.
    code, out, err = fleet.batch("--commit", "--strategy", "both", str(repo))
    outcome = outcomes(fleet)["finalize-only"]
    assert (code, outcome["status"], outcome["pins"], outcome["finalize"]) == (3, "hygiene-only", 0, 3)
    assert f"no leak: only empty Finalize overrides, {HYGIENE_ONLY}; not committed" in outcome["reason"]
    assert outcome["patch"] and git(repo, "branch", "--list", BRANCH) == ""
    code, out, err = fleet.batch("--commit", "--commit-hygiene-only", "--strategy", "both", str(repo))
    outcome = outcomes(fleet)["finalize-only"]
    assert (code, outcome["status"], outcome["pins"], outcome["finalize"]) == (0, "hygiene-committed", 0, 3)
    text = git(repo, "log", "-1", "--format=%B", BRANCH)
    assert text.startswith("Add empty Finalize overrides to ObjectWrap classes (hygiene)\n")
    assert "does NOT stop the node-addon-api 8.2.0/8.2.1" in " ".join(text.split())
    assert git(repo, "diff", "--name-only", "origin/main", BRANCH).split() == [
        "src/counter.h", "src/point.h", "src/timer.h"]


def test_finalize_alone_on_a_leaking_repository_says_the_leak_remains(fleet):
    code, out, err = fleet.batch("--commit", "--strategy", "finalize", fleet.url("npm-app"))
    outcome = outcomes(fleet)["npm-app"]
    assert (code, outcome["status"], outcome["leak"], outcome["pins"]) == (1, "hygiene-only", True, 0)
    assert outcome["reason"].startswith(f"the leak remains: only empty Finalize overrides, {HYGIENE_ONLY} "
                                        "(--strategy pin or both plans it)")
    assert git(fleet.bare("npm-app"), "branch", "--list", BRANCH) == ""


def test_push_lands_on_the_bare_remote_with_the_trailer(fleet):
    code, out, err = fleet.batch("--commit", "--push", fleet.url("npm-app"), fleet.url("finalize-only"))
    assert code == 0, out + err
    bare = fleet.bare("npm-app")
    trailer = git(bare, "log", "-1", "--format=%(trailers:key=Napi-Fix-Version,valueonly)", BRANCH).strip()
    assert trailer == __version__
    assert len(commits_above(bare, "main", BRANCH)) == 1
    assert pushes(bare, BRANCH) == 1
    assert git(fleet.bare("finalize-only"), "branch", "--list", BRANCH) == ""
    assert outcomes(fleet)["npm-app"]["pushed"] is True


def test_the_users_checkout_is_byte_identical_after_every_mode(fleet):
    repo = fleet.checkout("npm-app")
    (repo / "package.json").write_text((repo / "package.json").read_text().replace("1.0.0", "1.0.1-dirty"))
    (repo / "scratch.txt").write_text("not committed\n")
    (repo / "index.js").write_text("// staged edit\n")
    git(repo, "add", "index.js")
    git(repo, "checkout", "-q", "-b", "my-work")
    def state():
        return (snapshot(repo, skip=(".git",)), git(repo, "status", "--porcelain=v2", "--branch"), git(repo, "diff", "--cached"),
                (repo / ".git" / "config").read_bytes())

    before = state()
    for mode in ([], ["--commit"], ["--commit", "--push"]):
        code, out, err = fleet.batch(*mode, str(repo))
        assert code in (0, 1), out + err
        assert state() == before
        assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
        assert not (repo / ".git" / "worktrees").exists()
    # The fix was made from the published base, not from the dirty files.
    assert "1.0.1-dirty" not in git(repo, "show", f"{BRANCH}:package.json")
    assert pushes(fleet.bare("npm-app"), BRANCH) == 1


def test_a_branch_checked_out_in_the_users_checkout_is_not_moved(fleet):
    repo = fleet.checkout("npm-app")
    assert fleet.batch("--commit", str(repo))[0] == 0
    git(repo, "checkout", "-q", BRANCH)
    git(repo, "reset", "-q", "--hard", "origin/main")  # the user works on it
    code, out, err = fleet.batch("--commit", "--conflict", "replace", str(repo))
    assert outcomes(fleet)["npm-app"]["status"] == "skipped"
    assert f"branch {BRANCH} is checked out in {repo}" in outcomes(fleet)["npm-app"]["reason"]
    assert git(repo, "rev-parse", "HEAD") == git(repo, "rev-parse", "origin/main")


def test_a_failing_pre_commit_hook_fails_that_repository_only(fleet):
    hooked, plain = fleet.checkout("npm-app"), fleet.checkout("npm-workspaces")
    hook = hooked / ".git" / "hooks" / "pre-commit"
    hook.write_text(FAILING_HOOK)
    hook.chmod(0o755)
    code, out, err = fleet.batch("--commit", str(hooked), str(plain))
    assert code == 2
    found = outcomes(fleet)
    assert (found["npm-app"]["status"], found["npm-app"]["stage"]) == ("failed", "commit")
    assert "lint: 3 problems (napi-fix test hook)" in found["npm-app"]["reason"]
    assert found["npm-workspaces"]["status"] == "fixed"
    assert git(hooked, "branch", "--list", BRANCH) == ""
    assert git(hooked, "worktree", "list", "--porcelain").count("worktree ") == 1
    code, out, err = fleet.batch("--commit", "--no-verify", str(hooked))
    assert code == 0 and outcomes(fleet)["npm-app"]["status"] == "fixed"


def test_an_existing_branch(fleet):
    url = fleet.url("npm-app")
    assert fleet.batch("--commit", "--push", url)[0] == 0
    first = git(fleet.bare("npm-app"), "rev-parse", BRANCH).strip()
    assert fleet.batch("--commit", "--push", url)[0] == 0  # done before: nothing remains to do
    assert outcomes(fleet)["npm-app"]["status"] == "skipped"
    assert "with the same change" in outcomes(fleet)["npm-app"]["reason"]

    # Someone else's change on the branch: skipped by default, replaced on request.
    other = fleet.checkout("npm-app")
    git(other, "checkout", "-q", BRANCH)
    (other / "index.js").write_text("// another change\n")
    git(other, "commit", "-q", "-am", "Another change")
    git(other, "push", "-q", "origin", BRANCH)
    theirs = git(other, "rev-parse", "HEAD").strip()
    code, out, err = fleet.batch("--commit", "--push", url)
    assert outcomes(fleet)["npm-app"]["status"] == "skipped", out
    assert "different change" in outcomes(fleet)["npm-app"]["reason"]
    assert code == 1  # the leak is still there: not a success
    assert git(fleet.bare("npm-app"), "rev-parse", BRANCH).strip() == theirs
    code, out, err = fleet.batch("--commit", "--push", "--conflict", "replace", url)
    assert code == 0 and outcomes(fleet)["npm-app"]["status"] == "fixed", out + err
    replaced = git(fleet.bare("npm-app"), "rev-parse", BRANCH).strip()
    assert replaced != theirs
    assert commits_above(fleet.bare("npm-app"), "main", BRANCH) == [replaced]
    assert git(fleet.bare("npm-app"), "diff", "--name-only", first, replaced) == ""  # our change again


@pytest.mark.parametrize(
    "verify, status, stage",
    [
        pytest.param("test -f package.json && grep -q 8.2.2 package-lock.json", "fixed", "", id="passes"),
        pytest.param("echo 'npm ERR! lock mismatch' >&2; exit 3", "failed", "verify", id="fails"),
    ],
)
def test_verify_runs_in_the_worktree_after_the_edit(fleet, verify, status, stage):
    code, out, err = fleet.batch("--commit", "--push", "--verify", verify, fleet.url("npm-app"))
    outcome = outcomes(fleet)["npm-app"]
    assert (outcome["status"], outcome["stage"]) == (status, stage)
    assert pushes(fleet.bare("npm-app"), BRANCH) == (status == "fixed")
    if status == "failed":
        assert "exited 3" in outcome["reason"] and "npm ERR! lock mismatch" in outcome["reason"]


def test_a_timeout_fails_one_repository_and_the_batch_goes_on(fleet):
    code, out, err = fleet.batch("--commit", "--timeout", "4", "--verify",
                                 "if grep -q leaky-addon package.json; then sleep 60; fi",
                                 fleet.url("npm-app"), fleet.url("npm-workspaces"))
    found = outcomes(fleet)
    assert (found["npm-app"]["status"], found["npm-app"]["stage"]) == ("failed", "verify")
    assert "timed out after 4 s" in found["npm-app"]["reason"]
    assert found["npm-workspaces"]["status"] == "fixed"
    assert code == 2


def test_a_machine_without_a_git_identity_commits_as_napi_fix(fleet, monkeypatch):
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(key)
    for key, value in {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "user.useConfigOnly",
                       "GIT_CONFIG_VALUE_0": "true"}.items():
        monkeypatch.setenv(key, value)  # as on a CI runner: git refuses to guess
    code, out, err = fleet.batch("--commit", "--push", fleet.url("npm-app"))
    assert code == 0, out + err
    author = git(fleet.bare("npm-app"), "log", "-1", "--format=%an <%ae>", BRANCH).strip()
    assert author == "napi-fix <napi-fix@localhost>"
