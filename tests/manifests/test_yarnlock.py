"""yarn.lock (classic) planned by codemod/manifests/yarnlock.py, as tables:
what a lock napi-fix cannot move says (each refusal's line and words, and
every later entry still planned), what a lock that is not a yarn.lock says
(file, line, why), and what each change says and writes.

A row that changes the lock is checked against yarn 1 itself: the slow test
at the end locks the row's package files with yarn, expects exactly the row's
before, and runs `yarn install --frozen-lockfile` on napi-fix's after (and a
plain install leaves it byte-identical). The refusals and the bad input write
nothing."""

from __future__ import annotations

import json
import shutil

import pytest

from codemod.edits import apply_edits
from codemod.manifests import yarnlock
from codemod.manifests.lockplan import LockSource, Pins
from helpers import dedent, fixed, lock_refused_as_bad_input, plan, write_tree
from test_lock_formats import INTEGRITY_821, INTEGRITY_822

PATH = "/app/yarn.lock"
URL_821 = "https://registry.yarnpkg.com/node-addon-api/-/node-addon-api-8.2.1.tgz#43a993f110b88e22ba48bcd65e16b92165a6b002"
URL_822 = "https://registry.yarnpkg.com/node-addon-api/-/node-addon-api-8.2.2.tgz#3658f78d04d260aa95931d3bbc45f22ce433b821"
RUN = ("; napi-fix cannot write what yarn would, so nothing is planned for this package: run "
       "`yarn upgrade node-addon-api@^8.2.2` in this lockfile's folder")


def planned(lock: str | bytes, renames: dict | None = None, mode: str = "upgrade"):
    data = lock.encode() if isinstance(lock, str) else lock
    return yarnlock.plan(LockSource(PATH, data), Pins("/app", mode, renames={"/app": renames or {}}))


def said(lock: str | bytes, renames: dict | None = None, mode: str = "upgrade"):
    """Each refusal and each change as a person reads them: (line, subject,
    reason, command) and (line, column, kind, subject, reason, rule, the
    bytes its span covers); and the lock with every change applied."""
    data = lock.encode() if isinstance(lock, str) else lock
    plan = planned(data, renames, mode)
    refusals = [(r.line, r.subject, r.reason, r.command, r.span) for r in plan.refusals]
    changes = [(f.line, f.column, f.kind, f.subject, f.wrapped_type, f.reason, f.rule,
                data[f.span[0]:f.span[1]] if f.span is not None else None) for f in plan.findings]
    assert all(e.path == PATH for f in plan.findings for e in f.edits)
    return refusals, changes, apply_edits(data, [e for f in plan.findings for e in f.edits])


# An entry napi-fix cannot move refuses the root; every later entry is still planned (and says so).
REFUSED = [
    pytest.param(dedent("""
        node-addon-api@^8.2.0, node-addon-api@~8.2.0:
          version "8.2.1"

        node-addon-api@^8.2.2, node-addon-api@~8.2.2:
          version "8.2.2"

        "z@npm:node-addon-api@~8.2.0":
          version "8.2.1"

        "zz@npm:node-addon-api@8.2.0":
          version "8.2.0"
        """), {"^8.2.0": "^8.2.2", "~8.2.0": "~8.2.2"}, [
        (1, "yarn.lock", "entry node-addon-api@^8.2.0, node-addon-api@~8.2.0: node-addon-api@^8.2.2, "
                         f"node-addon-api@~8.2.2 is another entry's already{RUN}"),
        (7, "yarn.lock", "entry z@npm:node-addon-api@~8.2.0 resolves 8.2.1; another entry resolves 8.2.2 already "
                         f"(yarn would merge the two){RUN}"),
        (10, "yarn.lock", f"entry zz@npm:node-addon-api@8.2.0 resolves 8.2.0; no safe release satisfies ['8.2.0']{RUN}")],
        [], id="renamed-into-another-entry-then-a-merge-then-no-safe-release"),
    pytest.param(dedent("""
        "a@npm:node-addon-api@8.2.1":
          version "8.2.1"

        node-addon-api@^8.2.0:
          version "8.2.1"

        node-addon-api@^8.2.1:
          version "8.2.2"
        """), {"^8.2.0": "^8.2.3"}, [
        (1, "yarn.lock", f"entry a@npm:node-addon-api@8.2.1 resolves 8.2.1; no safe release satisfies ['8.2.1']{RUN}"),
        (4, "yarn.lock", f"entry node-addon-api@^8.2.0: yarn would move the renamed entry elsewhere in the file{RUN}")],
        [], id="no-safe-release-then-renamed-past-the-next-entry"),
    pytest.param(dedent("""
        node-addon-api@8.3.0:
          version "8.3.0"

        node-addon-api@^8.2.0:
          version "8.2.1"

        node-addon-api@~8.2.0:
          version "8.2.1"
        """), {"^8.2.0": "8.2.2", "~8.2.0": "~8.2.2"}, [
        (4, "yarn.lock", f"entry node-addon-api@^8.2.0: yarn would move the renamed entry elsewhere in the file{RUN}")],
        [(7, 1, "pin", "yarn.lock", "", "entry node-addon-api@~8.2.0 resolves 8.2.1; move to 8.2.2", "NAPI001",
          b'"8.2.1"')], id="renamed-before-the-previous-entry-then-a-move"),
]


