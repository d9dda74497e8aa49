"""Every lockfile a root holds moves with package.json, or the root is
refused: fast tables (no package manager, no network). The bytes here were
written by the real tools (bun 1.4.5, pnpm 7.33.7 and 9.15.9, yarn 1.22.22);
tests/manifests/test_pin_yarn_pnpm.py runs the same shapes through the tools
themselves, and tests/data/locks holds the committed pnpm 5.4 pairs."""

from __future__ import annotations

import re
import json
import time
from pathlib import Path

import pytest

from helpers import dedent, fixed, plan, run_cli, snapshot, write_tree

SPEC = '{"name": "app", "version": "1.0.0", "dependencies": {"node-addon-api": "^8.2.0"}}\n'
NO_NAA = '{"name": "app", "version": "1.0.0", "dependencies": {"left-pad": "^1.3.0"}}\n'
INTEGRITY_821 = "sha512-vmEOvxwiH8tlOcv4SyE8RH34rI5/nWVaigUeAUPawC6f0+HoDthwI0vkMu4tbtsZrXq6QXFfrkhjofzKEs5tpA=="
INTEGRITY_822 = "sha512-9emqXAKhVoNrQ792nLI/wpzPpJ/bj/YXxW0CvAau1+RdGBcCRF1Dmz7719zgVsQNrzHl9Tzn3ImZ4qWFarWL0A=="
BUN_LOCK = dedent(f"""
    {{
      "lockfileVersion": 2,
      "configVersion": 1,
      "workspaces": {{
        "": {{
          "name": "app",
          "dependencies": {{
            "node-addon-api": "^8.2.0",
          }},
        }},
      }},
      "packages": {{
        "node-addon-api": ["node-addon-api@8.2.1", "", {{}}, "{INTEGRITY_821}"],
      }}
    }}
    """)


def pnpm9(spec: str = "^8.2.0", version: str = "8.2.1", lockfile_version: str = "'9.0'") -> str:
    return dedent(f"""
        lockfileVersion: {lockfile_version}

        importers:

          .:
            dependencies:
              node-addon-api:
                specifier: {spec}
                version: {version}

        packages:

          node-addon-api@{version}:
            resolution: {{integrity: {INTEGRITY_821}}}

        snapshots:

          node-addon-api@{version}: {{}}
        """)


def run(capfdbinary, root: Path) -> tuple[int, str, dict]:
    """A real run as text, then a dry run as JSON: (status of the real run, its stderr+stdout, the JSON)."""
    code, out, err = run_cli(capfdbinary, root)
    _, payload, _ = run_cli(capfdbinary, "--dry-run", "--format", "json", root)
    return code, (out + err).decode(), json.loads(payload)


