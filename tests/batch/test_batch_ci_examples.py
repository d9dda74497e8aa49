"""examples/ci/ ships a GitHub Actions matrix and a Kubernetes Indexed Job:
every `napi-fix batch` command in them parses with the batch's own argument
parser (in each mode the workflow switches between), so they use exactly
the flags napi-fix has."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from checkout import EXAMPLES
from codemod.batch.cli import parse

CI = EXAMPLES / "ci"
# What the shell would put in place of the examples' variables.
SUBSTITUTIONS = {"${{ matrix.shard }}": "2", "$GITHUB_STEP_SUMMARY": "summary.md"}
MODES = ("--dry-run", "--commit", "--commit --push --open-pr --max-pushes 50")


def commands(path: Path) -> list[str]:
    text = path.read_text().replace("\\\n", " ")  # continued lines joined
    return [line.strip() for line in text.splitlines() if line.strip().startswith("napi-fix batch ")]


def argv(command: str, mode: str) -> list[str]:
    for variable, value in SUBSTITUTIONS.items():
        command = command.replace(variable, value)
    command = command.replace("$mode", mode)
    words = shlex.split(command)[2:]
    ends = [i for i, word in enumerate(words) if re.fullmatch(r"[>|&]+", word)]  # where the shell takes over
    return words[:ends[0]] if ends else words


@pytest.mark.parametrize("name", ["github-actions-matrix.yml", "k8s-indexed-job.yaml"])
def test_every_batch_command_in_the_examples_parses(name):
    path = CI / name
    list(yaml.safe_load_all(path.read_text()))  # valid YAML
    found = commands(path)
    assert found, f"no napi-fix batch command in {name}"
    for command in found:
        for mode in MODES if "$mode" in command else ("",):
            words = argv(command, mode)
            verb, args = parse(words)
            assert args is not None, command
            if verb != "merge":
                assert args.from_file, command


def test_the_matrix_recipe_runs_as_the_runner_runs_it_and_keeps_the_token_secret(fleet, tmp_path):
    """The four shard jobs and the merge job of github-actions-matrix.yml,
    step by step as the runner runs them (tests/actions_runner.py), over
    file:// remotes standing in for github.com: the shards push, the merge
    job judges by the exit-code table and uploads its summary anyway, and
    the token the recipe puts into `insteadOf` is in no log, summary or
    artifact."""
    from actions_runner import Runner

    from batch_repos import FAST, git, pushes

    secret = "ghs_RecipeT0kenValue42"
    workflow = yaml.safe_load((CI / "github-actions-matrix.yml").read_text())
    home, artifacts = tmp_path / "home", tmp_path / "artifacts"
    home.mkdir()
    # Where git sends github.com/org/: the remotes, reached through a path holding the
    # token, as the recipe's own rule would put it into every URL git expands.
    vault = tmp_path / f"x-access-token:{secret}@github.com"
    shutil.copytree(fleet.root / "remotes", vault)
    gitconfig = home / ".gitconfig"
    git(tmp_path, "config", "--file", str(gitconfig), f"url.{vault.as_uri()}/.insteadOf", "https://github.com/org/")
    env = {**os.environ, "HOME": str(home), "GIT_CONFIG_GLOBAL": str(gitconfig)}
    env.pop("NAPI_FIX_CACHE", None)

    def upload(inputs: dict, runner: Runner) -> dict:
        source, into = runner.workspace / inputs["path"].split("#")[0].strip(), artifacts / inputs["name"]
        into.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, into, dirs_exist_ok=True)
        else:
            shutil.copy(source, into)
        return {}

    def download(inputs: dict, runner: Runner) -> dict:
        for folder in sorted(artifacts.glob(inputs["pattern"])):
            shutil.copytree(folder, runner.workspace / inputs["path"], dirs_exist_ok=True)
        return {}

    cached = tmp_path / "cached"  # actions/cache: restored at its step, saved when the job ends

    def restore(inputs: dict, runner: Runner) -> dict:
        saved = cached / inputs["path"]
        if saved.is_file():
            (runner.workspace / inputs["path"]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(saved, runner.workspace / inputs["path"])
        return {}

    def save(runner: Runner, steps: list[dict]) -> None:
        for step in steps:
            path = str(step.get("with", {}).get("path", ""))
            if step.get("uses", "").startswith("actions/cache@") and "${{" in path:
                path = path.replace("${{ matrix.shard }}", runner.shard)
                if (runner.workspace / path).is_file():
                    (cached / path).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(runner.workspace / path, cached / path)

    fakes = {"actions/checkout@": lambda i, r: {}, "actions/setup-python@": lambda i, r: {},
             "actions/cache@": restore, "actions/upload-artifact@": upload,
             "actions/download-artifact@": download,
             # (the install itself is tested in test_action.py)
             "napi-fix/napi-fix@": lambda i, r: r.path_prepend.append(str(Path(sys.executable).parent)) or {}}
    context = {"inputs": {"mode": "push"}, "secrets": {"NAPI_FIX_TOKEN": secret}, "needs": {}}
    logs = []

    def shards(attempt: int) -> None:
        for shard in (1, 2, 3, 4):
            workspace, temp = tmp_path / f"run-{attempt}" / f"shard-{shard}", tmp_path / f"temp-{attempt}-{shard}"
            workspace.mkdir(parents=True)
            temp.mkdir()
            (workspace / "repos.csv").write_text("cloneUrl\n" + "".join(f"https://github.com/org/{n}.git\n"
                                                                       for n in FAST))
            runner = Runner(workspace, temp, env, fakes=fakes)
            runner.shard = str(shard)
            steps = workflow["jobs"]["shard"]["steps"]
            run = runner.job(steps, {**context, "matrix": {"shard": shard}})
            save(runner, steps)
            assert not run.failed, run.log
            logs.extend([run.log, run.summary])

    shards(1)
    assert [pushes(vault / f"{n}.git", "napi-fix/objectwrap-leak") for n in FAST] == [1, 1, 0, 0, 0]
    shards(2)  # the next workflow run: each shard's ledger restored, nothing done twice
    assert [pushes(vault / f"{n}.git", "napi-fix/objectwrap-leak") for n in FAST] == [1, 1, 0, 0, 0]
    assert sum(text.count("done in an earlier run") for text in logs) == len(FAST) - 1  # broken-json: tried again

    merge_space = tmp_path / "merge"
    merge_space.mkdir()
    (tmp_path / "temp-merge").mkdir()
    run = Runner(merge_space, tmp_path / "temp-merge", env, fakes=fakes).job(
        workflow["jobs"]["merge"]["steps"], context)
    logs += [run.log, run.summary]
    assert [s.outcome for s in run.steps][-2:] == ["failure", "success"]  # broken-json failed: exit 2; uploaded
    summary = json.loads((artifacts / "napi-fix-summary" / "summary.jsonl").read_text().splitlines()[-1])
    assert (summary["exit_code"], summary["counts"]["fixed"], summary["counts"]["failed"]) == (2, 2, 1)
    assert "**napi-fix batch**: 5 repositories: 2 fixed" in run.summary
    assert not [text for text in logs if secret in text]
    leaked = [p for p in artifacts.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]
    assert leaked == []


def test_the_kubernetes_recipe_runs_its_pods_scripts_as_written(fleet, tmp_path):
    """Each pod's shell script of k8s-indexed-job.yaml, as the container runs
    it (`sh -c`, the Job's env, JOB_COMPLETION_INDEX 0..3 as Kubernetes
    sets it), with the volumes' mount points under tmp_path and apt-get and
    pip standing in for the image's: the shards succeed whatever their exit
    code, and the merge Job's status is the exit-code table's."""
    from batch_repos import FAST, git, pushes

    documents = [d for d in yaml.safe_load_all((CI / "k8s-indexed-job.yaml").read_text()) if d]
    shards, merge = (next(d for d in documents if d["metadata"]["labels"]["napi-fix/step"] == step)
                     for step in ("shards", "merge"))
    mounts = {"/config": tmp_path / "config", "/git": tmp_path / "git", "/ledgers": tmp_path / "ledgers"}
    for folder in mounts.values():
        folder.mkdir()
    secret = "k8sT0kenValue42"
    (mounts["/git"] / "credentials").write_text(f"https://bot:{secret}@github.com\n")  # the Secret's key
    (mounts["/config"] / "repos.csv").write_text("cloneUrl,branch\n" + "".join(
        f"https://github.com/org/{n}.git,main\n" for n in FAST))
    stand_ins = tmp_path / "bin"
    stand_ins.mkdir()
    for tool in ("apt-get", "pip"):
        (stand_ins / tool).write_text("#!/bin/sh\nexit 0\n")
        (stand_ins / tool).chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    gitconfig = home / ".gitconfig"
    git(tmp_path, "config", "--file", str(gitconfig), f"url.{(fleet.root / 'remotes').as_uri()}/.insteadOf",
        "https://github.com/org/")
    base_env = {**os.environ, "HOME": str(home), "GIT_CONFIG_GLOBAL": str(gitconfig),
                "PATH": os.pathsep.join([str(stand_ins), str(Path(sys.executable).parent), os.environ["PATH"]])}

    def pod(job: dict, index: int | None) -> subprocess.CompletedProcess:
        container = job["spec"]["template"]["spec"]["containers"][0]
        script = container["args"][0]
        for mount, folder in mounts.items():
            script = script.replace(mount, str(folder))
        env = {**base_env, **{e["name"]: e["value"] for e in container.get("env", [])}}
        for mount, folder in mounts.items():
            env = {k: v.replace(mount, str(folder)) if isinstance(v, str) and v.startswith(mount) else v
                   for k, v in env.items()}
        if index is not None:
            env["JOB_COMPLETION_INDEX"] = str(index)
        return subprocess.run([*container["command"], script], env=env, capture_output=True, text=True,
                              timeout=300)

    completions = shards["spec"]["completions"]
    runs = [pod(shards, index) for index in range(completions)]
    assert [r.returncode for r in runs] == [0] * completions, [r.stderr for r in runs]
    assert [pushes(fleet.bare(n), "napi-fix/objectwrap-leak") for n in FAST] == [1, 1, 0, 0, 0]
    merged = pod(merge, None)
    assert merged.returncode == 2, merged.stderr  # broken-json failed: the merge Job fails, as the table says
    assert "**napi-fix batch**: 5 repositories: 2 fixed" in merged.stdout
    assert not [r for r in [*runs, merged] if secret in r.stdout + r.stderr]
