"""Byte offsets <-> (line, character) in the code units editors and SARIF count."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from codemod.positions import UTF8, UTF16, UTF32, LineIndex

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
