"""Past one machine: shards by a stable hash, run as four real processes
(one of them told its shard the way a Kubernetes Indexed Job is), and
`batch merge` over their ledgers printing what one unsharded run prints."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from batch_repos import FAST, GIT_ENV, ledger
from codemod.batch.shard import ShardError, from_environment, in_shard, parse


def _run(fleet, *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(fleet.command(*args), cwd=fleet.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **GIT_ENV, **(env or {})})


def _table_without_seconds(text: str) -> list[list[str]]:
    rows = [line.split() for line in text.splitlines() if line and not line.startswith("note:")]
    return [row[:6] + row[7:] for row in rows]  # the seconds column differs run to run


def test_four_shards_cover_every_repository_once_and_merge_matches_one_run(fleet):
    repos = [fleet.url(n) for n in FAST] + [str(fleet.checkout(n)) for n in ("npm-app", "npm-workspaces")]
    (fleet.root / "repos.txt").write_text("\n".join(repos) + "\n")
    common = ["--from", "repos.txt", "--strategy", "both", "--patch-dir", "shards"]
    shards = [_run(fleet, *common, "--shard", f"{k}/4") for k in (1, 2, 3)]
    shards.append(_run(fleet, *common, env={"JOB_COMPLETION_INDEX": "3", "JOB_COMPLETIONS": "4"}))
    one = _run(fleet, "--from", "repos.txt", "--strategy", "both", "--patch-dir", "one", "--format", "json",
               env={"NAPI_FIX_CACHE": str(fleet.root / "cache-one")})
    results = [p.communicate(timeout=120) for p in shards + [one]]
    assert all(p.returncode in (0, 1, 2, 3) for p in shards + [one]), results

    ledgers = sorted((fleet.root / "shards").glob("ledger-*-of-4.jsonl"))
    assert [p.name for p in ledgers] == [f"ledger-{k}-of-4.jsonl" for k in (1, 2, 3, 4)]
    seen = [record["repo"] for p in ledgers for record in ledger(p)]
    assert sorted(seen) == sorted(r.removesuffix(".git") for r in repos)  # every repository exactly once

    unsharded = [json.loads(line) for line in results[-1][0].splitlines()]
    merged = subprocess.run(fleet.command("merge", *map(str, ledgers), "--format", "json"), cwd=fleet.root,
                            capture_output=True, text=True)
    assert merged.returncode == unsharded[-1]["exit_code"] == 2
    assert json.loads(merged.stdout.splitlines()[-1]) == unsharded[-1]
    assert merged.stdout.splitlines()[-1] == results[-1][0].splitlines()[-1]  # the same summary, byte for byte

    text_one = subprocess.run(fleet.command("merge", str(fleet.root / "one" / "ledger.jsonl")), cwd=fleet.root,
                              capture_output=True, text=True).stdout
    text_shards = subprocess.run(fleet.command("merge", *map(str, ledgers)), cwd=fleet.root,
                                 capture_output=True, text=True).stdout
    assert _table_without_seconds(text_shards) == _table_without_seconds(text_one)


def _shard_by_sha256sum(repo_id: str, n: int) -> int:
    """The shard coreutils' sha256sum puts `repo_id` in: the documented hash
    (the first 16 hex digits of SHA-256, modulo N), computed outside Python."""
    digest = subprocess.run(["sha256sum"], input=repo_id.encode(), capture_output=True, check=True).stdout
    return int(digest[:16], 16) % n + 1


def test_the_hash_is_stable_and_splits_every_list_exactly():
    ids = [f"https://git.example.com/team/addon-{i}" for i in range(200)]
    for n in (1, 2, 3, 7):
        owners = [[k for k in range(1, n + 1) if in_shard(i, (k, n))] for i in ids]
        assert all(len(o) == 1 for o in owners)
    assert sum(in_shard(i, (1, 2)) for i in ids) not in (0, len(ids))
    # The same shard on every machine and every run: what another program
    # computes from the documented hash, not what this process says twice.
    for i in ids[:12]:
        for n in (2, 4, 7):
            assert in_shard(i, (_shard_by_sha256sum(i, n), n)), (i, n)


@pytest.mark.parametrize(
    "environment, shard",
    [
        pytest.param({}, None, id="not set"),
        pytest.param({"JOB_COMPLETION_INDEX": "0", "JOB_COMPLETIONS": "3"}, (1, 3), id="index 0 is shard 1"),
        pytest.param({"JOB_COMPLETION_INDEX": "2", "JOB_COMPLETIONS": "3"}, (3, 3), id="last"),
        pytest.param({"JOB_COMPLETION_INDEX": "2"}, None, id="half set"),
    ],
)
def test_kubernetes_indexed_job_environment(environment, shard):
    assert from_environment(environment) == shard


@pytest.mark.parametrize("text", ["0/4", "5/4", "1", "a/b", "1/0"])
def test_bad_shards_are_refused(text):
    with pytest.raises(ShardError):
        parse(text)


def test_an_explicit_shard_beats_the_environment(fleet, monkeypatch):
    monkeypatch.setenv("JOB_COMPLETION_INDEX", "0")
    monkeypatch.setenv("JOB_COMPLETIONS", "2")
    urls = [fleet.url(n) for n in FAST]
    fleet.batch("--shard", "2/2", *urls)
    mine = {record["repo"] for record in ledger(fleet.root / "napi-fix-patches" / "ledger-2-of-2.jsonl")}
    assert mine == {u.removesuffix(".git") for u in urls if in_shard(u.removesuffix(".git"), (2, 2))}


def test_merge_names_the_shards_it_was_not_given(fleet):
    urls = [fleet.url(n) for n in ("npm-app", "already-fixed")]
    for k in (1, 2):
        fleet.batch("--shard", f"{k}/2", *urls)
    ledgers = [fleet.root / "napi-fix-patches" / f"ledger-{k}-of-2.jsonl" for k in (1, 2)]
    assert [ledger(p) for p in ledgers] != [[], []]  # (an empty shard's ledger still says which it is)
    code, out, err = fleet.batch("merge", str(ledgers[0]))
    assert code == 2 and "missing shards: 2/2" in out
    code, out, err = fleet.batch("merge", str(ledgers[1]), "--format", "json")
    assert json.loads(out.splitlines()[-1])["missing_shards"] == ["1/2"] and code == 2
    code, out, err = fleet.batch("merge", *map(str, ledgers))
    assert code == 1 and "missing" not in out + err  # npm-app would fix


@pytest.mark.parametrize(
    "text, line",
    [
        pytest.param("https://github.com/o/r\n", 1, id="a list of repositories"),
        pytest.param('{"type": "ledger", "shard": null}\n{"repo": "x", "status": "fixed"}\nnot json\n', 3,
                     id="garbage line"),
        pytest.param('{"type": "ledger", "shard": null}\n{"repo": "x", "status": "done"}\n', 2, id="unknown status"),
        pytest.param('[1, 2]\n', 1, id="json, not a record"),
    ],
)
def test_merge_refuses_what_is_not_a_ledger(fleet, text, line):
    (fleet.root / "list.txt").write_text(text)
    code, out, err = fleet.batch("merge", "list.txt")
    assert code == 2 and f"list.txt:{line}: not a napi-fix batch ledger line" in err and out == ""


def test_merge_skips_a_line_cut_short_and_says_so(fleet):
    fleet.batch(fleet.url("npm-app"))
    path = fleet.root / "napi-fix-patches" / "ledger.jsonl"
    path.write_bytes(path.read_bytes() + b'{"repo": "half a li')
    code, out, err = fleet.batch("merge", str(path))
    assert code == 1 and "ledger.jsonl:3: an unfinished line (a write cut short), skipped" in out