REFUSED = [
    pytest.param({"package.json": SPEC, "bun.lock": BUN_LOCK}, "bun.lock", 1, "Run `bun update node-addon-api`",
                 id="bun-lock"),
    pytest.param({"package.json": SPEC, "bun.lockb": b"#!/usr/bin/env bun\nbun-lockfile-format-v0\n\0\x02node-addon-api"},
                 "bun.lockb", 1, "napi-fix does not edit bun's lockfiles", id="bun-lockb-binary"),
    pytest.param({"package.json": SPEC.replace("^8.2.0", "^8.2.2"), "bun.lockb": b"bun-lockfile-format-v0\n\0node-addon-api"},
                 "bun.lockb", 1, "--save-text-lockfile", id="bun-lockb-binary-unreadable-version"),
    pytest.param({"package.json": NO_NAA, "bun.lock": BUN_LOCK.replace('"node-addon-api": "^8.2.0"', '"x": "^1"')},
                 "bun.lock", 1, "bun update node-addon-api", id="bun-lock-transitive-leaky"),
    pytest.param({"package.json": SPEC, "package-lock.json": "{}\n", "bun.lock": BUN_LOCK.replace("node-addon-api", "x")},
                 "bun.lock", 1, "bun.lock: napi-fix does not edit", id="bun-lock-beside-an-npm-lock-that-would-move"),
    pytest.param({"package.json": SPEC, "pnpm-lock.yaml": pnpm9(lockfile_version="'5.3'")}, "pnpm-lock.yaml", 1,
                 "lockfileVersion '5.3': napi-fix moves only the lockfile versions pnpm 7, 8 and 9 write", id="pnpm-5.3"),
    pytest.param({"package.json": SPEC, "pnpm-lock.yaml": pnpm9(lockfile_version="'10.0'")}, "pnpm-lock.yaml", 1,
                 "run `pnpm update node-addon-api@^8.2.2`", id="pnpm-future"),
    pytest.param({"package.json": SPEC, "pnpm-lock.yaml": pnpm9().replace("lockfileVersion: '9.0'\n", "")},
                 "pnpm-lock.yaml", 1, "lockfileVersion None", id="pnpm-no-version"),
    pytest.param({"package.json": SPEC, "pnpm-lock.yaml": pnpm9().replace("  .:\n", "  .: &a\n") + "  other: *a\n"},
                 "pnpm-lock.yaml", 5, "a YAML anchor or alias", id="pnpm-anchor"),
    pytest.param({"package.json": SPEC.replace("^8.2.0", "^8.2.0 || 8.2.1"),
                  "pnpm-lock.yaml": pnpm9(spec="^8.2.0 || 8.2.1").replace(
                      "snapshots:", "  node-addon-api@8.2.2:\n    resolution: {integrity: x}\n\nsnapshots:")},
                 "pnpm-lock.yaml", 1, "8.2.2 is locked already", id="pnpm-target-locked-already"),
    # The root and a dependency ask for exactly 8.2.1 through one entry: the
    # dependency's pattern stays, and no release satisfies both.
    pytest.param({"package.json": SPEC.replace("^8.2.0", "8.2.1").replace("}}", ', "dep": "file:./vendor/dep"}}'),
                  "vendor/dep/package.json": '{"name": "dep", "version": "1.0.0"}\n',
                  "yarn.lock": dedent("""
                      # yarn lockfile v1


                      "dep@file:./vendor/dep":
                        version "1.0.0"
                        dependencies:
                          node-addon-api "8.2.1"

                      node-addon-api@8.2.1:
                        version "8.2.1"
                      """).replace('    node-addon-api "8.2.1"', '    node-addon-api "8.2.1"')},
                 "yarn.lock", 9, "no safe release satisfies ['8.2.1', '8.2.2']", id="yarn-shared-exact"),
]


@pytest.mark.parametrize("files, where, line, message", REFUSED)
def test_a_lock_napi_fix_cannot_move_refuses_the_root(tmp_path, capfdbinary, files, where, line, message):
    write_tree(tmp_path, files)
    before = snapshot(tmp_path)
    code, text, payload = run(capfdbinary, tmp_path)
    assert code == 1, text  # a person must act (NAPI005): no failure of the run
    assert message in text
    assert snapshot(tmp_path) == before  # nothing written for the root
    refusals = [f for result in payload["files"] for f in result["findings"]
                if Path(result["path"]).name == where and f["rule"] == "NAPI005"]
    assert refusals and refusals[0]["line"] == line, payload
    assert message in refusals[0]["reason"]
    # The root's other edits are withheld and say why.
    assert all(not f["edits"] for result in payload["files"] for f in result["findings"])


@pytest.mark.parametrize("files", [
    pytest.param({"package.json": NO_NAA, "bun.lock": BUN_LOCK.replace("node-addon-api", "left-pad")}, id="bun-lock"),
    pytest.param({"package.json": NO_NAA, "bun.lockb": b"bun-lockfile-format-v0\n\0left-pad"}, id="bun-lockb"),
    pytest.param({"package.json": SPEC.replace("^8.2.0", "^8.2.2"),
                  "bun.lock": BUN_LOCK.replace("8.2.1", "8.2.3").replace("^8.2.0", "^8.2.2")}, id="bun-lock-safe"),
])
def test_a_bun_project_without_anything_to_pin_is_left_alone(tmp_path, capfdbinary, files):
    write_tree(tmp_path, files)
    code, text, _ = run(capfdbinary, tmp_path)
    assert code == 0 and "NAPI005" not in text and "error:" not in text, text


PNPM5_BEFORE = dedent(f"""
    lockfileVersion: 5.4

    specifiers:
      naa: npm:node-addon-api@^8.2.0
      node-addon-api: ^8.2.0

    dependencies:
      naa: /node-addon-api/8.2.1
      node-addon-api: 8.2.1

    packages:

      /node-addon-api/8.2.1:
        resolution: {{integrity: {INTEGRITY_821}}}
        engines: {{node: ^18 || ^20 || >= 21}}
        dev: false
    """)

