"""What a lock says of who depends on node-addon-api: each format's
`dependents` (manifests/locks.py), which the leak verdicts read when
node_modules is not there (leaks.py).

A table per format over real locks (tests/data/locks, written by npm, yarn 1
and pnpm 7-9) and hand-made ones for what those never hold; then the leak
verdicts of a real lock must come from its registered module, asked once
with the lock's bytes."""

from __future__ import annotations

import pytest

from codemod.manifests import locks
from helpers import plan, write_tree
from test_lock_formats import BUN_LOCK
from test_lock_tables import LOCKS, files
from test_locks import BUN_LOCKB, spy_on


def real(folder: str, name: str) -> bytes:
    return files(LOCKS / folder / "before")[name]


TREE_SITTER = (True, True)  # depends on node-addon-api, built at install
NPM_COPY, NPM_GYP_BUILD = "node_modules/node-addon-api", "node_modules/node-gyp-build"

# (lockfile name, its bytes, what `dependents` says)
ROWS = [
    # npm: every installed package of a v2/v3 lock, with npm's own `hasInstallScript`.
    pytest.param("package-lock.json", real("npm-v1-transitive", "package-lock.json"), None, id="npm-v1-records-neither"),
    *(pytest.param("package-lock.json", real(f"npm-{v}-transitive", "package-lock.json"), {
        NPM_COPY: (False, False), NPM_GYP_BUILD: (False, False), "node_modules/tree-sitter": TREE_SITTER},
        id=f"npm-{v}-transitive") for v in ("v2", "v3")),
    pytest.param("package-lock.json", real("npm-v3-direct", "package-lock.json"), {NPM_COPY: (False, False)},
                 id="npm-v3-direct"),
    pytest.param("npm-shrinkwrap.json", b'{"packages": {"": {"dependencies": {"a": "1"}}, "node_modules/a": '
                 b'{"version": "1.0.0", "optionalDependencies": {"node-addon-api": "^8.2.0"}}, '
                 b'"node_modules/b": {"version": "1.0.0", "hasInstallScript": true, "dependencies": {"c": "1"}}}}',
                 {"node_modules/a": (True, False), "node_modules/b": (False, True)}, id="npm-fields-and-the-root"),
    pytest.param("package-lock.json", b'{"packages": {"node_modules/a": {"resolved": "packages/a", "link": true},'
                 b' "packages/a": {"version": "1.0.0", "dependencies": {"node-addon-api": "^8.2.0"}},'
                 b' "node_modules/b": {"version": "1.0.0", "hasInstallScript": "yes", "x-own": 1}}}',
                 {}, id="npm-links-workspaces-and-foreign-entries-are-not-installs"),
    pytest.param("package-lock.json", b'{"packages": {"node_modules/a": {"version": "1.0.0", '
                 b'"peerDependencies": {"node-addon-api": "*"}, "hasInstallScript": true}}}',
                 {"node_modules/a": (True, True)}, id="npm-peer"),
    pytest.param("package-lock.json", b'\xef\xbb\xbf{"packages": {"node_modules/a": {"version": "1.0.0", '
                 b'"hasInstallScript": true}}}', {"node_modules/a": (False, True)}, id="npm-utf8-bom"),
    pytest.param("package-lock.json", b'[{"packages": {}}]', None, id="npm-not-an-object"),
    pytest.param("package-lock.json", b'{"lockfileVersion": 3, "packages": []}', None, id="npm-packages-not-an-object"),
    # yarn: entries listing node-addon-api (classic or berry), hoisted and counted as built.
    pytest.param("yarn.lock", real("yarn-classic-transitive", "yarn.lock"), {"node_modules/tree-sitter": TREE_SITTER},
                 id="yarn-classic-transitive"),
    pytest.param("yarn.lock", real("yarn-classic-workspace", "yarn.lock"), {}, id="yarn-classic-workspace"),
    pytest.param("yarn.lock", b'"@s/a@^1.0.0", "@s/a@^1.1.0":\n  version "1.1.0"\n  dependencies:\n'
                 b'    "node-addon-api" "^8.2.0"\n\nb@1:\n  version "1.0.0"\n  optionalDependencies:\n'
                 b'    node-addon-api "^8.0.0"\n\nc@1:\n  version "1.0.0"\n  dependencies:\n    node-addon-apix "1"\n',
                 {"node_modules/@s/a": TREE_SITTER, "node_modules/b": TREE_SITTER}, id="yarn-classic-scoped-quoted"),
    pytest.param("yarn.lock", b'__metadata:\n  version: 8\n\n"app@workspace:.":\n  dependencies:\n'
                 b'    node-addon-api: "npm:^8.2.0"\n\n"native@npm:1.0.0":\n  resolution: "native@npm:1.0.0"\n'
                 b'  dependencies:\n    node-addon-api: "npm:^8.2.0"\n\n"node-addon-api@npm:^8.2.0":\n'
                 b'  version: 8.2.1\n  dependencies:\n    node-addon-api: "npm:^8.2.0"\n',
                 {"node_modules/native": TREE_SITTER}, id="yarn-berry-not-the-workspace-nor-itself"),
    pytest.param("yarn.lock", b'a@1:\n  node-addon-api "1"\n  dependencies:\n\tnode-addon-api "1"\n', {},
                 id="yarn-a-field-or-a-tab-is-not-a-dependency"),
    pytest.param("yarn.lock", b'    node-addon-api "1"\na@1:\n  version "1.0.0"\n', {},
                 id="yarn-nothing-before-the-first-entry"),
    pytest.param("yarn.lock", b'a\xff@1:\n  dependencies:\n    node-addon-api "^8.2.0"\n',
                 {"node_modules/a\ufffd": TREE_SITTER}, id="yarn-a-name-not-utf8"),
    # pnpm: 7 and 8 record `requiresBuild`; 9 records nothing, so each counts as built.
    pytest.param("pnpm-lock.yaml", real("pnpm-v5-transitive", "pnpm-lock.yaml"),
                 {"node_modules/tree-sitter/0.21.1": TREE_SITTER}, id="pnpm-5.4-transitive"),
    *(pytest.param("pnpm-lock.yaml", real(f"pnpm-{v}-transitive", "pnpm-lock.yaml"),
                   {"node_modules/tree-sitter@0.21.1": TREE_SITTER}, id=f"pnpm-{v}-transitive") for v in ("v6", "v9")),
    pytest.param("pnpm-lock.yaml", real("pnpm-v6-workspace", "pnpm-lock.yaml"), {}, id="pnpm-6.0-workspace"),
    pytest.param("pnpm-lock.yaml", b"lockfileVersion: '6.0'\npackages:\n  /a@1.0.0:\n    dependencies:\n"
                 b"      node-addon-api: 8.2.1\n  /b@1.0.0:\n    requiresBuild: true\n    optionalDependencies:\n"
                 b"      node-addon-api: 8.2.1\n  /c@1.0.0:\n    requiresBuild: true\n    peerDependencies:\n"
                 b"      node-addon-api: '*'\n",
                 {"node_modules/a@1.0.0": (True, False), "node_modules/b@1.0.0": TREE_SITTER},
                 id="pnpm-6.0-requires-build"),
    pytest.param("pnpm-lock.yaml", b"lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    requiresBuild: false\n"
                 b"snapshots:\n  a@1.0.0:\n    dependencies:\n      node-addon-api: 8.2.1\n",
                 {"node_modules/a@1.0.0": TREE_SITTER}, id="pnpm-9.0-always-built"),
    pytest.param("pnpm-lock.yaml", b"lockfileVersion: 5.3\npackages:\n  /a/1.0.0:\n    dependencies:\n"
                 b"      node-addon-api: 8.2.1\n", {"node_modules/a/1.0.0": (True, False)}, id="pnpm-5.3-records"),
    pytest.param("pnpm-lock.yaml", b"packages: [1]\nsnapshots:\n  a@1.0.0: 1\n  b@1.0.0:\n    dependencies: [1]\n",
                 {}, id="pnpm-odd-shapes"),
    pytest.param("pnpm-lock.yaml", b"packages: [1]\nsnapshots:\n  a@1.0.0:\n    dependencies:\n"
                 b"      node-addon-api: 8.2.1\n", {"node_modules/a@1.0.0": TREE_SITTER}, id="pnpm-packages-not-a-map"),
    pytest.param("pnpm-lock.yaml", b"lockfileVersion: '6.0'\npackages:\n  /XMLHttpRequest@1.0.0:\n    dependencies:\n"
                 b"      node-addon-api: 8.2.1\n", {"node_modules/XMLHttpRequest@1.0.0": (True, False)},
                 id="pnpm-a-legacy-capital-name"),
    pytest.param("pnpm-lock.yaml", b"packages: {a: [\n", None, id="pnpm-not-yaml"),
    pytest.param("pnpm-lock.yaml", b"- 1\n", None, id="pnpm-not-a-mapping"),
    # bun: never read.
    pytest.param("bun.lock", BUN_LOCK.encode(), None, id="bun-text"),
    pytest.param("bun.lockb", BUN_LOCKB, None, id="bun-binary"),
]


@pytest.mark.parametrize("name, data, expected", ROWS)
def test_dependents(name, data, expected):
    found = locks.planner_for(name, data).dependents(data)
    assert found == expected
    assert found is None or list(found) == list(expected)  # in the lock's order: the verdict names them so


@pytest.mark.parametrize("name", ["package-lock.json", "npm-shrinkwrap.json"])
def test_an_npm_lock_that_is_not_json_is_not_this_format(name):
    with pytest.raises(ValueError):
        locks.planner_for(name, b"{").dependents(b"{")


@pytest.mark.parametrize("folder, name", [
    ("npm-v3-transitive", "package-lock.json"), ("yarn-classic-transitive", "yarn.lock"),
    ("pnpm-v5-transitive", "pnpm-lock.yaml"), ("pnpm-v9-transitive", "pnpm-lock.yaml")])
def test_the_leak_verdicts_ask_the_registered_module(monkeypatch, tmp_path, folder, name):
    write_tree(tmp_path, files(LOCKS / folder / "before"))
    unwatched = plan([tmp_path])
    assert "(dependencies not installed)" in str(unwatched)
    spy = spy_on(monkeypatch, name)
    assert plan([tmp_path]) == unwatched
    assert spy.read == [real(folder, name)]
