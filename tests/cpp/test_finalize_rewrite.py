"""The Finalize rewriter: (before, after) per shape, no-op cases, fix twice."""

from __future__ import annotations

import pytest

from cases import CASES, DECL, NO_OP
from codemod.cpp.finalize import detect_indent_unit, detect_newline
from helpers import fix


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
