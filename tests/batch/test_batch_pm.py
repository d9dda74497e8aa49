"""The batch on projects whose lockfiles real yarn classic, pnpm and yarn
berry wrote: the same patches as single runs, a berry lock left to a person
(needs-attention, not failed), and --verify running the real package
manager's frozen install on the edited worktree before anything is pushed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from batch_repos import git, pushes
from pm import tool

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("npm") is None, reason="npm not installed")]

BRANCH = "napi-fix/objectwrap-leak"


@pytest.fixture
def pm_fleet(fleet, pm_remotes):
    fleet.add(pm_remotes)
    return fleet


def test_yarn_pnpm_and_berry(pm_fleet):
    fleet = pm_fleet
    names = ("yarn-classic", "pnpm-workspace", "yarn-berry")
    code, out, err = fleet.batch("--format", "json", *(fleet.url(n) for n in names))
    found = {json.loads(line)["repo"].rsplit("/", 1)[-1]: json.loads(line) for line in out.splitlines()[:-1]}
    assert {n: found[n]["status"] for n in names} == {
        "yarn-classic": "would-fix", "pnpm-workspace": "would-fix", "yarn-berry": "needs-attention"}
    assert code == 1
    assert "Run `yarn up node-addon-api@8.2.2`" in found["yarn-berry"]["reason"]
    for name in ("yarn-classic", "pnpm-workspace"):
        single = fleet.root / "single" / name
        git(fleet.root, "clone", "-q", fleet.url(name), str(single))
        expected = subprocess.run([sys.executable, "-m", "codemod", "--dry-run", "."], cwd=single,
                                  capture_output=True).stdout
        assert open(found[name]["patch"], "rb").read() == expected

    frozen = (f'if [ -f pnpm-lock.yaml ]; then {tool("pnpm")} install --frozen-lockfile --ignore-scripts '
              f'--prefer-offline; else {tool("yarn")} install --frozen-lockfile --ignore-scripts --prefer-offline '
              "--non-interactive; fi")
    code, out, err = fleet.batch("--commit", "--push", "--verify", frozen, *(fleet.url(n) for n in names))
    assert code == 1, out + err  # berry still needs a person
    for name in ("yarn-classic", "pnpm-workspace"):
        assert pushes(fleet.bare(name), BRANCH) == 1
    assert git(fleet.bare("yarn-berry"), "branch", "--list", BRANCH) == ""
    lock = git(fleet.bare("pnpm-workspace"), "show", f"{BRANCH}:pnpm-lock.yaml")
    assert "node-addon-api@8.2.2" in lock and "8.2.1" not in lock
