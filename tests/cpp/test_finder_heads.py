"""Class heads are read from code only, and no class is dropped silently.

The export-macro head recovery once read a `// class String` comment into
the next line's head and lost the class. Every textual look at a head now
reads the code with comments, string literals and directives set aside, and
a cheap textual cross-check turns any head naming ObjectWrap in its base
clause that the parser did not yield as a class into a NAPI005 finding.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cases import DECL
from helpers import analyze_tree, dedent, fix, write_tree

from codemod.results import MANUAL, MISSING_OVERRIDE

HEAD = "class NapiString : public Napi::ObjectWrap<NapiString> {\n public:\n  NapiString();\n};\n"

ABOVE_THE_HEAD = [
    "// class String\n",
    "// a class\n",
    "// struct X\n",
    "// class\n",
    "/* class */\n",
    "// hello\n",
    "// class ADDON_API\n",
    "/* struct X : public Napi::ObjectWrap<X> { */\n",
    'const char* kName = "class";\n',
    'const char* kHead = "class API";\n',
    "#define KIND class\n",
    "// class \\\n   continued\n",
]


@pytest.mark.parametrize("above", ABOVE_THE_HEAD, ids=[a.strip() for a in ABOVE_THE_HEAD])
def test_text_above_the_head_never_loses_the_class(above):
    after = fix(above + HEAD).decode()
    assert after == above + HEAD.replace("  NapiString();\n", f"  NapiString();\n  {DECL}\n")


@pytest.mark.parametrize("above", ["// class String\n", "/* struct */ "])
def test_export_macro_recovery_reads_code_only(above):
    source = above + HEAD.replace("class NapiString", "class ADDON_API NapiString", 1)
    after = fix(source).decode()
    assert after.count(DECL) == 1 and after.startswith(above + "class ADDON_API NapiString")


def test_keywords_are_never_taken_for_export_macros():
    # `struct` and `class` are no macros: recovering `class struct Foo` as a
    # head with a macro would blank the real keyword.
    source = "class\nstruct Foo : public Napi::ObjectWrap<Foo> {\n public:\n  Foo();\n};\n"
    assert DECL in fix(source).decode()


def _report(tmp_path: Path, source: str):
    write_tree(tmp_path, {"addon.h": source})
    return [f for r in analyze_tree(tmp_path).files for f in r.findings]


# Heads naming ObjectWrap that tree-sitter cannot read as a class, alone or
# in its file: each must be a finding, never silence.
UNCLASSIFIABLE = [
    ("base-clause-under-a-conditional",
     "#include <napi.h>\nclass Foo :\n#if NAPI_VERSION > 5\n    public Napi::ObjectWrap<Foo>\n#else\n"
     "    public Napi::ObjectWrap<Foo>, public Legacy\n#endif\n{\n public:\n  Foo(const Napi::CallbackInfo& info);\n};\n"),
    ("broken-member",
     "class Foo : public Napi::ObjectWrap<Foo> {\n public:\n  Foo();\n  int x = ;\n  void f() {\n};\n"),
    ("alternative-heads",
     "#ifdef A\nclass Foo : public Napi::ObjectWrap<Foo> {\n#else\nclass Foo : public Napi::ObjectWrap<Foo>, B {\n"
     "#endif\n public:\n  Foo();\n};\n"),
]


@pytest.mark.parametrize("source", [s for _, s in UNCLASSIFIABLE], ids=[i for i, _ in UNCLASSIFIABLE])
def test_a_head_naming_objectwrap_is_never_silent(tmp_path, source):
    findings = _report(tmp_path, source)
    assert findings, "no finding for a class head that names ObjectWrap"
    for finding in findings:
        assert finding.kind in (MANUAL, MISSING_OVERRIDE)
    manual = [f for f in findings if f.kind == MANUAL]
    assert all(f.rule == "NAPI005" and f.line >= 1 and f.reason for f in manual)


def test_the_cross_check_names_the_head_and_why(tmp_path):
    (finding,) = _report(tmp_path, UNCLASSIFIABLE[0][1])
    assert (finding.kind, finding.rule, finding.line, finding.column) == (MANUAL, "NAPI005", 2, 1)
    assert "names ObjectWrap" in finding.reason and "check it by hand" in finding.reason


def test_a_macro_after_the_name_is_an_export_macro_too():
    source = "class Foo MOZ_FINAL : public Napi::ObjectWrap<Foo> {\n public:\n  Foo();\n};\n"
    assert fix(source).decode() == source.replace("  Foo();\n", f"  Foo();\n  {DECL}\n")


def test_every_objectwrap_head_is_accounted_for(tmp_path):
    """Each head naming ObjectWrap is a class finding or sits inside a NAPI005 finding."""
    source = dedent("""
        #include <napi.h>
        class Good : public Napi::ObjectWrap<Good> {
         public:
          Good();
        };
        class Bad : public Napi::ObjectWrap<Bad> {
         public:
          Bad(;
        ;
        class Later : public Napi::ObjectWrap<Later> {
         public:
          Later();
        };
    """)
    findings = _report(tmp_path, source)
    lines = {f.line for f in findings if f.kind != MANUAL}
    manual = [f for f in findings if f.kind == MANUAL]
    for number, line in enumerate(source.splitlines(), 1):
        if "ObjectWrap<" in line and line.startswith("class"):
            covered = number in lines or any(
                f.span and source.encode()[: f.span[0]].count(b"\n") + 1 <= number
                <= source.encode()[: f.span[1]].count(b"\n") + 1 for f in manual
            )
            assert covered, f"line {number} ({line}) is in no finding: {findings}"
    assert all(f.rule == "NAPI005" for f in manual)


def test_heads_in_comments_strings_and_macros_are_not_cross_checked(tmp_path):
    source = dedent("""
        // class A : public Napi::ObjectWrap<A> {
        /* class B : public Napi::ObjectWrap<B> { */
        const char* s = "class C : public Napi::ObjectWrap<C> {";
        const char* r = R"x(class D : public Napi::ObjectWrap<D> {)x";
    """)
    assert _report(tmp_path, source) == []
