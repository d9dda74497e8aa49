"""The Finalize rewriter: (before, after) per shape, no-op cases, fix twice."""

from __future__ import annotations

import shutil

import pytest

from cases import CASES, DECL, NO_OP
from codemod.cpp.finalize import detect_indent_unit, detect_newline
from helpers import analyze_tree, dedent, fix, write_tree


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rewrite(case):
    assert fix(case.before).decode() == case.after


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fix_twice_is_stable(case):
    once = fix(case.before)
    assert fix(once) == once


@pytest.mark.parametrize("source", [s for _, s in NO_OP], ids=[i for i, _ in NO_OP])
def test_no_op(source):
    assert fix(source).decode() == source


# The unit a new line is indented by when the class gives no member line to copy.
@pytest.mark.parametrize("data, unit", [
    pytest.param(b"", "  ", id="nothing-tells"),
    pytest.param(b"\ta;\n\tb;\n  c;\n", "\t", id="most-lines-start-with-a-tab"),
    pytest.param(b"\ta;\n  c;\n", "  ", id="as-many-tabs-as-spaces"),
    pytest.param(b"\ta;\n\tb;\n  c;\n    d;\n      e;\n", "  ", id="more-space-lines"),
    pytest.param(b"\ta;\n\tb;\n\tc;\n  d;\n    e;\n", "\t", id="more-tab-lines"),
    pytest.param(b"  a\n    b\n        c\n", "  ", id="the-most-common-step"),
    pytest.param(b"    a\n        b\n          c\n", "    ", id="the-most-common-step-not-the-smallest"),
    pytest.param(b"    a\n        b\n", "    ", id="steps-from-zero"),
    pytest.param(b"      a\n        b\n", "  ", id="a-tie-takes-the-smallest"),
    pytest.param(b"        a\n", " " * 8, id="eight-is-a-step"),
    pytest.param(b"         a\n", "  ", id="nine-is-not"),
])
def test_indent_unit(data, unit):
    assert detect_indent_unit(data) == unit


# A struct's members are public from its `{`: an empty one gets the override, no label.
@pytest.mark.parametrize("before, after", [
    pytest.param(b"struct P : Napi::ObjectWrap<P> {};\n",
                 b"struct P : Napi::ObjectWrap<P> { " + DECL.encode() + b"};\n", id="one-line"),
    pytest.param(b"struct P : Napi::ObjectWrap<P> {\n};\n",
                 b"struct P : Napi::ObjectWrap<P> {\n  " + DECL.encode() + b"\n};\n", id="two-lines"),
    pytest.param(b"struct P : Napi::ObjectWrap<P> {\n  // nothing yet\n};\n",
                 b"struct P : Napi::ObjectWrap<P> {\n  " + DECL.encode() + b"\n  // nothing yet\n};\n", id="a-comment"),
])
def test_an_empty_struct_gets_no_label(before, after):
    assert fix(before) == after


# New lines follow the majority line ending; a tie goes to \r\n, a file without one to \n.
@pytest.mark.parametrize("data, newline", [
    pytest.param(b"", "\n", id="no-line-break"),
    pytest.param(b"a\nb\n", "\n", id="lf"),
    pytest.param(b"a\r\nb\n", "\r\n", id="a-tie"),
    pytest.param(b"a\r\nb\nc\n", "\n", id="more-lf"),
])
def test_newline(data, newline):
    assert detect_newline(data) == newline


# Where the first public section ends: an empty one, the first of two, one a
# label under a conditional comes before.
H = b"class C : public Napi::ObjectWrap<C> {\n"
OVERRIDE = b"  " + DECL.encode() + b"\n"


