"""The C++ edit never changes behaviour (issue 21, section 5), checked by g++.

Each case is a small tree of headers. napi-fix runs once over all of them;
each case says whether its class gets the override, no edit (it already has
a Finalize: its own, a base's, a macro's; or it is dead code), or a NAPI005
finding without an edit. Then the compiler is the oracle: one translation
unit including every case's headers, with `static_assert`s that

- the Finalize a class resolves to is the same before and after
  (`decltype(&Leaf::Finalize)` names the base's member where the hierarchy
  had one),
- every member keeps its access: `can_<member><T>` asks, through SFINAE
  (an access error in `decltype(&T::m)` is a substitution failure), whether
  code outside the class may name it; each probe's answer is written down
  and checked on the tree before and the tree after,
- node-addon-api sees the override where one was inserted (8.2.x),

compiles with `g++ -std=c++17 -Wall -Wextra -Werror` against node-addon-api
8.1.0, 8.2.1 and the latest 8.x, before and after. Inserting the naive
override where napi-fix declines makes the same translation unit fail
(test_the_oracle_fails_on_the_edits_napi_fix_declines).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cases import DECL
from helpers import analyze_tree, dedent, fixed, write_tree
from napi_headers import headers, latest

from codemod.rules import NEEDS_PERSON

NONE, MANUAL = "none", "manual"  # else: how many overrides are inserted


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, str]
    outcome: dict[str, str | int]  # file -> overrides inserted, NONE or MANUAL (no edit)
    probes: tuple[str, ...] = ()  # static_asserts that hold before and after
    targets: tuple[str, ...] = ()  # types node-addon-api 8.2.x must see an override on, after
    compile: bool = True
    include_dirs: tuple[str, ...] = ()
    quiet: tuple[str, ...] = field(default=())  # files that must get no finding at all


BASE_WITH_CLEANUP = """
    #pragma once
    #include <napi.h>
    namespace inherit {
    template <class T>
    class Base : public Napi::ObjectWrap<T> {
     public:
      using Napi::ObjectWrap<T>::ObjectWrap;
      void Finalize(Napi::Env /*env*/) override { released_ = true; }
      bool released_ = false;
    };
    }  // namespace inherit
