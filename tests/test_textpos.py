"""Byte offsets <-> (line, character) in the code units editors and SARIF count."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from codemod.textpos import (UTF8, UTF16, UTF32, LineIndex, bom_length, line_column, line_of, line_start, lines_of,
                             node_places, without_bom)

TEXT = "\tx = 1;\n// 你好 😀 ok\r\nend".encode()


@pytest.mark.parametrize("needle, utf8, utf16, utf32", [
    pytest.param("x", (0, 1), (0, 1), (0, 1), id="after-a-tab"),
    pytest.param("好", (1, 6), (1, 4), (1, 4), id="cjk"),
    pytest.param("😀", (1, 10), (1, 6), (1, 6), id="emoji"),
    pytest.param("ok", (1, 15), (1, 9), (1, 8), id="after-an-emoji"),
    pytest.param("end", (2, 0), (2, 0), (2, 0), id="after-crlf"),
])
def test_positions(needle, utf8, utf16, utf32):
    index = LineIndex(TEXT)
    offset = TEXT.index(needle.encode())
    for encoding, expected in ((UTF8, utf8), (UTF16, utf16), (UTF32, utf32)):
        assert index.position(offset, encoding) == expected
        assert index.offset(*expected, encoding) == offset


def test_positions_past_a_line_end_are_clamped():
    index = LineIndex(TEXT)
    assert index.offset(0, 99) == TEXT.index(b"\n")
    assert index.offset(1, 99) == TEXT.index(b"\r\n")
    assert index.offset(9, 0) == len(TEXT)


def test_a_byte_that_is_not_utf8_counts_as_one_unit():
    data = b"// M\xfcller\nx"
    index = LineIndex(data)
    assert index.position(data.index(b"ller")) == (0, 5)
    assert index.offset(0, 5) == data.index(b"ller")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
       st.sampled_from([UTF8, UTF16, UTF32]))
def test_every_character_boundary_round_trips(text, encoding):
    data = text.encode()
    index = LineIndex(data)
    boundaries = {len(text[:i].encode()) for i in range(len(text) + 1)}
    for offset in boundaries:
        if data[offset - 1:offset + 1] == b"\r\n":
            continue  # between CR and LF is inside a line break
        assert index.offset(*index.position(offset, encoding), encoding) == offset


@settings(max_examples=400, deadline=None)
@given(text=st.lists(st.sampled_from(["a", "é", "\n", "\r", "\r\n", "\t", "😀", "xyz"]), max_size=60).map(
           lambda parts: "".join(parts) + "\nline\r\n\n" * 4 + "".join(reversed(parts))),
       edits=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 6),
                                st.lists(st.sampled_from(["", "b", "\n", "\r", "\r\n", "é"]), max_size=4).map("".join)),
                      min_size=1, max_size=4))
def test_an_index_updated_after_edits_equals_a_fresh_one(text, edits):
    """The editor re-indexes a buffer from its last index after each change."""
    data = text.encode()
    index = LineIndex(data)
    for at, cut, typed in edits:
        at = min(at, len(data))
        data = data[:at] + typed.encode() + data[at + cut:]
        index = index.updated(data)
        fresh = LineIndex(data)
        assert (index.data, index.starts) == (fresh.data, fresh.starts)


# -- the one line model: every encoding, every line break -----------------------------------

MIXED = "\ufeffa\r\nb\rc\n\né😀\rend".encode()  # BOM, CRLF, lone CR, LF, empty line, non-ASCII, no final break


@pytest.mark.parametrize("data, offset, line, column, utf8, utf16, utf32", [
    pytest.param(b"", 0, 1, 1, (0, 0), (0, 0), (0, 0), id="empty-file"),
    pytest.param(b"x", 1, 1, 2, (0, 1), (0, 1), (0, 1), id="no-trailing-newline-end"),
    pytest.param(b"x\n", 2, 2, 1, (1, 0), (1, 0), (1, 0), id="after-the-last-newline"),
    pytest.param(b"a\r\nb", 3, 2, 1, (1, 0), (1, 0), (1, 0), id="crlf"),
    pytest.param(b"a\r\nb", 2, 1, 3, (0, 2), (0, 2), (0, 2), id="between-cr-and-lf"),
    pytest.param(b"// a\r// b\nint x;\n", 10, 3, 1, (2, 0), (2, 0), (2, 0), id="lone-cr-counts"),
    pytest.param(b"a\r", 2, 2, 1, (1, 0), (1, 0), (1, 0), id="trailing-lone-cr"),
    pytest.param(b"a\r\rb", 3, 3, 1, (2, 0), (2, 0), (2, 0), id="two-lone-crs"),
    pytest.param(MIXED, 3, 1, 4, (0, 3), (0, 1), (0, 1), id="bom-counts-as-bytes"),
    pytest.param(MIXED, MIXED.index(b"b"), 2, 1, (1, 0), (1, 0), (1, 0), id="mixed-crlf"),
    pytest.param(MIXED, MIXED.index(b"c"), 3, 1, (2, 0), (2, 0), (2, 0), id="mixed-lone-cr"),
    pytest.param(MIXED, MIXED.index("😀".encode()), 5, 3, (4, 2), (4, 1), (4, 1), id="after-e-acute"),
    pytest.param(MIXED, MIXED.index(b"\rend"), 5, 7, (4, 6), (4, 3), (4, 2), id="after-an-emoji"),
    pytest.param(MIXED, len(MIXED), 6, 4, (5, 3), (5, 3), (5, 3), id="end-without-newline"),
])
def test_offsets_lines_and_columns(data, offset, line, column, utf8, utf16, utf32):
    """line_of/line_column (the CLI's 1-based lines, byte columns) and
    LineIndex (the editor's) count the same breaks."""
    assert line_column(data, offset) == (line, column)
    index = LineIndex(data)
    for encoding, expected in ((UTF8, utf8), (UTF16, utf16), (UTF32, utf32)):
        assert index.position(offset, encoding) == expected
        assert index.position(offset, encoding)[0] + 1 == line
        if data[offset - 1:offset + 1] != b"\r\n":
            assert index.offset(*expected, encoding) == offset


@pytest.mark.parametrize("data, stripped", [
    pytest.param(b"\xef\xbb\xbf{}", b"{}", id="bom"),
    pytest.param(b"{}", b"{}", id="none"),
    pytest.param(b"\xef\xbb{}", b"\xef\xbb{}", id="half-a-bom"),
    pytest.param(b"", b"", id="empty"),
])
def test_the_bom(data, stripped):
    assert without_bom(data) == stripped
    assert bom_length(data) == len(data) - len(stripped)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "é", "\n", "\r", "\r\n", "\t", "😀", "\ufeff", "你"]), max_size=40).map("".join))