@pytest.mark.parametrize("before, after", [
    pytest.param(H + b" public:\n};\n", H + b" public:\n" + OVERRIDE + b"};\n", id="empty-public-section"),
    pytest.param(H + b" public:\n private:\n  int n_;\n};\n", H + b" public:\n" + OVERRIDE + b" private:\n  int n_;\n};\n",
                 id="empty-public-section-then-private"),
    pytest.param(H + b"  int n_;\n public:\n  C();\n private:\n  int m_;\n public:\n  void f();\n};\n",
                 H + b"  int n_;\n public:\n  C();\n" + OVERRIDE + b" private:\n  int m_;\n public:\n  void f();\n};\n",
                 id="first-of-two-public-sections"),
    pytest.param(H + b"#ifdef X\n public:\n#endif\n  int n_;\n};\n",
                 H + b"#ifdef X\n public:\n#endif\n  int n_;\n public:\n" + OVERRIDE + b"};\n",
                 id="a-label-under-a-conditional-is-not-a-public-section"),
    pytest.param(b"struct S : Napi::ObjectWrap<S> {\n  S();\n private:\n  int n_;\n};\n",
                 b"struct S : Napi::ObjectWrap<S> {\n  S();\n" + OVERRIDE + b" private:\n  int n_;\n};\n",
                 id="struct-then-private"),
    pytest.param(b"struct S : Napi::ObjectWrap<S> {\n public:\n private:\n  int n_;\n};\n",
                 b"struct S : Napi::ObjectWrap<S> {\n" + OVERRIDE + b" public:\n private:\n  int n_;\n};\n",
                 id="struct-labels-only"),
])
def test_the_end_of_the_first_public_section(before, after):
    assert fix(before) == after


# Where the override goes, and its text, in shapes no table above holds; each
# row fails on a bug planted in codemod/cpp/finalize.py that no other test
# caught (docs/mutation.md). `target` and `members` feed the compile check
# below: node-addon-api must see the override, and every member listed must
# keep its access on every preprocessor branch.
def _row(id: str, before: str, after: str, target: str = "C", members: tuple[str, ...] = ("n_",)):
    return pytest.param(dedent(before), dedent(after).replace("{DECL}", DECL), target, members, id=id)