PINNED = [
    # pnpm 7's format, an alias beside the package itself (as pnpm 7.33.7 wrote it).
    pytest.param({"package.json": SPEC.replace("}}", ', "naa": "npm:node-addon-api@^8.2.0"}}'),
                  "pnpm-lock.yaml": PNPM5_BEFORE},
                 {"pnpm-lock.yaml": PNPM5_BEFORE.replace("node-addon-api: ^8.2.0", "node-addon-api: ^8.2.2")
                  .replace("npm:node-addon-api@^8.2.0", "npm:node-addon-api@^8.2.2")  # the alias spec is pinned too
                  .replace("8.2.1", "8.2.2").replace(INTEGRITY_821, INTEGRITY_822)}, id="pnpm-5.4-alias"),
    # pnpm 9's alias form: `version: node-addon-api@8.2.1` under the alias key.
    pytest.param({"package.json": '{"name": "app", "dependencies": {"naa": "npm:node-addon-api@^8.2.0"}}\n',
                  "pnpm-lock.yaml": pnpm9().replace("      node-addon-api:\n        specifier: ^8.2.0\n"
                                                    "        version: 8.2.1",
                                                    "      naa:\n        specifier: npm:node-addon-api@^8.2.0\n"
                                                    "        version: node-addon-api@8.2.1")},
                 {"pnpm-lock.yaml": pnpm9().replace("      node-addon-api:\n        specifier: ^8.2.0\n"
                                                    "        version: 8.2.1",
                                                    "      naa:\n        specifier: npm:node-addon-api@^8.2.2\n"
                                                    "        version: node-addon-api@8.2.2")
                  .replace("node-addon-api@8.2.1", "node-addon-api@8.2.2").replace(INTEGRITY_821, INTEGRITY_822)},
                 id="pnpm-9-alias"),
    # yarn 1: an alias entry (`naa@npm:node-addon-api@^8.2.0`) moves like the package's own, and its
    # pattern follows the alias spec package.json pins.
    pytest.param({"package.json": '{"name": "app", "dependencies": {"naa": "npm:node-addon-api@^8.2.0"}}\n',
                  "yarn.lock": dedent(f"""
                      # yarn lockfile v1


                      "naa@npm:node-addon-api@^8.2.0":
                        version "8.2.1"
                        resolved "https://registry.yarnpkg.com/node-addon-api/-/node-addon-api-8.2.1.tgz#43a993f110b88e22ba48bcd65e16b92165a6b002"
                        integrity {INTEGRITY_821}
                      """)},
                 {"yarn.lock": dedent(f"""
                      # yarn lockfile v1


                      "naa@npm:node-addon-api@^8.2.2":
                        version "8.2.2"
                        resolved "https://registry.yarnpkg.com/node-addon-api/-/node-addon-api-8.2.2.tgz#3658f78d04d260aa95931d3bbc45f22ce433b821"
                        integrity {INTEGRITY_822}
                      """)}, id="yarn-alias"),
    # pnpm 9 catalogs: the workspace's catalog entry, the lock's copy and the version, together.
    pytest.param({"package.json": '{"name": "app", "dependencies": {"node-addon-api": "catalog:"}}\n',
                  "pnpm-workspace.yaml": "packages:\n  - .\ncatalog:\n  node-addon-api: ^8.2.0\n",
                  "pnpm-lock.yaml": pnpm9(spec="'catalog:'").replace(
                      "\nimporters:", "\ncatalogs:\n  default:\n    node-addon-api:\n      specifier: ^8.2.0\n"
                                      "      version: 8.2.1\n\nimporters:")},
                 {"pnpm-workspace.yaml": "packages:\n  - .\ncatalog:\n  node-addon-api: ^8.2.2\n",
                  "pnpm-lock.yaml": pnpm9(spec="'catalog:'", version="8.2.2").replace(INTEGRITY_821, INTEGRITY_822)
                  .replace("\nimporters:", "\ncatalogs:\n  default:\n    node-addon-api:\n      specifier: ^8.2.2\n"
                                           "      version: 8.2.2\n\nimporters:")}, id="pnpm-catalog-default"),
    pytest.param({"package.json": '{"name": "app", "dependencies": {"node-addon-api": "catalog:old"}}\n',
                  "pnpm-workspace.yaml": "catalogs:\n  old:\n    node-addon-api: 8.2.1\n",
                  "pnpm-lock.yaml": pnpm9(spec="'catalog:old'").replace(
                      "\nimporters:", "\ncatalogs:\n  old:\n    node-addon-api:\n      specifier: 8.2.1\n"
                                      "      version: 8.2.1\n\nimporters:")},
                 {"pnpm-workspace.yaml": "catalogs:\n  old:\n    node-addon-api: 8.2.2\n",
                  "pnpm-lock.yaml": pnpm9(spec="'catalog:old'", version="8.2.2").replace(INTEGRITY_821, INTEGRITY_822)
                  .replace("\nimporters:", "\ncatalogs:\n  old:\n    node-addon-api:\n      specifier: 8.2.2\n"
                                           "      version: 8.2.2\n\nimporters:")}, id="pnpm-catalog-named"),
]


