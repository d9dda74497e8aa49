"""pnpm-workspace.yaml and pnpm-lock.yaml planned by
codemod/manifests/pnpmlock.py, as tables: each override and catalog entry
of the workspace file as a person reads it (line, words, rule, the bytes
it is about, what the lock must follow) in both pin modes, and a lock whose
text is not ASCII edited at the right bytes. pnpm itself checks the same
shapes in tests/manifests/test_pin_yarn_pnpm.py (overrides, catalogs,
frozen installs)."""

from __future__ import annotations

import pytest
import yaml

from codemod.edits import apply_edits
from codemod.manifests import pnpmlock
from codemod.manifests import spec as specs
from codemod.manifests.lockplan import LockSource, Pins
from helpers import lock_refused_as_bad_input
from test_lock_formats import INTEGRITY_821, INTEGRITY_822, pnpm9

PATH = "/app/pnpm-workspace.yaml"
WORKSPACE = b"""packages:
  - .
overrides:
  node-addon-api: ^8.2.0
  foo>node-addon-api: 8.2.1
  bar@1>node-addon-api@8: ~8.1.0
  naa>node-addon-apix: ^8.2.0
  left-pad: ^8.2.0
  node-addon-api@^8: "^8.2.0"
catalog:
  node-addon-api: '>=8.0.0'
catalogs:
  old:
    node-addon-api: 8.2.1
  other:
    left-pad: 1.0.0
"""


def entries(mode: str, upgrade: str, split: str) -> list:
    """(line, kind, subject, reason, rule, the bytes it is about, override key, catalog, new spec) of each entry."""
    def pin(line, where, old, admits, new, about, override=None, catalog=None):
        return (line, "pin", where, f"{where}: {old!r} admits {admits}; pin to {new!r}", "NAPI002", about,
                override, catalog, new)
    both = "8.2.0 and 8.2.1"
    return [
        pin(4, "overrides > node-addon-api", "^8.2.0", both, upgrade, b"^8.2.0", "node-addon-api"),
        pin(5, "overrides > foo>node-addon-api", "8.2.1", "8.2.1", "8.2.2" if mode == "upgrade" else "8.1.0",
            b"8.2.1", "foo>node-addon-api"),
        (6, "safe", "overrides > bar@1>node-addon-api@8", "'~8.1.0' admits neither 8.2.0 nor 8.2.1", None, None,
         "bar@1>node-addon-api@8", None, ""),
        pin(9, "overrides > node-addon-api@^8", "^8.2.0", both, upgrade, b'"^8.2.0"', "node-addon-api@^8"),
        pin(11, "catalog > node-addon-api", ">=8.0.0", both, split, b"'>=8.0.0'", catalog="default"),
        pin(14, "catalogs > old > node-addon-api", "8.2.1", "8.2.1", "8.2.2" if mode == "upgrade" else "8.1.0",
            b"8.2.1", catalog="old"),
    ]


@pytest.mark.parametrize("mode, upgrade, split, after", [
    pytest.param("upgrade", "^8.2.2", ">=8.0.0 <8.2.0 || >=8.2.2", WORKSPACE.replace(
        b"api: ^8.2.0\n  foo>node-addon-api: 8.2.1", b"api: ^8.2.2\n  foo>node-addon-api: 8.2.2").replace(
        b'"^8.2.0"', b'"^8.2.2"').replace(b"'>=8.0.0'", b"'>=8.0.0 <8.2.0 || >=8.2.2'").replace(
        b"    node-addon-api: 8.2.1", b"    node-addon-api: 8.2.2"), id="upgrade"),
    pytest.param("rollback", "8.1.0", "8.1.0", WORKSPACE.replace(
        b"api: ^8.2.0\n  foo>node-addon-api: 8.2.1", b"api: 8.1.0\n  foo>node-addon-api: 8.1.0").replace(
        b'"^8.2.0"', b'"8.1.0"').replace(b"'>=8.0.0'", b"'8.1.0'").replace(
        b"    node-addon-api: 8.2.1", b"    node-addon-api: 8.1.0"), id="rollback"),
])
def test_each_override_and_catalog_entry_of_the_workspace_file(mode, upgrade, split, after):
    pins = pnpmlock.plan_workspace_file(PATH, WORKSPACE, mode)
    assert [(p.finding.line, p.finding.kind, p.finding.subject, p.finding.reason, p.finding.rule,
             WORKSPACE[slice(*p.finding.span)] if p.finding.span is not None else None, p.override, p.catalog, p.new)
            for p in pins] == entries(mode, upgrade, split)
    assert all((p.finding.path, p.finding.column, p.finding.wrapped_type) == (PATH, 1, "") for p in pins)
    assert all(len(p.finding.edits) == (1 if p.new else 0) for p in pins)
    assert apply_edits(WORKSPACE, [e for p in pins for e in p.finding.edits]) == after


