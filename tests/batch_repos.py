"""Fixture repositories for the batch tests.

Project trees are real: the committed examples (npm lockfiles written by
npm), the same trees as napi-fix leaves them (already fixed), and projects
whose lockfiles real yarn classic, yarn berry and pnpm write. Trees made by
a package manager are built once into the cache and reused. Each tree
becomes a git repository with a short history, pushed to a local bare
repository (the remote, reached as file://); tests work on copies.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from checkout import EXAMPLES
from helpers import snapshot  # noqa: F401  (re-exported for the batch tests)
from napi_headers import CACHE

TREES = CACHE / "batch-trees-v1"
# Hermetic git: no user or system config (hooks paths, signing, default
# branch), a fixed identity.
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test Author", "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_COMMITTER_NAME": "Test Author", "GIT_COMMITTER_EMAIL": "author@example.invalid",
}
BROKEN_JSON = '{\n  "name": "broken",\n  "dependencies": {\n    "node-addon-api": "^8.2.0"\n  \n'
FAILING_HOOK = "#!/bin/sh\necho 'lint: 3 problems (napi-fix test hook)' >&2\nexit 1\n"


def git(cwd: Path, *args: str, input: str | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV})
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} in {cwd}: {done.stderr}")
    return done.stdout


# -- project trees -------------------------------------------------------------


def _copy_example(name: str):
    def build(root: Path) -> None:
        shutil.copytree(EXAMPLES / name, root, dirs_exist_ok=True)
    return build


def _napi_fixed(strategy: str):
    """The leaky example as napi-fix leaves it: what a merged fix looks like."""
    def build(root: Path) -> None:
        shutil.copytree(EXAMPLES / "leaky-addon", root, dirs_exist_ok=True)
        subprocess.run([sys.executable, "-m", "codemod", "--strategy", strategy, str(root)], check=True,
                       capture_output=True)
    return build


def _broken(root: Path) -> None:
    shutil.copytree(EXAMPLES / "leaky-addon", root, dirs_exist_ok=True)
    (root / "package.json").write_text(BROKEN_JSON)


def _yarn_classic(root: Path) -> None:
    from pm import run, tool, write_json

    write_json(root / "package.json", {"name": "yarn-app", "version": "1.0.0", "license": "MIT",
                                       "dependencies": {"node-addon-api": "8.2.1"}})
    run([tool("yarn"), "install", "--ignore-scripts", "--non-interactive", "--prefer-offline"], root,
        env=_registry_env())
    shutil.rmtree(root / "node_modules")


def _pnpm_workspace(root: Path) -> None:
    from pm import run, tool, write_json

    def package(name: str, spec: str) -> dict:
        return {"name": name, "version": "1.0.0", "license": "MIT", "dependencies": {"node-addon-api": spec}}

    write_json(root / "package.json", {"name": "mono", "version": "1.0.0", "private": True})
    (root / "pnpm-workspace.yaml").write_text("packages:\n  - 'packages/*'\n")
    write_json(root / "packages/a/package.json", package("a", "8.2.1"))
    write_json(root / "packages/b/package.json", package("b", "8.1.0"))
    pnpm = [tool("pnpm"), "install", "--lockfile-only", "--ignore-scripts", "--prefer-offline"]
    run(pnpm, root)
    write_json(root / "packages/a/package.json", package("a", "^8.2.0"))
    run(pnpm, root)


def _yarn_berry(root: Path) -> None:
    from pm import run, tool, write_json

    registry = _registry_env()["YARN_REGISTRY"]
    (root / ".yarnrc.yml").write_text(f'nodeLinker: node-modules\nnpmRegistryServer: "{registry}"\n'
                                      "enableTelemetry: false\n")
    write_json(root / "package.json", {"name": "berry-app", "version": "1.0.0", "license": "MIT",
                                       "dependencies": {"node-addon-api": "8.2.1"}})
    run([tool("berry"), "install", "--mode=skip-build"], root, env={"YARN_ENABLE_IMMUTABLE_INSTALLS": "false"})
    for made in ("node_modules", ".yarn"):
        shutil.rmtree(root / made, ignore_errors=True)
    for made in (".pnp.cjs", ".pnp.loader.mjs"):
        (root / made).unlink(missing_ok=True)


def _registry_env() -> dict:
    registry = subprocess.run(["npm", "config", "get", "registry"], capture_output=True, text=True).stdout.strip()
    return {"YARN_REGISTRY": registry, "npm_config_registry": registry}


BUILDERS = {
    "npm-app": _copy_example("leaky-addon"),
    "npm-workspaces": _copy_example("monorepo"),
    "already-fixed": _napi_fixed("both"),
    "finalize-only": _napi_fixed("pin"),  # pinned already; only Finalize targets remain
    "broken-json": _broken,
    "yarn-classic": _yarn_classic,
    "pnpm-workspace": _pnpm_workspace,
    "yarn-berry": _yarn_berry,
}
MADE_BY_PACKAGE_MANAGERS = ("yarn-classic", "pnpm-workspace", "yarn-berry")


def tree(name: str, scratch: Path) -> Path:
    """The project tree `name`: package-manager trees are built once into
    the cache; the others are cheap and made in `scratch`."""
    folder = TREES / name if name in MADE_BY_PACKAGE_MANAGERS else scratch / "trees" / name
    if folder.exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=folder.parent))
    BUILDERS[name](temp)
    temp.rename(folder)
    return folder


# -- repositories ----------------------------------------------------------------

# Each repository's history: conventional commits or not (the batch's
# subject follows the style it finds).
HISTORY = {
    "npm-app": ("feat: import the addon", "docs: add a README"),
    "npm-workspaces": ("Import the monorepo", "Add a README"),
}


@dataclass(frozen=True)
class Remote:
    name: str
    bare: Path

    @property
    def url(self) -> str:
        return self.bare.as_uri()


def make_remote(folder: Path, name: str, source: Path) -> Remote:
    """A bare repository holding `source` on main, in two commits; its ref
    updates are logged, so a test can count pushes."""
    work = folder / "seed" / name
    shutil.copytree(source, work)
    readme = work / "README.md"
    readme.unlink(missing_ok=True)
    first, second = HISTORY.get(name, ("Initial import", "Add a README"))
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", first)
    readme.write_text(f"# {name}\n")
    git(work, "add", "README.md")
    git(work, "commit", "-q", "-m", second)
    bare = folder / "remotes" / f"{name}.git"
    git(folder, "init", "-q", "--bare", "-b", "main", str(bare))
    git(bare, "config", "uploadpack.allowFilter", "true")  # partial clones are partial
    git(bare, "config", "core.logAllRefUpdates", "always")
    git(work, "push", "-q", str(bare), "main")
    shutil.rmtree(work)
    return Remote(name, bare)


def clone(remote: Remote, into: Path) -> Path:
    git(into.parent, "clone", "-q", remote.url, str(into))
    return into


def pushes(bare: Path, branch: str) -> int:
    """How many times `branch` was updated on the bare remote."""
    log = bare / "logs" / "refs" / "heads" / branch
    return len(log.read_text().splitlines()) if log.exists() else 0


def commits_above(repo: Path, base: str, tip: str) -> list[str]:
    return git(repo, "rev-list", f"{base}..{tip}").split()


def fake_gh(folder: Path) -> Path:
    """A `gh` that records its arguments (one JSON list a line) and answers
    as gh does when it opened a pull request."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    calls = folder / "gh-calls.jsonl"
    script = bin_dir / "gh"
    script.write_text(f"""#!/bin/sh
python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@" >> '{calls}'
echo "https://git.example/org/repo/pull/7"
""")
    script.chmod(0o755)
    return calls