def test_line_of_and_the_index_agree_at_every_boundary(text):
    """offset -> position -> offset for every character boundary, and the
    1-based line and line start the CLI prints are the index's."""
    data = text.encode()
    index = LineIndex(data)
    for offset in {len(text[:i].encode()) for i in range(len(text) + 1)}:
        line, column = line_column(data, offset)
        assert (line - 1, column - 1) == index.position(offset, UTF8)
        assert index.line_column(offset) == (line, column)
        assert line_start(data, offset) == index.starts[line - 1]
        if data[offset - 1:offset + 1] != b"\r\n":
            for encoding in (UTF8, UTF16, UTF32):
                assert index.offset(*index.position(offset, encoding), encoding) == offset


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=6, max_size=6))
def test_a_tree_sitter_node_is_placed_on_textpos_lines(breaks):
    """Tree-sitter's rows break at \\n only; node_places answers textpos's
    line and column whatever the line breaks (its fast path and its counting)."""
    from codemod.queries import cpp_parser

    parts = ["// a", "class A : public Napi::ObjectWrap<A> {", " public:", "  int x;", "};", "int é = 1;", "B b;"]
    data = "".join(p + b for p, b in zip(parts, [*breaks, ""])).encode()
    where = node_places(data)
    stack = [cpp_parser().parse(data).root_node]
    while stack:
        node = stack.pop()
        assert where(node) == line_column(data, node.start_byte), node
        stack.extend(node.children)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"\r", b"\n", b"\r\n"]), max_size=30).map(b"".join),
       st.lists(st.integers(0, 80), min_size=1, max_size=8))
def test_lines_of_sweeps_to_what_line_of_says(data, offsets):
    """The one-sweep form (thousands of lock entries) counts the same breaks as line_of."""
    offsets = [min(o, len(data)) for o in offsets]
    got = lines_of(data, offsets)
    assert {o: got[o] for o in offsets} == {o: line_of(data, o) for o in offsets}
