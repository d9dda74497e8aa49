"""A well-formed class is found even when its file's parse fails elsewhere.

tree-sitter's error recovery can swallow a class that is itself fine (an
export macro before a function declaration, a macro line without a
semicolon, a missing `;` after an enum), losing it silently or reporting
"check by hand". The finder parses such a class again on its own, with the
heads and closing braces of the namespaces and classes around it as
included ranges: scope, lines and byte offsets stay exact, so the edit is
the same as in a clean file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cases import DECL
from helpers import analyze_tree, dedent, fix, write_tree

from codemod.results import MANUAL, MISSING_OVERRIDE


CLASS = dedent("""
    namespace outer {
    class Holder {
     public:
      class Inner : public Napi::ObjectWrap<Inner> {
       public:
        explicit Inner(const Napi::CallbackInfo& info);
      };
    };
    }  // namespace outer
""")
FIXED = CLASS.replace(
    "    explicit Inner(const Napi::CallbackInfo& info);\n",
    f"    explicit Inner(const Napi::CallbackInfo& info);\n    {DECL}\n",
)

# Text before the class that breaks tree-sitter's parse of what follows.
BREAKERS = [
    ("export-macros-around-declarations", "ADDON_EXTERN_C_BEGIN\nADDON_API void Helper(int x);\nADDON_EXTERN_C_END\n"),
    ("enum-without-semicolon", "enum class Mode : int { kA, kB }\n"),
    ("macro-line-before-the-namespace", "BEGIN_ADDON_NAMESPACE\n"),
    ("function-then-macro-line", "void Helper() {}\nEND_HELPERS\n"),
    ("struct-without-semicolon", "struct Options { int level; }\n"),
    ("stray-brace", "}\n"),
]


@pytest.mark.parametrize("breaker", [b for _, b in BREAKERS], ids=[i for i, _ in BREAKERS])
def test_a_class_after_a_parse_error_is_fixed_exactly(breaker):
    assert fix(breaker + CLASS).decode() == breaker + FIXED


@pytest.mark.parametrize("breaker", [b for _, b in BREAKERS], ids=[i for i, _ in BREAKERS])
def test_its_scope_and_line_are_the_clean_files(tmp_path: Path, breaker: str):
    write_tree(tmp_path, {"addon.h": breaker + CLASS})
    findings = [f for r in analyze_tree(tmp_path).files for f in r.findings]
    assert [(f.kind, f.subject, f.line) for f in findings] == [
        (MISSING_OVERRIDE, "outer::Holder::Inner", breaker.count("\n") + 4)
    ]


def _generated_wrapper(classes: int, functions: int) -> tuple[str, list[str]]:
    """A SWIG-like wrapper: many exported functions, an export macro tree-sitter
    cannot read before each declaration, and wrapper classes between them."""
    parts = ["#include <napi.h>\n", "SWIGEXPORT_BEGIN\n", "namespace swig {\n"]
    names = []
    for index in range(functions):
        parts.append(f"SWIGEXPORT napi_value _wrap_fn_{index}(napi_env env, napi_callback_info info);\n")
        parts.append(f"SWIGINTERN napi_value _wrap_impl_{index}(napi_env env, napi_callback_info info) {{\n"
                     f"  SWIG_NAPI_CHECK(env, {index})\n  return nullptr;\n}}\n")
        if index % (functions // classes) == 0:
            name = f"_exports_Wrapper{index}"
            names.append(name)
            parts.append(f"class {name} : public Napi::ObjectWrap<{name}> {{\n public:\n"
                         f"  {name}(const Napi::CallbackInfo& info);\n}};\n")
    parts.append("}  // namespace swig\n")
    return "".join(parts), names


def test_a_generated_wrapper_with_errors_loses_no_class(tmp_path: Path):
    source, names = _generated_wrapper(classes=20, functions=400)
    write_tree(tmp_path, {"wrap.cxx": source})
    report = analyze_tree(tmp_path)
    findings = [f for r in report.files for f in r.findings]
    assert sorted(f.subject for f in findings if f.kind == MISSING_OVERRIDE) == sorted(f"swig::{n}" for n in names)
    assert [f for f in findings if f.kind == MANUAL] == []
    after = fix(source, "wrap.cxx").decode()
    for name in names:
        assert f"  {name}(const Napi::CallbackInfo& info);\n  {DECL}\n}};" in after
