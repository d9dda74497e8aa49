"""lsp/ranges.py in-process: an edit sent as an LSP range, applied the way an
editor applies it (to its text, counting the negotiated code units, a
file's byte order mark hidden), gives the bytes `apply_edits` gives. The
server tests (test_lsp_actions.py) drive the same code through a real
client, in a subprocess mutation testing cannot see into."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from hypothesis import given, strategies as st

from codemod.edits import Edit, apply_edits
from codemod.lsp.ranges import Indexes, TextIndex
from codemod.sources.disk import DiskSources
from codemod.textpos import BOM, ENCODINGS, UTF8, UTF16, UTF32

TEXT = "\tx = 1;\n// 你好 😀 ok\r\nend".encode()


def editor_text(data: bytes, from_disk: bool) -> str:
    """The text an editor holds: a file it loaded shows no byte order mark."""
    return (data[len(BOM):] if from_disk and data.startswith(BOM) else data).decode()


def editor_index(text: str, position: dict, encoding: str) -> int:
    """What an editor does with a position: the index into its own text,
    counted here from scratch (lines end at \\r\\n, \\n or \\r)."""
    lines = re.split(r"(?<=\r\n)|(?<=\n)|(?<=\r)(?!\n)", text)
    start = sum(len(line) for line in lines[:position["line"]])
    units = 0
    for index, char in enumerate(lines[position["line"]].rstrip("\r\n")):
        if units == position["character"]:
            return start + index
        units += len(char.encode({UTF8: "utf-8", UTF16: "utf-16-le", UTF32: "utf-32-le"}[encoding])) // \
            {UTF8: 1, UTF16: 2, UTF32: 4}[encoding]
    assert units == position["character"], (position, text)
    return start + len(lines[position["line"]].rstrip("\r\n"))


def editor_applies(text: str, edit_range: dict, new_text: str, encoding: str) -> str:
    start, end = (editor_index(text, edit_range[k], encoding) for k in ("start", "end"))
    return text[:start] + new_text + text[end:]


@pytest.mark.parametrize("data, from_disk, needle, utf8, utf16, utf32", [
    pytest.param(TEXT, True, "好", (1, 6), (1, 4), (1, 4), id="cjk"),
    pytest.param(TEXT, True, "ok", (1, 15), (1, 9), (1, 8), id="after-an-emoji"),
    pytest.param(BOM + TEXT, True, "x", (0, 1), (0, 1), (0, 1), id="a-files-bom-is-hidden"),
    pytest.param(BOM + TEXT, True, "ok", (1, 15), (1, 9), (1, 8), id="bom-hidden-on-later-lines-too"),
    pytest.param(BOM + TEXT, False, "x", (0, 4), (0, 2), (0, 2), id="an-open-buffers-bom-is-its-text"),
    pytest.param(BOM + TEXT, True, "\t", (0, 0), (0, 0), (0, 0), id="first-byte-after-the-bom"),
])
def test_positions(data, from_disk, needle, utf8, utf16, utf32):
    index = TextIndex(data, from_disk)
    offset = data.index(needle.encode())
    for encoding, (line, character) in ((UTF8, utf8), (UTF16, utf16), (UTF32, utf32)):
        assert index.position(offset, encoding) == {"line": line, "character": character}
        assert index.offset(SimpleNamespace(line=line, character=character), encoding) == offset


def test_an_offset_inside_the_hidden_bom_is_the_start():
    index = TextIndex(BOM + TEXT)
    assert [index.position(o, UTF16) for o in (0, 1, 3)] == [{"line": 0, "character": 0}] * 3


@pytest.mark.parametrize("data, from_disk, line, expected", [
    pytest.param(TEXT, True, 2, "// 你好 😀 ok", id="crlf-not-included"),
    pytest.param(TEXT, True, 3, "end", id="last-line-without-a-break"),
    pytest.param(BOM + TEXT, True, 1, "\tx = 1;", id="bom-hidden"),
    pytest.param(BOM + TEXT, True, 2, "// 你好 😀 ok", id="bom-hidden-a-later-line"),
    pytest.param(BOM + TEXT, False, 2, "// 你好 😀 ok", id="bom-shown-a-later-line"),
    pytest.param(b"a\rb\r", True, 2, "b", id="lone-cr"),
])
def test_line_range_is_the_whole_line_without_its_break(data, from_disk, line, expected):
    text = editor_text(data, from_disk)
    for encoding in ENCODINGS:
        whole = TextIndex(data, from_disk).line_range(line, encoding)
        start, end = (editor_index(text, whole[k], encoding) for k in ("start", "end"))
        assert text[start:end] == expected


chars = st.sampled_from(["a", " ", "\t", "é", "你", "😀", "\n", "\r\n", "\r", "}"])


@given(parts=st.lists(chars, max_size=12), cut=st.tuples(st.integers(0, 12), st.integers(0, 12)),
       new=st.sampled_from(["", "x", "😀\n", "\r\né"]), bom=st.booleans(), from_disk=st.booleans(),
       encoding=st.sampled_from(ENCODINGS))
def test_an_edit_applied_by_the_editor_gives_what_apply_edits_gives(parts, cut, new, bom, from_disk, encoding):
    data = (BOM if bom else b"") + "".join(parts).encode()
    # An edit between two characters, never inside the BOM an editor hides.
    bounds = sorted(len((BOM if bom else b"") + "".join(parts[:i]).encode()) for i in cut)
    start, end = bounds
    edit = Edit("f", start, end, new.encode())
    index = TextIndex(data, from_disk)
    after = editor_applies(editor_text(data, from_disk), index.range(start, end, encoding), new, encoding)
    assert after == editor_text(apply_edits(data, [edit]), from_disk)
    assert index.offset(SimpleNamespace(**index.position(end, encoding)), encoding) == end


@given(parts=st.lists(chars, max_size=12), more=st.lists(chars, max_size=4), at=st.integers(0, 12),
       bom=st.booleans(), bom_after=st.booleans(), from_disk=st.booleans(), opened=st.booleans())
def test_updated_equals_a_fresh_index(parts, more, at, bom, bom_after, from_disk, opened):
    """`opened`: the file was opened in the editor (or closed) meanwhile."""
    before = (BOM if bom else b"") + "".join(parts).encode()
    after = (BOM if bom_after else b"") + "".join(parts[:at] + more + parts[at:]).encode()
    now_from_disk = from_disk != opened
    updated, fresh = TextIndex(before, from_disk).updated(after, now_from_disk), TextIndex(after, now_from_disk)
    assert (updated.skip, updated.lines.starts, updated.lines.data) == (fresh.skip, fresh.lines.starts, fresh.lines.data)


def test_indexes_are_rebuilt_only_when_the_bytes_or_the_open_state_change(tmp_path):
    path, open_paths = tmp_path / "a", set()
    path.write_bytes(BOM + b"x\n\xe4\xbd\xa0\n")
    indexes = Indexes(DiskSources(), open_paths.__contains__)
    first = indexes.of(str(path))
    assert indexes.of(str(path)) is first and indexes.of(str(path), path.read_bytes()) is first
    assert first.position(len(BOM) + 2, UTF16) == {"line": 1, "character": 0}
    assert first.position(len(BOM) + 1, UTF16) == {"line": 0, "character": 1}  # the BOM hidden

    path.write_bytes(BOM + b"xy\n\xe4\xbd\xa0\n")
    edited = indexes.of(str(path))
    assert edited is not first and edited.position(len(BOM) + 3, UTF16) == {"line": 1, "character": 0}
    assert edited.position(len(BOM) + 1, UTF16) == {"line": 0, "character": 1}

    open_paths.add(str(path))  # the editor's buffer: its BOM is text
    opened = indexes.of(str(path))
    assert opened.skip == 0 and opened.position(len(BOM) + 3, UTF16) == {"line": 1, "character": 0}
    assert opened.position(len(BOM), UTF16) == {"line": 0, "character": 1}


def test_an_unreadable_file_has_an_empty_index(tmp_path):
    index = Indexes(DiskSources(), lambda path: False).of(str(tmp_path / "gone"))
    assert index.position(10, UTF16) == {"line": 0, "character": 0}
    assert index.line_range(1, UTF16) == {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
