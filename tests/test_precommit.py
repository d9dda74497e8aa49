"""The pre-commit hooks (.pre-commit-hooks.yaml), run by the real pre-commit
in a temporary git repository as its users run them: the checking hook fails
the commit with the diff shown, the fixing hook leaves the tree fixed (and
fails the commit, as pre-commit does for a hook that changed files), and the
next commit passes. Plus the table of what `--package-roots` makes of the
staged files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codemod.precommit import package_roots_of
from helpers import copy_example, write_tree

CHECKOUT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

TREE = {
    "package.json": "{}",
    "package-lock.json": "{}",
    "src/addon.cc": "",
    "packages/member/package.json": "{}",
    "packages/member/src/member.h": "",
    "tools/pnpm/pnpm-workspace.yaml": "packages: []",
    "tools/pnpm/a/package.json": "{}",
    "tools/pnpm/a/a.cc": "",
    "nolock/package.json": "{}",
    "nolock/binding.gyp": "{}",
}


@pytest.mark.parametrize("staged, roots", [
    pytest.param(["package.json"], ["."], id="package.json-its-lock-folder"),
    pytest.param(["package-lock.json", "package.json"], ["."], id="lock-and-manifest-once"),
    pytest.param(["src/addon.cc"], ["."], id="a-source-its-package"),
    pytest.param(["packages/member/src/member.h"], ["."], id="workspace-member-the-lock-root"),
    pytest.param(["tools/pnpm/a/a.cc"], ["tools/pnpm"], id="pnpm-workspace-root"),
    pytest.param(["nolock/binding.gyp", "nolock/package.json"], ["."], id="no-lock-beside-the-nearest-lock-above"),
])
def test_staged_files_become_their_package_roots(staged, roots, tmp_path, monkeypatch):
    write_tree(tmp_path, TREE)
    monkeypatch.chdir(tmp_path)
    assert list(package_roots_of(tuple(staged))) == roots


def test_without_any_manifest_a_file_stays_itself(tmp_path, monkeypatch):
    write_tree(tmp_path, {"a/b.cc": "", "c/package.json": "{}", "c/d.h": ""})
    monkeypatch.chdir(tmp_path)
    assert package_roots_of(("a/b.cc", "c/d.h")) == ("a/b.cc", "c")
    outside = tmp_path.parent / "elsewhere.cc"
    assert package_roots_of((str(outside),)) == (str(outside),)  # nothing above the repository is read


def test_the_manifest_is_one_pre_commit_accepts():
    done = subprocess.run([str(BIN / "pre-commit"), "validate-manifest", str(CHECKOUT / ".pre-commit-hooks.yaml")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def _git(cwd: Path, *args: str, check: bool = True, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd,
                          capture_output=True, text=True, check=check, env=env, timeout=600)


def _snapshot(target: Path) -> str:
    """The checkout as it is now (uncommitted work included) as a git repository pre-commit can clone."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=CHECKOUT,
                            capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, listed):
        source = CHECKOUT / os.fsdecode(name)
        if source.is_file() and not source.is_symlink():
            (target / os.fsdecode(name)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / os.fsdecode(name))
    _git(target, "init", "-q", "-b", "main")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "snapshot")
    return _git(target, "rev-parse", "HEAD").stdout.strip()


@pytest.mark.slow
def test_the_hooks_fail_fix_and_then_pass_a_commit(tmp_path):
    hooks_repo = tmp_path / "napi-fix"
    rev = _snapshot(hooks_repo)
    repo = tmp_path / "addon"
    copy_example("leaky-addon", repo)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks_repo}\n    rev: {rev}\n    hooks:\n"
        "      - id: napi-fix-check\n      - id: napi-fix\n")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "PATH": os.pathsep.join([str(BIN), os.environ.get("PATH", "")])}
    env.pop("PYTHONPATH", None)
    _git(repo, "init", "-q", "-b", "main")
    subprocess.run([str(BIN / "pre-commit"), "install"], cwd=repo, env=env, check=True, capture_output=True)
    _git(repo, "add", "-A")

    first = _git(repo, "commit", "-m", "the addon", check=False, env=env)
    assert first.returncode != 0  # the checking hook failed the commit ...
    output = first.stdout + first.stderr
    assert '+    "node-addon-api": "^8.2.2"' in output  # ... showing the diff
    assert "files were modified by this hook" in output  # the fixing hook wrote the fix
    assert '"node-addon-api": "^8.2.2"' in (repo / "package.json").read_text()
    assert '"version": "8.2.2"' in (repo / "package-lock.json").read_text()  # the lock with its package.json

    _git(repo, "add", "-A")
    second = _git(repo, "commit", "-m", "the addon, pinned", check=False, env=env)
    assert second.returncode == 0, second.stdout + second.stderr

    # Only a lockfile staged: planned with its package.json (its package root), and nothing to do.
    (repo / "package-lock.json").write_bytes((repo / "package-lock.json").read_bytes() + b"\n")
    _git(repo, "add", "package-lock.json")
    third = _git(repo, "commit", "-m", "lock only", check=False, env=env)
    assert third.returncode == 0, third.stdout + third.stderr