@pytest.mark.parametrize("lock, renames, refusals, changes", REFUSED)
def test_a_lock_yarn_would_write_otherwise_is_refused_entry_by_entry(lock, renames, refusals, changes):
    said_refusals, said_changes, _ = said(lock, renames)
    assert said_refusals == [(*r, "yarn upgrade node-addon-api@^8.2.2", None) for r in refusals]
    assert said_changes == changes


def test_rolling_back_moves_to_8_1_0_where_the_range_admits_it():
    lock = dedent(f"""
        node-addon-api@^8.0.0:
          version "8.2.1"
          resolved "{URL_821}"
          integrity {INTEGRITY_821}
        """)
    refusals, changes, after = said(lock, mode="rollback")
    assert (refusals, [c[5] for c in changes]) == ([], ["entry node-addon-api@^8.0.0 resolves 8.2.1; move to 8.1.0"])
    assert b'  version "8.1.0"' in after and b"node-addon-api-8.1.0.tgz#" in after


# Not a yarn.lock (classic): file, line and why; nothing planned.
NOT_A_LOCK = [
    pytest.param(b'# yarn lockfile v1\n\na@1:\n  version "1\0"\nb@1:\n  version "\0"\n', 4,
                 "a NUL byte: not a yarn.lock", id="nul-byte"),
    pytest.param(b'# yarn lockfile v1\n\na@1:\n  version "1"\nnot an entry\n', 5,
                 "not a yarn.lock entry header (`pattern, ...:`) nor an indented field", id="not-a-header"),
    pytest.param(b'a@1:\n  version "1"\n\nXX\n', 4,
                 "not a yarn.lock entry header (`pattern, ...:`) nor an indented field", id="a-line-of-xs"),
    pytest.param(b'# yarn lockfile v1\n\na@1:\n  version "1"\nb\xff@1:\n  version "1"\n', 5,
                 "not UTF-8 in an entry header", id="header-not-utf8"),
]


@pytest.mark.parametrize("lock, line, message", NOT_A_LOCK)
def test_a_file_that_is_not_a_yarn_lock_names_its_line(lock, line, message):
    assert lock_refused_as_bad_input(yarnlock, PATH, lock) == (PATH, line, message)


# -- the lock moves with package.json: (before, after), as yarn 1.22.22 locked it and re-locks it --------------------

YARN_HEAD = "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n"
NPMJS = "https://registry.npmjs.org"
NAA_821 = (f'  version "8.2.1"\n  resolved "{NPMJS}/node-addon-api/-/node-addon-api-8.2.1.tgz#43a993f110b88e22ba48bcd65e'
           f'16b92165a6b002"\n  integrity {INTEGRITY_821}\n')
NAA_822 = (f'  version "8.2.2"\n  resolved "{NPMJS}/node-addon-api/-/node-addon-api-8.2.2.tgz#3658f78d04d260aa95931d3bbc'
           f'45f22ce433b821"\n  integrity {INTEGRITY_822}\n')
UUID = (f'uuid@^8.0.0:\n  version "8.3.2"\n  resolved "{NPMJS}/uuid/-/uuid-8.3.2.tgz#80d5b5ced271bb9af6c445f21a1a04c606'
        'cefbe2"\n  integrity sha512-+NYs2QeMWy+GWFOEm9xnn6HCDp0l7QBD7ml8zLUmJ+93Q5NF0NocErnwkTkXVFNiX3/fpC6afS8Dhb/gz7R7eg==\n')
