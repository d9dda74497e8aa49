"""Typing in a big header re-reads only the class an edit fell in
(cpp/splice.py, plan.replan, engine.Project): whatever the edits, the
editor's report is exactly a fresh run's on the final text, and the splice
is taken where it can be (an edit inside one class's body)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from codemod.cpp import splice
from codemod.cpp.scan import scan_cpp
from codemod.engine import Project, plan
from codemod.lsp.prefetch import Prefetches
from codemod.lsp.settings import Settings
from codemod.parallel import Workers
from codemod.sources.disk import DiskSources
from codemod.sources.overlay import OverlaySources

OPTIONS = Settings().analysis()

HEADER = """#pragma once
#include <napi.h>
#define DECLARE_FINALIZE void Finalize(Napi::Env env) override {}
#define NOTHING_HERE int unused_ = 0;

namespace ns {
class InNs : public Napi::ObjectWrap<InNs> {
 public:
  explicit InNs(const Napi::CallbackInfo& info);
};
}  // namespace ns

namespace wrapped {
class First : public Napi::ObjectWrap<First> {
 public:
  int first_ = 1;
};

class Second : public Napi::ObjectWrap<Second> {
 public:
  int second_ = 2;
};

namespace {
class Hidden : public Napi::ObjectWrap<Hidden> {
 public:
  int hidden_ = 3;
};

class Third : public Napi::ObjectWrap<Third> {
 public:
  int third_ = 3;
};
}  // namespace
}  // namespace wrapped

template <typename T>
class Base : public Napi::ObjectWrap<T> {
 public:
  Base(const Napi::CallbackInfo& info) : Napi::ObjectWrap<T>(info) {}
};

class Leaf : public Base<Leaf> {
 public:
  Leaf(const Napi::CallbackInfo& info) : Base<Leaf>(info) {}
};

class WithMacro : public Napi::ObjectWrap<WithMacro> {
 public:
  int count_ = 0;
  DECLARE_FINALIZE
  NOTHING_HERE
};

template <typename T>
class Mid : public Napi::ObjectWrap<T> {
 public:
  int mid_ = 0;
};

class UsesMid : public Mid<UsesMid> {
 public:
  int uses_ = 0;
  NOTHING_HERE
};
""" + "".join(f"""
class Gen{i} : public Napi::ObjectWrap<Gen{i}> {{
 public:
  explicit Gen{i}(const Napi::CallbackInfo& info);
  Napi::Value Set(const Napi::CallbackInfo& info) {{
    value_ = info[0].As<Napi::Number>().Int32Value();
    return info.Env().Undefined();
  }}
{"  void Finalize(Napi::Env /*env*/) override {}" if i % 3 == 0 else "  void Reset() { value_ = 0; }"}
 private:
  int value_ = {i};
}};

inline int helper_{i}(int x) {{ return x * {i}; }}
""" for i in range(8))

# What a user may type or paste anywhere: code, and what changes how the
# rest of the file reads (braces, comments, strings, directives, classes).
SNIPPETS = ["x", "1", " ", "\n", ";", "{", "}", "};", "int y_ = 2;", "void Finalize(Napi::Env) override {}",
            "/*", "*/", "// note", '"', "'", "\\", "#if 0\n", "\n#endif\n", "#define NOTHING_HERE void Finalize(Napi::Env) {}\n",
            "DECLARE_FINALIZE", "class Extra : public Napi::ObjectWrap<Extra> {\n public:\n  int a_;\n};\n",
            "class Other : public Base<Other> {};", "template <class U> ", "using Alias = Base<Leaf>;",
            "namespace more {", ": public Napi::ObjectWrap<Gen3>", "struct", "Gen2", "\r\n", "R\"(", ")\""]


# What typing inside a body mostly is: the splice's own case.
TYPED = ["x", "1", " ", "\n  ", "int y_ = 2;", "// note", "value_ += 1;", "Get"]


def _edit(text: bytes, at: float, removed: int, inserted: str, near: str | None) -> bytes:
    """`removed` bytes from a place (a fraction of the text, or just after `near`) replaced by `inserted`."""
    start = int(at * len(text))
    if near is not None and near.encode() in text:
        start = text.index(near.encode()) + len(near)
    return text[:start] + inserted.encode() + text[start + removed:]


@pytest.fixture
def header(tmp_path: Path) -> Path:
    (tmp_path / "package.json").write_text('{"name": "addon", "version": "1.0.0"}\n')
    (tmp_path / "src").mkdir()
    path = tmp_path / "src" / "generated.h"
    path.write_bytes(HEADER.encode())
    return path


class Typing:
    """A warm Project over an editor buffer, as the server keeps one."""

    def __init__(self, path: Path, workers: Workers):
        self.path = str(path)
        self.folder = str(path.parent.parent)
        self.workers = workers
        self.overlay = OverlaySources(DiskSources())
        self.project = Project(self.overlay, [self.folder], OPTIONS)
        self.project.analyze(workers)
        self.ahead = Prefetches()

    def type(self, data: bytes, prefetch: bool = False):
        """`prefetch`: the server's head start during the debounce (lsp/prefetch.py) first."""
        self.overlay.put(self.path, data)
        if prefetch:
            self.ahead.start(self.project, self.path, self.workers)
        report = self.project.update([self.path], self.workers, self.ahead.scan)
        self.ahead.drop()
        return report

    def fresh(self, data: bytes):
        return plan(OverlaySources(DiskSources(), {self.path: data}), [self.folder], OPTIONS, self.workers)


