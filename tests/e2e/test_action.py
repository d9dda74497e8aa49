"""The GitHub Action (action.yml) and every workflow in the repository,
checked by the tools their users' CI would run (SchemaStore's schemas through
check-jsonschema, actionlint, zizmor) and run step by step as the runner runs
them (tests/actions_runner.py): install from the action's own checkout, the
dry run, the SARIF upload, the verdict by `fail-on`, outputs and summary."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from actions_runner import Runner
from codemod.results import EXIT_MEANING, EXIT_TABLE
from codemod.rules import HYGIENE_TRUTH, NO_FINALIZE, RULES
from checkout import ROOT
from helpers import copy_example
from sarif_schema import github_problems, schema_errors

CHECKOUT = ROOT
BIN = Path(sys.executable).parent
EXAMPLES = CHECKOUT / "examples"
DOCUMENTS = [CHECKOUT / "README.md", *sorted((CHECKOUT / "docs").rglob("*.md"))]
SNIPPET = re.compile(r"```ya?ml\n(# \.github/workflows/[^\n]*\n.*?)```", re.S)


def workflows(tmp_path: Path) -> list[Path]:
    """examples/ci's workflows, and the workflow snippets of the README and docs exactly as written."""
    found = [p for p in sorted((EXAMPLES / "ci").glob("*.y*ml"))
             if any("jobs" in (doc or {}) for doc in yaml.safe_load_all(p.read_text()))]
    for document in DOCUMENTS:
        for n, snippet in enumerate(SNIPPET.findall(document.read_text(encoding="utf-8"))):
            path = tmp_path / f"{document.stem}-{n}.yml"
            path.write_text(snippet)
            found.append(path)
    assert len(found) >= 3, found
    return found


def test_the_actions_outputs_are_described_in_napi_fixs_own_words():
    outputs = yaml.safe_load((CHECKOUT / "action.yml").read_text())["outputs"]
    assert all(f"{status} ({meaning})" in outputs["exit-code"]["description"] for status, meaning, _ in EXIT_TABLE)
    assert [outputs[rule.id.lower()]["description"] for rule in RULES] == [
        f"{rule.id} findings: {rule.short}." for rule in RULES]


def test_the_action_and_the_workflows_match_schemastore(tmp_path):
    for schema, files in (("vendor.github-actions", [CHECKOUT / "action.yml"]),
                          ("vendor.github-workflows", workflows(tmp_path))):
        done = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", schema, *map(str, files)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_finds_nothing(tmp_path):
    linter = subprocess.run([str(CHECKOUT / "scripts" / "setup-actionlint")], capture_output=True, text=True,
                            check=True, timeout=300).stdout.strip()
    # One linter per file: the WebAssembly build misreads expressions once it
    # has linted a few files in one instance (seen with four).
    script = ("const fs = require('fs'); const {createLinter} = require(process.argv[1]);"
              "(async () => { const found = [];"
              " for (const f of process.argv.slice(2)) found.push(...(await createLinter())(fs.readFileSync(f, 'utf8'), f));"
              " process.stdout.write(JSON.stringify(found)); })();")
    files = workflows(tmp_path)
    done = subprocess.run(["node", "-e", script, linter, *map(str, files)], capture_output=True, text=True,
                          timeout=120, check=True)
    assert json.loads(done.stdout) == []
    # The linter is live: a workflow with a classic mistake is reported.
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.event.pull_request.title }}\n")
    done = subprocess.run(["node", "-e", script, linter, str(bad)], capture_output=True, text=True, timeout=120)
    assert json.loads(done.stdout)


