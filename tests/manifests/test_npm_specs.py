"""npm specs that are not plain registry ranges, aliases and a lock that
drifted from package.json: the pin moves a lock entry only together with the
spec npm checks it against, or refuses the whole root and names the command.

The fast tables below plan on package.json/package-lock.json pairs shaped
as npm 11 writes them (the shapes were taken from real `npm install
--package-lock-only` runs); the slow tests at the end make each shape with
the real npm and let `npm ci` judge napi-fix's output (the package-manager
oracle). The npm lock planner's growth and memory are measured at the end.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from checkout import TESTS
from codemod.cli import main
from codemod.edits import apply_edits
from codemod.manifests.lockplan import LockPlan
from codemod.textpos import line_of
from codemod.manifests.spec import safe_versions
from helpers import fixed, plan, snapshot, write_tree
from pm import installed_version, npm, npm_project, run, write_json

INTEGRITY_821 = "sha512-vmEOvxwiH8tlOcv4SyE8RH34rI5/nWVaigUeAUPawC6f0+HoDthwI0vkMu4tbtsZrXq6QXFfrkhjofzKEs5tpA=="
INTEGRITY_822 = safe_versions()["8.2.2"].integrity
SHA = "a" * 40


def _json(value: dict) -> str:
    return json.dumps(value, indent=2) + "\n"


def app(deps: dict, field: str = "dependencies", **extra) -> str:
    return _json({"name": "app", "version": "1.0.0", field: deps, **extra})


def lock_v3(root_deps: dict, entries: dict, field: str = "dependencies", extra_packages: dict | None = None) -> str:
    packages = {"": {"name": "app", "version": "1.0.0", field: root_deps}, **(extra_packages or {}), **entries}
    return _json({"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": packages})


def lock_v1(entries: dict) -> str:
    return _json({"name": "app", "version": "1.0.0", "lockfileVersion": 1, "requires": True, "dependencies": entries})


def registry(version: str = "8.2.1", **extra) -> dict:
    return {"version": version, "integrity": INTEGRITY_821, "license": "MIT", **extra}


# -- refused: the entry cannot move alone, nothing in the root is written ----

REFUSED = [
    pytest.param({"package.json": app({"node-addon-api": "file:vendor/node-addon-api-8.2.1.tgz"}),
                  "package-lock.json": lock_v3({"node-addon-api": "file:vendor/node-addon-api-8.2.1.tgz"},
                                               {"node_modules/node-addon-api": registry(
                                                   resolved="file:vendor/node-addon-api-8.2.1.tgz")})},
                 "file source", "npm install node-addon-api@^8.2.2", id="file-tarball"),
    pytest.param({"package.json": app({"node-addon-api": "github:nodejs/node-addon-api#v8.2.1"}),
                  "package-lock.json": lock_v3({"node-addon-api": "github:nodejs/node-addon-api#v8.2.1"},
                                               {"node_modules/node-addon-api": {
                                                   "version": "8.2.1", "resolved":
                                                       f"git+ssh://git@github.com/nodejs/node-addon-api.git#{SHA}",
                                                   "license": "MIT"}})},
                 "git source", "npm install node-addon-api@^8.2.2", id="github-ref"),
    pytest.param({"package.json": app({"node-addon-api": "nodejs/node-addon-api#v8.2.1"}),
                  "package-lock.json": lock_v3({"node-addon-api": "nodejs/node-addon-api#v8.2.1"},
                                               {"node_modules/node-addon-api": {
                                                   "version": "8.2.1", "resolved":
                                                       f"git+ssh://git@github.com/nodejs/node-addon-api.git#{SHA}",
                                                   "license": "MIT"}})},
                 "git source", "npm install node-addon-api@^8.2.2", id="owner-repo-ref"),
    pytest.param({"package.json": app({"node-addon-api": "git+ssh://git@example.invalid/naa.git#v8.2.1"}),
                  "package-lock.json": lock_v3({"node-addon-api": "git+ssh://git@example.invalid/naa.git#v8.2.1"},
                                               {"node_modules/node-addon-api": {
                                                   "version": "8.2.1",
                                                   "resolved": f"git+ssh://git@example.invalid/naa.git#{SHA}"}})},
                 "git source", "npm install node-addon-api@^8.2.2", id="git-ssh"),
    pytest.param({"package.json": app({"node-addon-api": "https://example.invalid/naa-8.2.1.tgz"}),
                  "package-lock.json": lock_v3({"node-addon-api": "https://example.invalid/naa-8.2.1.tgz"},
                                               {"node_modules/node-addon-api": registry(
                                                   resolved="https://example.invalid/naa-8.2.1.tgz")})},
                 "tarball URL source", "npm install node-addon-api@^8.2.2", id="tarball-url"),
    pytest.param({"package.json": app({"naa": "file:naa-8.2.1.tgz"}),
                  "package-lock.json": lock_v3({"naa": "file:naa-8.2.1.tgz"},
                                               {"node_modules/naa": registry(name="node-addon-api",
                                                                             resolved="file:naa-8.2.1.tgz")})},
                 "entry is fetched from file", "npm install node-addon-api@^8.2.2", id="tarball-under-another-name"),
    pytest.param({"package.json": _json({"name": "mono", "version": "1.0.0", "workspaces": ["packages/*"]}),
                  "packages/a/package.json": _json({"name": "a", "version": "1.0.0",
                                                    "dependencies": {"node-addon-api": "file:../../naa.tgz"}}),
                  "package-lock.json": _json({"name": "mono", "version": "1.0.0", "lockfileVersion": 3,
                                              "requires": True, "packages": {
                                                  "": {"name": "mono", "version": "1.0.0",
                                                       "workspaces": ["packages/*"]},
                                                  "node_modules/a": {"resolved": "packages/a", "link": True},
                                                  "node_modules/node-addon-api": registry(resolved="file:naa.tgz"),
                                                  "packages/a": {"name": "a", "version": "1.0.0", "dependencies": {
                                                      "node-addon-api": "file:../../naa.tgz"}}}})},
                 "packages/a/package.json asks", "npm install node-addon-api@^8.2.2 -w packages/a",
                 id="workspace-member-file"),
    # Drift: package.json says ^8.3.0, the lock still records ^8.2.0 and 8.2.1.
    pytest.param({"package.json": app({"node-addon-api": "^8.3.0"}),
                  "package-lock.json": lock_v3({"node-addon-api": "^8.2.0"},
                                               {"node_modules/node-addon-api": registry()})},
                 "package.json '^8.3.0', lock 8.2.1", "Run: npm install (then napi-fix again)", id="drift-v3"),
    pytest.param({"package.json": app({"node-addon-api": "^8.2.0", "naa": "npm:node-addon-api@^8.2.0"}),
                  "package-lock.json": lock_v3({"node-addon-api": "^8.2.0"},
                                               {"node_modules/node-addon-api": registry()})},
                 "dependencies naa: package.json 'npm:node-addon-api@^8.2.0', lock None", "Run: npm install",
                 id="drift-alias-added"),
    pytest.param({"package.json": app({"node-addon-api": "^8.3.0"}),
                  "package-lock.json": lock_v1({"node-addon-api": {"version": "8.2.1", "integrity": INTEGRITY_821}})},
                 "package.json '^8.3.0', lock 8.2.1", "Run: npm install", id="drift-v1"),
    # The rewrite keeps ^9, which no release napi-fix can lock offline admits.
    pytest.param({"package.json": app({"node-addon-api": ">=8.2.0 <8.2.2 || ^9"}),
                  "package-lock.json": lock_v3({"node-addon-api": ">=8.2.0 <8.2.2 || ^9"},
                                               {"node_modules/node-addon-api": registry()})},
                 "no safe release satisfies ['^9']", "and run npm install", id="only-another-major-left"),
]


@pytest.mark.parametrize("tree, why, command", REFUSED)
def test_refused_roots_name_the_command_and_plan_nothing(tmp_path, tree, why, command):
    write_tree(tmp_path, tree)
    report = plan([tmp_path])
    assert report.changed == ()
    refusals = [f for r in report.files for f in r.findings if f.rule == "NAPI005"]
    assert refusals, [f.reason for r in report.files for f in r.findings]
    assert any(why in f.reason and command in f.reason for f in refusals), [f.reason for f in refusals]


# -- aliases: found, reported and pinned like the plain name ----------------

ALIAS_V3_BEFORE = {"package.json": app({"naa": "npm:node-addon-api@8.2.1"}),
                   "package-lock.json": lock_v3({"naa": "npm:node-addon-api@8.2.1"},
                                                {"node_modules/naa": registry(name="node-addon-api")})}
PINNED = [
    pytest.param(ALIAS_V3_BEFORE,
                 {"package.json": app({"naa": "npm:node-addon-api@8.2.2"}),
                  "package-lock.json": lock_v3({"naa": "npm:node-addon-api@8.2.2"},
                                               {"node_modules/naa": registry("8.2.2", name="node-addon-api")})
                  .replace(INTEGRITY_821, INTEGRITY_822)}, id="alias-v3"),
    pytest.param({"package.json": app({"naa": "npm:node-addon-api@^8.2.0"}, "devDependencies"),
                  "package-lock.json": lock_v1({"naa": {"version": "npm:node-addon-api@8.2.1",
                                                        "integrity": INTEGRITY_821, "dev": True}})},
                 {"package.json": app({"naa": "npm:node-addon-api@^8.2.2"}, "devDependencies"),
                  "package-lock.json": lock_v1({"naa": {"version": "npm:node-addon-api@8.2.2",
                                                        "integrity": INTEGRITY_822, "dev": True}})}, id="alias-v1"),
    pytest.param({"package.json": app({"naa": "npm:node-addon-api@^8.1.0", "node-addon-api": "^8.2.0"}),
                  "package-lock.json": lock_v3({"naa": "npm:node-addon-api@^8.1.0", "node-addon-api": "^8.2.0"},
                                               {"node_modules/naa": registry(name="node-addon-api"),
                                                "node_modules/node-addon-api": registry()})},
                 {"package.json": app({"naa": "npm:node-addon-api@>=8.1.0 <8.2.0 || ^8.2.2",
                                       "node-addon-api": "^8.2.2"}),
                  "package-lock.json": lock_v3({"naa": "npm:node-addon-api@>=8.1.0 <8.2.0 || ^8.2.2",
                                                "node-addon-api": "^8.2.2"},
                                               {"node_modules/naa": registry("8.2.2", name="node-addon-api"),
                                                "node_modules/node-addon-api": registry("8.2.2")})
                  .replace(INTEGRITY_821, INTEGRITY_822)}, id="alias-beside-the-plain-name"),
    # Not node-addon-api: the name, aliased to another package, and an alias of node-addon-api's name.
    pytest.param({"package.json": app({"node-addon-api": "npm:other-package@8.2.1"}),
                  "package-lock.json": lock_v3({"node-addon-api": "npm:other-package@8.2.1"},
                                               {"node_modules/node-addon-api": registry(name="other-package")})},
                 None, id="the-name-aliased-to-another-package"),
]


PINNED.append(pytest.param(
    # package.json's range was edited (not re-locked) and the lock still satisfies it: both sides are pinned.
    {"package.json": app({"node-addon-api": "^8.2.1"}),
     "package-lock.json": lock_v3({"node-addon-api": "~8.2.0"}, {"node_modules/node-addon-api": registry()})},
    {"package.json": app({"node-addon-api": "^8.2.2"}),
     "package-lock.json": lock_v3({"node-addon-api": "^8.2.2"}, {"node_modules/node-addon-api": registry("8.2.2")})
     .replace(INTEGRITY_821, INTEGRITY_822)}, id="edited-range-pinned-with-its-copy"))


@pytest.mark.parametrize("before, after", PINNED)
def test_aliases_and_edited_ranges_are_pinned_with_the_lock(tmp_path, before, after):
    write_tree(tmp_path, before)
    report = plan([tmp_path])
    assert fixed(report, tmp_path) == {k: v.encode() for k, v in (after or {}).items()}
    rules = {f.rule for r in report.files for f in r.findings}
    assert "NAPI005" not in rules  # a row that changes nothing is no refusal either
    if after:
        assert "NAPI001" in rules
        write_tree(tmp_path, after)
        assert plan([tmp_path]).changed == ()  # a second run changes nothing


def test_an_installed_alias_is_reported_as_the_copy_it_is(tmp_path):
    write_tree(tmp_path, {**ALIAS_V3_BEFORE,
                          "node_modules/naa/package.json": _json({"name": "node-addon-api", "version": "8.2.1"}),
                          "node_modules/other/package.json": _json({"name": "other", "version": "8.2.1"})})
    installed = [f for r in plan([tmp_path]).files for f in r.findings if f.kind == "installed"]
    assert [(Path(f.path).parent.name, f.rule) for f in installed] == [("naa", "NAPI001")]
    assert "installed 8.2.1" in installed[0].reason


NO_OPS = [
    # A range edited in package.json that the locked release still satisfies: npm ci accepts it.
    pytest.param({"package.json": app({"node-addon-api": "^8.3.0"}),
                  "package-lock.json": lock_v3({"node-addon-api": "^8.2.2"},
                                               {"node_modules/node-addon-api": registry("8.9.2")})},
                 id="edited-range-still-satisfied"),
    pytest.param({"package.json": app({"node-addon-api": "^8.2.2"}),
                  "package-lock.json": lock_v3({"node-addon-api": "^8.2.2"},
                                               {"node_modules/node-addon-api": registry("8.2.2")})}, id="in-sync-safe"),
    # A folder dependency is a link: its target is the project's own copy, not a lock entry to move.
    pytest.param({"package.json": app({"node-addon-api": "file:vendor/naa"}),
                  "package-lock.json": lock_v3({"node-addon-api": "file:vendor/naa"},
                                               {"node_modules/node-addon-api": {"resolved": "vendor/naa",
                                                                                "link": True}},
                                               extra_packages={"vendor/naa": {"name": "node-addon-api",
                                                                              "version": "8.2.1"}})},
                 id="folder-link"),
    pytest.param({"package.json": app({"node-addon-api": "latest"}),
                  "package-lock.json": lock_v3({"node-addon-api": "latest"},
                                               {"node_modules/node-addon-api": registry("8.9.2")})}, id="tag-safe"),
]


@pytest.mark.parametrize("tree", NO_OPS)
def test_no_ops(tmp_path, tree):
    write_tree(tmp_path, tree)
    report = plan([tmp_path])
    assert report.changed == ()
    assert not [f for r in report.files for f in r.findings if f.rule == "NAPI005"]


def test_a_tag_spec_moves_with_its_entry(tmp_path):
    # npm checks a tag only for a registry resolution (arborist's dep-valid), so the entry may move alone.
    write_tree(tmp_path, {"package.json": app({"node-addon-api": "latest"}),
                          "package-lock.json": lock_v3({"node-addon-api": "latest"},
                                                       {"node_modules/node-addon-api": registry()})})
    assert list(fixed(plan([tmp_path]), tmp_path)) == ["package-lock.json"]


# -- the planner's whole answer ------------------------------------------------
#
# What npmlock.plan answers, read through the pin planner's own call of it
# (test_locks' spy), so the pins are the ones package.json makes: every
# refusal's line, subject, reason, command and span, every moved entry's
# reason, the lock it writes and the npm overrides it asks package.json for.

def answer(monkeypatch, root: Path, tree: dict, mode: str = "upgrade"):
    """(npmlock.plan's LockPlan for the tree's package-lock.json, the lock's bytes)."""
    from codemod.manifests import npmlock
    from test_locks import spy_on

    write_tree(root, tree)
    spy = spy_on(monkeypatch, "package-lock.json")
    plan([root], pin_mode=mode)
    [(lock, pins)] = spy.calls
    return npmlock.plan(lock, pins), lock.data


def _copy(line: int, reason: str, command: str) -> tuple:
    """A refusal of the copy node_modules/node-addon-api, reported at its version."""
    return line, "node_modules/node-addon-api", reason, command, b'"8.2.1"'


def _drift(line: int, subject: str, stale: str) -> tuple:
    return (line, subject, f"package.json and the lock disagree ({stale}): the lock was not regenerated after "
            f"package.json changed; nothing is written for this package root. Run: npm install (then napi-fix again)",
            "npm install", None)


def _source_refusal(source: str, command: str = "npm install node-addon-api@^8.2.2") -> str:
    return (f"node_modules/node-addon-api resolves 8.2.1, and {source} source literally, so it cannot move to a safe "
            f"release alone; nothing is written for this package root. Run: {command}")


FILE_SPEC = "file:vendor/node-addon-api-8.2.1.tgz"
UNRELOCKED_FILE_SPEC = {"package.json": app({"node-addon-api": FILE_SPEC}),  # v1 records no copy of the spec
                        "package-lock.json": lock_v1({"node-addon-api": {"version": "8.2.1", "integrity": INTEGRITY_821}})}
LOCK_V2_HALVES = {"name": "app", "version": "1.0.0", "lockfileVersion": 2, "requires": True}
REFUSALS = [
    pytest.param(UNRELOCKED_FILE_SPEC, "upgrade", [_copy(8, _source_refusal(
        f"package.json asks for node-addon-api as {FILE_SPEC!r}: npm checks the entry against that file"),
        "npm install node-addon-api@^8.2.2")], id="the-roots-file-spec"),
    pytest.param(UNRELOCKED_FILE_SPEC, "rollback", [_copy(8, _source_refusal(
        f"package.json asks for node-addon-api as {FILE_SPEC!r}: npm checks the entry against that file",
        "npm install node-addon-api@8.1.0"), "npm install node-addon-api@8.1.0")], id="the-roots-file-spec-rollback"),
    # A dependency two levels down asks for a git ref: an override scoped to it is the way out.
    pytest.param({"package.json": app({"a": "1.0.0"}),
                  "package-lock.json": lock_v3({"a": "1.0.0"}, {
                      "node_modules/a": {"version": "1.0.0", "dependencies": {"b": "1.0.0"}},
                      "node_modules/a/node_modules/b": {"version": "1.0.0", "dependencies": {
                          "node-addon-api": "github:nodejs/node-addon-api#v8.2.1"}},
                      "node_modules/node-addon-api": {"version": "8.2.1", "resolved":
                                                      f"git+ssh://git@github.com/nodejs/node-addon-api.git#{SHA}"}})},
                 "upgrade", [_copy(27, _source_refusal(
                     "b asks for node-addon-api as 'github:nodejs/node-addon-api#v8.2.1': npm checks the entry "
                     "against that git", "npm pkg set 'overrides.b.node-addon-api=8.2.2' && npm install"),
                     "npm pkg set 'overrides.b.node-addon-api=8.2.2' && npm install")], id="a-nested-dependencys-git-spec"),
    # Every range asks the registry, but the lock says the copy came from elsewhere.
    pytest.param({"package.json": app({"node-addon-api": "^8.2.0"}),
                  "package-lock.json": lock_v3({"node-addon-api": "^8.2.0"}, {"node_modules/node-addon-api": registry(
                      resolved="https://example.invalid/mirror/naa.tgz")})},
                 "upgrade", [_copy(15, _source_refusal("the entry is fetched from tarball URL: npm checks the entry against "
                                                  "that tarball URL"), "npm install node-addon-api@^8.2.2")],
                 id="fetched-from-a-url"),
    # lockfile v2's two halves disagree: its legacy half says the copy is a tarball.
    pytest.param({"package.json": app({"node-addon-api": "^8.2.0"}),
                  "package-lock.json": _json({**LOCK_V2_HALVES, "packages": {
                      "": {"name": "app", "version": "1.0.0", "dependencies": {"node-addon-api": "^8.2.0"}},
                      "node_modules/node-addon-api": registry()},
                      "dependencies": {"node-addon-api": {"version": FILE_SPEC, "integrity": INTEGRITY_821}}})},
                 "upgrade", [_copy(15, _source_refusal("the entry is fetched from file: npm checks the entry against that "
                                                  "file"), "npm install node-addon-api@^8.2.2")],
                 id="v2-legacy-half-from-a-file"),
    pytest.param({"package.json": app({"node-addon-api": "^8.2.0"}),
                  "package-lock.json": lock_v1({"node-addon-api": registry(
                      resolved="https://example.invalid/mirror/naa.tgz")})},
                 "upgrade", [_copy(8, _source_refusal("the entry is fetched from tarball URL: npm checks the entry against "
                                                 "that tarball URL"), "npm install node-addon-api@^8.2.2")],
                 id="v1-fetched-from-a-url"),
    pytest.param({"package.json": app({"node-addon-api": "^8.2.0"}),
                  "package-lock.json": lock_v3({"node-addon-api": "^8.2.0"}, {"node_modules/node-addon-api": registry(
                      resolved="s3://mirror.example/node-addon-api-8.2.1.tgz")})},
                 "upgrade", [_copy(15, _source_refusal(
                     "the entry is fetched from a URL that is not node-addon-api's registry tarball: npm checks the "
                     "entry against that a URL that is not node-addon-api's registry tarball"),
                     "npm install node-addon-api@^8.2.2")], id="fetched-from-an-unknown-scheme"),
    pytest.param(REFUSED[-1].values[0], "upgrade", [_copy(
        15, "node_modules/node-addon-api resolves 8.2.1; no safe release satisfies ['^9']; nothing is written for this "
            "package root: widen the range, or add an npm override forcing 8.2.2 or later, and run npm install",
        "npm install")], id="no-safe-release"),
    # package.json asks for node-addon-api (twice) where the lock's root records neither.
    pytest.param({"package.json": app({"naa": "npm:node-addon-api@^8.2.0", "node-addon-api": "^8.2.0", "p": "1.0.0"}),
                  "package-lock.json": lock_v3({"p": "1.0.0"}, {"node_modules/node-addon-api": registry(), "node_modules/p": {
                      "version": "1.0.0", "dependencies": {"node-addon-api": "^8.0.0"}}})},
                 "upgrade", [_drift(7, "(root)", "dependencies naa: package.json 'npm:node-addon-api@^8.2.0', lock None; "
                                    "dependencies node-addon-api: package.json '^8.2.0', lock None")], id="drift-added"),
    pytest.param({"package.json": app({"p": "1.0.0"}),
                  "package-lock.json": lock_v3({"node-addon-api": "^8.2.0", "p": "1.0.0"}, {
                      "node_modules/node-addon-api": registry(), "node_modules/p": {"version": "1.0.0"}})},
                 "upgrade", [_drift(7, "(root)", "dependencies node-addon-api: package.json None, lock '^8.2.0'")],
                 id="drift-removed"),
    pytest.param({"package.json": app({"node-addon-api": "latest"}),
                  "package-lock.json": lock_v3({"node-addon-api": "^8.2.0"}, {"node_modules/node-addon-api": registry()})},
                 "upgrade", [_drift(7, "(root)", "dependencies node-addon-api: package.json 'latest', lock '^8.2.0'")],
                 id="drift-to-a-tag"),
    pytest.param({"package.json": app({"node-addon-api": "^8.3.0"}),
                  "package-lock.json": lock_v3({"node-addon-api": "^8.2.0"}, {
                      "node_modules/p/node_modules/node-addon-api": registry()})},
                 "upgrade", [_drift(7, "(root)", "dependencies node-addon-api: package.json '^8.3.0', lock '^8.2.0'")],
                 id="drift-and-no-copy-for-the-root"),
    # A member's own nested copy, not the root's, is what its edited range is checked against.
    pytest.param({"package.json": _json({"name": "mono", "version": "1.0.0", "workspaces": ["packages/*"]}),
                  "packages/a/package.json": app({"node-addon-api": "^8.3.0"}),
                  "packages/b/package.json": app({"node-addon-api": "^8.2.0"}),
                  "package-lock.json": _json({"name": "mono", "version": "1.0.0", "lockfileVersion": 3,
                                              "requires": True, "packages": {
                                                  "": {"name": "mono", "version": "1.0.0", "workspaces": ["packages/*"]},
                                                  "node_modules/node-addon-api": registry("8.3.0"),
                                                  "packages/a": {"name": "a", "version": "1.0.0", "dependencies": {
                                                      "node-addon-api": "^8.2.0"}},
                                                  "packages/a/node_modules/node-addon-api": registry(),
                                                  "packages/b": {"name": "b", "version": "1.0.0"}}})},
                 "upgrade", [_drift(19, "packages/a", "dependencies node-addon-api: package.json '^8.3.0', lock 8.2.1"),
                             _drift(31, "packages/b", "dependencies node-addon-api: package.json '^8.2.0', lock None")],
                 id="drift-of-members"),
    # A workspace member's range changed without a re-lock, after a package.json the lock does not describe.
    pytest.param({"package.json": _json({"name": "mono", "version": "1.0.0", "workspaces": ["packages/*"]}),
                  "docs/package.json": app({"node-addon-api": "^8.2.0"}),
                  "packages/a/package.json": app({"node-addon-api": "^8.3.0"}),
                  "package-lock.json": _json({"name": "mono", "version": "1.0.0", "lockfileVersion": 3,
                                              "requires": True, "packages": {
                                                  "": {"name": "mono", "version": "1.0.0", "workspaces": ["packages/*"]},
                                                  "node_modules/a": {"resolved": "packages/a", "link": True},
                                                  "node_modules/node-addon-api": registry(),
                                                  "packages/a": {"name": "a", "version": "1.0.0", "dependencies": {
                                                      "node-addon-api": "^8.2.0"}}}})},
                 "upgrade", [(23, "packages/a", "package.json and the lock disagree (dependencies node-addon-api: "
                              "package.json '^8.3.0', lock 8.2.1): the lock was not regenerated after package.json "
                              "changed; nothing is written for this package root. Run: npm install (then napi-fix "
                              "again)", "npm install", None)], id="drift-after-a-package-the-lock-does-not-describe"),
]


@pytest.mark.parametrize("tree, mode, refusals", REFUSALS)
def test_each_refusal_in_full(monkeypatch, tmp_path, tree, mode, refusals):
    planned, data = answer(monkeypatch, tmp_path, tree, mode)
    assert [(r.line, r.subject, r.reason, r.command, r.span and data[r.span[0]:r.span[1]])
            for r in planned.refusals] == refusals
    assert planned.overrides == ()


def _moved(version: str, **extra) -> dict:
    return {**registry(version, **extra), "integrity": safe_versions()[version].integrity}


TARBALL_821 = "https://registry.npmjs.org/node-addon-api/-/node-addon-api-8.2.1.tgz"
NESTED = {"addon": {"name": "addon", "version": "1.0.0", "dependencies": {"node-addon-api": "^8.2.2"}},
          "node_modules/a": {"version": "1.0.0", "dependencies": {"@s/c": "1.0.0", "b": "1.0.0"}},
          "node_modules/a/node_modules/@s/c": {"version": "1.0.0", "dependencies": {"node-addon-api": "^8.1.0"}},
          "node_modules/a/node_modules/b": {"version": "1.0.0", "dependencies": {"node-addon-api": "~8.2.0"}},
          "node_modules/a/node_modules/node-addon-api": registry(),
          "node_modules/addon": {"resolved": "addon", "link": True},
          "node_modules/node-addon-api": registry()}
MIRRORED = "the lock's copies of the package.json specs follow the pin"
MOVES = [
    # The root's range (pinned, after a dependency's name) and a dependency's, both wanted of one copy.
    pytest.param({"package.json": app({"addon-helper": "1.0.0", "node-addon-api": "^8.2.0"}),
                  "package-lock.json": lock_v3({"addon-helper": "1.0.0", "node-addon-api": "^8.2.0"}, {
                      "node_modules/node-addon-api": registry(),
                      "node_modules/addon-helper": {"version": "1.0.0", "dependencies": {"node-addon-api": "~8.2.0"}}})},
                 "upgrade", lock_v3({"addon-helper": "1.0.0", "node-addon-api": "^8.2.2"}, {
                     "node_modules/node-addon-api": _moved("8.2.2"),
                     "node_modules/addon-helper": {"version": "1.0.0", "dependencies": {"node-addon-api": "~8.2.0"}}}),
                 [MIRRORED, "lock entry node_modules/node-addon-api resolves 8.2.1; move to 8.2.2 (wanted: ^8.2.2, ~8.2.0)"], (),
                 id="two-ranges"),
    # A copy nothing asks for (left behind by an uninstall) still moves.
    pytest.param({"package.json": app({}), "package-lock.json": lock_v3({}, {"node_modules/node-addon-api": registry()})},
                 "upgrade", lock_v3({}, {"node_modules/node-addon-api": _moved("8.2.2")}),
                 ["lock entry node_modules/node-addon-api resolves 8.2.1; move to 8.2.2 (wanted: no declared range)"],
                 (), id="nobody-asks"),
    # Parents that ask for exactly 8.2.1 (one nested, one installed under an alias): package.json
    # gets an override scoped to each, by its package name.
    pytest.param({"package.json": app({"a": "1.0.0", "c": "npm:d@1.0.0"}),
                  "package-lock.json": lock_v3({"a": "1.0.0", "c": "npm:d@1.0.0"}, {
                      "node_modules/a": {"version": "1.0.0", "dependencies": {"b": "1.0.0"}},
                      "node_modules/a/node_modules/b": {"version": "1.0.0", "dependencies": {"node-addon-api": "8.2.1"}},
                      "node_modules/c": {"name": "d", "version": "1.0.0", "dependencies": {"node-addon-api": "8.2.1"}},
                      "node_modules/node-addon-api": registry()})},
                 "upgrade", lock_v3({"a": "1.0.0", "c": "npm:d@1.0.0"}, {
                     "node_modules/a": {"version": "1.0.0", "dependencies": {"b": "1.0.0"}},
                     "node_modules/a/node_modules/b": {"version": "1.0.0", "dependencies": {"node-addon-api": "8.2.1"}},
                     "node_modules/c": {"name": "d", "version": "1.0.0", "dependencies": {"node-addon-api": "8.2.1"}},
                     "node_modules/node-addon-api": _moved("8.2.2")}),
                 ["lock entry node_modules/node-addon-api resolves 8.2.1; move to 8.2.2 (wanted: 8.2.1); forced past "
                  "b, d's range by an override"], (("b", "8.2.2"), ("d", "8.2.2")), id="forced-past-exact-parents"),
    pytest.param({"package.json": app({"uses-bad": "1.0.0"}),
                  "package-lock.json": lock_v1({"node-addon-api": {"version": "8.2.1", "integrity": INTEGRITY_821},
                                                "uses-bad": {"version": "1.0.0", "requires": {"node-addon-api": "8.2.1"}}})},
                 "upgrade", lock_v1({"node-addon-api": {"version": "8.2.2", "integrity": INTEGRITY_822},
                                     "uses-bad": {"version": "1.0.0", "requires": {"node-addon-api": "8.2.1"}}}),
                 ["lock entry node_modules/node-addon-api resolves 8.2.1; move to 8.2.2 (wanted: 8.2.1); forced past "
                  "uses-bad's range by an override"], (("uses-bad", "8.2.2"),), id="v1-forced-past-an-exact-parent"),
    # Rolled back, each nested copy moves inside its own parent's range: 8.1.0 where it is admitted.
    pytest.param({"package.json": app({"p": "1.0.0", "q": "1.0.0"}),
                  "package-lock.json": lock_v3({"p": "1.0.0", "q": "1.0.0"}, {
                      "node_modules/p": {"version": "1.0.0", "dependencies": {"node-addon-api": "^8.0.0"}},
                      "node_modules/p/node_modules/node-addon-api": registry(),
                      "node_modules/q": {"version": "1.0.0", "dependencies": {"node-addon-api": "^8.2.0"}},
                      "node_modules/q/node_modules/node-addon-api": registry()})},
                 "rollback", lock_v3({"p": "1.0.0", "q": "1.0.0"}, {
                     "node_modules/p": {"version": "1.0.0", "dependencies": {"node-addon-api": "^8.0.0"}},
                     "node_modules/p/node_modules/node-addon-api": _moved("8.1.0"),
                     "node_modules/q": {"version": "1.0.0", "dependencies": {"node-addon-api": "^8.2.0"}},
                     "node_modules/q/node_modules/node-addon-api": _moved("8.2.2")}),
                 ["lock entry node_modules/p/node_modules/node-addon-api resolves 8.2.1; move to 8.1.0 (wanted: ^8.0.0)",
                  "lock entry node_modules/q/node_modules/node-addon-api resolves 8.2.1; move to 8.2.2 (wanted: ^8.2.0)"],
                 (), id="rollback-inside-each-parents-range"),
    # Node's lookup, nearest node_modules upward: from a package nested under a (scoped or not) to
    # a's copy; from a workspace member in a folder of the root's own to the root's copy.
    pytest.param({"package.json": app({"a": "1.0.0", "node-addon-api": "^8.2.0"}, workspaces=["addon"]),
                  "addon/package.json": _json({"name": "addon", "version": "1.0.0",
                                               "dependencies": {"node-addon-api": "^8.2.2"}}),
                  "package-lock.json": lock_v3({"a": "1.0.0", "node-addon-api": "^8.2.0"}, NESTED)},
                 "upgrade", lock_v3({"a": "1.0.0", "node-addon-api": "^8.2.2"}, {
                     **NESTED, "node_modules/node-addon-api": _moved("8.2.2"),
                     "node_modules/a/node_modules/node-addon-api": _moved("8.2.2")}),
                 [MIRRORED, "lock entry node_modules/a/node_modules/node-addon-api resolves 8.2.1; move to 8.2.2 "
                  "(wanted: ^8.1.0, ~8.2.0)",
                  "lock entry node_modules/node-addon-api resolves 8.2.1; move to 8.2.2 (wanted: ^8.2.2)"], (),
                 id="nearest-copy-upward"),
    # A registry tarball URL with a query or a fragment is still the registry's: it moves.
    pytest.param({"package.json": app({"a": "1.0.0"}),
                  "package-lock.json": lock_v3({"a": "1.0.0"}, {
                      "node_modules/a": {"version": "1.0.0", "dependencies": {"node-addon-api": "^8.2.0"}},
                      "node_modules/a/node_modules/node-addon-api": registry(resolved=TARBALL_821 + "#fragment"),
                      "node_modules/node-addon-api": registry(resolved=TARBALL_821 + "?cache=1")})},
                 "upgrade", lock_v3({"a": "1.0.0"}, {
                     "node_modules/a": {"version": "1.0.0", "dependencies": {"node-addon-api": "^8.2.0"}},
                     "node_modules/a/node_modules/node-addon-api": _moved(
                         "8.2.2", resolved=TARBALL_821.replace("8.2.1", "8.2.2") + "#fragment"),
                     "node_modules/node-addon-api": _moved(
                         "8.2.2", resolved=TARBALL_821.replace("8.2.1", "8.2.2") + "?cache=1")}),
                 ["lock entry node_modules/a/node_modules/node-addon-api resolves 8.2.1; move to 8.2.2 (wanted: ^8.2.0)",
                  "lock entry node_modules/node-addon-api resolves 8.2.1; move to 8.2.2 (wanted: no declared range)"],
                 (), id="registry-url-with-query-or-fragment"),
    # lockfile v2's packages half names no version where its legacy half does: the version named moves.
    pytest.param({"package.json": app({"node-addon-api": "^8.2.0"}),
                  "package-lock.json": _json({**LOCK_V2_HALVES, "packages": {
                      "": {"name": "app", "version": "1.0.0", "dependencies": {"node-addon-api": "^8.2.0"}},
                      "node_modules/node-addon-api": {"license": "MIT"}},
                      "dependencies": {"node-addon-api": {"version": "8.2.1", "integrity": INTEGRITY_821}}})},
                 "upgrade", _json({**LOCK_V2_HALVES, "packages": {
                     "": {"name": "app", "version": "1.0.0", "dependencies": {"node-addon-api": "^8.2.2"}},
                     "node_modules/node-addon-api": {"license": "MIT"}},
                     "dependencies": {"node-addon-api": {"version": "8.2.2", "integrity": INTEGRITY_822}}}),
                 [MIRRORED, "lock entry node_modules/node-addon-api resolves 8.2.1; move to 8.2.2 (wanted: ^8.2.2)"], (),
                 id="v2-packages-half-of-no-version"),
    # A `packages` or `dependencies` that is no object is not read as one.
    pytest.param({"package.json": app({"node-addon-api": "^8.2.0"}),
                  "package-lock.json": _json({**json.loads(UNRELOCKED_FILE_SPEC["package-lock.json"]), "packages": "x"})},
                 "upgrade", _json({**json.loads(lock_v1({"node-addon-api": {"version": "8.2.2",
                                                                             "integrity": INTEGRITY_822}})),
                                   "packages": "x"}),
                 ["lock entry node_modules/node-addon-api resolves 8.2.1; move to 8.2.2 (wanted: ^8.2.2)"], (),
                 id="packages-no-object"),
    pytest.param({"package.json": app({"node-addon-api": "^8.2.0"}),
                  "package-lock.json": _json({**json.loads(lock_v3({"node-addon-api": "^8.2.0"}, {
                      "node_modules/node-addon-api": registry()})), "dependencies": "x"})},
                 "upgrade", _json({**json.loads(lock_v3({"node-addon-api": "^8.2.2"}, {
                     "node_modules/node-addon-api": _moved("8.2.2")})), "dependencies": "x"}),
                 [MIRRORED, "lock entry node_modules/node-addon-api resolves 8.2.1; move to 8.2.2 (wanted: ^8.2.2)"], (),
                 id="dependencies-no-object"),
    # Odd entries of a v1 lock are stepped over, not the end of the walk: a string, one with no
    # version, a `requires` value that is no string.
    pytest.param({"package.json": app({"node-addon-api": "^8.2.0"}),
                  "package-lock.json": lock_v1({"aaa": "node-addon-api",
                                                "node-addon-api": {"version": "8.2.1", "integrity": INTEGRITY_821},
                                                "p": {"requires": {"node-addon-api": "^8.0.0"}},
                                                "q": {"version": "1.0.0", "requires": {"node-addon-api": 8}}})},
                 "upgrade", lock_v1({"aaa": "node-addon-api",
                                     "node-addon-api": {"version": "8.2.2", "integrity": INTEGRITY_822},
                                     "p": {"requires": {"node-addon-api": "^8.0.0"}},
                                     "q": {"version": "1.0.0", "requires": {"node-addon-api": 8}}}),
                 ["lock entry node_modules/node-addon-api resolves 8.2.1; move to 8.2.2 (wanted: ^8.0.0, ^8.2.2)"], (),
                 id="v1-odd-entries"),
]


@pytest.mark.parametrize("tree, mode, after, reasons, overrides", MOVES)
def test_each_move_in_full(monkeypatch, tmp_path, tree, mode, after, reasons, overrides):
    planned, data = answer(monkeypatch, tmp_path, tree, mode)
    assert not planned.refusals, [r.reason for r in planned.refusals]
    assert [f.reason for f in planned.findings] == reasons
    for f in planned.findings:
        assert (f.path, f.column, f.kind, f.wrapped_type) == (str(tmp_path / "package-lock.json"), 1, "pin", "")
        if f.reason == MIRRORED:  # one finding for them all, at the first
            assert (f.line, f.subject, f.rule, f.span) == (line_of(data, f.edits[0].start), "package specs", None, None)
        else:  # each copy moved, at its version
            assert f.reason.startswith(f"lock entry {f.subject} resolves")
            assert (f.line, f.rule, data[f.span[0]:f.span[1]]) == (line_of(data, f.span[0]), "NAPI001", b'"8.2.1"')
    assert apply_edits(data, [e for f in planned.findings for e in f.edits]).decode() == after
    assert planned.overrides == overrides


@pytest.mark.parametrize("data, line, message", [
    pytest.param(b"[]\n", 1, "the lockfile holds an array, not an object", id="an-array"),
    pytest.param(b'"x"', 1, "the lockfile holds a string, not an object", id="a-string"),
    pytest.param(b'{\n  "packages": {\n', 3, "invalid JSON: Expecting property name enclosed in double quotes (column 1)",
                 id="cut-short"),
])
def test_a_lock_that_is_no_json_object_is_bad_input_naming_file_and_line(data, line, message):
    from codemod.manifests import npmlock
    from codemod.manifests.jsonspan import BadInput
    from codemod.manifests.lockplan import LockSource, Pins

    with pytest.raises(BadInput) as refused:
        npmlock.plan(LockSource("/app/package-lock.json", data), Pins("/app", "upgrade"))
    assert (refused.value.path, refused.value.line, refused.value.message) == ("/app/package-lock.json", line, message)


def _link_with_a_version() -> dict:
    tree = NO_OPS[2].values[0]
    lock = json.loads(tree["package-lock.json"])
    lock["packages"]["node_modules/node-addon-api"]["version"] = "8.2.1"
    return {**tree, "package-lock.json": _json(lock)}


@pytest.mark.parametrize("tree", [
    # A folder dependency's link entry is the project's own folder, even one that records a version.
    pytest.param(_link_with_a_version(), id="a-link"),
    pytest.param({"package.json": app({}), "package-lock.json": lock_v3({}, {
        "node_modules/node-addon-api": {"license": "MIT"}})}, id="a-copy-of-no-version"),
])
def test_nothing_to_move(monkeypatch, tmp_path, tree):
    planned, _ = answer(monkeypatch, tmp_path, tree)
    assert planned == LockPlan()

# -- the repoint declares node-addon-api in an npm lock (npmlock.declare_package) --
#
# Each lock before is as npm 11 wrote it (`npm install --package-lock-only
# --lockfile-version=N`) for a project with no dependency and with one
# (node-gyp-build, which sorts after node-addon-api); each lock after is what
# npm ci accepts beside package.json's new dependency (the slow test below).

NGB = {"version": "4.8.4", "resolved": "https://registry.npmjs.org/node-gyp-build/-/node-gyp-build-4.8.4.tgz",
       "integrity": "sha512-LA4ZjwlnUblHVgq0oBF3Jl/6h/Nvs5fzBLwdEF4nuxnFdsfajde4WfxtJr3CaiH+F6ewcIB/q4jQ4UzPyid+CQ=="}
NGB_ENTRY = {**NGB, "license": "MIT", "bin": {"node-gyp-build": "bin.js", "node-gyp-build-optional": "optional.js",
                                              "node-gyp-build-test": "build-test.js"}}
HEAD = {"name": "app", "version": "1.0.0"}
BINDINGS = {"version": "1.5.0", "resolved": "https://registry.npmjs.org/bindings/-/bindings-1.5.0.tgz",
            "integrity": "sha512-p2q/t/mhvuOj/UeLlV6566GD/guowlr0hHxClI0W9m7MWYkL1F0hLo+0Aexs9HSPCtR1SXQ0TD3MMKrXZajbiQ=="}


def npm_lock(version: int, deps: dict, entries: dict, legacy: dict) -> str:
    """A lock laid out as npm writes it: v1 the legacy half only, v3 `packages` only, v2 both."""
    packages = {"": {**HEAD, **({"dependencies": deps} if deps else {})}, **entries}
    return _json({**HEAD, "lockfileVersion": version, "requires": True,
                  **({"packages": packages} if version > 1 else {}),
                  **({"dependencies": legacy} if version < 3 and legacy else {})})


def declared(spec: str, version: str) -> tuple[dict, dict, dict]:
    """(root dependency, packages entry, legacy entry) of node-addon-api as the repoint declares it."""
    info = safe_versions()[version]
    return ({"node-addon-api": spec},
            {"node_modules/node-addon-api": {"version": version, "integrity": info.integrity, "license": "MIT",
                                             "engines": {"node": info.engines}}},
            {"node-addon-api": {"version": version, "integrity": info.integrity}})


DEP, ENTRY, LEGACY = declared("^8.2.2", "8.2.2")
NGB_DEP, NGB_PACKAGES, NGB_LEGACY = {"node-gyp-build": "^4.8.0"}, {"node_modules/node-gyp-build": NGB_ENTRY}, \
    {"node-gyp-build": NGB}
DECLARES = [
    # npm writes no legacy half into an empty v2 lock; npm 7 and later read `packages` alone.
    *[pytest.param(npm_lock(v, {}, {}, {}), "^8.2.2", "8.2.2", npm_lock(v, DEP, ENTRY, LEGACY if v == 1 else {}),
                   id=f"v{v}-no-dependencies") for v in (1, 2, 3)],
    *[pytest.param(npm_lock(v, NGB_DEP, NGB_PACKAGES, NGB_LEGACY), "^8.2.2", "8.2.2",
                   npm_lock(v, {**NGB_DEP, **DEP}, {**ENTRY, **NGB_PACKAGES}, {**LEGACY, **NGB_LEGACY}),
                   id=f"v{v}-before-a-later-name") for v in (1, 2, 3)],
    pytest.param(npm_lock(1, {}, {}, {"bindings": BINDINGS}), "^8.2.2", "8.2.2",
                 npm_lock(1, {}, {}, {"bindings": BINDINGS, **LEGACY}), id="v1-after-every-name"),
    pytest.param(npm_lock(3, {}, {}, {}), "^8.3.0", "8.3.0",
                 npm_lock(3, *declared("^8.3.0", "8.3.0")[:2], {}), id="a-later-release"),
    # An installed copy stays as it is (the pin moves a leaky one) when the spec admits it, or is leaky ...
    *[pytest.param(npm_lock(3, {}, {"node_modules/node-addon-api": registry(held)}, {}), "^8.2.2", "8.2.2",
                   npm_lock(3, DEP, {"node_modules/node-addon-api": registry(held)}, {}), id=f"installed-{held}")
      for held in ("8.2.1", "8.3.0")],
    # ... else the repoint is refused: that copy, or one of no version, is not what the spec asks for.
    pytest.param(npm_lock(3, {}, {"node_modules/node-addon-api": registry("8.1.0")}, {}), "^8.2.2", "8.2.2", None,
                 id="installed-below-the-spec"),
    pytest.param(npm_lock(3, {}, {"node_modules/node-addon-api": {"license": "MIT"}}, {}), "^8.2.2", "8.2.2", None,
                 id="installed-without-a-version"),
]


@pytest.mark.parametrize("before, spec, version, after", DECLARES)
def test_the_repoint_declares_node_addon_api_in_the_lock(before, spec, version, after):
    from codemod.manifests.npmlock import declare_package, read

    data = before.encode()
    edits = declare_package("/app/package-lock.json", data, read("/app/package-lock.json", data), spec, version)
    assert (None if edits is None else apply_edits(data, edits).decode()) == after
    assert all(e.path == "/app/package-lock.json" for e in edits or ())


# -- the npm lock planner is linear --------------------------------------------

def nested_copies_lock(n: int, others: int = 0) -> bytes:
    """n packages, each with its own nested 8.2.1 copy (n installs x n
    dependents), beside `others` packages that have nothing to do with it."""
    packages = {"": {"name": "app", "version": "1.0.0", "dependencies": {f"p{i}": "1.0.0" for i in range(n)}}}
    for i in range(n):
        packages[f"node_modules/p{i}"] = {"version": "1.0.0", "integrity": "sha512-x",
                                          "dependencies": {"node-addon-api": "^8.0.0"}}
        packages[f"node_modules/p{i}/node_modules/node-addon-api"] = registry()
    for i in range(others):
        packages[f"node_modules/o{i}"] = {"version": "1.0.0", "resolved": f"https://registry.npmjs.org/o{i}/-/o{i}-1.0.0.tgz",
                                          "integrity": INTEGRITY_822, "license": "MIT",
                                          "dependencies": {f"o{i + 1}": "^1.0.0", "p0": "^1.0.0"}}
    return _json({"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
                  "packages": packages}).encode()


def _lookups(n: int) -> int:
    """How many install keys the planner probes for a lock of n nested copies."""
    from codemod.manifests import npmlock
    from codemod.manifests.lockplan import LockSource, Pins

    data = nested_copies_lock(n)
    probes = 0
    original = npmlock._resolves_to

    def counting(package_key, name, installs):
        nonlocal probes
        probes += 1
        return original(package_key, name, installs)

    npmlock._resolves_to = counting
    try:
        planned = npmlock.plan(LockSource("package-lock.json", data), Pins("", "upgrade"))
    finally:
        npmlock._resolves_to = original
    assert len(planned.findings) == n and not planned.refusals
    return probes


def test_the_npm_lock_planner_grows_linearly_with_nested_copies():
    # Counted, not timed: 4x the copies is 4x the lookups (it was 16x: each copy scanned every dependent).
    small, large = _lookups(1000), _lookups(4000)
    assert large <= 4.5 * small, (small, large)


# The peak resident size is the kernel's high-water mark of this process's
# own memory (VmHWM: getrusage's ru_maxrss would count the pytest process it
# was forked from): the interpreter, napi-fix's modules, the lock's bytes and
# everything the plan holds.
PEAK = """
import json, re, sys, time
sys.path.insert(0, {tests!r})
from pathlib import Path
from helpers import plan
started = time.perf_counter()
report = plan([Path(sys.argv[1])])
hwm = re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text())
print(json.dumps({{"peak": int(hwm.group(1)) * 1024, "seconds": time.perf_counter() - started,
                  "edits": sum(len(r.edits) for r in report.changed)}}))
"""


def peak(root: Path) -> dict:
    """Peak resident size, time and edits of planning `root`, in a process of its own (Linux)."""
    script = PEAK.format(tests=str(TESTS))
    done = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize("copies, others, limit_mb", [
    # A large real lock (34 MB): a thousand nested copies among unrelated
    # packages. Measured: 139 MB (271 MB before unrelated entries were stepped over).
    (1_000, 98_000, 170),
    # The worst case (20 MB): every other entry a leaky copy, each moved with
    # its own finding and edits. Measured: 471 MB, over the 200 MB aim: a
    # guard against it growing, not a claim that it is small.
    (50_000, 0, 560),
])
def test_a_100000_entry_lock_plans_within_its_memory(tmp_path, copies, others, limit_mb):
    write_tree(tmp_path, {"package.json": _json({"name": "app", "version": "1.0.0"})})
    (tmp_path / "package-lock.json").write_bytes(nested_copies_lock(copies, others))
    measured = peak(tmp_path)
    assert measured["edits"] == 2 * copies  # every copy moved (version and integrity)
    assert measured["peak"] < limit_mb * 2**20, f"peak {measured['peak'] / 2**20:.0f} MB"


# -- the package-manager oracle: real npm locks, `npm ci --ignore-scripts` ------
#
# Each shape is locked by the real npm (--prefer-offline: the suite's npm
# cache holds node-addon-api after the first run); after the real napi-fix
# run either `npm ci` accepts the lock unchanged and installs no 8.2.0/8.2.1,
# or napi-fix refused the root and every byte is as it was.

needs_npm = pytest.mark.skipif(shutil.which("npm") is None or shutil.which("git") is None,
                               reason="npm and git are needed")


def locked(root: Path, stages: list[dict], lockfile_version: int = 3) -> None:
    """package.json (and members) locked by npm in stages: npm keeps a locked
    release that still satisfies a loosened spec."""
    for tree in stages:
        for rel, value in tree.items():
            write_json(root / rel, value)
        npm(root, "install", "--package-lock-only", f"--lockfile-version={lockfile_version}")


def assert_npm_accepts(root: Path, installed: dict[str, str]) -> None:
    """napi-fix fixed it: npm ci takes the lock as it is, installs the given releases, and a second run plans nothing."""
    lock = (root / "package-lock.json").read_bytes()
    npm(root, "ci")
    assert (root / "package-lock.json").read_bytes() == lock
    for where, version in installed.items():
        assert installed_version(root, where) == version
    assert main(["--dry-run", str(root)]) == 0


def assert_refused(root: Path, before: dict[str, bytes], capfdbinary, command: str) -> None:
    assert main([str(root)]) != 0
    out, err = capfdbinary.readouterr()
    assert command.encode() in out + err, (out + err).decode()[-2000:]
    assert snapshot(root, skip=("node_modules", ".git")) == before


def app_json(deps: dict, **extra) -> dict:
    return {"name": "app", "version": "1.0.0", "license": "MIT", "dependencies": deps, **extra}


@pytest.mark.slow
@needs_npm
@pytest.mark.parametrize("lockfile_version", [1, 2, 3])
def test_oracle_alias_moves_with_its_spec(tmp_path, lockfile_version):
    locked(tmp_path, [{"package.json": app_json({"naa": "npm:node-addon-api@8.2.1"})},
                      {"package.json": app_json({"naa": "npm:node-addon-api@^8.2.0"})}], lockfile_version)
    assert main([str(tmp_path)]) == 0
    assert json.loads((tmp_path / "package.json").read_text())["dependencies"] == {"naa": "npm:node-addon-api@^8.2.2"}
    assert_npm_accepts(tmp_path, {"node_modules/naa": "8.2.2"})


@pytest.mark.slow
@needs_npm
def test_oracle_alias_in_a_workspace_member_beside_an_override(tmp_path):
    root = {"name": "mono", "version": "1.0.0", "private": True, "workspaces": ["packages/*"],
            "dependencies": {"node-addon-api": "^8.2.0"}, "overrides": {"node-addon-api": "$node-addon-api"}}
    member = {"name": "a", "version": "1.0.0", "dependencies": {"naa": "npm:node-addon-api@8.2.1"}}
    locked(tmp_path, [{"package.json": {**root, "dependencies": {"node-addon-api": "8.2.1"}},
                       "packages/a/package.json": member},
                      {"package.json": root,
                       "packages/a/package.json": {**member, "dependencies": {"naa": "npm:node-addon-api@~8.2.0"}}}])
    assert main([str(tmp_path)]) == 0
    assert json.loads((tmp_path / "packages/a/package.json").read_text())["dependencies"] == {
        "naa": "npm:node-addon-api@~8.2.2"}
    assert json.loads((tmp_path / "package.json").read_text())["overrides"] == {"node-addon-api": "$node-addon-api"}
    assert_npm_accepts(tmp_path, {"node_modules/node-addon-api": "8.2.2", "node_modules/naa": "8.2.2"})


@pytest.mark.slow
@needs_npm
@pytest.mark.parametrize("spec, expected_spec, installed", [
    ("^8.1.0", ">=8.1.0 <8.2.0 || ^8.2.2", "8.2.2"),  # 8.1.0 stays admitted; the lock moves up
    ("<=8.2.1", "<8.2.0", "8.1.0"),  # a cap below the fix is kept: the lock moves down to 8.1.0
])
def test_oracle_the_rewrite_keeps_every_safe_release(tmp_path, spec, expected_spec, installed):
    npm_project(tmp_path, app_json({"node-addon-api": spec}), "8.2.1")
    assert main([str(tmp_path)]) == 0
    assert json.loads((tmp_path / "package.json").read_text())["dependencies"] == {"node-addon-api": expected_spec}
    assert_npm_accepts(tmp_path, {"node_modules/node-addon-api": installed})


def _git_remote(tmp_path: Path) -> str:
    """A local bare repository holding node-addon-api 8.2.1's files at tag v8.2.1."""
    work = tmp_path / "naa-src"
    work.mkdir()
    packed = npm(work, "pack", "node-addon-api@8.2.1").stdout.strip().splitlines()[-1]
    with tarfile.open(work / packed) as tar:
        tar.extractall(work, filter="data")
    source = work / "package"
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "8.2.1"], ["tag", "v8.2.1"]):
        run(["git", *args], source, env=env)
    run(["git", "clone", "-q", "--bare", str(source), str(tmp_path / "naa.git")], tmp_path)
    return f"git+file://{tmp_path / 'naa.git'}#v8.2.1"