TREE_SITTER = (
    f'node-gyp-build@^4.8.0:\n  version "4.8.4"\n  resolved "{NPMJS}/node-gyp-build/-/node-gyp-build-4.8.4.tgz#8a70ee85464a'
    'e52327772a90d66c6077a900cfc8"\n  integrity sha512-LA4ZjwlnUblHVgq0oBF3Jl/6h/Nvs5fzBLwdEF4nuxnFdsfajde4WfxtJr3CaiH+F6'
    'ewcIB/q4jQ4UzPyid+CQ==\n\n'
    f'tree-sitter@0.21.1:\n  version "0.21.1"\n  resolved "{NPMJS}/tree-sitter/-/tree-sitter-0.21.1.tgz#fbb34c09056700814a'
    'f0e1e37688e06463ba04c4"\n  integrity sha512-7dxoA6kYvtgWw80265MyqJlkRl4yawIjO7S5MigytjELkX43fV2WsAXzsNfO7sBpPPCF5Gp0'
    '+XzHk0DwLCq3xQ==\n  dependencies:\n    node-addon-api "^8.0.0"\n    node-gyp-build "^4.8.0"\n')
SPLIT = ">=8.0.0 <8.2.0 || ^8.2.2"  # what the pin makes of ^8.0.0


def app(**deps: str) -> dict:
    return {"name": "app", "version": "1.0.0", "license": "MIT", "dependencies": deps}


def pinned(tree: dict, old: str, new: str) -> dict:
    """`tree`'s package.json files with node-addon-api's spec `old` pinned to `new` (under any name)."""
    return {rel: {**value, "dependencies": {k: v.replace(old, new) if "node-addon-api" in (k + v) else v
                                            for k, v in value["dependencies"].items()}}
            for rel, value in tree.items() if rel.endswith("package.json")}


# id -> (package files, yarn.lock as yarn wrote it, the change each yarn.lock finding names, yarn.lock after the pin)
MOVES = {
    # An alias under a scoped name, and under a one-letter name: the entry is node-addon-api's all the same.
    "scoped-alias": ({"package.json": app(**{"@s/naa": "npm:node-addon-api@^8.2.0"})},
                     f'"@s/naa@npm:node-addon-api@^8.2.0":\n{NAA_821}',
                     [(6, 11, "entry @s/naa@npm:node-addon-api@^8.2.0 resolves 8.2.1; move to 8.2.2", "NAPI001")],
                     f'"@s/naa@npm:node-addon-api@^8.2.2":\n{NAA_822}'),
    "one-letter-alias": ({"package.json": app(n="npm:node-addon-api@^8.2.0")},
                         f'"n@npm:node-addon-api@^8.2.0":\n{NAA_821}',
                         [(6, 11, "entry n@npm:node-addon-api@^8.2.0 resolves 8.2.1; move to 8.2.2", "NAPI001")],
                         f'"n@npm:node-addon-api@^8.2.2":\n{NAA_822}'),
    # uuid asks for the same range as node-addon-api: its entry is not node-addon-api's and stays.
    "another-package-at-the-same-range": (
        {"package.json": app(**{"node-addon-api": "^8.0.0", "uuid": "^8.0.0"})},
        f"node-addon-api@^8.0.0:\n{NAA_821}\n{UUID}",
        [(6, 11, "entry node-addon-api@^8.0.0 resolves 8.2.1; move to 8.2.2", "NAPI001")],
        f'"node-addon-api@{SPLIT}":\n{NAA_822}\n{UUID}'),
    # A file: dependency two folders down is pinned with the root, and yarn copies its new spec; tree-sitter,
    # the last entry, after one that does not mention node-addon-api, still asks for ^8.0.0: that pattern stays.
    "file-dependency-and-a-registry-one": (
        {"package.json": app(dep="file:./vendor/dep", **{"node-addon-api": "^8.0.0", "tree-sitter": "0.21.1"}),
         "vendor/dep/package.json": {"name": "dep", "version": "1.0.0", "license": "MIT",
                                     "dependencies": {"node-addon-api": "^8.0.0"}}},
        f'"dep@file:./vendor/dep":\n  version "1.0.0"\n  dependencies:\n    node-addon-api "^8.0.0"\n\n'
        f"node-addon-api@^8.0.0:\n{NAA_821}\n{TREE_SITTER}",
        [(5, 1, "entry dep@file:./vendor/dep: its dependencies follow the package.json pin", None),
         (11, 11, "entry node-addon-api@^8.0.0 resolves 8.2.1; move to 8.2.2", "NAPI001")],
        f'"dep@file:./vendor/dep":\n  version "1.0.0"\n  dependencies:\n    node-addon-api "{SPLIT}"\n\n'
        f'"node-addon-api@{SPLIT}", node-addon-api@^8.0.0:\n{NAA_822}\n{TREE_SITTER}'),
}
OLD_SPEC = {"scoped-alias": ("^8.2.0", "^8.2.2"), "one-letter-alias": ("^8.2.0", "^8.2.2")}


