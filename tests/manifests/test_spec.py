"""Spec logic: npm semver semantics (checked against npm's own semver module)
and the upgrade/rollback table."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import nodesemver
import pytest
from hypothesis import assume, example, given, settings, strategies as st

from codemod.manifests.spec import AFFECTED, SAFE, UNKNOWN, judge, rollback, upgrade

RANGES = ["^8.2.0", "^8.2.1", "^8.1.0", "~8.2.0", "~8.2.1", "~8.2", "8.2.1", "=8.2.0", "v8.2.1", ">=8.0.0",
          ">8.1.0", ">=8.0.0 <9.0.0", "<8.3.0", "<=8.2.1", "8.x", "8.2.x", "8.*", "8", "*", "", "x",
          "8.0.0 - 8.2.1", "8.0.0 - 8.5.0", "8.2.2 - 8.3", "^7.0.0 || ^8.2.0", "^7 || ^9", "^8.3.0", "~8.2.2",
          ">=8.2.2", "8.1.0", "^8.2.1-rc.1", ">=8.2.1-0 <8.2.2", "~>8.2.1", "^1.7.0", ">= 8.2.0", "< 8.2.2"]
VERSIONS = ["8.1.0", "8.2.0", "8.2.1", "8.2.2", "8.9.2", "9.0.0", "7.1.1", "8.2.1-rc.1", "8.2.2-0"]


def _npm_semver() -> Path | None:
    npm = shutil.which("npm")
    if npm is None:
        return None
    root = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True).stdout.strip()
    folder = Path(root) / "npm" / "node_modules" / "semver"
    return folder if folder.is_dir() else None


@pytest.mark.skipif(_npm_semver() is None, reason="npm's semver module not found")
def test_node_semver_agrees_with_npms_own_semver():
    script = (
        f"const s = require({json.dumps(str(_npm_semver()))});"
        f"const R = {json.dumps(RANGES)}, V = {json.dumps(VERSIONS)};"
        "console.log(JSON.stringify(R.map(r => V.map(v => s.satisfies(v, r)))));"
    )
    npm_answers = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True,
                                            check=True).stdout)
    ours = [[bool(nodesemver.satisfies(v, r, False)) for v in VERSIONS] for r in RANGES]
    disagreements = [(r, v, n) for r, row, nrow in zip(RANGES, ours, npm_answers)
                     for v, o, n in zip(VERSIONS, row, nrow) if o != n]
    assert disagreements == []


@pytest.mark.parametrize(
    "spec, status",
    [("^8.2.0", AFFECTED), ("^8.1.0", AFFECTED), ("8.2.1", AFFECTED), ("*", AFFECTED), ("8.0.0 - 8.5.0", AFFECTED),
     ("^8.2.2", SAFE), ("^8.3.0", SAFE), ("8.1.0", SAFE), ("^7.1.1", SAFE), ("^8.2.1-rc.1 <8.2.1", SAFE),
     ("latest", UNKNOWN), ("file:../napi", UNKNOWN), ("link:../napi", UNKNOWN), ("workspace:*", UNKNOWN),
     ("github:nodejs/node-addon-api", UNKNOWN), ("nodejs/node-addon-api#v8.2.1", UNKNOWN),
     ("git+https://example.invalid/node-addon-api.git", UNKNOWN), ("npm:node-addon-api@^8.2.0", AFFECTED)],
)
def test_judge(spec, status):
    assert judge(spec).status == status


@pytest.mark.parametrize(
    "spec, expected",
    [("^8.2.0", "^8.2.2"), ("^8.2.1", "^8.2.2"), ("~8.2.1", "~8.2.2"), ("~8.2.0", "~8.2.2"), ("~>8.2.1", "~>8.2.2"),
     ("8.2.1", "8.2.2"), ("=8.2.0", "=8.2.2"), ("v8.2.1", "v8.2.2"), ("8.2.x", "~8.2.2"), ("~8.2", "~8.2.2"),
     ("^8.2.1-rc.1", "^8.2.2"), ("8.2.1+build.5", "8.2.2"), ("^8.2.0+meta", "^8.2.2"),
     (">= 8.2.0", ">=8.2.2"), ("> 8.2.0 < 9", ">=8.2.2 <9"), ("npm:node-addon-api@^8.2.0", "npm:node-addon-api@^8.2.2"),
     ("^7.0.0 || ^8.2.0", "^7.0.0 || ^8.2.2"), (" ^8.2.0 || 9 ", " ^8.2.2 || 9 "),
     ("8.2.1 - 8", "8.2.2 - 8"), (">=8.2.0 <8.2.2", "^8.2.2"),
     # Every safe release the spec admitted stays admitted: below the bad ones...
     ("^8.1.0", ">=8.1.0 <8.2.0 || ^8.2.2"), ("^8.0.0", ">=8.0.0 <8.2.0 || ^8.2.2"), ("8.x", ">=8.0.0 <8.2.0 || ^8.2.2"),
     ("8", ">=8.0.0 <8.2.0 || ^8.2.2"), ("~8", ">=8.0.0 <8.2.0 || ^8.2.2"), (">=8.0.0", ">=8.0.0 <8.2.0 || >=8.2.2"),
     (">8.1.0", ">8.1.0 <8.2.0 || >=8.2.2"), (">=8.0.0 <9.0.0", ">=8.0.0 <8.2.0 || >=8.2.2 <9.0.0"),
     ("<8.3.0", "<8.2.0 || >=8.2.2 <8.3.0"), ("*", "<8.2.0 || >=8.2.2"), ("", "<8.2.0 || >=8.2.2"),
     ("8.0.0 - 8.5.0", ">=8.0.0 <8.2.0 || 8.2.2 - 8.5.0"), (">=8.1.0-rc.1 <8.3", ">=8.1.0-rc.1 <8.2.0 || >=8.2.2 <8.3"),
     ("^7 || ^8", "^7 || >=8.0.0 <8.2.0 || ^8.2.2"),
     # ...and an upper bound below the fix is kept, not broken (the lock then goes back to 8.1.0)...
     ("<=8.2.1", "<8.2.0"), ("8.0.0 - 8.2.1", ">=8.0.0 <8.2.0"),
     # ...and an alternative with nothing safe left goes, the others stay.
     (">=8.2.0 <8.2.2 || ^9", "^9"), ("8.2.1 || 9.0.0", "8.2.2 || 9.0.0")],
)
def test_upgrade_removes_only_the_bad_releases(spec, expected):
    new = upgrade(spec, "8.2.2")
    assert new == expected
    assert judge(new).status == SAFE
    assert upgrade(new, "8.2.2") == new  # nothing left to do: a second run keeps it


@pytest.mark.parametrize("spec, expected", [("^8.2.0", "8.1.0"), ("npm:node-addon-api@8.2.1", "npm:node-addon-api@8.1.0")])
def test_rollback_is_exactly_8_1_0(spec, expected):
    assert rollback(spec) == expected


# -- the rewrite, checked by npm's own semver ----------------------------------

# Every node-addon-api release on the registry (npm view node-addon-api
# versions), two 9.x releases to come, and prereleases and build metadata
# around the bad ones: the versions a rewritten spec is judged on.
RELEASES = ("0.1.0 0.2.0 0.3.0 0.3.1 0.3.4 0.3.5 0.4.0 0.5.0 0.5.1 0.6.2 0.6.3 1.0.0 1.1.0 1.2.0 1.3.0 1.4.0 1.5.0 "
            "1.6.0 1.6.1 1.6.2 1.6.3 1.7.0 1.7.1 1.7.2 2.0.0 2.0.1 2.0.2 3.0.0 3.0.1 3.0.2 3.1.0 3.2.0 3.2.1 4.0.0 "
            "4.1.0 4.2.0 4.3.0 5.0.0 5.1.0 6.0.0 6.1.0 7.0.0 7.1.0 7.1.1 8.0.0 8.1.0 8.2.0 8.2.1 8.2.2 8.3.0 8.3.1 "
            "8.4.0 8.5.0 8.6.0 8.7.0 8.8.0 8.9.0 8.9.1 8.9.2 9.0.0 9.1.0").split()
UNIVERSE = RELEASES + ["8.1.0-beta.1", "8.1.0+sha.abc", "8.2.0-0", "8.2.0-rc.1", "8.2.1-0", "8.2.1-rc.2",
                       "8.2.1+build.5", "8.2.0+x", "8.2.2-0", "8.2.2-rc.1", "8.2.2+build.1", "8.3.0-alpha.1",
                       "9.0.0-0", "7.1.1-x.1"]


def _bad_tuple(version: str) -> bool:
    """8.2.0 or 8.2.1 whatever its prerelease or build: the leak is in all of them."""
    return version.split("+")[0].split("-")[0] in ("8.2.0", "8.2.1")


class NpmSemver:
    """One node process running npm's own semver module: each ask() sends a
    batch of (range, version) questions as one JSON line and reads one back."""

    SCRIPT = """
