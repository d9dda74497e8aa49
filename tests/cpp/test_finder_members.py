"""A member line that is one semicolon-less macro invocation.

`SOME_METHODS_DECLARATION` (or `DECLARE_METHODS(Foo)`) alone on a line in a
class body expands to member declarations. The override must never follow
such a line: the compiler would read the macro and the override as one
member, and tree-sitter stopped parsing the class. It goes after the last
ordinary member of the public section instead; without a public section,
at the top of the body, before every macro line, with the class's default
access restored after it (unless a label is the very next thing the compiler reads). Each result is checked three ways: the exact text, the
class still parses as a class with the override in its body (tree-sitter,
macro line and all), and it compiles with g++ against node-addon-api with
the macros defined.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cases import DECL
from helpers import dedent, fix_files

from codemod.queries import cpp_parser

# The macros, as the project's own header would define them: members, semicolons included.
MACROS = dedent("""
    #define SOME_METHODS_DECLARATION Napi::Value Get(const Napi::CallbackInfo&); \\
      Napi::Value Set(const Napi::CallbackInfo&);
    #define DECLARE_METHODS(T) static T* Make(); int count_ = 0;
    #define HIDDEN_STATE int hidden_ = 0;
""")

MEMBER_MACROS = [
    (
        "last-in-the-public-section",
        """
        class Foo : public Napi::ObjectWrap<Foo> {
         public:
          explicit Foo(const Napi::CallbackInfo& info);
          SOME_METHODS_DECLARATION
        };
        """,
        """
        class Foo : public Napi::ObjectWrap<Foo> {
         public:
          explicit Foo(const Napi::CallbackInfo& info);
          {DECL}
          SOME_METHODS_DECLARATION
        };
        """,
    ),
    (
        "with-arguments",
        """
        class Foo : public Napi::ObjectWrap<Foo> {
         public:
          explicit Foo(const Napi::CallbackInfo& info);
          DECLARE_METHODS(Foo)
        };
        """,
        """
        class Foo : public Napi::ObjectWrap<Foo> {
         public:
          explicit Foo(const Napi::CallbackInfo& info);
          {DECL}
          DECLARE_METHODS(Foo)
        };
        """,
    ),
    (
        "between-members-then-private",
        """
        class Foo : public Napi::ObjectWrap<Foo> {
         public:
          explicit Foo(const Napi::CallbackInfo& info);
          SOME_METHODS_DECLARATION
          DECLARE_METHODS(Foo)

         private:
          int n_ = 0;
        };
        """,
        """
        class Foo : public Napi::ObjectWrap<Foo> {
         public:
          explicit Foo(const Napi::CallbackInfo& info);
          {DECL}
          SOME_METHODS_DECLARATION
          DECLARE_METHODS(Foo)

         private:
          int n_ = 0;
        };
        """,
    ),
    (
        "no-public-section",
        """
        class Foo : public Napi::ObjectWrap<Foo> {
          int n_ = 0;
          HIDDEN_STATE
        };
        """,
        """
        class Foo : public Napi::ObjectWrap<Foo> {
        public:
          {DECL}
        private:
          int n_ = 0;
          HIDDEN_STATE
        };
        """,
    ),
    (
        "protected-then-macro",
        """
        class Foo : public Napi::ObjectWrap<Foo> {
         protected:
          int n_ = 0;
          HIDDEN_STATE
        };
        """,
        """
        class Foo : public Napi::ObjectWrap<Foo> {
         public:
          {DECL}
         protected:
          int n_ = 0;
          HIDDEN_STATE
        };
        """,
    ),
    (
        "labels-under-a-conditional-then-macro",
        """
        class Foo : public Napi::ObjectWrap<Foo> {
        #if NAPI_VERSION > 5
         private:
          int count_ = 0;
        #else
          int count_ = 0;
        #endif
          HIDDEN_STATE
        };
        """,
        """
        class Foo : public Napi::ObjectWrap<Foo> {
         public:
          {DECL}
         private:
        #if NAPI_VERSION > 5
         private:
          int count_ = 0;
        #else
          int count_ = 0;
        #endif
          HIDDEN_STATE
        };
        """,
    ),
    (
        "struct-with-only-a-macro",
        """
        struct Foo : Napi::ObjectWrap<Foo> {
          DECLARE_METHODS(Foo)
        };
        """,
        """
        struct Foo : Napi::ObjectWrap<Foo> {
          {DECL}
          DECLARE_METHODS(Foo)
        };
        """,
    ),
    (
        "struct-macro-line-before-a-member",
        """
        struct Foo : Napi::ObjectWrap<Foo> {
          DECLARE_METHODS(Foo)
          Foo();
        };
        """,
        """
        struct Foo : Napi::ObjectWrap<Foo> {
          {DECL}
          DECLARE_METHODS(Foo)
          Foo();
        };
        """,
    ),
    (
        "class-with-only-a-macro",
        """
        class Foo : public Napi::ObjectWrap<Foo> {
          HIDDEN_STATE
        };
        """,
        """
        class Foo : public Napi::ObjectWrap<Foo> {
        public:
          {DECL}
        private:
          HIDDEN_STATE
        };
        """,
    ),
    (
        "a-comment-before-the-first-label",
        """
        class Foo : public Napi::ObjectWrap<Foo> {
          // state
         private:
          HIDDEN_STATE
        };
        """,
        """
        class Foo : public Napi::ObjectWrap<Foo> {
         public:
          {DECL}
          // state
         private:
          HIDDEN_STATE
        };
        """,
    ),
    (
        "a-macro-line-at-the-margin-right-after-a-directive",
        """
        class Foo : public Napi::ObjectWrap<Foo> {
         public:
          Foo();
        #pragma GCC diagnostic pop
        HIDDEN_STATE
         private:
          int n_ = 0;
        };
        """,
        """
        class Foo : public Napi::ObjectWrap<Foo> {
         public:
          Foo();
        #pragma GCC diagnostic pop
          {DECL}
        HIDDEN_STATE
         private:
          int n_ = 0;
        };
        """,
    ),
    (
        "upper-case-constructor-continued-is-no-macro",
        """
        class FOO : public Napi::ObjectWrap<FOO> {
         public:
          FOO(const Napi::CallbackInfo& info)
              : Napi::ObjectWrap<FOO>(info) {}
        };
        """,
        """
        class FOO : public Napi::ObjectWrap<FOO> {
         public:
          FOO(const Napi::CallbackInfo& info)
              : Napi::ObjectWrap<FOO>(info) {}
          {DECL}
        };
        """,
    ),
]
IDS = [case[0] for case in MEMBER_MACROS]


def _text(template: str) -> str:
    return dedent(template).replace("{DECL}", DECL)


# The class reaches its macros' definitions as the compiler does, through an
# include: a macro line defined nowhere napi-fix can read is not edited
# (tests/cpp/test_finder_unchanged.py, a-macro-line-defined-nowhere-is-a-finding).
INCLUDE = '#include "macros.h"\n'


def fix(source: str) -> bytes:
    after = fix_files({"macros.h": MACROS, "addon.h": INCLUDE + source})["addon.h"]
    assert after.startswith(INCLUDE.encode())
    return after[len(INCLUDE):]


@pytest.mark.parametrize("before, after", [(b, a) for _, b, a in MEMBER_MACROS], ids=IDS)
def test_override_never_follows_a_member_macro_line(before, after):
    assert fix(_text(before)).decode() == _text(after)  # fix() also checks a second run changes nothing


@pytest.mark.parametrize("before", [b for _, b, _ in MEMBER_MACROS], ids=IDS)
def test_tree_sitter_still_reads_the_class_and_its_override(before):
    source = fix(_text(before))
    root = cpp_parser().parse(source).root_node
    classes = [n for n in _walk(root) if n.type in ("class_specifier", "struct_specifier")]
    assert len(classes) == 1, root
    body = classes[0].child_by_field_name("body")
    assert any(b"Finalize" in child.text for child in body.named_children), body


def _walk(node):
    yield node
    for child in node.children:
        yield from _walk(child)


@pytest.mark.compile
@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")
def test_the_results_compile_with_the_macros_defined(tmp_path: Path):
    from test_compile import compile_tu

    parts = ["#include <napi.h>\n", MACROS]
    for index, (_, before, _) in enumerate(MEMBER_MACROS):
        after = fix(_text(before)).decode()
        parts.append(f"namespace case_{index} {{\n{after}")
        parts.append('static_assert(Napi::details::HasExtendedFinalizer<Foo>::value, "override seen");\n}\n'
                     .replace("Foo", "FOO" if "FOO" in after else "Foo"))
    result = compile_tu("".join(parts), "8.2.1", tmp_path)
    assert result.returncode == 0, result.stderr[-4000:]
