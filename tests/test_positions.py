"""Byte offsets <-> (line, character) in the code units editors and SARIF count."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

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
