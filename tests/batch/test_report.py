"""batch/report.py's plain table: aligned columns, the last one ragged."""

from __future__ import annotations

import pytest

from codemod.batch.report import columns


@pytest.mark.parametrize("rows, expected", [
    pytest.param([["repo", "note"], ["a", ""], ["long-name", "pushed"]],
                 "repo       note\na\nlong-name  pushed\n", id="an-empty-last-cell-leaves-no-padding"),
    pytest.param([["repo", "state", "url"], ["a", "", ""], ["b", "open", "https://x"]],
                 "repo  state  url\na\nb     open   https://x\n", id="empty-cells-at-the-end"),
    pytest.param([["repo", "note"], ["a", "b"]], "repo  note\na     b\n", id="no-empty-cell"),
])
def test_columns_align_and_no_line_ends_in_spaces(rows, expected):
    assert columns(rows) == expected