def _same(incremental, fresh) -> None:
    assert incremental.files == fresh.files
    assert incremental.suppressed == fresh.suppressed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.floats(0, 1), st.integers(0, 12), st.sampled_from(TYPED) | st.sampled_from(SNIPPETS),
                          st.sampled_from([None, "value_ = ", "Int32Value();", "int value_ = 5", "public:\n",
                                           "Undefined();\n  }", "class Gen4", "DECLARE_FINALIZE", "int second_ = 2",
                                           "int third_ = 3"]),
                          st.booleans()),
                min_size=1, max_size=6))
@example([(0.0, 0, "1", "int value_ = 5", False), (0.0, 1, "", "int value_ = 5", True)])
def test_typing_gives_a_fresh_runs_report(header: Path, edits) -> None:
    with Workers(1) as workers:
        typing = Typing(header, workers)
        data = header.read_bytes()
        for at, removed, inserted, near, prefetch in edits:
            data = _edit(data, at, removed, inserted, near)
            _same(typing.type(data, prefetch), typing.fresh(data))


INSIDE_BODIES = ["value_ = ", "Int32Value();", "int value_ = 5", "int second_ = 2", "int third_ = 3", "int uses_ = 0"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.just(0.0), st.integers(0, 3), st.sampled_from(TYPED), st.sampled_from(INSIDE_BODIES),
                          st.booleans()),
                min_size=1, max_size=8))
def test_typing_inside_bodies_gives_a_fresh_runs_report(header: Path, edits) -> None:
    """Mostly the splice's own case: what it re-reads and moves is a fresh run's."""
    test_typing_gives_a_fresh_runs_report.hypothesis.inner_test(header, edits)


# Edits of kinds that can change other classes' results: each is planned as
# a fresh run plans the final text, spliced or not.
KINDS = [
    pytest.param("class Gen4 : public Napi::ObjectWrap<Gen4>", "class Gen4 : public Base<Gen4>", id="base-changed"),
    pytest.param("class Gen4 ", "class Gen4Renamed ", id="head-renamed"),
    pytest.param("\nclass Gen2 ", "\n#if 0\nclass Gen2 ", id="if-0-added"),
    pytest.param("int value_ = 2;\n};\n", "int value_ = 2;\n};\n#endif\n", id="endif-added"),
    pytest.param("int value_ = 3;\n", "int value_ = 3;\n#if 0\n", id="if-0-inside-a-class"),
    pytest.param("int value_ = 4;\n};", "int value_ = 4;\n", id="brace-broken"),
    pytest.param("int value_ = 4;", "int value_ = 4; {", id="brace-opened"),
    pytest.param("int value_ = 5;", "int value_ = 5; /*", id="comment-opened"),
    pytest.param("\ninline int helper_1", "\nclass New : public Napi::ObjectWrap<New> {\n int a_;\n};\ninline int helper_1",
                 id="class-inserted"),
    pytest.param("int value_ = 6;", "int value_ = 6;\n  class Nested : public Napi::ObjectWrap<Nested> {};",
                 id="nested-class-inserted"),
    pytest.param("#define NOTHING_HERE int unused_ = 0;", "#define NOTHING_HERE void Finalize(Napi::Env) {}",
                 id="macro-changed"),
    pytest.param("  void Reset() { value_ = 0; }\n private:\n  int value_ = 7;",
                 "  NOTHING_HERE\n private:\n  int value_ = 7;", id="macro-used-in-a-class"),
    pytest.param("  void Reset() { value_ = 0; }\n private:\n  int value_ = 7;",
                 "  void Finalize(Napi::Env) override {}\n private:\n  int value_ = 7;", id="finalize-added"),
    pytest.param("int value_ = 7;", "int value_ = 7; struct Helper {};", id="defined-name-added"),
    pytest.param("int value_ = 6;", "int value_ = 6;\n#define NOTHING_HERE void Finalize(Napi::Env) {}\n",
                 id="macro-redefined-inside-a-class"),
    pytest.param("int mid_ = 0;", "int mid_ = 0;\n  void Finalize(Napi::Env) override {}", id="finalize-added-to-a-base"),
    pytest.param("int value_ = 7;", "int value_ = 7; using Alias = int;", id="alias-inside-a-class"),
    pytest.param("value_ = info[0]", "value_ = \"{\" + info[0]", id="string-with-a-brace"),
]


