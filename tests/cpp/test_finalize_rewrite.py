"""The Finalize rewriter: (before, after) per shape, no-op cases, fix twice."""

from __future__ import annotations

import pytest

from cases import CASES, NO_OP
from codemod.cpp.finalize import detect_indent_unit
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