def test_a_lock_that_is_not_ascii_is_edited_at_its_bytes():
    # A comment before the entries: the scalars' character positions are not their byte offsets.
    lock = ("# überall: écrit à la main\n" + pnpm9()).encode()
    planned = pnpmlock.plan(LockSource("/app/pnpm-lock.yaml", lock),
                            Pins("/app", "upgrade", fields={"/app": {"dependencies": "^8.2.2"}}))
    assert not planned.refusals
    want = ("# überall: écrit à la main\n" + pnpm9("^8.2.2", "8.2.2").replace(INTEGRITY_821, INTEGRITY_822)).encode()
    assert apply_edits(lock, [e for f in planned.findings for e in f.edits]) == want
    assert [(f.line, f.column, f.reason, f.rule, lock[slice(*f.span)] if f.span is not None else None)
            for f in planned.findings] == [
        (9, 1, "importer . dependencies > node-addon-api: specifier follows the pin", None, None),
        (14, 1, "move node-addon-api@8.2.1 to 8.2.2", "NAPI001", b"node-addon-api@8.2.1")]


def test_a_plain_spec_that_needs_quotes_once_pinned_gets_them():
    # `>` opens a folded block in YAML: the pinned range is quoted, or the file would not parse.
    workspace = b"catalog:\n  node-addon-api: 8.0.0 - 8.2.1\n"
    [pin] = pnpmlock.plan_workspace_file(PATH, workspace, "upgrade")
    assert apply_edits(workspace, pin.finding.edits) == b"catalog:\n  node-addon-api: '>=8.0.0 <8.2.0'\n"


def test_a_lock_that_is_not_ascii_and_ends_in_an_edited_scalar():
    # No newline at the end: the last scalar ends where the text does.
    importer = "importers:\n\n  .:\n    dependencies:\n      node-addon-api:\n        specifier: ^8.2.0\n        version: 8.2.1"
    lock = pnpm9().replace(importer + "\n", "").rstrip("\n") + "\n\n# é\n" + importer
    planned = pnpmlock.plan(LockSource("/app/pnpm-lock.yaml", lock.encode()), Pins("/app", "upgrade"))
    after = apply_edits(lock.encode(), [e for f in planned.findings for e in f.edits]).decode()
    assert after.endswith("        version: 8.2.2") and "8.2.1" not in after


@pytest.mark.parametrize("overrides, found", [
    # A selector of three packages: the last one is what is overridden.
    pytest.param("  a>b>node-addon-api: 8.2.1\n", [("overrides > a>b>node-addon-api", "8.2.2")], id="nested-selector"),
    pytest.param("  a>node-addon-api>b: 8.2.1\n", [], id="node-addon-api-in-the-middle"),
    # A key that is not a string (YAML allows a sequence as a key): not an override of node-addon-api.
    pytest.param("  ? [node-addon-api]\n  : 8.2.1\n", [], id="a-sequence-as-key"),
])
def test_which_overrides_are_node_addon_apis(overrides, found):
    pins = pnpmlock.plan_workspace_file(PATH, f"overrides:\n{overrides}".encode(), "upgrade")
    assert [(p.finding.subject, p.new) for p in pins] == found