def as_files(tree: dict, lock: str) -> dict[str, str]:
    return {**{rel: json.dumps(value, indent=2) + "\n" for rel, value in tree.items()}, "yarn.lock": YARN_HEAD + lock}


@pytest.mark.parametrize("name", MOVES)
def test_the_lock_moves_with_package_json(tmp_path, name):
    tree, before, changes, after = MOVES[name]
    write_tree(tmp_path, as_files(tree, before))
    report = plan([tmp_path])
    assert [(f.line, f.column, f.kind, f.subject, f.wrapped_type, f.reason, f.rule)
            for r in report.files if r.path.endswith("yarn.lock") for f in r.findings] == \
        [(line, column, "pin", "yarn.lock", "", reason, rule) for line, column, reason, rule in changes]
    old, new = OLD_SPEC.get(name, ("^8.0.0", SPLIT))
    assert fixed(report, tmp_path) == {rel: data.encode() for rel, data in
                                       as_files(pinned(tree, old, new), after).items()}
    write_tree(tmp_path, fixed(report, tmp_path))  # fix twice: nothing more to do
    assert fixed(plan([tmp_path]), tmp_path) == {}


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("npm") is None, reason="npm not installed")
@pytest.mark.parametrize("name", MOVES)
def test_yarn_wrote_before_and_accepts_after_frozen(tmp_path, name):
    from codemod.cli import main
    from test_pin_yarn_pnpm import YARN_FLAGS, assert_yarn_fixed_point, run, tool, write_json, yarn_seeded

    tree, before, _, after = MOVES[name]
    env = yarn_seeded(tmp_path, {"node-addon-api": "8.2.1"})
    root = tmp_path / "project"
    for rel, value in tree.items():
        write_json(root / rel, value)
    run([tool("yarn"), "install", *YARN_FLAGS], root, env=env)
    assert (root / "yarn.lock").read_text() == YARN_HEAD + before
    shutil.rmtree(root / "node_modules")
    assert main([str(root)]) == 0
    assert (root / "yarn.lock").read_text() == YARN_HEAD + after
    assert_yarn_fixed_point(root, env)


# -- shapes yarn itself moves the same way (tests/manifests/test_pin_yarn_pnpm.py), planned here alone -------------

ALONE = [
    # The lock resolves a safe release already: only the header follows the spec (yarn keeps the version).
    pytest.param('node-addon-api@^8.1.0:\n  version "8.1.0"\n', {"^8.1.0": SPLIT}, [
        (1, 1, "pin", "yarn.lock", "", "entry node-addon-api@^8.1.0 follows the package.json pin", None, None)],
        f'"node-addon-api@{SPLIT}":\n  version "8.1.0"\n', id="safe-already-header-only"),
    # A dependency still asks for ^8.2.1: its pattern stays in the header beside the pinned one.
    pytest.param(f'a@1:\n  version "1.0.0"\n  dependencies:\n    node-addon-api "^8.2.1"\n\n'
                 f'node-addon-api@^8.2.0, node-addon-api@^8.2.1:\n  version "8.2.1"\n  resolved "{URL_821}"\n'
                 f'  integrity {INTEGRITY_821}\n', {"^8.2.0": "^8.2.2"}, [
                     (6, 1, "pin", "yarn.lock", "", "entry node-addon-api@^8.2.0, node-addon-api@^8.2.1 resolves 8.2.1; "
                      "move to 8.2.2", "NAPI001", b'"8.2.1"')],
                 f'a@1:\n  version "1.0.0"\n  dependencies:\n    node-addon-api "^8.2.1"\n\n'
                 f'node-addon-api@^8.2.1, node-addon-api@^8.2.2:\n  version "8.2.2"\n  resolved "{URL_822}"\n'
                 f'  integrity {INTEGRITY_822}\n', id="two-patterns-one-still-asked-for"),
    # Two dependencies ask for the two old patterns: both stay beside the pinned ones.
    pytest.param(f'a@1:\n  dependencies:\n    node-addon-api "^8.2.0"\n\nb@1:\n  dependencies:\n'
                 f'    node-addon-api "~8.2.0"\n\nnode-addon-api@^8.2.0, node-addon-api@~8.2.0:\n  version "8.2.1"\n',
                 {"^8.2.0": "^8.2.2", "~8.2.0": "~8.2.2"}, [
                     (9, 1, "pin", "yarn.lock", "", "entry node-addon-api@^8.2.0, node-addon-api@~8.2.0 resolves 8.2.1; "
                      "move to 8.2.2", "NAPI001", b'"8.2.1"')],
                 f'a@1:\n  dependencies:\n    node-addon-api "^8.2.0"\n\nb@1:\n  dependencies:\n'
                 f'    node-addon-api "~8.2.0"\n\nnode-addon-api@^8.2.0, node-addon-api@^8.2.2, node-addon-api@~8.2.0, '
                 f'node-addon-api@~8.2.2:\n  version "8.2.2"\n', id="two-dependencies-ask-for-two-old-patterns"),
    # An entry without a version (hand-edited): its header follows, nothing else is guessed.
    pytest.param(f'node-addon-api@^8.2.0:\n  resolved "{URL_821}"\n', {"^8.2.0": "^8.2.2"}, [
        (1, 1, "pin", "yarn.lock", "", "entry node-addon-api@^8.2.0 follows the package.json pin", None, None)],
        f'node-addon-api@^8.2.2:\n  resolved "{URL_821}"\n', id="no-version"),
    # A dependency line that is not UTF-8 is not node-addon-api's; the entry it is in still moves.
    pytest.param(b'a@1:\n  dependencies:\n    b\xff "1"\n    node-addon-api "^8.2.0"\n\n' +
                 f'node-addon-api@^8.2.0:\n  version "8.2.1"\n  resolved "{URL_821}"\n  integrity {INTEGRITY_821}\n'.encode(), {},
                 [(6, 1, "pin", "yarn.lock", "", "entry node-addon-api@^8.2.0 resolves 8.2.1; move to 8.2.2", "NAPI001",
                   b'"8.2.1"')],
                 b'a@1:\n  dependencies:\n    b\xff "1"\n    node-addon-api "^8.2.0"\n\n' +
                 f'node-addon-api@^8.2.0:\n  version "8.2.2"\n  resolved "{URL_822}"\n  integrity {INTEGRITY_822}\n'.encode(),
                 id="a-dependency-not-utf8"),
]