PLACES = [
    _row("a-conditional-holding-a-label-ends-the-public-section", """
        class C : public Napi::ObjectWrap<C> {
         public:
          C();
          int Get();
        #ifdef X
         private:
        #endif
          int n_;
        };
    """, """
        class C : public Napi::ObjectWrap<C> {
         public:
          C();
          int Get();
          {DECL}
        #ifdef X
         private:
        #endif
          int n_;
        };
    """, members=("Get", "n_")),
    # The first public section, not a later one, even when a conditional's label ends it.
    _row("a-conditional-holding-a-label-then-a-second-public-section", """
        class C : public Napi::ObjectWrap<C> {
         public:
          C();
        #ifdef X
         private:
        #endif
          int n_;
         public:
          int Get();
        };
    """, """
        class C : public Napi::ObjectWrap<C> {
         public:
          C();
          {DECL}
        #ifdef X
         private:
        #endif
          int n_;
         public:
          int Get();
        };
    """, members=("Get", "n_")),
    # A conditional's label before any public section: the section after it still counts.
    _row("a-conditional-holding-a-label-before-the-public-section", """
        class C : public Napi::ObjectWrap<C> {
        #ifdef X
         protected:
        #endif
          int n_;
         public:
          int Get();
        };
    """, """
        class C : public Napi::ObjectWrap<C> {
        #ifdef X
         protected:
        #endif
          int n_;
         public:
          int Get();
          {DECL}
        };
    """, members=("Get", "n_")),
    _row("a-conditional-holding-a-label-first-in-a-struct", """
        struct C : Napi::ObjectWrap<C> {
        #ifdef X
         private:
        #endif
          int n_;
        };
    """, """
        struct C : Napi::ObjectWrap<C> {
          {DECL}
        #ifdef X
         private:
        #endif
          int n_;
        };
    """),
    _row("a-conditional-holding-a-label-in-every-branch", """
        class C : public Napi::ObjectWrap<C> {
         public:
          C();
        #ifdef X
         public:
          int Get();
        #else
         protected:
          int Get();
        #endif
         private:
          int n_;
        };
    """, """
        class C : public Napi::ObjectWrap<C> {
         public:
          C();
          {DECL}
        #ifdef X
         public:
          int Get();
        #else
         protected:
          int Get();
        #endif
         private:
          int n_;
        };
    """, members=("Get", "n_")),
    _row("a-conditional-without-labels-stays-in-the-public-section", """
        class C : public Napi::ObjectWrap<C> {
         public:
          C();
        #ifdef X
          void Debug();
        #endif
         private:
          int n_;
        };
    """, """
        class C : public Napi::ObjectWrap<C> {
         public:
          C();
        #ifdef X
          void Debug();
        #endif
          {DECL}
         private:
          int n_;
        };
    """),
    # A directive's node ends after its newline: the override goes on the very next line.
    _row("after-a-pragma-line-then-a-blank-line", """
        class C : public Napi::ObjectWrap<C> {
         public:
          C();
        #pragma GCC diagnostic pop

         private:
          int n_;
        };
    """, """
        class C : public Napi::ObjectWrap<C> {
         public:
          C();
        #pragma GCC diagnostic pop
          {DECL}

         private:
          int n_;
        };
    """),
    _row("a-comment-between-public-members", """
        class C : public Napi::ObjectWrap<C> {
         public:
          C();
          // Accessors
          int Get();
         private:
          int n_;
        };
    """, """
        class C : public Napi::ObjectWrap<C> {
         public:
          C();
          // Accessors
          int Get();
          {DECL}
         private:
          int n_;
        };
    """, members=("Get", "n_")),
    # Members' indentation, not a comment's.
    _row("a-comment-at-the-margin-before-the-members", """
        class C : public Napi::ObjectWrap<C> {
        // state
          int n_;
        };
    """, """
        class C : public Napi::ObjectWrap<C> {
        // state
          int n_;
        public:
          {DECL}
        };
    """),
    # Members' indentation, not the label's colon's.
    _row("a-colon-on-its-own-line", """
        class C : public Napi::ObjectWrap<C> {
         public
            :
          C();
         private:
          int n_;
        };
    """, """
        class C : public Napi::ObjectWrap<C> {
         public
            :
          C();
          {DECL}
         private:
          int n_;
        };
    """),
    _row("one-line-class-with-a-space-before-the-brace", """
        class C : public Napi::ObjectWrap<C> { int n_; };
    """, """
        class C : public Napi::ObjectWrap<C> { int n_; public: {DECL} };
    """),
    # A new label is indented as the class head, not as its brace or its template line's class keyword.
    _row("a-brace-indented-apart-from-the-head", """
        namespace a {
          class C : public Napi::ObjectWrap<C>
            {
              int n_;
            };
        }
    """, """
        namespace a {
          class C : public Napi::ObjectWrap<C>
            {
              int n_;
          public:
              {DECL}
            };
        }
    """, target="a::C"),
    _row("a-template-line-indented-apart-from-the-class", """
        namespace a {
        template <class T>
            class C : public Napi::ObjectWrap<C<T>> {
              int n_;
            };
        }
    """, """
        namespace a {
        template <class T>
            class C : public Napi::ObjectWrap<C<T>> {
              int n_;
        public:
              {DECL}
            };
        }
    """, target="a::C<int>"),
    # A Finalize that does not override ObjectWrap's (a reference; a type
    # whose name ends in Env) leaves the class without an override.
    _row("a-finalize-taking-a-reference", """
        class C : public Napi::ObjectWrap<C> {
         public:
          C();
          void Finalize(Napi::Env& env);
         private:
          int n_;
        };
    """, """
        class C : public Napi::ObjectWrap<C> {
         public:
          C();
          void Finalize(Napi::Env& env);
          {DECL}
         private:
          int n_;
        };
    """),
    _row("a-finalize-taking-another-type-named-like-env", """
        struct XEnv {};
        class C : public Napi::ObjectWrap<C> {
         public:
          C();
          void Finalize(XEnv env);
         private:
          int n_;
        };
    """, """
        struct XEnv {};
        class C : public Napi::ObjectWrap<C> {
         public:
          C();
          void Finalize(XEnv env);
          {DECL}
         private:
          int n_;
        };
    """),
]