def ledger(path: Path) -> list[dict]:
    """The ledger's outcome records (every line whole), without its header."""
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0]["type"] == "ledger", lines[0]  # which shard of how many
    return lines[1:]


# -- fixtures ----------------------------------------------------------------------

FAST = ("npm-app", "npm-workspaces", "already-fixed", "finalize-only", "broken-json")


def _remotes(folder: Path, names) -> Path:
    for name in names:
        make_remote(folder, name, tree(name, folder))
    shutil.rmtree(folder / "trees", ignore_errors=True)
    return folder / "remotes"


@pytest.fixture(scope="session")
def pristine_remotes(tmp_path_factory) -> Path:
    """The fast repositories' bare remotes, built once per session."""
    return _remotes(tmp_path_factory.mktemp("batch-pristine"), FAST)


@pytest.fixture(scope="session")
def pm_remotes(tmp_path_factory) -> Path:
    """Remotes of the projects real yarn classic, pnpm and yarn berry made."""
    return _remotes(tmp_path_factory.mktemp("batch-pm"), MADE_BY_PACKAGE_MANAGERS)


class Fleet:
    """A test's own copies of the remotes, its clone cache, and the batch."""

    def __init__(self, root: Path, capfd):
        self.root, self.capfd = root, capfd
        self.remotes: dict[str, Remote] = {}

    def add(self, remotes_dir: Path) -> None:
        for bare in sorted(remotes_dir.glob("*.git")):
            copy = self.root / "remotes" / bare.name
            shutil.copytree(bare, copy)
            self.remotes[bare.name[:-4]] = Remote(bare.name[:-4], copy)

    def url(self, name: str) -> str:
        return self.remotes[name].url

    def bare(self, name: str) -> Path:
        return self.remotes[name].bare

    def checkout(self, name: str) -> Path:
        """A user's local clone of the remote."""
        (self.root / "checkouts").mkdir(exist_ok=True)
        return clone(self.remotes[name], self.root / "checkouts" / name)

    def batch(self, *args: str) -> tuple[int, str, str]:
        """`napi-fix batch ARGS` in this process: exit code, stdout, stderr."""
        from codemod.cli import main

        self.capfd.readouterr()
        code = main(["batch", *args] if args[:1] in (("merge",), ("status",)) else ["batch", "-j", "1", *args])
        out, err = self.capfd.readouterr()
        return code, out, err

    def command(self, *args: str) -> list[str]:
        """`napi-fix batch ARGS` as a command for a subprocess."""
        return [sys.executable, "-m", "codemod", "batch", *args]


@pytest.fixture
def fleet(pristine_remotes, tmp_path, monkeypatch, capfd) -> Fleet:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("NAPI_FIX_CACHE", str(tmp_path / "cache"))
    for key in ("DRY_RUN", "JOB_COMPLETION_INDEX", "JOB_COMPLETIONS"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    fleet = Fleet(tmp_path, capfd)
    fleet.add(pristine_remotes)
    return fleet
