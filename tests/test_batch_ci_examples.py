"""examples/ci/ ships a GitHub Actions matrix and a Kubernetes Indexed Job:
every `napi-fix batch` command in them parses with the batch's own argument
parser (in each mode the workflow switches between), so they use exactly
the flags napi-fix has."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from codemod.batch.cli import merge_parser, parser

CI = Path(__file__).parent.parent / "examples" / "ci"
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
            if words[0] == "merge":
                merge_parser().parse_args(words[1:])
            else:
                args = parser().parse_args(words)
                assert args.from_file, command
