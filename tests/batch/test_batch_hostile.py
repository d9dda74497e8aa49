"""hostile_trees.py's shapes through `napi-fix batch`: each shape is a
repository of its own, all in one run (a batch reads many repositories, and
one that stalls or crashes would cost every one after it). A bad file fails
only its repository, named; the others are planned as usual; nothing a
repository holds reaches the terminal raw."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from batch_repos import git
from checkout import ROOT
from hostile_trees import TREES

RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")  # \n and \t are the output's own


def test_every_hostile_shape_fails_only_its_own_repository(tmp_path):
    expected = {}
    for build in TREES:
        repo = tmp_path / build.__name__
        repo.mkdir()
        expected[str(repo)] = build(repo)
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "a hostile shape")
    patches = tmp_path / "patches"
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "codemod", "batch", "--dry-run", "--format", "json",
                           "--patch-dir", str(patches), *expected], capture_output=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    # Each shape alone is bounded by its own `seconds`; cloning and git add a little per repository.
    assert time.monotonic() - started < sum(h.seconds for h in expected.values()) + 5 * len(expected)
    assert b"Traceback" not in done.stderr and b"internal error" not in done.stderr, done.stderr[-2000:]
    assert not RAW_CONTROL.search(done.stdout + done.stderr), (done.stdout + done.stderr)[-2000:]
    lines = [json.loads(line) for line in done.stdout.decode().splitlines()]
    outcomes = {line["repo"]: line for line in lines if line["type"] == "repo"}
    assert outcomes.keys() == expected.keys()
    for repo, hostile in expected.items():
        outcome = outcomes[repo]
        if hostile.bad:
            assert (outcome["status"], outcome["stage"]) == ("failed", "analyze"), outcome
            assert outcome["reason"].startswith(f"{hostile.bad}: line 1: ") and hostile.says in outcome["reason"]
        else:
            # The survivor's pin is planned (no leaky lock: a pin pending, 3).
            assert (outcome["status"], outcome["exit_code"], outcome["pins"]) == ("would-fix", 3, 1), outcome
            report = Path(outcome["report"]).read_bytes()
            assert hostile.says.encode() in report
            for written in (report, Path(outcome["log"]).read_bytes(), Path(outcome["patch"]).read_bytes()):
                assert not RAW_CONTROL.search(written), written[-2000:]
    summary, = [line for line in lines if line["type"] == "summary"]
    assert summary["exit_code"] == done.returncode == (2 if any(h.bad for h in expected.values()) else 3)
