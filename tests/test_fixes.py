"""codemod/fixes.py: one Fix per finding, with its applicability, from real examples.

A table of each example's fixes (the finding, its applicability, the files
its fix writes); applying every FIX and HYGIENE fix gives exactly the bytes
`napi-fix PATH` writes; batch's "leak fixed" or "hygiene-only" and the
editor's preferred action follow from applicability.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checkout import EXAMPLES
from codemod.batch.changes import describe
from codemod.cli import main
from codemod.edits import apply_edits
from codemod.fixes import fixes_of, together
from codemod.lsp.actions import preferred
from codemod.lsp.fixes import quick_fixes
from codemod.rules import FIX, HYGIENE
from helpers import copy_example, plan, snapshot
MACRO_CLASS = (b"#include <napi.h>\n#define MAKE(N) class N : public Napi::ObjectWrap<N> { public: "
               b"N(const Napi::CallbackInfo& i) : Napi::ObjectWrap<N>(i) {} };\nMAKE(Gadget)\n")
BERRY_LOCK = b"__metadata:\n  version: 8\n  cacheKey: 10c0\n"


def copy(name: str, dest: Path) -> Path:
    """An example, with the variations that give a MANUAL finding."""
    base, _, variant = name.partition("+")
    copy_example(base, dest)
    if variant == "macro-class":  # an ObjectWrap class a macro expands: add the override by hand
        (dest / "src" / "gadget.h").write_bytes(MACRO_CLASS)
    if variant == "berry":  # a yarn berry lock: refused, with the command that moves it
        (dest / "package-lock.json").unlink()
        (dest / "yarn.lock").write_bytes(BERRY_LOCK)
    return dest


def shown(report, root: Path) -> list[str]:
    """Each fix as `RULE file:line applicability -> files it writes`."""
    def rel(path: str) -> str:
        return os.path.relpath(path, root).replace(os.sep, "/")

    return [f"{fix.finding.rule} {rel(fix.finding.path)}:{fix.finding.line} {fix.applicability} -> "
            + (", ".join(rel(part.path) for part in fix.files) or "nothing")
            for fix in fixes_of(report).all]


PIN_LEAKY = ["None package-lock.json:12 fix -> package-lock.json, package.json",  # the lock's copy of the spec
             "NAPI001 package-lock.json:19 fix -> package-lock.json, package.json",
             "NAPI001 package.json:13 fix -> package-lock.json, package.json"]
UNPINNED_LEAKY = ["NAPI001 package-lock.json:19 fix -> nothing", "NAPI001 package.json:13 fix -> nothing"]
OVERRIDES = ["NAPI004 src/counter.h:7 hygiene -> src/counter.h", "NAPI004 src/point.h:9 hygiene -> src/point.h",
             "NAPI004 src/timer.h:9 hygiene -> src/timer.h"]
REPOINT = ["NAPI003 binding.gyp:8 fix -> binding.gyp, package.json",
           "NAPI003 deps/node-addon-api/napi-inl.h:5048 fix -> binding.gyp, package.json",
           "None package.json:10 fix -> binding.gyp, package.json"]  # declares the package it now builds against
PATCH = "deps/node-addon-api/napi-inl.h, deps/node-addon-api/napi.h"
MONOREPO = ["NAPI001 package-lock.json:27 fix -> package-lock.json, packages/helper/package.json",
            "None package-lock.json:45 fix -> package-lock.json, packages/helper/package.json",
            "NAPI001 packages/helper/package.json:7 fix -> package-lock.json, packages/helper/package.json"]
MACRO = "NAPI005 src/gadget.h:2 manual -> nothing"
BERRY = ["NAPI002 package.json:13 fix -> nothing", "NAPI005 yarn.lock:1 manual -> nothing"]

TABLE = [
    pytest.param("leaky-addon", "pin", {}, PIN_LEAKY, id="leaky-addon-pin"),
    pytest.param("leaky-addon", "finalize", {}, UNPINNED_LEAKY + OVERRIDES, id="leaky-addon-finalize"),
    pytest.param("leaky-addon", "both", {}, PIN_LEAKY + OVERRIDES, id="leaky-addon-both"),
    pytest.param("monorepo", "pin", {}, MONOREPO, id="monorepo-pin"),
    pytest.param("monorepo", "finalize", {}, ["NAPI001 package-lock.json:27 fix -> nothing",
                                              "NAPI001 packages/helper/package.json:7 fix -> nothing"],
                 id="monorepo-finalize"),  # no class to override, and the pin is not asked for: nothing written
    pytest.param("vendored", "pin", {}, REPOINT, id="vendored-pin"),
    pytest.param("vendored", "both", {}, REPOINT + ["NAPI004 src/addon.cc:3 hygiene -> src/addon.cc"],
                 id="vendored-both"),
    pytest.param("vendored", "pin", {"patch_vendored": True},
                 [f"NAPI003 binding.gyp:8 fix -> {PATCH}", f"NAPI003 deps/node-addon-api/napi-inl.h:5048 fix -> {PATCH}",
                  f"None deps/node-addon-api/napi.h:2517 fix -> {PATCH}"], id="vendored-patch"),
    pytest.param("leaky-addon+macro-class", "both", {}, PIN_LEAKY + OVERRIDES[:1] + [MACRO] + OVERRIDES[1:],
                 id="macro-class-both"),
    pytest.param("leaky-addon+berry", "pin", {}, BERRY, id="berry-pin"),
]


@pytest.mark.parametrize("example, strategy, options, expected", TABLE)
def test_each_finding_gets_one_fix_with_its_applicability(tmp_path, example, strategy, options, expected):
    root = copy(example, tmp_path / "tree")
    assert shown(plan([root], strategy, **options), root) == expected


@pytest.mark.parametrize("example, strategy, options, expected", TABLE)
def test_applying_every_fix_and_hygiene_fix_writes_what_the_cli_writes(tmp_path, monkeypatch, example, strategy,
                                                                       options, expected):
    planned, written = copy(example, tmp_path / "planned"), copy(example, tmp_path / "written")
    fixes = fixes_of(plan([planned], strategy, **options)).all
    for part in together(f for f in fixes if f.applicability in (FIX, HYGIENE)):
        Path(part.path).write_bytes(apply_edits(part.original, part.edits))
    before = snapshot(written)
    monkeypatch.chdir(written)
    flags = ["--strategy", strategy] + (["--patch-vendored"] if options.get("patch_vendored") else [])
    assert main([*flags, "."]) != 2
    assert snapshot(planned) == snapshot(written)
    assert (snapshot(written) != before) == any(not fix.endswith("-> nothing") for fix in expected)
    again = fixes_of(plan([planned], strategy, **options)).all
    assert not any(f.files for f in again), "a second plan of the fixed tree still writes something"


@pytest.mark.parametrize("example, strategy, made, hygiene_only, attention", [
    pytest.param("leaky-addon", "pin", 3, False, 0, id="pin-fixes-the-leak"),
    pytest.param("leaky-addon", "finalize", 3, True, 0, id="overrides-are-hygiene-only"),
    pytest.param("leaky-addon", "both", 6, False, 0, id="pin-and-overrides"),
    pytest.param("vendored", "finalize", 1, True, 0, id="vendored-overrides"),
    pytest.param("leaky-addon+macro-class", "finalize", 3, True, 1, id="macro-class-needs-a-person"),
    pytest.param("leaky-addon+berry", "pin", 0, False, 1, id="berry-refused"),
])
def test_batch_tells_a_leak_fix_from_hygiene_by_applicability(tmp_path, example, strategy, made, hygiene_only,
                                                              attention):
    root = copy(example, tmp_path / "tree")
    changes = describe(plan([root], strategy), str(root))
    assert (len(changes.made), changes.hygiene_only, len(changes.attention)) == (made, hygiene_only, attention)
    assert changes.finalize == sum("Finalize" in c.reason for c in changes.made)


def test_the_editor_prefers_only_a_fix_and_offers_no_manual_one(tmp_path):
    root = copy("leaky-addon+macro-class", tmp_path / "tree")
    report = plan([root], "both")
    offered = [fix for result in report.files for fix in quick_fixes(report, result.path)]
    assert sorted((fix.applicability, preferred(fix)) for fix in offered) == (
        [(FIX, True)] * 2 + [(HYGIENE, False)] * 3)
    assert all(("hygiene only" in fix.title) == (fix.applicability == HYGIENE) for fix in offered)


@pytest.mark.parametrize("example, rel, manifest", [
    ("leaky-addon", "package.json", True), ("leaky-addon", "package-lock.json", True),
    ("vendored", "binding.gyp", True),
    ("vendored", "deps/node-addon-api/napi-inl.h", True),  # a vendored copy is planned (and written) with its root
    ("vendored", "src/addon.cc", False), ("leaky-addon", "src/counter.h", False),
])
def test_a_file_planned_with_its_package_root_is_a_manifest(example, rel, manifest):
    report = plan([EXAMPLES / example], "both", patch_vendored=True)
    result = next(r for r in report.files if r.path == str(EXAMPLES / example / rel))
    assert result.is_manifest == manifest


PIN_TITLE = "napi-fix: pin node-addon-api past 8.2.0/8.2.1 ({})"
HYGIENE_TITLE = ("napi-fix: add an empty Finalize override to {} "
                 "(hygiene only: it does not stop the 8.2.0/8.2.1 leak)")
MANUAL_TITLE = "napi-fix will not change this; a person must act: {}"


@pytest.mark.parametrize("example, strategy, options, titles", [
    pytest.param("leaky-addon", "pin", {}, {"NAPI001": PIN_TITLE.format("package-lock.json, package.json"),
                                            None: PIN_TITLE.format("package-lock.json, package.json")},
                 id="the-pin-names-its-roots-files"),
    pytest.param("monorepo", "finalize", {}, {"NAPI001": PIN_TITLE.format("not planned")}, id="a-pin-not-asked-for"),
    pytest.param("vendored", "both", {}, {
        "NAPI003": "napi-fix: build against the npm package node-addon-api instead of the leaky copy "
                   "(binding.gyp, package.json)",
        "NAPI004": HYGIENE_TITLE.format("Session"), None: PIN_TITLE.format("binding.gyp, package.json")},
                 id="a-repoint-and-hygiene"),
    pytest.param("vendored", "pin", {"patch_vendored": True}, {
        "NAPI003": f"napi-fix: apply upstream's fix to the vendored node-addon-api headers ({PATCH})",
        None: PIN_TITLE.format(PATCH)}, id="a-patched-copy"),
    pytest.param("leaky-addon+berry", "pin", {}, {
        "NAPI002": PIN_TITLE.format("not planned"),
        "NAPI005": MANUAL_TITLE.format("yarn berry lockfile: its checksums are of yarn's own zip archives and "
                                       "cannot be computed offline; nothing planned for this package. Run `yarn up "
                                       "node-addon-api@^8.2.2` in this lockfile's folder")}, id="a-refusal"),
    pytest.param("leaky-addon+macro-class", "finalize", {}, {
        "NAPI001": PIN_TITLE.format("not planned"),
        "NAPI004": HYGIENE_TITLE.format("leaky::Counter"),
        "NAPI005": MANUAL_TITLE.format("macro MAKE defines an ObjectWrap-derived class; its expansions cannot be "
                                       "edited safely, add `void Finalize(Napi::Env /*env*/) override {}` by hand")},
                 id="a-macro-class"),
])
def test_each_rule_titles_its_fix(tmp_path, example, strategy, options, titles):
    """The editor's code action titles, worded by each finding's rule (rules.py): the first fix of each rule."""
    root = copy(example, tmp_path / "tree")
    found = {}
    for fix in fixes_of(plan([root], strategy, **options)).all:
        found.setdefault(fix.finding.rule, fix.title)
    assert found == titles
