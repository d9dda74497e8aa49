"""A base class is resolved the way the compiler resolves it: through what
the leaf's translation unit includes, never through another package.

Package `a` declares `app::Base<T> : Napi::ObjectWrap<T>`; package `b` has
its own, unrelated `app::Base<T>` and `class Leaf : public Base<Leaf>`. One
`napi-fix --strategy finalize` run over both must give a's leaves the
override and leave b's Leaf alone (an `override` there would not compile:
"marked 'override', but does not override"). Both packages are compiled
with g++ after the run, each with node-addon-api's own trait checking what
it must see.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cases import DECL
from helpers import dedent, plan, write_tree

from codemod.cli import main


PACKAGE_JSON = '{{\n  "name": "{name}",\n  "version": "1.0.0",\n  "dependencies": {{"node-addon-api": "8.2.2"}}\n}}\n'

A_BASE = dedent("""
    #pragma once
    #include <napi.h>
    namespace app {
    template <class T>
    class Base : public Napi::ObjectWrap<T> {
     public:
      using Napi::ObjectWrap<T>::ObjectWrap;
    };
    }  // namespace app
""")
A_LEAF = dedent("""
    #pragma once
    #include "base.h"
    namespace app {
    class Leaf : public Base<Leaf> {
     public:
      using Base<Leaf>::Base;
    };
    }  // namespace app
""")
A_OTHER = dedent("""
    #include "base.h"
    namespace app {
    class Other : public Base<Other> {
     public:
      using Base<Other>::Base;
    };
    }  // namespace app
    static_assert(Napi::details::HasExtendedFinalizer<app::Other>::value, "a's Other is seen");
""")
A_ADDON = dedent("""
    #include "leaf.h"
    static_assert(Napi::details::HasExtendedFinalizer<app::Leaf>::value, "a's Leaf is seen");
""")
B_BASE = dedent("""
    #pragma once
    namespace app {
    template <class T>
    class Base {
     public:
      virtual ~Base() = default;
    };
    }  // namespace app
""")
B_LEAF = dedent("""
    #pragma once
    #include "base.h"
    namespace app {
    class Leaf : public Base<Leaf> {
     public:
      Leaf() = default;
    };
    }  // namespace app
""")
B_ADDON = dedent("""
    #include <napi.h>
    #include <type_traits>
    #include "leaf.h"
    static_assert(!std::is_base_of<Napi::ObjectWrap<app::Leaf>, app::Leaf>::value, "b's Leaf is no ObjectWrap");
""")

TREE = {
    "a/package.json": PACKAGE_JSON.format(name="a"),
    "a/src/base.h": A_BASE,
    "a/src/leaf.h": A_LEAF,
    "a/src/other.cc": A_OTHER,
    "a/src/addon.cc": A_ADDON,
    "b/package.json": PACKAGE_JSON.format(name="b"),
    "b/src/base.h": B_BASE,
    "b/src/leaf.h": B_LEAF,
    "b/src/addon.cc": B_ADDON,
}


def _with_override(text: str, after: str) -> str:
    assert after in text
    return text.replace(after, f"{after}  {DECL}\n", 1)


def test_one_run_over_two_packages_edits_only_the_real_leaves(tmp_path: Path, monkeypatch):
    write_tree(tmp_path, TREE)
    monkeypatch.chdir(tmp_path)
    assert main(["--strategy", "finalize", "a", "b"]) == 0
    read = {rel: (tmp_path / rel).read_text() for rel in TREE}
    assert read["b/src/leaf.h"] == B_LEAF
    assert read["b/src/base.h"] == B_BASE
    assert read["a/src/base.h"] == A_BASE  # the intermediate base itself is no target
    assert read["a/src/leaf.h"] == _with_override(A_LEAF, "  using Base<Leaf>::Base;\n")
    assert read["a/src/other.cc"] == _with_override(A_OTHER, "  using Base<Other>::Base;\n")
    assert main(["--dry-run", "--strategy", "finalize", "a", "b"]) == 0  # a second run changes nothing


@pytest.mark.compile
@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")
def test_both_packages_compile_after_the_run(tmp_path: Path, monkeypatch):
    from test_compile import FLAGS, NODE_INCLUDE
    from napi_headers import headers
    import subprocess

    write_tree(tmp_path, TREE)
    monkeypatch.chdir(tmp_path)
    assert main(["--strategy", "finalize", "a", "b"]) == 0
    for source in ("a/src/addon.cc", "a/src/other.cc", "b/src/addon.cc"):
        result = subprocess.run(
            ["g++", *FLAGS, f"-I{NODE_INCLUDE}", f"-I{headers('8.2.1')}", "-c", "-o", "/dev/null", source],
            capture_output=True, text=True, timeout=600,
        )
        assert result.returncode == 0, f"{source}:\n{result.stderr[-4000:]}"


def test_an_include_no_build_of_the_package_names_never_resolves_into_another_package(tmp_path: Path, monkeypatch):
    """b's leaf includes "app_base.h", which b does not have (it comes from
    outside the tree): a's header of that name is not on b's include path, so
    a's ObjectWrap base is not b's. What the leaf's base is, napi-fix cannot
    tell: a NAPI005 (exit 1), never an edit, never silence."""
    leaf = B_LEAF.replace('#include "base.h"', '#include "app_base.h"')
    write_tree(tmp_path, {"a/package.json": PACKAGE_JSON.format(name="a"), "a/src/app_base.h": A_BASE,
                          "b/package.json": PACKAGE_JSON.format(name="b"), "b/src/leaf.h": leaf})
    monkeypatch.chdir(tmp_path)
    assert main(["--strategy", "finalize", "a", "b"]) == 1
    assert (tmp_path / "b/src/leaf.h").read_text() == leaf
    (finding,) = [f for r in plan([tmp_path / "a", tmp_path / "b"], "finalize").files for f in r.findings
                  if r.path.endswith("leaf.h")]
    assert (finding.rule, finding.line) == ("NAPI005", 4)
    assert finding.reason.startswith("cannot tell whether app::Leaf is an ObjectWrap class: its base Base<Leaf>")
