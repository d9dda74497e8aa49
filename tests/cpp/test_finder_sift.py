"""The prefilter's later rounds take exactly the files that mention one of
the learnt names as a whole word, however the names share their first bytes
(the find per 4-byte start is only a gate before the exact regex)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codemod.cpp import finder
from codemod.cpp.finder import sift
from codemod.sources.disk import DiskSources

NAMES = ("IndexBase", "IndexBaseTwo", "ObjectWrapHelper", "Wrap")


def _taken(tmp_path, texts: list[bytes], names: tuple[str, ...]) -> list[bool]:
    paths = []
    for i, text in enumerate(texts):
        path = tmp_path / f"f{i}.h"
        path.write_bytes(text)
        paths.append(str(path))
    taken = {s.path for s in sift(paths, DiskSources(), names)}
    return [p in taken for p in paths]


@pytest.mark.parametrize("text, taken", [
    pytest.param(b"class A : public IndexBase {};", True, id="whole-name"),
    pytest.param(b"class A : public IndexBaseTwo {};", True, id="longer-name-sharing-the-start"),
    pytest.param(b"class A : public IndexBaseX {};", False, id="start-and-name-as-a-prefix-only"),
    pytest.param(b"class A : public Index {};", False, id="start-only"),
    pytest.param(b"class A : public ObjectWrapHelp {};", False, id="common-start-no-name"),
    pytest.param(b"Obje IndexBas ObjectWrapHelperX", False, id="pieces-of-every-name"),
    pytest.param(b"xWrap Wrapx Wrap_", False, id="short-name-inside-words"),
    pytest.param(b"f(Wrap);", True, id="short-name-as-a-word"),
    pytest.param(b"", False, id="empty"),
])
def test_a_later_round_takes_a_file_when_a_whole_name_is_in_it(tmp_path, text, taken):
    assert _taken(tmp_path, [text], NAMES) == [taken]


PIECES = st.sampled_from([b"Index", b"Base", b"Two", b"IndexBase", b"Obje", b"ObjectWrap", b"Helper", b"Wrap",
                          b" ", b"_", b"x", b";", b"\n"])


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.lists(PIECES, max_size=12).map(b"".join), min_size=1, max_size=4),
       names=st.lists(st.sampled_from(NAMES), min_size=1, unique=True).map(tuple))
def test_a_later_round_agrees_with_one_plain_regex(tmp_path_factory, texts, names):
    pattern = re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in names) + rb")\b")
    expected = [bool(pattern.search(text)) for text in texts]
    assert _taken(tmp_path_factory.mktemp("sift"), texts, names) == expected


WRAP_PIECES = st.sampled_from([b"ObjectWrap", b"Objectwrap", b"objectwrap", b"object_wrap", b"Object_Wrap",
                               b"OBJECTWRAP", b"bjectWrap", b"Object", b"Wrap", b"#include <", b"#include \"",
                               b"# include<ns/", b"\"\n", b">", b".h", b"\n", b" ", b"x"])


@settings(max_examples=400, deadline=None)
@given(text=st.lists(WRAP_PIECES, max_size=10).map(b"".join))
def test_the_first_round_takes_what_its_three_finds_take(text):
    """One pass for the three spellings, then the exact test: the same
    verdict as the three finds and the include line they gate."""
    three = b"ObjectWrap" in text or ((b"bjectwrap" in text or b"bject_wrap" in text)
                                      and finder._OBJECTWRAP_INCLUDE.search(text) is not None)
    assert finder.mentions_objectwrap(text) is three