const semver = require(process.argv[1]);
const lines = require('readline').createInterface({input: process.stdin});
lines.on('line', line => {
  const {ranges, versions} = JSON.parse(line);
  process.stdout.write(JSON.stringify(ranges.map(r => ({
    valid: semver.validRange(r) !== null,
    admits: versions.map(v => semver.satisfies(v, r)),
  }))) + '\\n');
});
"""

    def __init__(self, module: Path):
        self.process = subprocess.Popen(["node", "-e", self.SCRIPT, str(module)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)

    def ask(self, ranges: list[str], versions: list[str]) -> list[dict]:
        self.process.stdin.write(json.dumps({"ranges": ranges, "versions": versions}) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def npm_semver():
    module = _npm_semver()
    if module is None:
        pytest.skip("npm's semver module not found")
    oracle = NpmSemver(module)
    yield oracle
    oracle.close()


_MAJORS = st.sampled_from(["1", "7", "8", "8", "8", "9"])
_PARTS = st.sampled_from(["", ".x", ".0", ".1", ".2", ".3", ".9"])
_PATCH = st.sampled_from(["", ".x", ".0", ".1", ".2", ".5"])
_TAIL = st.sampled_from(["", "", "", "-0", "-rc.1", "+build.5"])


@st.composite
def _version(draw) -> str:
    text = draw(_MAJORS) + draw(_PARTS)
    if text.count(".") == 1 and not text.endswith("x"):
        text += draw(_PATCH)
    if text.count(".") == 2 and "x" not in text:
        text += draw(_TAIL)
    return text


@st.composite
def _alternative(draw) -> str:
    kind = draw(st.sampled_from(["simple", "simple", "pair", "hyphen", "any"]))
    if kind == "any":
        return draw(st.sampled_from(["*", "x", ""]))
    if kind == "hyphen":
        return f"{draw(_version())} - {draw(_version())}"
    ops = st.sampled_from(["", "=", "v", "^", "~", "~>", ">=", ">", "<=", "<", ">= ", "< "])
    first = draw(ops) + draw(_version())
    if kind == "simple":
        return first
    return f"{first} {draw(st.sampled_from(['<', '<=', '>', '>=']))}{draw(_version())}"


_SPECS = st.lists(_alternative(), min_size=1, max_size=3).map(" || ".join)


@settings(max_examples=400, deadline=None)
@given(spec=_SPECS)
@example(spec=">=8.2.0 <8.2.2 || ^9")
@example(spec="8.0.0 - 8.2.2-rc.1")
@example(spec=">=8.0.0 <8.2.2-rc.1 || 7.1.1-x.1")
@example(spec="8.2.1+build.5")
def test_upgrade_takes_out_only_the_bad_releases_as_npm_reads_them(npm_semver, spec):
    """napi-fix rewrites a spec exactly when npm's semver says it admits 8.2.0
    or 8.2.1, and then the rewrite is a valid range that admits no
    8.2.0/8.2.1 (prerelease or build included), admits the target or keeps
    an alternative that admits something, and admits every safe version the
    original admitted."""
    status = judge(spec).status
    assume(status != UNKNOWN)
    new = upgrade(spec, "8.2.2") if status == AFFECTED else spec
    original, rewritten = npm_semver.ask([spec, new], UNIVERSE)
    assume(original["valid"])
    admitted = {v for v, yes in zip(UNIVERSE, original["admits"]) if yes}
    kept = {v for v, yes in zip(UNIVERSE, rewritten["admits"]) if yes}
    assert (status == AFFECTED) == bool(admitted & {"8.2.0", "8.2.1"}), "judge disagrees with npm"
    assume(status == AFFECTED)  # a spec that admits no bad release is left as it is
    assert rewritten["valid"], new
    assert not {v for v in kept if _bad_tuple(v)}, new
    lost = {v for v in admitted if not _bad_tuple(v)} - kept
    assert not lost, f"{spec!r} -> {new!r} no longer admits {sorted(lost)}"
    assert kept, new