@pytest.mark.slow
@needs_npm
@pytest.mark.parametrize("kind", ["file-tarball", "git", "drift", "only-another-major"])
def test_oracle_refused_roots_are_left_byte_for_byte(tmp_path, capfdbinary, kind):
    app = tmp_path / "app"
    app.mkdir()
    command = "npm install node-addon-api@^8.2.2"
    if kind == "file-tarball":
        packed = npm(app, "pack", "node-addon-api@8.2.1").stdout.strip().splitlines()[-1]
        locked(app, [{"package.json": app_json({"node-addon-api": f"file:{packed}"})}])
    elif kind == "git":
        locked(app, [{"package.json": app_json({"node-addon-api": _git_remote(tmp_path)})}])
        assert "git+file://" in (app / "package-lock.json").read_text()
    elif kind == "drift":
        npm_project(app, app_json({"node-addon-api": "^8.2.0"}), "8.2.1")
        write_json(app / "package.json", app_json({"node-addon-api": "^8.3.0"}))  # edited, not re-locked
        assert npm(app, "ci", check=False).returncode != 0  # npm itself rejects this pair
        command = "Run: npm install (then napi-fix again)"
    else:
        npm_project(app, app_json({"node-addon-api": ">=8.2.0 <8.2.2 || ^9"}), "8.2.1")
        command = "no safe release satisfies ['^9']"
    assert json.loads((app / "package-lock.json").read_text())["packages"]["node_modules/node-addon-api"][
        "version"] == "8.2.1"
    assert_refused(app, snapshot(app, skip=("node_modules", ".git")), capfdbinary, command)


@pytest.mark.slow
@needs_npm
@pytest.mark.parametrize("before, spec, version, after",
                         [p for p in DECLARES if p.id in ("v1-no-dependencies", "v2-before-a-later-name")])
def test_oracle_npm_ci_takes_the_lock_the_repoint_declares(tmp_path, before, spec, version, after):
    # v3 with no dependencies is test_headers' repoint test.
    others = {"node-gyp-build": "^4.8.0"} if "node-gyp-build" in before else {}
    write_json(tmp_path / "package.json", app_json({**others, "node-addon-api": spec}))
    (tmp_path / "package-lock.json").write_text(after)
    npm(tmp_path, "ci")
    assert (tmp_path / "package-lock.json").read_text() == after
    assert installed_version(tmp_path) == version
