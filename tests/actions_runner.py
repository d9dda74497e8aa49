"""Runs GitHub Actions steps as the runner does, for tests of the action and
the workflow recipes (no GitHub here).

What the runner does and this copies: each `run:` step is a file run with
`bash --noprofile --norc -eo pipefail FILE` (the runner's `shell: bash`);
`${{ ... }}` is substituted before the step runs, in `run`, `env` and
`with`; `if:` is an expression whose default is `success()`; the step's
environment files (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH,
GITHUB_STEP_SUMMARY) are fresh per step and read back after it (`name=value`
and `name<<DELIMITER` heredocs), GITHUB_PATH entries are prepended to PATH for
the later steps; a composite action's steps see GITHUB_ACTION_PATH and
`github.action_path`, and its `outputs.*.value` are evaluated at the end.
`uses:` of anything else goes to a fake that records its inputs (a test
asserts on them), and an unknown action is an error, not a silent pass.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||!|\(|\)|,)"
                   r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_*][A-Za-z0-9_-]*)*))")


@dataclass
class StepResult:
    name: str
    outcome: str  # success, failure, skipped
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""


@dataclass
class Run:
    steps: list[StepResult] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    calls: list[tuple[str, dict]] = field(default_factory=list)  # (uses, with) of faked actions

    @property
    def failed(self) -> bool:
        return any(s.outcome == "failure" for s in self.steps)

    @property
    def summary(self) -> str:
        return "".join(s.summary for s in self.steps)

    @property
    def log(self) -> str:
        return "".join(s.stdout + s.stderr for s in self.steps)


class Runner:
    """One job's worth of steps in `workspace`, with `temp` as RUNNER_TEMP."""

    def __init__(self, workspace: Path, temp: Path, env: dict[str, str] | None = None,
                 actions: dict[str, Path] | None = None,
                 fakes: dict[str, Callable[[dict, "Runner"], dict]] | None = None):
        self.workspace = workspace
        self.temp = temp
        self.env = dict(os.environ if env is None else env)
        self.actions = actions or {}  # `uses:` prefix -> a local action's folder
        self.fakes = fakes or {}  # `uses:` prefix -> fn(with, runner) -> outputs
        self.path_prepend: list[str] = []
        self.run = Run()

    # -- jobs and actions ------------------------------------------------------

    def job(self, steps: list[dict], context: dict | None = None) -> Run:
        self._steps(steps, {"github": self._github(), **(context or {})}, action_path=None)
        return self.run

    def action(self, folder: Path, inputs: dict[str, str], context: dict | None = None) -> dict[str, str]:
        """A composite action from its folder's action.yml; returns its outputs."""
        meta = yaml.safe_load((folder / "action.yml").read_text())
        assert meta["runs"]["using"] == "composite", meta["runs"]
        values = {name: str(spec.get("default", "")) for name, spec in (meta.get("inputs") or {}).items()}
        unknown = set(inputs) - set(values)
        assert not unknown, f"inputs the action does not declare: {unknown}"
        values.update({k: str(v) for k, v in inputs.items()})
        scope = {"github": {**self._github(), "action_path": str(folder)}, "inputs": values, "steps": {},
                 **(context or {})}
        self._steps(meta["runs"]["steps"], scope, action_path=folder)
        return {name: _substitute(str(spec["value"]), scope) for name, spec in (meta.get("outputs") or {}).items()}

    def _github(self) -> dict:
        return {"workspace": str(self.workspace), "event_name": "pull_request", "run_id": "1"}

    def _steps(self, steps: list[dict], scope: dict, action_path: Path | None) -> None:
        scope.setdefault("steps", {})
        for step in steps:
            condition = step.get("if", "success()")
            condition = EXPRESSION.sub(lambda m: m.group(1), str(condition))
            failed_before = self.run.failed
            if not _truthy(evaluate(condition, scope, failed_before)):
                self.run.steps.append(StepResult(step.get("name", ""), "skipped"))
                continue
            if "run" in step:
                result = self._run_step(step, scope, action_path)
            else:
                result = self._uses_step(step, scope)
            self.run.steps.append(result)
            if step.get("id"):
                scope["steps"][step["id"]] = {"outputs": result.outputs, "outcome": result.outcome}

    # -- one step --------------------------------------------------------------

    def _run_step(self, step: dict, scope: dict, action_path: Path | None) -> StepResult:
        assert step.get("shell", "bash") == "bash", "only bash steps are run here"
        index = len(self.run.steps)
        files = {name: self.temp / f"_step{index}_{name.lower()}" for name in
                 ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")}
        for path in files.values():
            path.write_text("")
        script = self.temp / f"_step{index}.sh"
        script.write_text(_substitute(step["run"], scope))
        env = dict(self.env)
        env.update({k: _substitute(str(v), scope) for k, v in (step.get("env") or {}).items()})
        env.update({k: str(v) for k, v in files.items()})
        env.update(RUNNER_TEMP=str(self.temp), GITHUB_WORKSPACE=str(self.workspace), CI="true",
                   GITHUB_ACTIONS="true")
        if action_path is not None:
            env["GITHUB_ACTION_PATH"] = str(action_path)
        env["PATH"] = os.pathsep.join([*reversed(self.path_prepend), env.get("PATH", "")])
        cwd = self.workspace / step.get("working-directory", ".")
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
        self.env.update(_environment_file(files["GITHUB_ENV"].read_text()))
        self.path_prepend += [line for line in files["GITHUB_PATH"].read_text().splitlines() if line]
        return StepResult(step.get("name", step["run"][:40]), "success" if done.returncode == 0 else "failure",
                          done.stdout, done.stderr, _environment_file(files["GITHUB_OUTPUT"].read_text()),
                          files["GITHUB_STEP_SUMMARY"].read_text())

    def _uses_step(self, step: dict, scope: dict) -> StepResult:
        uses = step["uses"]
        inputs = {k: _substitute(str(v), scope) for k, v in (step.get("with") or {}).items()}
        for prefix, folder in self.actions.items():
            if uses.startswith(prefix):
                failed_before = self.run.failed
                outputs = self.action(folder, inputs, {k: v for k, v in scope.items()
                                                       if k not in ("inputs", "steps", "github")})
                failed = self.run.failed and not failed_before
                return StepResult(step.get("name", uses), "failure" if failed else "success", outputs=outputs)
        for prefix, fake in self.fakes.items():
            if uses.startswith(prefix):
                self.run.calls.append((uses, inputs))
                return StepResult(step.get("name", uses), "success", outputs=fake(inputs, self) or {})
        raise AssertionError(f"no fake for `uses: {uses}`")


def _environment_file(text: str) -> dict[str, str]:
    """`name=value` lines and `name<<DELIMITER` ... `DELIMITER` blocks, as the runner reads them."""
    values: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            values[name] = "\n".join(lines[i + 1:end])
            i = end + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        i += 1
    return values


# -- expressions ----------------------------------------------------------------

def _substitute(text: str, scope: dict) -> str:
    return EXPRESSION.sub(lambda m: _text(evaluate(m.group(1), scope, False)), text)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _truthy(value) -> bool:
    return value not in (None, False, "", 0)


def evaluate(expression: str, scope: dict, failed: bool):
    """GitHub's expression language, the part workflows here use: literals,
    context paths, ==, !=, !, &&, ||, parentheses, and the status functions."""
    tokens = [(m.lastgroup, m.group(m.lastgroup)) for m in TOKEN.finditer(expression.strip())]
    assert "".join(t[1] for t in tokens).replace(" ", "") == expression.replace(" ", "").replace("\n", ""), expression
    position = 0

    def peek():
        return tokens[position] if position < len(tokens) else (None, None)

    def take():
        nonlocal position
        position += 1
        return tokens[position - 1]

    def either():
        left = both()
        while peek() == ("op", "||"):
            take()
            right = both()
            left = left if _truthy(left) else right
        return left

    def both():
        left = unary()
        while peek() == ("op", "&&"):
            take()
            right = unary()
            left = right if _truthy(left) else left
        return left

    def unary():
        if peek() == ("op", "!"):
            take()
            return not _truthy(unary())
        return compare()

    def compare():
        left = primary()
        if peek() in (("op", "=="), ("op", "!=")):
            op = take()[1]
            right = primary()
            same = str(left).lower() == str(right).lower() if isinstance(left, str) or isinstance(right, str) \
                else left == right
            return same if op == "==" else not same
        return left

    def primary():
        kind, value = take()
        if kind == "str":
            return value[1:-1].replace("''", "'")
        if kind == "num":
            return float(value) if "." in value else int(value)
        if (kind, value) == ("op", "("):
            inner = either()
            assert take() == ("op", ")")
            return inner
        if kind == "name" and peek() == ("op", "("):
            take()
            assert take() == ("op", ")"), f"functions take no arguments here: {value}"
            return {"always": True, "cancelled": False, "success": not failed, "failure": failed}[value]
        if value in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[value]
        node = scope
        for part in value.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return node

    result = either()
    assert position == len(tokens), f"cannot read {expression!r}"
    return result