@pytest.mark.parametrize("before, after, target, members", PLACES)
def test_the_place_and_text_of_the_override(before, after, target, members):
    assert fix(before).decode() == after  # fix() also checks a second run changes nothing


# An override already there, in a shape no table above holds: nothing is planned.
@pytest.mark.parametrize("source", [
    pytest.param(dedent("""
        class C : public Napi::ObjectWrap<C> {
         public:
          C();
          void Finalize(Napi::Env env = Napi::Env(nullptr)) override {}
        };
    """), id="a-defaulted-env-parameter"),
    pytest.param(dedent("""
        class C : public Napi::ObjectWrap<C> {
         public:
          C();
        #ifdef X
          void Finalize(Napi::Env env) override;
        #endif
        };
    """), id="an-override-under-a-conditional"),
])
def test_an_existing_override_in_other_shapes_is_left_alone(source):
    assert fix(source).decode() == source


# The finding names a Finalize that is not an override, and only then.
@pytest.mark.parametrize("source, other", [
    pytest.param("class C : public Napi::ObjectWrap<C> {\n public:\n  C();\n};\n", False, id="none"),
    pytest.param("class C : public Napi::ObjectWrap<C> {\n public:\n  void Finalize();\n};\n", True, id="no-parameter"),
    pytest.param("class C : public Napi::ObjectWrap<C> {\n public:\n  void Finalize(Napi::Env& env);\n};\n", True,
                 id="a-reference"),
])
def test_the_finding_says_when_a_finalize_is_not_an_override(tmp_path, source, other):
    write_tree(tmp_path, {"addon.h": source})
    [finding] = [f for r in analyze_tree(tmp_path).files for f in r.findings]
    assert finding.edits
    assert ("its own Finalize(...) takes other parameters and is not an override" in finding.reason) is other


# The oracle for placement: g++ against node-addon-api, with and without X
# defined. Each row's text before and as napi-fix rewrites it goes into one
# translation unit; node-addon-api's own trait must see the override after,
# and each member listed must be as reachable from outside after as before.
@pytest.mark.compile
@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")
@pytest.mark.parametrize("defines", [(), ("-DX",)], ids=["X-undefined", "X-defined"])
def test_the_override_is_seen_and_no_member_changes_access(tmp_path, defines):
    from test_compile import compile_tu

    names = sorted({m for p in PLACES for m in p.values[3]})
    parts = ["#include <napi.h>\n#include <type_traits>\n"]
    parts += [f"template <class T, class = void> struct reach_{m} : std::false_type {{}};\n"
              f"template <class T> struct reach_{m}<T, std::void_t<decltype(&T::{m})>> : std::true_type {{}};\n"
              for m in names]
    for index, p in enumerate(PLACES):
        before, _, target, members = p.values
        after = fix(before).decode()
        parts.append(f"namespace before_{index} {{\n{before}}}\nnamespace after_{index} {{\n{after}}}\n")
        parts.append(f'static_assert(Napi::details::HasExtendedFinalizer<after_{index}::{target}>::value, '
                     f'"{p.id}: override seen");\n')
        parts += [f"static_assert(reach_{m}<before_{index}::{target}>::value == reach_{m}<after_{index}::{target}>::value, "
                  f'"{p.id}: {m} keeps its access");\n' for m in members]
    # The check can tell: the first row's n_ follows the conditional's `private:`.
    assert PLACES[0].values[3] == ("Get", "n_")
    parts.append('#ifdef X\nstatic_assert(!reach_n_<before_0::C>::value, "private under X");\n'
                 '#else\nstatic_assert(reach_n_<before_0::C>::value, "public without X");\n#endif\n')
    result = compile_tu("".join(parts), "8.2.1", tmp_path, *defines)
    assert result.returncode == 0, result.stderr[-4000:]