def test_a_package_that_depends_on_the_copy_optionally_follows_its_move():
    # pnpm records an optional dependency's resolved version as it records a plain one.
    dep = "  dep@1.0.0:\n    resolution: {integrity: sha512-x}\n\n"
    lock = pnpm9().replace("\nsnapshots:\n", f"\n{dep}snapshots:\n") + \
        "\n  dep@1.0.0:\n    optionalDependencies:\n      node-addon-api: 8.2.1\n"
    planned = pnpmlock.plan(LockSource("/app/pnpm-lock.yaml", lock.encode()),
                            Pins("/app", "upgrade", fields={"/app": {"dependencies": "^8.2.2"}}))
    after = apply_edits(lock.encode(), [e for f in planned.findings for e in f.edits]).decode()
    assert after == lock.replace("8.2.1", "8.2.2").replace("^8.2.0", "^8.2.2").replace(INTEGRITY_821, INTEGRITY_822)


def _importer_dependency(extra: str) -> str:
    """pnpm9()'s lock with `extra` (a dependency entry) first among the importer's dependencies."""
    return pnpm9().replace("    dependencies:\n", "    dependencies:\n" + extra, 1)


@pytest.mark.parametrize("lock", [
    # Another package resolving a version that happens to be 8.2.1 is not node-addon-api.
    pytest.param(_importer_dependency("      left-pad:\n        specifier: ^8.2.0\n        version: 8.2.1\n"),
                 id="another-package-at-8.2.1"),
    # A dependency without a specifier (hand-edited) is skipped; the ones after it are planned.
    pytest.param(_importer_dependency("      a-dep:\n        version: 1.0.0\n"), id="a-dependency-without-specifier"),
    pytest.param(_importer_dependency("      a-dep:\n        specifier: {x: 1}\n        version: 1.0.0\n"),
                 id="a-dependency-whose-specifier-is-not-a-string"),
])
def test_only_node_addon_api_moves(lock):
    # The pin renames ^8.2.0 (node-addon-api's spec): left-pad's, the same string, is not node-addon-api's.
    planned = pnpmlock.plan(LockSource("/app/pnpm-lock.yaml", lock.encode()),
                            Pins("/app", "upgrade", fields={"/app": {"dependencies": "^8.2.2"}},
                                 renames={"/app": {"^8.2.0": "^8.2.2"}}))
    assert [f.reason for f in planned.findings] == [
        "importer . dependencies > node-addon-api: specifier follows the pin", "move node-addon-api@8.2.1 to 8.2.2"]
    moved = pnpm9("^8.2.2", "8.2.2").replace(INTEGRITY_821, INTEGRITY_822)
    assert apply_edits(lock.encode(), [e for f in planned.findings for e in f.edits]).decode() == \
        moved.replace("    dependencies:\n", lock[lock.index("    dependencies:\n"):lock.index("      node-addon-api:")], 1)


@pytest.mark.parametrize("lock, line, message", [
    pytest.param(pnpm9().replace("specifier: ^8.2.0", "specifier: {a: 1}"), 8,
                 "importer . dependencies: node-addon-api's specifier is not a string", id="specifier"),
    pytest.param(pnpm9().replace("version: 8.2.1\n\npackages", "version: [8.2.1]\n\npackages"), 9,
                 "importer . dependencies: node-addon-api's version is not a string", id="version"),
    # Skipped, its version would stay at 8.2.1 while the package moves to 8.2.2.
    pytest.param(pnpm9().replace("        specifier: ^8.2.0\n", ""), 7,
                 "importer . dependencies: node-addon-api has no specifier", id="no-specifier"),
    pytest.param(pnpm9().replace("        version: 8.2.1\n", ""), 7,
                 "importer . dependencies: node-addon-api has no version", id="no-version"),
])
def test_an_importer_entry_of_node_addon_api_that_is_not_whole(lock, line, message):
    assert lock_refused_as_bad_input(pnpmlock, "/app/pnpm-lock.yaml", lock.encode()) == \
        ("/app/pnpm-lock.yaml", line, message)


def test_an_importer_of_a_named_catalog_asks_for_that_catalogs_spec():
    # The default catalog asks for ^9.0.0; the importer uses `catalog:old`, which is pinned to 8.2.2.
    catalogs = ("\ncatalogs:\n  default:\n    node-addon-api:\n      specifier: ^9.0.0\n      version: 9.0.0\n"
                "  old:\n    node-addon-api:\n      specifier: 8.2.1\n      version: 8.2.1\n\nimporters:")
    lock = pnpm9(spec="'catalog:old'").replace("\nimporters:", catalogs)
    planned = pnpmlock.plan(LockSource("/app/pnpm-lock.yaml", lock.encode()),
                            Pins("/app", "upgrade", catalogs={"old": "8.2.2"}))
    assert planned.refusals == ()
    assert [f.reason for f in planned.findings] == ["catalogs > old: specifier follows the pin",
                                                    "move node-addon-api@8.2.1 to 8.2.2"]