@pytest.mark.parametrize("before, after", PINNED)
def test_the_lock_moves_with_package_json(tmp_path, before, after):
    write_tree(tmp_path, before)
    got = fixed(plan([tmp_path]), tmp_path)
    assert {rel: data.decode() for rel, data in got.items() if rel in after} == after
    write_tree(tmp_path, got)  # fix twice: nothing more to do
    assert fixed(plan([tmp_path]), tmp_path) == {}


YARN_SHARED = dedent(f"""
    # yarn lockfile v1


    "dep@file:./dep":
      version "1.0.0"
      dependencies:
        node-addon-api "^8.2.1"

    node-addon-api@^8.2.1:
      version "8.2.1"
      resolved "https://registry.npmjs.org/node-addon-api/-/node-addon-api-8.2.1.tgz#43a993f110b88e22ba48bcd65e16b92165a6b002"
      integrity {INTEGRITY_821}

    tree-sitter@0.21.1:
      version "0.21.1"
      dependencies:
        node-addon-api "^8.2.1"
    """)


@pytest.mark.parametrize("dep_spec, expected_header", [
    # The dependency's package.json is in the tree and pinned with the root: its pattern goes.
    pytest.param("^8.2.1", "node-addon-api@^8.2.2:", id="file-dependency-pinned-too"),
    # A registry dependency (tree-sitter) still asks for ^8.2.1: its pattern stays in the header.
    pytest.param(None, "node-addon-api@^8.2.1, node-addon-api@^8.2.2:", id="registry-dependency-keeps-its-pattern"),
])
def test_yarn_shared_header_keeps_every_requested_pattern(tmp_path, dep_spec, expected_header):
    lock = YARN_SHARED if dep_spec is None else YARN_SHARED.split("\ntree-sitter@")[0]
    write_tree(tmp_path, {
        "package.json": '{"name": "app", "dependencies": {"node-addon-api": "^8.2.1", "dep": "file:./dep"}}\n',
        "dep/package.json": '{"name": "dep", "dependencies": {"node-addon-api": "%s"}}\n' % (dep_spec or "8.1.0"),
        "yarn.lock": lock})
    got = fixed(plan([tmp_path]), tmp_path)["yarn.lock"].decode()
    assert expected_header + "\n  version \"8.2.2\"" in got
    assert ('node-addon-api "^8.2.2"' in got) == (dep_spec is not None)


def _aliased_lock(importers: int, deps: int) -> str:
    """pnpm-lock.yaml whose importers all alias one big mapping (~480 KB at 4,000 x 4)."""
    shared = "".join(f"      dep{i}:\n        specifier: 1.0.{i}\n        version: 1.0.{i}\n" for i in range(deps))
    lines = ["lockfileVersion: '9.0'\n\nimporters:\n\n  .: &shared\n    dependencies:\n", shared,
             "      node-addon-api:\n        specifier: ^8.2.0\n        version: 8.2.1\n"]
    lines += [f"  packages/p{i}: *shared\n" for i in range(importers)]
    lines.append(f"\npackages:\n\n  node-addon-api@8.2.1:\n    resolution: {{integrity: {INTEGRITY_821}}}\n")
    return "".join(lines)


