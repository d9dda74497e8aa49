"""What a parse leaves out (codemod/cpp/bodies.py, regions.py, parse.py).

Which function-body insides are left out, when a file is parsed whole
instead, and, on real C++, that the finder sees exactly what a whole parse
shows: the same nodes inside what is read and the same facts.
"""

from __future__ import annotations

import re
import sys

import pytest

from cases import CASES, NO_OP
from helpers import dedent

from checkout import ROOT
from codemod.cpp import parse, regions
from codemod.cpp.bodies import skippable_bodies
from codemod.cpp.lexer import lex
from codemod.cpp.limits import Deadline
from codemod.cpp.scan import scan_cpp
from codemod.queries import cpp_parser

sys.path.insert(0, str(ROOT / "bench"))

# Statements long enough (over bodies.MIN_SKIP bytes) to be worth leaving out.
FILL = "int a = 1;\n  int b = a * 2;\n  if (a < b) { b += a; }\n  (void)b;\n"
_MARK = re.compile(rb"\s*/\*(\w+)\*/")


def left_out(source: str) -> list[str] | None:
    """The /*mark*/ at the start of each left-out inside; None: parsed whole."""
    data = source.encode()
    lexed = lex(data)
    if not lexed.paired:
        return None
    skips = skippable_bodies(lexed)
    marks = []
    for start, end in skips:
        m = _MARK.match(data, start, end)
        marks.append(m.group(1).decode() if m else data[start:end].decode())
    return marks


LEFT_OUT = [
    ("function", f"int f(int x) {{/*A*/\n  {FILL}}}\n", ["A"]),
    (
        "method-qualifiers",
        f"class C {{\n public:\n  int get() const {{/*A*/ {FILL}}}\n"
        f"  void run() noexcept override {{/*B*/ {FILL}}}\n  void g() const final {{/*C*/ {FILL}}}\n}};\n",
        ["A", "B", "C"],
    ),
    ("class-final-is-not-a-function", f"class X final {{/*A*/\n  {FILL}}};\n", []),
    ("lambda", f"auto f = [](int x) {{/*A*/\n  {FILL}}};\n", ["A"]),
    ("constructor-init-list", f"Foo::Foo(int x) : a_(x), b_(x) {{/*A*/\n  {FILL}}}\n", ["A"]),
    ("local-class-with-bases-stays", f"void f() {{/*A*/\n  struct Local : Base {{ int a; }};\n  {FILL}}}\n", []),
    ("local-class-without-bases-goes", f"void f() {{/*A*/\n  struct Local {{ int a; }};\n  {FILL}}}\n", ["A"]),
    ("template-parameter-class-goes", f"template <class T> void f() {{/*A*/\n  T t; (void)t;\n  {FILL}}}\n", ["A"]),
    ("local-using-stays", f"void f() {{/*A*/\n  using namespace std;\n  {FILL}}}\n", []),
    (
        "objectwrap-mention-stays",
        f"Napi::Value M(const Napi::CallbackInfo& info) {{/*A*/\n"
        f"  auto* self = Napi::ObjectWrap<Foo>::Unwrap(info.This());\n  {FILL}}}\n",
        [],
    ),
    ("directive-stays", f"void f() {{/*A*/\n#ifdef X\n  g();\n#endif\n  {FILL}}}\n", []),
    ("nested-blocks-go-with-the-body", f"void f() {{/*A*/\n  {FILL}  if (x) {{/*B*/ {FILL}}}\n}}\n", ["A"]),
    (
        "block-in-a-body-that-stays",
        f"void f() {{/*A*/\n  using T = int;\n  if (x) {{/*B*/\n    {FILL}  }}\n}}\n",
        ["B"],
    ),
    ("short-body", "void f() {/*A*/ g(); }\n", []),
    (
        "braces-in-literals-and-comments",
        f'void f() {{/*A*/\n  const char* s = "}}";\n  char c = \'{{\';\n  // }}\n  /* {{ */\n  {FILL}}}\n'
        f"void g() {{/*B*/\n  {FILL}}}\n",
        ["A", "B"],
    ),
    (
        "digit-separators",
        f"int n = 1'000'000;\nvoid f() {{/*A*/\n  int m = 0xFF'FF;\n  char c = '}}';\n  {FILL}}}\n"
        f"void g() {{/*B*/\n  {FILL}}}\n",
        ["A", "B"],
    ),
    ("prefixed-character-literals", f"void f() {{/*A*/\n  auto c = L'}}';\n  auto d = u'{{';\n  {FILL}}}\n", ["A"]),
    (
        "namespace-opened-under-ifdef",
        f"#ifdef NS\nnamespace NS {{\n#endif\nvoid f() {{/*A*/\n  {FILL}}}\n#ifdef NS\n}}\n#endif\n",
        ["A"],
    ),
    ("raw-string", f'const char* s = R"({{)";\nvoid f() {{/*A*/\n  {FILL}}}\n', ["A"]),
    ("raw-string-with-delimiter", f'auto s = u8R"x(}}")x";\nvoid f() {{/*A*/\n  {FILL}}}\n', ["A"]),
    ("a-comment-between-head-and-body", f"void f() /* c */ {{/*A*/\n  {FILL}}}\n", ["A"]),
    ("keep-word-only-in-a-comment", f"void f() {{/*A*/\n  // a class\n  {FILL}}}\n", ["A"]),
]