def said(lock: str, pins: Pins):
    """Each refusal as (line, subject, reason, command, span) and each change as (line, column, kind,
    subject, wrapped_type, reason, rule, the bytes its span covers)."""
    data = lock.encode()
    planned = pnpmlock.plan(LockSource("/app/pnpm-lock.yaml", data), pins)
    return ([(r.line, r.subject, r.reason, r.command, r.span) for r in planned.refusals],
            [(f.line, f.column, f.kind, f.subject, f.wrapped_type, f.reason, f.rule,
              data[slice(*f.span)] if f.span is not None else None) for f in planned.findings])


def test_the_locks_copy_of_the_overrides_follows_and_each_change_says_where():
    overrides = "\noverrides:\n  node-addon-api: '^8.2.0'\n  foo>node-addon-api: ^8.2.2\n  left-pad: 1.0.0\n\nimporters:"
    lock = pnpm9().replace("\nimporters:", overrides)
    # A global override of node-addon-api is also every importer's specifier; foo's was safe already.
    pins = Pins("/app", "upgrade", overrides={"node-addon-api": "^8.2.2", "foo>node-addon-api": "^8.2.2"})
    change = (1, "pin", "pnpm-lock.yaml", "")
    assert said(lock, pins) == ([], [
        (4, *change, "overrides > node-addon-api follows the pin", None, None),
        (13, *change, "importer . dependencies > node-addon-api: specifier follows the pin", None, None),
        (18, *change, "move node-addon-api@8.2.1 to 8.2.2", "NAPI001", b"node-addon-api@8.2.1")])
    planned = pnpmlock.plan(LockSource("/app/pnpm-lock.yaml", lock.encode()), pins)
    moved = pnpm9("^8.2.2", "8.2.2").replace(INTEGRITY_821, INTEGRITY_822)
    assert apply_edits(lock.encode(), [e for f in planned.findings for e in f.edits]).decode() == \
        moved.replace("\nimporters:", overrides.replace("'^8.2.0'", "'^8.2.2'"))


@pytest.mark.parametrize("lock, refusal", [
    pytest.param("# pnpm 6\n" + pnpm9(lockfile_version="'5.3'"), (
        2, "lockfileVersion '5.3': napi-fix moves only the lockfile versions pnpm 7, 8 and 9 write (5.4, 6.0, 9.0); "
           "run `pnpm update node-addon-api@^8.2.2` in this lockfile's folder with the pnpm that wrote it",
        "pnpm update node-addon-api@^8.2.2"), id="lockfile-version"),
    pytest.param(pnpm9().replace("  .:\n", "  .: &a\n") + "  other: *a\n", (
        5, "a YAML anchor or alias (`&`/`*`): pnpm never writes them, so pnpm did not write this lock; regenerate it "
           "with `pnpm install --lockfile-only`", "pnpm install --lockfile-only"), id="anchor"),
])
def test_a_lock_pnpm_did_not_write_is_refused_whole(lock, refusal):
    line, reason, command = refusal
    assert said(lock, Pins("/app", "upgrade")) == ([(line, "pnpm-lock.yaml", reason, command, None)], [])


LOCKED_822 = "  node-addon-api@8.2.2:\n    resolution: {integrity: x}\n\nsnapshots:"


@pytest.mark.parametrize("lock, why", [
    pytest.param(pnpm9(spec="8.2.1"), "no safe release satisfies ['8.2.1']", id="no-safe-release"),
    pytest.param(pnpm9().replace("snapshots:", LOCKED_822), "8.2.2 is locked already (pnpm would merge the two entries)",
                 id="target-locked-already"),
])
def test_an_entry_that_cannot_move_offline_is_refused_in_full(lock, why):
    reason = (f"node-addon-api@8.2.1: napi-fix cannot move it offline ({why}); nothing planned for this package: "
              "run `pnpm update node-addon-api@^8.2.2` in this lockfile's folder")
    assert said(lock, Pins("/app", "upgrade")) == ([(1, "pnpm-lock.yaml", reason, "pnpm update node-addon-api@^8.2.2",
                                                     None)], [])