def _whole_class(text: str, name: str) -> tuple[str, str]:
    start = text.index(f"\nclass {name} ") + 1
    end = text.index("};\n", start) + 3
    return text[start:end], ""


@pytest.mark.parametrize("old, new", KINDS + [pytest.param(*_whole_class(HEADER, "Gen5"), id="class-deleted")])
def test_edits_that_can_change_other_classes(header: Path, old: str, new: str) -> None:
    with Workers(1) as workers:
        typing = Typing(header, workers)
        assert old.encode() in header.read_bytes()
        data = header.read_bytes().replace(old.encode(), new.encode(), 1)
        _same(typing.type(data), typing.fresh(data))
        # and back again
        _same(typing.type(header.read_bytes()), typing.fresh(header.read_bytes()))


IN_BODY = [
    pytest.param("value_ = 4;", "value_ = 45;", id="number"),
    pytest.param("void Reset()", "void ResetAll()", id="method-renamed"),
    pytest.param("return info.Env().Undefined();\n  }\n  void Reset() { value_ = 0; }\n private:\n  int value_ = 4;",
                 "return info.Env().Undefined();\n  }\n  void Reset() { value_ = 0; }\n  int more_ = 1;\n"
                 " private:\n  int value_ = 4;", id="member-added"),
    pytest.param("int value_ = 4;", "int value_ = 4;  // note", id="comment"),
    pytest.param("int second_ = 2;", "int second_ = 22;", id="in-a-namespace"),
    pytest.param("int third_ = 3;", "int third_ = 3;\n  int more_ = 4;", id="in-an-anonymous-namespace-in-one"),
]


@pytest.mark.parametrize("old, new", IN_BODY)
def test_an_edit_inside_one_class_rereads_only_that_class(header: Path, old: str, new: str) -> None:
    text = header.read_bytes()
    facts = scan_cpp(str(header), text)
    assert facts.separable
    edited = text.replace(old.encode(), new.encode(), 1)
    assert edited != text
    spliced = splice.rescan(str(header), text, facts, edited)
    assert spliced is not None
    assert spliced.facts == scan_cpp(str(header), edited)
    assert spliced.end - spliced.start < len(text) // 8  # one class and what precedes it
    with Workers(1) as workers:
        typing = Typing(header, workers)
        for prefetch in (False, True):
            for data in (edited, text):
                _same(typing.type(data, prefetch), typing.fresh(data))
        assert typing.project.last_spliced


@pytest.mark.parametrize("old, new", KINDS)
def test_splice_declines_or_equals_a_fresh_scan(header: Path, old: str, new: str) -> None:
    text = header.read_bytes()
    facts = scan_cpp(str(header), text)
    edited = text.replace(old.encode(), new.encode(), 1)
    spliced = splice.rescan(str(header), text, facts, edited)
    assert spliced is None or spliced.facts == scan_cpp(str(header), edited)


@pytest.mark.parametrize("text", [
    pytest.param(HEADER.replace("\n", "\r\n"), id="crlf"),
    pytest.param("\ufeff" + HEADER.replace("int value_ = 3;", "int value_ = 3;  // é €"), id="bom-and-utf8"),
    pytest.param(HEADER.replace("  ", "\t"), id="tabs"),
])
def test_a_splice_keeps_lines_columns_and_style(text: str) -> None:
    old = text.encode()
    facts = scan_cpp("generated.h", old)
    new = old.replace(b"int value_ = 4;", "int value_ = 45;  // é".encode())
    spliced = splice.rescan("generated.h", old, facts, new)
    assert spliced is not None
    assert spliced.facts == scan_cpp("generated.h", new)