def test_a_lock_of_aliased_importers_is_refused_quickly(tmp_path, capfdbinary):
    lock = _aliased_lock(20_000, 4_000)
    assert len(lock) > 480_000
    write_tree(tmp_path, {"package.json": SPEC, "pnpm-lock.yaml": lock})
    started = time.monotonic()
    code, text, _ = run(capfdbinary, tmp_path)
    assert time.monotonic() - started < 20  # 31 s before the refusal, for one run
    assert code == 1 and "pnpm-lock.yaml" in text and "a YAML anchor or alias" in text
    assert re.search(r"pnpm-lock\.yaml:5:\d+: .*a YAML anchor", text), text


def test_a_large_plain_lock_is_planned_in_linear_time(tmp_path):
    def lock(importers: int) -> str:
        body = "".join(f"  packages/p{i}:\n    dependencies:\n      node-addon-api:\n        specifier: ^8.2.0\n"
                       f"        version: 8.2.1\n" for i in range(importers))
        return (f"lockfileVersion: '9.0'\n\nimporters:\n\n{body}\npackages:\n\n  node-addon-api@8.2.1:\n"
                f"    resolution: {{integrity: {INTEGRITY_821}}}\n")

    def seconds(importers: int) -> float:
        write_tree(tmp_path, {"package.json": SPEC, "pnpm-lock.yaml": lock(importers)})
        started = time.monotonic()
        assert fixed(plan([tmp_path]), tmp_path)["pnpm-lock.yaml"].count(b"version: 8.2.2") == importers
        return time.monotonic() - started

    small, large = seconds(2_000), seconds(8_000)
    assert large < 4 * small * 2 + 1  # 4x the input: about 4x the time, never 16x


ALIAS_RENAME = {"npm:node-addon-api@8.2.1": "npm:node-addon-api@8.2.2"}


@pytest.mark.parametrize("lock, want", [
    pytest.param(PNPM5_BEFORE.replace("^8.2.0", "8.2.1"),
                 PNPM5_BEFORE.replace("naa: npm:node-addon-api@^8.2.0", "naa: npm:node-addon-api@8.2.2")
                 .replace("node-addon-api: ^8.2.0", "node-addon-api: 8.2.2").replace("8.2.1", "8.2.2")
                 .replace(INTEGRITY_821, INTEGRITY_822), id="pnpm-5.4"),
    pytest.param(pnpm9().replace("node-addon-api:\n        specifier: ^8.2.0\n        version: 8.2.1",
                                 "naa:\n        specifier: npm:node-addon-api@8.2.1\n"
                                 "        version: node-addon-api@8.2.1"),
                 pnpm9().replace("node-addon-api:\n        specifier: ^8.2.0\n        version: 8.2.1",
                                 "naa:\n        specifier: npm:node-addon-api@8.2.2\n"
                                 "        version: node-addon-api@8.2.2")
                 .replace("8.2.1", "8.2.2").replace(INTEGRITY_821, INTEGRITY_822), id="pnpm-9"),
])
def test_an_alias_spec_pinned_in_package_json_moves_the_pnpm_lock_with_it(lock, want):
    # What the planner is given when package.json's `"naa": "npm:node-addon-api@8.2.1"` is pinned.
    from codemod.edits import apply_edits
    from codemod.manifests import pnpmlock
    from codemod.manifests.lockplan import LockSource, Pins

    planned = pnpmlock.plan(LockSource("/app/pnpm-lock.yaml", lock.encode()),
                            Pins("/app", "upgrade", fields={"/app": {"dependencies": "8.2.2"}},
                                 renames={"/app": ALIAS_RENAME}))
    assert not planned.refusals
    assert apply_edits(lock.encode(), [e for f in planned.findings for e in f.edits]).decode() == want


def test_an_alias_spec_pinned_in_package_json_renames_its_yarn_entry():
    from codemod.edits import apply_edits
    from codemod.manifests import yarnlock
    from codemod.manifests.lockplan import LockSource, Pins

    lock = dedent(f"""
        "naa@npm:node-addon-api@8.2.1":
          version "8.2.1"
          integrity {INTEGRITY_821}
        """).encode()
    planned = yarnlock.plan(LockSource("/app/yarn.lock", lock), Pins("/app", "upgrade", renames={"/app": ALIAS_RENAME}))
    assert not planned.refusals
    assert apply_edits(lock, [e for f in planned.findings for e in f.edits]).decode() == dedent(f"""
        "naa@npm:node-addon-api@8.2.2":
          version "8.2.2"
          integrity {INTEGRITY_822}
        """)