@pytest.mark.parametrize("lock, line, message", [
    pytest.param(b"lockfileVersion: '9.0'\n# caf\xe9\n", 2, "not UTF-8", id="not-utf8"),
    pytest.param(b"lockfileVersion: '9.0'\nimporters: [\n  a\n", 4, "invalid YAML: did not find expected ',' or ']'",
                 id="unclosed-sequence"),
    pytest.param(b"a: b: c\n", 1, "invalid YAML: mapping values are not allowed in this context", id="first-line"),
    pytest.param(b"lockfileVersion: '9.0'\n\nx: \x00\n", 3, "invalid YAML: control characters are not allowed",
                 id="nul-byte"),
])
def test_a_file_that_is_not_a_pnpm_lock_names_its_line(lock, line, message):
    assert lock_refused_as_bad_input(pnpmlock, "/app/pnpm-lock.yaml", lock) == ("/app/pnpm-lock.yaml", line, message)


def test_a_workspace_file_may_hold_anchors():
    # Anchors are refused in a lock (pnpm writes none), not in pnpm-workspace.yaml, which a person writes.
    workspace = b"packages: &all\n  - .\ncatalog:\n  node-addon-api: 8.2.1\n"
    [pin] = pnpmlock.plan_workspace_file(PATH, workspace, "upgrade")
    assert apply_edits(workspace, pin.finding.edits) == workspace.replace(b"8.2.1", b"8.2.2")


def _moved(lock: str, to: str = "8.2.2") -> str:
    """`lock` with its node-addon-api@8.2.1 moved to `to` (the version, its keys and its integrity)."""
    return lock.replace(INTEGRITY_821, specs.safe_versions()[to].integrity).replace("8.2.1", to)


def _catalog(entry: str) -> str:
    """pnpm9()'s lock with a default catalog of node-addon-api holding `entry` (its specifier and version)."""
    return "\ncatalogs:\n  default:\n    node-addon-api:\n" + entry + "\nimporters:"


ALIAS = pnpm9().replace("      node-addon-api:\n        specifier: ^8.2.0\n        version: 8.2.1",
                        "      naa:\n        specifier: npm:node-addon-api@^8.2.0\n        version: node-addon-api@8.2.1")
LINKED = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      node-addon-api:\n" \
         "        specifier: link:../naa\n        version: link:../naa\n"
# 8.2.0 is only in a catalog no importer uses any more (hand-edited), and the catalog asks for exactly 8.2.0.
TWO = pnpm9().replace("\nimporters:", _catalog("      specifier: 8.2.0\n      version: 8.2.0\n")).replace(
    "\npackages:\n", "\npackages:\n\n  node-addon-api@8.2.0:\n    resolution: {integrity: sha512-x}\n")
PIN_822 = {"/app": {"dependencies": "^8.2.2"}}


def refused(bad: str, why: str) -> tuple:
    return (1, "pnpm-lock.yaml", f"node-addon-api@{bad}: napi-fix cannot move it offline ({why}); nothing planned "
            "for this package: run `pnpm update node-addon-api@^8.2.2` in this lockfile's folder",
            "pnpm update node-addon-api@^8.2.2", None)