"""

CASES = [
    Case(
        "inherited-finalize-from-a-template-base-in-another-header",
        {
            "inherit/base.h": BASE_WITH_CLEANUP,
            "inherit/leaf.h": """
                #pragma once
                #include "base.h"
                namespace inherit {
                class Leaf : public Base<Leaf> {
                 public:
                  using Base<Leaf>::Base;
                };
                }  // namespace inherit
            """,
        },
        {"inherit/leaf.h": NONE, "inherit/base.h": NONE},
        ("std::is_same_v<decltype(&inherit::Leaf::Finalize), void (inherit::Base<inherit::Leaf>::*)(Napi::Env)>",),
    ),
    Case(
        "inherited-finalize-two-bases-up",
        {
            "chain/chain.h": """
                #pragma once
                #include <napi.h>
                namespace chain {
                template <class T> class Wrapped : public Napi::ObjectWrap<T> {
                 public:
                  using Napi::ObjectWrap<T>::ObjectWrap;
                };
                template <class T> class Middle : public Wrapped<T> {
                 public:
                  using Wrapped<T>::Wrapped;
                  void Finalize(Napi::Env /*env*/) override {}
                };
                class Deep : public Middle<Deep> {
                 public:
                  using Middle<Deep>::Middle;
                };
                }  // namespace chain
            """,
        },
        {"chain/chain.h": NONE},
        ("std::is_same_v<decltype(&chain::Deep::Finalize), void (chain::Middle<chain::Deep>::*)(Napi::Env)>",),
    ),
    Case(
        "finalize-through-a-macro-line-in-the-same-file",
        {
            "macro/same.h": """
                #pragma once
                #include <napi.h>
                #define SAME_FINALIZE void Finalize(Napi::Env /*env*/) override { released_ = true; }
                namespace macro_same {
                class Foo : public Napi::ObjectWrap<Foo> {
                 public:
                  using Napi::ObjectWrap<Foo>::ObjectWrap;
                  SAME_FINALIZE
                  bool released_ = false;
                };
                }  // namespace macro_same
            """,
        },
        {"macro/same.h": NONE},
        ("std::is_same_v<decltype(&macro_same::Foo::Finalize), void (macro_same::Foo::*)(Napi::Env)>",),
    ),
    Case(
        "finalize-through-a-macro-call-from-an-included-header-and-nested",
        {
            "macro/defs.h": """
                #pragma once
                #define INNER_FINALIZE void Finalize(Napi::Env /*env*/) override {}
                #define DECLARE_WRAPPER(T) \\
                  INNER_FINALIZE \\
                  static T* Make();
            """,
            "macro/user.h": """
                #pragma once
                #include <napi.h>
                #include "defs.h"
                namespace macro_header {
                class Foo : public Napi::ObjectWrap<Foo> {
                 public:
                  using Napi::ObjectWrap<Foo>::ObjectWrap;
                  DECLARE_WRAPPER(Foo);
                };
                }  // namespace macro_header
            """,
        },
        {"macro/user.h": NONE},
        ("std::is_same_v<decltype(&macro_header::Foo::Finalize), void (macro_header::Foo::*)(Napi::Env)>",),
    ),
    Case(
        "finalize-through-a-macro-in-the-base",
        {
            "macrobase/base.h": """
                #pragma once
                #include <napi.h>
                #define BASE_FINALIZE void Finalize(Napi::Env /*env*/) override {}
                namespace macro_base {
                template <class T> class Base : public Napi::ObjectWrap<T> {
                 public:
                  using Napi::ObjectWrap<T>::ObjectWrap;
                  BASE_FINALIZE
                };
                class Leaf : public Base<Leaf> {
                 public:
                  using Base<Leaf>::Base;
                };
                }  // namespace macro_base
            """,
        },
        {"macrobase/base.h": NONE},
        ("std::is_same_v<decltype(&macro_base::Leaf::Finalize), void (macro_base::Base<macro_base::Leaf>::*)(Napi::Env)>",),
    ),
    Case(
        "a-macro-line-defined-nowhere-is-a-finding",
        {
            "unknown/foo.h": """
                #pragma once
                #include <napi.h>
                #include <vendor/magic.h>
                namespace unknown {
                class Foo : public Napi::ObjectWrap<Foo> {
                  VENDOR_MAGIC(Foo)
                 public:
                  using Napi::ObjectWrap<Foo>::ObjectWrap;
                };
                }  // namespace unknown
            """,
        },
        {"unknown/foo.h": MANUAL},
        compile=False,  # vendor/magic.h is nowhere: that is the point
    ),
    Case(
        "a-member-macro-of-node-addon-api-is-known",
        {
            "known/known.h": """
                #pragma once
                #include <napi.h>
                namespace known {
                class Foo : public Napi::ObjectWrap<Foo> {
                  NAPI_DISALLOW_ASSIGN_COPY(Foo)
                 public:
                  using Napi::ObjectWrap<Foo>::ObjectWrap;
                };
                }  // namespace known
            """,
        },
        {"known/known.h": 1},
        ("!std::is_copy_constructible_v<known::Foo>",),
        targets=("known::Foo",),
    ),
    Case(
        "dead-code",
        {
            "dead/dead.h": """
                #pragma once
                #include <napi.h>
                namespace dead {
                #if 0
                class Zero : public Napi::ObjectWrap<Zero> {
                 public:
                  Zero(const Napi::CallbackInfo& info);
                };
                #endif
                #if (false)  // never
                class False : public Napi::ObjectWrap<False> {};
                #elif 1
                #else
                class Else : public Napi::ObjectWrap<Else> {};
                #endif
                }  // namespace dead
            """,
        },
        {"dead/dead.h": NONE},
        quiet=("dead/dead.h",),
    ),
    Case(
        "ifdef-of-an-undefined-macro-is-not-dead",
        {
            "ifdef/maybe.h": """
                #pragma once
                #include <napi.h>
                namespace maybe {
                #ifndef MAYBE_UNDEFINED
                class Live : public Napi::ObjectWrap<Live> {
                 public:
                  using Napi::ObjectWrap<Live>::ObjectWrap;
                };
                #endif
                }  // namespace maybe
            """,
        },
        {"ifdef/maybe.h": 1},
        targets=("maybe::Live",),
    ),
    Case(
        "access-after-a-macro-line-in-the-default-private-section",
        {
            "access/access.h": """
                #pragma once
                #include <napi.h>
                #define DECLARE_STUFF int secret_ = 0;
                #define DECLARE_OPEN int open_ = 0;
                namespace access {
                class Foo : public Napi::ObjectWrap<Foo> {
                  DECLARE_STUFF
                 public:
                  using Napi::ObjectWrap<Foo>::ObjectWrap;
                  int shown_ = 0;
                };
                class Bare : public Napi::ObjectWrap<Bare> {
                  DECLARE_STUFF
                  int kept_ = 0;
                };
                struct Open : Napi::ObjectWrap<Open> {
                  DECLARE_OPEN
                 private:
                  int hidden_ = 0;
                };
                class Guarded : public Napi::ObjectWrap<Guarded> {
                  DECLARE_STUFF
                 protected:
                  int guarded_ = 0;
                };
                }  // namespace access
            """,
        },
        {"access/access.h": 4},
        (
            "!can_secret_<access::Foo>::value", "can_shown_<access::Foo>::value",
            "!can_secret_<access::Bare>::value", "!can_kept_<access::Bare>::value",
            "can_open_<access::Open>::value", "!can_hidden_<access::Open>::value",
            "!can_secret_<access::Guarded>::value", "!can_guarded_<access::Guarded>::value",
        ),
        targets=("access::Foo", "access::Bare", "access::Open", "access::Guarded"),
    ),
    Case(
        "namespace-alias-in-an-included-header",
        {
            "alias/js.h": "#pragma once\n#include <napi.h>\nnamespace js = Napi;\n",
            "alias/foo.h": """
                #pragma once
                #include "js.h"
                namespace alias {
                class Foo : public js::ObjectWrap<Foo> {
                 public:
                  using js::ObjectWrap<Foo>::ObjectWrap;
                };
                namespace jj = js;
                class Bar : public jj::ObjectWrap<Bar> {
                 public:
                  using jj::ObjectWrap<Bar>::ObjectWrap;
                };
                }  // namespace alias
            """,
        },
        {"alias/foo.h": 2},
        targets=("alias::Foo", "alias::Bar"),
    ),
    Case(
        "base-in-another-package-through-include-dirs-and-by-path",
        {
            "mono/core/package.json": '{"name": "core"}\n',
            "mono/core/include/nv/objectwrap.hpp": """
                #pragma once
                #include <napi.h>
                namespace nv {
                template <class T> class EnvLocalObjectWrap : public Napi::ObjectWrap<T> {
                 public:
                  using Napi::ObjectWrap<T>::ObjectWrap;
                };
                }  // namespace nv
            """,
            "mono/cuda/package.json": '{"name": "cuda"}\n',
            "mono/cuda/binding.gyp": "{'targets': [{'target_name': 'cuda', 'include_dirs': ['../core/include']}]}\n",
            "mono/cuda/src/device.hpp": """
                #pragma once
                #include <nv/objectwrap.hpp>
                namespace nv {
                class Device : public EnvLocalObjectWrap<Device> {
                 public:
                  using EnvLocalObjectWrap<Device>::EnvLocalObjectWrap;
                };
                }  // namespace nv
            """,
            "mono/gl/package.json": '{"name": "gl"}\n',
            "mono/gl/src/buffer.hpp": """
                #pragma once
                #include <nv/objectwrap.hpp>
                namespace nv {
                class Buffer : public EnvLocalObjectWrap<Buffer> {
                 public:
                  using EnvLocalObjectWrap<Buffer>::EnvLocalObjectWrap;
                };
                }  // namespace nv
            """,
        },
        {"mono/cuda/src/device.hpp": 1, "mono/gl/src/buffer.hpp": 1},
        targets=("nv::Device", "nv::Buffer"),
        include_dirs=("mono/core/include",),
    ),
    Case(
        "a-crtp-base-nothing-declares-is-a-finding",
        {
            "crtp/unk.hpp": """
                #pragma once
                #include <napi.h>
                #include <elsewhere/objectwrap.hpp>
                namespace crtp {
                class Unknown : public SomeWrap<Unknown> {};
                class Qualified : public elsewhere::ObjectWrap<Qualified> {};
                template <class T> class Helper {};
                class Known : public Helper<Known> {};
                class MyAddon : public Napi::Addon<MyAddon> {};
                class Shared : public std::enable_shared_from_this<Shared> {};
                }  // namespace crtp
            """,
        },
        {"crtp/unk.hpp": MANUAL},
        compile=False,  # elsewhere/objectwrap.hpp is nowhere: that is the point
    ),
]

PROBED = sorted({p.split("<")[0].lstrip("!") for case in CASES for p in case.probes if p.lstrip("!").startswith("can_")})


def _files(case: Case) -> dict[str, str]:
    return {path: dedent(text) for path, text in case.files.items()}


def _tree() -> dict[str, str]:
    return {path: text for case in CASES for path, text in _files(case).items()}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """(root before, root after, report): napi-fix over every case at once."""
    before = tmp_path_factory.mktemp("before")
    write_tree(before, _tree())
    report = analyze_tree(before)
    after = tmp_path_factory.mktemp("after")
    write_tree(after, _tree())
    write_tree(after, fixed(report, before))
    return before, after, report


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_what_napi_fix_does_to_each_file(case, run):
    before, after, report = run
    changed = fixed(report, before)
    findings = {Path(f.path).relative_to(before).as_posix(): [] for r in report.files for f in r.findings}
    for result in report.files:
        for f in result.findings:
            findings[Path(f.path).relative_to(before).as_posix()].append(f)
    for path, outcome in case.outcome.items():
        text = _files(case)[path]
        if isinstance(outcome, int):
            assert path in changed, path
            assert changed[path].decode().count(DECL) - text.count(DECL) == outcome, changed[path].decode()
        else:
            assert path not in changed, changed.get(path, b"").decode()
        if outcome == MANUAL:
            assert any(f.rule == NEEDS_PERSON.id for f in findings.get(path, ())), findings.get(path)
        else:
            assert not any(f.rule == NEEDS_PERSON.id for f in findings.get(path, ())), \
                [f.reason for f in findings[path]]
    for path in case.quiet:
        assert not findings.get(path), [f.reason for f in findings[path]]


def test_the_access_case_reads_exactly(run):
    before, _, report = run
    text = fixed(report, before)["access/access.h"].decode()
    assert dedent(f"""
        class Foo : public Napi::ObjectWrap<Foo> {{
         public:
          {DECL}
         private:
          DECLARE_STUFF
         public:
    """) in text
    assert f"struct Open : Napi::ObjectWrap<Open> {{\n  {DECL}\n  DECLARE_OPEN\n" in text


def test_the_crtp_findings_name_only_the_unknown_bases(run):
    before, _, report = run
    reasons = [f.reason for r in report.files for f in r.findings if r.path.endswith("unk.hpp")]
    assert [r.split(" is an ObjectWrap class")[0] for r in reasons] == [
        "cannot tell whether crtp::Unknown", "cannot tell whether crtp::Qualified"]
    assert "its base SomeWrap<Unknown> names nothing" in reasons[0]


def test_a_second_run_changes_nothing(run):
    _, after, _ = run
    assert not analyze_tree(after).changed


# -- the compiler oracle ------------------------------------------------------

PROBE_TRAITS = "".join(
    f"template <class T, class = void> struct {name} : std::false_type {{}};\n"
    f"template <class T> struct {name}<T, std::void_t<decltype(&T::{name[4:]})>> : std::true_type {{}};\n"
    for name in PROBED
)


def _translation_unit(version: str, with_targets: bool) -> str:
    parts = ["#include <type_traits>\n#include <napi.h>\n", PROBE_TRAITS]
    for case in CASES:
        if not case.compile:
            continue
        for path in case.files:
            if path.endswith((".h", ".hpp")):
                parts.append(f'#include "{path}"\n')
        for probe in case.probes:
            parts.append(f'static_assert({probe}, "{case.id}");\n')
        if with_targets and not version.startswith("8.1."):
            for target in case.targets:
                parts.append(f'static_assert(Napi::details::HasExtendedFinalizer<{target}>::value, "{case.id}");\n')
    return "".join(parts)


def _compile(root: Path, version: str, source: str) -> subprocess.CompletedProcess:
    from test_compile import FLAGS, NODE_INCLUDE

    tu = root / f"oracle-{version}.cc"
    tu.write_text(source)
    dirs = [f"-I{root / d}" for case in CASES for d in case.include_dirs]
    return subprocess.run(
        ["g++", *FLAGS, f"-I{root}", *dirs, f"-I{NODE_INCLUDE}", f"-I{headers(version)}", "-c", "-o", "/dev/null",
         str(tu)],
        capture_output=True, text=True, timeout=600,
    )


@pytest.mark.parametrize("version", ["8.1.0", "8.2.1", latest(8)] if shutil.which("npm") else [])
@pytest.mark.parametrize("side", ["before", "after"])
@pytest.mark.compile
@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")
def test_the_oracle_holds_before_and_after(side, version, run):
    before, after, _ = run
    root = before if side == "before" else after
    result = _compile(root, version, _translation_unit(version, with_targets=side == "after"))
    assert result.returncode == 0, result.stderr[-4000:]


@pytest.mark.compile
@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")
def test_the_oracle_fails_on_the_edits_napi_fix_declines(run, tmp_path):
    """The naive edit (an override in every class that has none of its own)
    breaks the oracle: the inherited Finalize changes, a macro's Finalize is
    declared twice, the access of `secret_` changes."""
    before, _, _ = run
    naive = {
        "inherit/leaf.h": ("using Base<Leaf>::Base;\n", f"using Base<Leaf>::Base;\n  {DECL}\n"),
        "macro/same.h": ("SAME_FINALIZE\n", f"SAME_FINALIZE\n  {DECL}\n"),
        "access/access.h": ("class Foo : public Napi::ObjectWrap<Foo> {\n",
                            f"class Foo : public Napi::ObjectWrap<Foo> {{\n public:\n  {DECL}\n"),
    }
    for path, (old, new) in naive.items():
        tree = {p: t for p, t in _tree().items()}
        assert old in tree[path]
        tree[path] = tree[path].replace(old, new, 1)
        root = tmp_path / path.replace("/", "-")
        write_tree(root, tree)
        result = _compile(root, "8.2.1", _translation_unit("8.2.1", with_targets=False))
        assert result.returncode != 0, path
        assert "static assertion failed" in result.stderr or "cannot be overloaded" in result.stderr, result.stderr
