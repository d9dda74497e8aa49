"""The editor server parses an edited file incrementally (parse.LastParse:
tree-sitter re-uses the subtrees outside the edit). That must never show:
after any sequence of edits, the tree and every fact equal those of a fresh
scan of the same bytes.

Edits are what typing does, and worse: text inserted, deleted or replaced
anywhere (class heads, bases, braces, comments, macros, access labels), on
the C++ texts the finder tests hold (tests/cases.py, examples/).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from test_finder_properties import NAMES, TEXTS

from codemod.cpp.parse import LastParse, changed_span
from codemod.cpp.scan import scan_cpp

SNIPPETS = [b"class", b"struct", b" ", b"\n", b"{", b"}", b";", b":", b"<", b">", b"public:", b"private:",
            b"Napi::ObjectWrap<Foo>", b" : public Napi::ObjectWrap<W> ", b"/*", b"*/", b"//", b'"', b"#if X\n",
            b"#endif\n", b"EXPORT ", b"DECLARE_METHODS(Foo)\n", b"void Finalize(Napi::Env) override {}",
            b"namespace n {", b"using Base = Napi::ObjectWrap<B>;", b"template <typename T>", b"\r\n", b"\t"]


@st.composite
def edit_sequences(draw):
    name = draw(st.sampled_from(NAMES), label="file")
    text = TEXTS[name]
    versions = []
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 40)))
        if draw(st.booleans()):
            piece = draw(st.sampled_from(SNIPPETS))
        else:  # a piece of the file itself, as a paste or an undo would bring back
            at = draw(st.integers(0, len(text)))
            piece = text[at : at + draw(st.integers(0, 60))]
        text = text[:start] + piece + text[end:]
        versions.append(text)
    return name, versions


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edit_sequences())
def test_an_incremental_parse_gives_what_a_fresh_one_does(case):
    name, versions = case
    last = LastParse()
    scan_cpp(name, TEXTS[name], last)
    for text in versions:
        incremental = scan_cpp(name, text, last)
        fresh_parse = LastParse()
        fresh = scan_cpp(name, text, fresh_parse)
        assert incremental == fresh
        if fresh_parse.tree is not None:
            assert last.tree is not None and str(last.tree.root_node) == str(fresh_parse.tree.root_node)


def test_the_editor_server_re_uses_the_last_tree():
    name = "examples/leaky-addon/src/counter.h"
    text = TEXTS[name]
    last = LastParse()
    scan_cpp(name, text, last)
    kept = last.tree
    edited = text.replace(b"Increment", b"Incremented")
    assert scan_cpp(name, edited, last) == scan_cpp(name, edited)
    assert last.tree is not None and last.tree is not kept and last.source == edited


@given(st.binary(max_size=40), st.binary(max_size=40), st.binary(max_size=40), st.binary(max_size=10))
def test_the_changed_span_is_the_one_that_differs(prefix, middle, suffix, other):
    old, new = prefix + middle + suffix, prefix + other + suffix
    start, old_end, new_end = changed_span(old, new)
    assert old[:start] == new[:start] and old[old_end:] == new[new_end:]
    assert start <= old_end and start <= new_end
    assert start >= len(prefix)  # the longest common start, then the longest common end of what is left
    assert old[:start] + new[start:new_end] + old[old_end:] == new