@pytest.mark.parametrize("lock, renames, changes, after", ALONE)
def test_an_entry_planned_alone(lock, renames, changes, after):
    refusals, said_changes, said_after = said(lock, renames)
    assert (refusals, said_changes, said_after) == ([], changes, after.encode() if isinstance(after, str) else after)


BERRY_HEAD = ('# This file is generated by running "yarn install" inside your project.\n'
              "# Manual changes might be lost - proceed with care!\n\n__metadata:\n  version: 8\n  cacheKey: 10c0\n\n")


def berry(version: str) -> str:
    return (f'"node-addon-api@npm:^8.0.0":\n  version: {version}\n  resolution: "node-addon-api@npm:{version}"\n'
            "  languageName: node\n  linkType: hard\n")


BERRY_REFUSAL = ("yarn berry lockfile: its checksums are of yarn's own zip archives and cannot be computed offline; "
                 "nothing planned for this package. Run `{}` in this lockfile's folder")

BERRY = [
    pytest.param(berry("8.2.1"), {}, "yarn up node-addon-api@^8.2.2", id="resolves-8.2.1"),
    pytest.param(berry("8.2.0"), {}, "yarn up node-addon-api@^8.2.2", id="resolves-8.2.0"),
    pytest.param(berry("8.1.0"), {"/app": {"^8.0.0": "~8.2.2"}}, "yarn up node-addon-api@~8.2.2",
                 id="package-json-moves"),
    pytest.param(berry("8.2.2"), {}, None, id="safe-and-nothing-moves"),
    pytest.param(berry("8.1.0"), {"/other": {"^8.0.0": "~8.2.2"}}, None, id="another-folder-moves"),
]


@pytest.mark.parametrize("lock, renames, command", BERRY)
def test_a_berry_lock_is_refused_when_it_would_move(lock, renames, command):
    data = (BERRY_HEAD + lock).encode()
    got = yarnlock.plan(LockSource(PATH, data), Pins("/app", "upgrade", renames=renames))
    assert got.findings == ()
    assert [(r.path, r.line, r.subject, r.reason, r.command, r.span) for r in got.refusals] == \
        ([(PATH, 1, "yarn.lock", BERRY_REFUSAL.format(command), command, None)] if command else [])


def test_a_lock_in_the_current_folder_follows_its_file_dependency():
    # Relative paths, the lock's folder "": the dependency's folder is found all the same.
    lock = b'"dep@file:./vendor/dep":\n  version "1.0.0"\n  dependencies:\n    node-addon-api "^8.2.0"\n'
    got = yarnlock.plan(LockSource("yarn.lock", lock), Pins("", "upgrade", renames={"vendor/dep": {"^8.2.0": "^8.2.2"}}))
    assert apply_edits(lock, [e for f in got.findings for e in f.edits]) == lock.replace(b'"^8.2.0"', b'"^8.2.2"')