@pytest.mark.parametrize("lock, pins, refusals, after", [
    # The pinned specifier keeps the quotes the lock gave the old one.
    pytest.param(pnpm9(spec='"^8.2.0"'), Pins("/app", "upgrade", fields=PIN_822), [],
                 _moved(pnpm9(spec='"^8.2.2"')), id="a-quoted-importer-specifier"),
    pytest.param(pnpm9(spec="'catalog:'").replace("\nimporters:", _catalog(
        '      specifier: "^8.2.0"\n      version: 8.2.1\n')), Pins("/app", "upgrade", catalogs={"default": "^8.2.2"}),
        [], _moved(pnpm9(spec="'catalog:'").replace("\nimporters:", _catalog(
            '      specifier: "^8.2.2"\n      version: 8.2.1\n'))), id="a-quoted-catalog-specifier"),
    # An override of node-addon-api is the specifier of node-addon-api, not of an alias of it.
    pytest.param(ALIAS, Pins("/app", "upgrade", overrides={"node-addon-api": "^8.2.2"}), [],
                 _moved(ALIAS), id="an-alias-is-not-overridden"),
    # A catalog entry without a version (hand-edited) is not the lock's copy of that catalog.
    pytest.param(pnpm9().replace("\nimporters:", _catalog("      specifier: ^8.2.0\n")),
                 Pins("/app", "upgrade", fields=PIN_822), [],
                 _moved(pnpm9(spec="^8.2.2")).replace("\nimporters:", _catalog("      specifier: ^8.2.0\n")),
                 id="a-catalog-entry-without-version"),
    pytest.param(LINKED, Pins("/app", "upgrade"), [], LINKED, id="a-linked-copy"),
    # The importer's own range decides: nothing safe is exactly 8.2.1.
    pytest.param(pnpm9(spec="8.2.1"), Pins("/app", "upgrade"), [refused("8.2.1", "no safe release satisfies ['8.2.1']")],
                 pnpm9(spec="8.2.1"), id="an-exact-range-nothing-safe-satisfies"),
    # A catalog's range decides too; a version refused leaves the next one planned.
    pytest.param(TWO, Pins("/app", "upgrade"), [refused("8.2.0", "no safe release satisfies ['8.2.0']")],
                 _moved(TWO), id="one-version-refused-the-next-moved"),
    pytest.param(pnpm9(spec="^8.0.0"), Pins("/app", "rollback"), [], _moved(pnpm9(spec="^8.0.0"), "8.1.0"),
                 id="rolling-back"),
    # `catalog:` with no catalog in the lock asks for nothing known: the move takes the first safe release.
    pytest.param(pnpm9(spec="'catalog:'"), Pins("/app", "upgrade"), [], _moved(pnpm9(spec="'catalog:'")),
                 id="a-catalog-the-lock-does-not-hold"),
    pytest.param(pnpm9(version="8.2.2"), Pins("/app", "upgrade"), [], pnpm9(version="8.2.2"), id="safe-already"),
])
def test_what_the_lock_asks_for_decides_the_move(lock, pins, refusals, after):
    planned = pnpmlock.plan(LockSource("/app/pnpm-lock.yaml", lock.encode()), pins)
    assert [(r.line, r.subject, r.reason, r.command, r.span) for r in planned.refusals] == refusals
    assert apply_edits(lock.encode(), [e for f in planned.findings for e in f.edits]).decode() == after


def test_a_lock_in_the_current_folder_pins_each_importer():
    # Paths relative to the current folder: the lock's folder is "" and its importers are named from it.
    second = "\n  packages/a:\n    dependencies:\n      node-addon-api:\n        specifier: ^8.2.0\n        version: 8.2.1\n"
    lock = pnpm9().replace("\npackages:\n", second + "\npackages:\n")
    planned = pnpmlock.plan(LockSource("pnpm-lock.yaml", lock.encode()), Pins(
        "", "upgrade", fields={"": {"dependencies": "^8.2.2"}, "packages/a": {"dependencies": "~8.2.2"}}))
    assert planned.refusals == ()
    assert apply_edits(lock.encode(), [e for f in planned.findings for e in f.edits]).decode() == \
        _moved(lock).replace("^8.2.0", "^8.2.2", 1).replace("^8.2.0", "~8.2.2")


# PyYAML's own reader (where PyYAML was built without libyaml) counts characters, libyaml's bytes.
@pytest.mark.parametrize("loader", [pytest.param(getattr(yaml, "CSafeLoader", yaml.SafeLoader), id="libyaml"),
                                    pytest.param(yaml.SafeLoader, id="pure-python")])
def test_a_bad_character_after_text_that_is_not_ascii_names_its_line(loader, monkeypatch):
    monkeypatch.setattr(pnpmlock, "_LOADER", loader)
    lock = "lockfileVersion: '9.0'\n# écrit à la main, déjà vérifié\n\nx: \x00\n".encode()
    assert lock_refused_as_bad_input(pnpmlock, "/app/pnpm-lock.yaml", lock)[:2] == ("/app/pnpm-lock.yaml", 4)