def test_zizmor_finds_nothing(tmp_path):
    files = [CHECKOUT / "action.yml", *workflows(tmp_path)]
    done = subprocess.run([str(BIN / "zizmor"), "--offline", "--config", str(CHECKOUT / "zizmor.yml"),
                           *map(str, files)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


# -- the action, run as the runner runs it ----------------------------------------

@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory) -> Path:
    """One RUNNER_TEMP for the module: the action's virtual environment is made once."""
    return tmp_path_factory.mktemp("runner-temp")


def _runner(workspace: Path, temp: Path) -> Runner:
    def upload_sarif(inputs: dict, runner: Runner) -> dict:
        log = json.loads(Path(inputs["sarif_file"]).read_text())
        assert schema_errors(log) == [] and github_problems(log) == []
        return {}

    return Runner(workspace, temp, actions={"napi-fix/napi-fix@": CHECKOUT},
                  fakes={"github/codeql-action/upload-sarif@": upload_sarif,
                         "actions/checkout@": lambda inputs, runner: {},
                         "actions/setup-python@": lambda inputs, runner: {}})


def _leaky(tmp_path: Path) -> Path:
    workspace = tmp_path / "repo"
    copy_example("leaky-addon", workspace)
    return workspace


pytestmark = pytest.mark.slow


@pytest.mark.parametrize("format_, fail_on, fails", [
    pytest.param("sarif", "leak", True, id="sarif-fails-on-the-leak"),
    pytest.param("github", "leak", True, id="annotations"),
    pytest.param("text", "never", False, id="text-never-fails"),
])
def test_the_action_on_a_leaky_addon(format_, fail_on, fails, tmp_path, runner_temp):
    runner = _runner(_leaky(tmp_path), runner_temp)
    outputs = runner.action(CHECKOUT, {"format": format_, "fail-on": fail_on})
    run = runner.run
    assert [s.outcome for s in run.steps][:2] == ["success", "success"], run.log
    assert run.failed == fails, run.log
    assert outputs["exit-code"] == "1"
    assert int(outputs["napi001"]) >= 1 and json.loads(outputs["counts"])["NAPI001"] == int(outputs["napi001"])
    # napi-fix's own words: the exit-code table's meaning, in the summary and the verdict, and each rule's
    assert f"**Exit 1: {EXIT_MEANING[1]}.**" in run.summary
    assert (f"::error title=napi-fix::exit 1: {EXIT_MEANING[1]} (fail-on: leak)" in run.log) == fails, run.log
    assert f" | {NO_FINALIZE.short} |" in run.summary and HYGIENE_TRUTH in run.summary
    uploads = [call for call in run.calls if call[0].startswith("github/codeql-action/upload-sarif@")]
    assert len(uploads) == (format_ == "sarif")
    if format_ == "github":
        assert re.search(r"^::error file=package-lock\.json,line=\d+", run.log, re.M), run.log
    if format_ == "text":
        assert '+    "node-addon-api": "^8.2.2"' in run.log
    assert not (tmp_path / "repo" / "package.json").read_text().count("^8.2.2")  # a dry run: nothing written


def test_the_action_passes_a_clean_addon(tmp_path, runner_temp):
    workspace = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "leaky-addon" / "src", workspace / "src")  # ObjectWrap classes, no manifests
    runner = _runner(workspace, runner_temp)
    outputs = runner.action(CHECKOUT, {"strategy": "pin", "fail-on": "pending"})
    assert not runner.run.failed, runner.run.log
    assert outputs["exit-code"] == "0" and json.loads(outputs["counts"]) == dict.fromkeys(
        ("NAPI001", "NAPI002", "NAPI003", "NAPI004", "NAPI005"), 0)
    assert f"napi-fix: exit 0: {EXIT_MEANING[0]} (fail-on: pending)" in runner.run.log


def test_a_bad_input_fails_the_job_whatever_fail_on_says_but_never(tmp_path, runner_temp):
    runner = _runner(_leaky(tmp_path), runner_temp)
    outputs = runner.action(CHECKOUT, {"strategy": "everything"})
    assert outputs["exit-code"] == "2" and runner.run.failed


def test_install_only_puts_napi_fix_on_path_for_later_steps(tmp_path, runner_temp):
    runner = _runner(_leaky(tmp_path), runner_temp)
    run = runner.job([{"uses": "napi-fix/napi-fix@main", "with": {"command": "install"}},
                      {"run": "napi-fix --version\nnapi-fix batch --help | head -1"}])
    assert not run.failed, run.log
    assert run.steps[-1].stdout.startswith("napi-fix ")
    assert [s.outcome for s in run.steps].count("skipped") == 3  # the check, the upload and the verdict


def test_the_pull_request_workflow_in_examples_ci(tmp_path, runner_temp):
    workflow = yaml.safe_load((EXAMPLES / "ci" / "napi-fix-pr.yml").read_text())
    runner = _runner(_leaky(tmp_path), runner_temp)
    run = runner.job(workflow["jobs"]["napi-fix"]["steps"])
    assert run.failed  # the leak remains: the check fails
    assert [c[0] for c in run.calls] == ["actions/checkout@v4", "actions/setup-python@v5",
                                         "github/codeql-action/upload-sarif@v4"]
