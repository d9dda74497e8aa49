"""The Finalize rewriter: (before, after) per shape, no-op cases, fix twice."""

from __future__ import annotations

import pytest

from cases import CASES, NO_OP
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