PARSED_WHOLE = [
    ("unclosed-raw-string", f'const char* s = R"x({{)";\nvoid f() {{\n  {FILL}}}\n'),
    ("alternative-heads", f"#ifdef A\nvoid f(int a) {{\n#else\nvoid f() {{\n#endif\n  {FILL}}}\n"),
    ("unclosed-brace", f"void f() {{\n  {FILL}"),
    ("stray-close", f"}}\nvoid f() {{\n  {FILL}}}\n"),
    ("unclosed-comment", f"void f() {{\n  {FILL}}}\n/* no end"),
    ("unclosed-string", f'void f() {{\n  {FILL}}}\nconst char* s = "no end;\n'),
]


@pytest.mark.parametrize("source, expected", [(s, e) for _, s, e in LEFT_OUT], ids=[i for i, _, _ in LEFT_OUT])
def test_left_out(source, expected):
    assert left_out(source) == expected


@pytest.mark.parametrize("source", [s for _, s in PARSED_WHOLE], ids=[i for i, _ in PARSED_WHOLE])
def test_parsed_whole(source):
    assert left_out(source) is None


def _only_chunk(source: str):
    prepared = parse.prepare(source.encode(), Deadline(60))
    (chunk,) = prepared.chunks
    return prepared, chunk


def test_a_class_body_after_a_closing_parenthesis_is_caught_by_the_tree():
    members = "".join(f"  int member_{i} = {i};\n" for i in range(8))
    source = f"class A : public Napi::ObjectWrap<A>, public decltype(mixin()) {{/*A*/\n{members}}};\n"
    assert left_out(source) == ["A"]  # the scanner cannot tell: its `{` follows `)`
    prepared, chunk = _only_chunk(source)
    budget = parse.Budget(1 << 20, Deadline(60))
    parse.parse_chunk(prepared, chunk, parse.Points(prepared.source), budget)
    assert (1 << 20) - budget.read > chunk.read()  # the tree can: a class body, parsed again with it in
    (cls,) = scan_cpp("a.h", source.encode()).classes
    assert cls.insertion is not None and cls.insertion.offset > source.index("member_7")


def test_a_parse_error_means_a_parse_with_the_bodies_in():
    source = f"void f(ObjectWrap* w) {{\n  {FILL}}}\nusing X = ;\n"
    assert left_out(source) is not None
    prepared, chunk = _only_chunk(source)
    budget = parse.Budget(1 << 20, Deadline(60))
    tree = parse.parse_chunk(prepared, chunk, parse.Points(prepared.source), budget)
    assert (1 << 20) - budget.read > chunk.read() and b"int b = a * 2;" in tree.root_node.text


def _real_cpp(tmp_path_factory) -> dict[str, bytes]:
    """Every C++ text the tests and examples hold, and a small generated corpus."""
    import corpus

    texts = {f"case:{c.id}:{side}": getattr(c, side).encode() for c in CASES for side in ("before", "after")}
    texts.update({f"no-op:{name}": source.encode() for name, source in NO_OP})
    texts.update({f"{case_id}": source.encode() for case_id, source, _ in LEFT_OUT})
    for path in sorted((ROOT / "examples").rglob("*")):
        if path.suffix in (".h", ".cc", ".cpp"):
            texts[str(path.relative_to(ROOT))] = path.read_bytes()
    folder = tmp_path_factory.mktemp("corpus")
    corpus.generate(folder, 0.5)
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".h", ".cc", ".cpp"):
            texts[str(path.relative_to(folder))] = path.read_bytes()
    return texts


def _outline(node, ranges: list[tuple[int, int]], out: list) -> list:
    """Every node, with its span and points, that lies inside one range a parse read."""
    if any(start <= node.start_byte and node.end_byte <= end for start, end in ranges) and node.parent is not None:
        out.append((node.type, node.start_byte, node.end_byte, node.start_point, node.end_point))
    for child in node.children:
        _outline(child, ranges, out)
    return out


def test_inside_what_is_read_the_tree_is_the_whole_parse_tree(tmp_path_factory):
    used = 0
    for name, data in _real_cpp(tmp_path_factory).items():
        prepared = parse.prepare(data, Deadline(60))
        points = parse.Points(prepared.source)
        whole = cpp_parser().parse(prepared.source)
        for chunk in prepared.chunks:
            read = chunk.included()
            partial = parse.parse_ranges(prepared, read, points, parse.Budget(1 << 30, Deadline(60)))
            if partial.root_node.has_error or len(read) < 2:
                continue
            used += 1
            assert _outline(partial.root_node, read, []) == _outline(whole.root_node, read, []), name
    assert used >= 50  # the partial parse really ran


def test_the_finder_sees_the_same_facts_either_way(tmp_path_factory, monkeypatch):
    """Where a whole parse is clean, reading less changes no fact; where it
    is not (the parts read are parsed apart, so an error stays local), it
    changes no class."""
    texts = _real_cpp(tmp_path_factory)
    quick = {name: scan_cpp(name, data) for name, data in texts.items()}
    whole = lambda lexed, *limits: [regions.Chunk((), ((0, len(lexed.code)),), (), ())]  # noqa: E731
    monkeypatch.setattr(regions, "chunks", whole)
    clean = 0
    for name, data in texts.items():
        facts = scan_cpp(name, data)
        if cpp_parser().parse(parse.prepare(data, Deadline(60)).source).root_node.has_error:
            assert facts.classes == quick[name].classes, name
        else:
            clean += 1
            assert facts == quick[name], name
    assert clean >= 50
