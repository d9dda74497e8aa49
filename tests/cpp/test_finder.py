"""The finder across files: project-wide index, prefilter rounds, scoping,
and what it reports without editing."""

from __future__ import annotations

from pathlib import Path

from cases import DECL
from helpers import analyze_tree, dedent, fix_files, write_tree


WRAPPED_H = dedent("""
    #pragma once
    #include <napi.h>
    namespace node_addon {
    template <class T>
    class Wrapped : public Napi::ObjectWrap<T> {
     public:
      explicit Wrapped(const Napi::CallbackInfo& info) : Napi::ObjectWrap<T>(info) {}
    };
    }  // namespace node_addon
""")

LEAF_H = dedent("""
    #pragma once
    #include "wrapped.h"
    namespace node_addon {
    class Leaf : public Wrapped<Leaf> {
     public:
      explicit Leaf(const Napi::CallbackInfo& info);
    };
    }  // namespace node_addon
""")


def _findings(tmp_path: Path, files: dict[str, str], strategy: str = "finalize"):
    write_tree(tmp_path, files)
    report = analyze_tree(tmp_path, strategy)
    return [(Path(f.path).relative_to(tmp_path).as_posix(), f.line, f.kind, f.subject, f.wrapped_type)
            for r in report.files for f in r.findings]


def test_intermediate_base_in_one_header_leaf_in_another_that_never_says_objectwrap():
    assert "ObjectWrap" not in LEAF_H
    after = fix_files({"src/wrapped.h": WRAPPED_H, "src/leaf.h": LEAF_H})
    assert after["src/wrapped.h"].decode() == WRAPPED_H
    assert after["src/leaf.h"].decode() == LEAF_H.replace(
        "Leaf(const Napi::CallbackInfo& info);\n", f"Leaf(const Napi::CallbackInfo& info);\n  {DECL}\n"
    )


def test_chain_of_intermediates_over_three_files():
    middle = dedent("""
        #include "wrapped.h"
        namespace node_addon {
        template <class T> class Middle : public Wrapped<T> {
         public:
          using Wrapped<T>::Wrapped;
        };
        }
    """)
    deep = dedent("""
        #include "middle.h"
        namespace node_addon {
        class Deep : public Middle<Deep> {
         public:
          using Middle<Deep>::Middle;
        };
        }
    """)
    after = fix_files({"wrapped.h": WRAPPED_H, "middle.h": middle, "deep.h": deep})
    assert after["middle.h"].decode() == middle
    assert f"  {DECL}\n" in after["deep.h"].decode()


def test_alias_template_in_header_used_in_source():
    header = "#pragma once\n#include <napi.h>\ntemplate <class T> using Wrap = Napi::ObjectWrap<T>;\n"
    source = '#include "wrap.h"\nclass Counter : public Wrap<Counter> {\n public:\n  Counter(const Napi::CallbackInfo& i);\n};\n'
    after = fix_files({"wrap.h": header, "counter.cc": source})
    assert f"  {DECL}\n}};" in after["counter.cc"].decode()


def test_using_namespace_napi_in_an_included_header():
    header = "#pragma once\n#include <napi.h>\nusing namespace Napi;\n"
    source = '#include "common.h"\nclass Counter : public ObjectWrap<Counter> {\n public:\n  Counter(const CallbackInfo& i);\n};\n'
    after = fix_files({"common.h": header, "counter.cc": source})
    assert f"  {DECL}\n}};" in after["counter.cc"].decode()


def test_declared_in_header_defined_out_of_line_edits_the_header():
    header = "#pragma once\n#include <napi.h>\nclass Counter : public Napi::ObjectWrap<Counter> {\n public:\n  Counter(const Napi::CallbackInfo& i);\n};\n"
    source = '#include "counter.h"\nCounter::Counter(const Napi::CallbackInfo& i) : Napi::ObjectWrap<Counter>(i) {}\n'
    after = fix_files({"counter.h": header, "counter.cc": source})
    assert f"  {DECL}\n}};" in after["counter.h"].decode()
    assert after["counter.cc"].decode() == source


def test_vendored_class_with_the_same_name_is_not_pulled_in():
    addon = dedent("""
        #include <napi.h>
        namespace node_addon {
        template <class T>
        class QueryResult : public Napi::ObjectWrap<T> {
         public:
          using Napi::ObjectWrap<T>::ObjectWrap;
        };
        class StreamResult : public QueryResult<StreamResult> {
         public:
          using QueryResult<StreamResult>::QueryResult;
        };
        }  // namespace node_addon
    """)
    vendored = dedent("""
        namespace duckdb {
        template <class T> class QueryResult {
         public:
          virtual ~QueryResult() = default;
        };
        class MaterializedQueryResult : public QueryResult<MaterializedQueryResult> {
         public:
          int rows = 0;
        };
        }  // namespace duckdb
    """)
    after = fix_files({"src/query_result.h": addon, "deps/duckdb/query_result.hpp": vendored})
    assert after["deps/duckdb/query_result.hpp"].decode() == vendored
    assert after["src/query_result.h"].decode().count(DECL) == 1


def test_same_name_in_two_anonymous_namespaces_is_two_classes():
    a = dedent("""
        #include <napi.h>
        namespace {
        template <class T> class Helper : public Napi::ObjectWrap<T> {};
        class A : public Helper<A> {
         public:
          A(const Napi::CallbackInfo& i);
        };
        }
    """)
    b = dedent("""
        namespace {
        template <class T> class Helper {};
        class B : public Helper<B> {
         public:
          B();
        };
        }
    """)
    after = fix_files({"a.cc": a, "b.cc": b})
    assert DECL in after["a.cc"].decode()
    assert after["b.cc"].decode() == b


def test_reports_intermediate_indirect_and_existing_override(tmp_path):
    src = dedent("""
        template <class T> class Wrapped : public Napi::ObjectWrap<T> {};
        class Base : public Napi::ObjectWrap<Base> {
         public:
          void Finalize(Napi::Env env) override;
        };
        class Derived : public Base {};
    """)
    assert _findings(tmp_path, {"a.h": src}) == [
        ("a.h", 1, "intermediate-base", "Wrapped<T>", "T"),
        ("a.h", 2, "has-finalize", "Base", "Base"),
        ("a.h", 6, "indirect", "Derived", "Base"),
    ]


def test_macro_generated_class_is_reported_not_edited(tmp_path):
    src = dedent("""
        #include <napi.h>

        #define DECLARE_WRAPPER(Name) \\
          class Name : public Napi::ObjectWrap<Name> { \\
           public: \\
            Name(const Napi::CallbackInfo& i); \\
          }
        DECLARE_WRAPPER(Counter);
    """)
    found = _findings(tmp_path, {"gen.h": src})
    assert found == [("gen.h", 3, "manual", "DECLARE_WRAPPER", "")]
    assert analyze_tree(tmp_path).changed == ()


def test_two_export_macros_are_recovered(tmp_path):
    src = "class ADDON_API ADDON_DEPRECATED Old : public Napi::ObjectWrap<Old> {\n public:\n  Old();\n};\n"
    after = fix_files({"old.h": src})["old.h"].decode()
    assert f"  Old();\n  {DECL}\n}};" in after


def test_unparseable_region_mentioning_objectwrap_is_reported(tmp_path):
    src = "class Broken : public Napi::ObjectWrap<Broken> {\n public:\n  Broken(;\n  int )x;\n"
    found = _findings(tmp_path, {"broken.h": src})
    assert [k for (_, _, k, _, _) in found] == ["manual"]
    assert analyze_tree(tmp_path).changed == ()


def test_basic_finalizers_required_by_binding_gyp():
    gyp = "{\n  'targets': [{\n    'target_name': 'addon',\n    # 'defines': ['IGNORED'],\n    'defines': ['NODE_ADDON_API_REQUIRE_BASIC_FINALIZERS'],\n  }]\n}\n"
    src = "class Counter : public Napi::ObjectWrap<Counter> {\n public:\n  Counter();\n};\n"
    after = fix_files({"binding.gyp": gyp, "src/counter.h": src})
    assert "void Finalize(Napi::BasicEnv /*env*/) override {}" in after["src/counter.h"].decode()


def test_a_commented_out_define_does_not_switch_to_basic_env():
    gyp = "{\n  'targets': [{\n    # 'defines': ['NODE_ADDON_API_REQUIRE_BASIC_FINALIZERS'],\n  }]\n}\n"
    src = "class Counter : public Napi::ObjectWrap<Counter> {\n public:\n  Counter();\n};\n"
    after = fix_files({"binding.gyp": gyp, "src/counter.h": src})
    assert DECL in after["src/counter.h"].decode()


def test_pin_strategy_does_not_touch_cpp(tmp_path):
    write_tree(tmp_path, {"a.h": "class A : public Napi::ObjectWrap<A> {};\n"})
    report = analyze_tree(tmp_path, "pin")
    assert report.changed == ()


def test_a_file_defining_basic_finalizers_is_still_searched_for_leaves():
    config = ("#define NODE_ADDON_API_REQUIRE_BASIC_FINALIZERS\n#include \"wrapped.h\"\n"
              "namespace node_addon {\nclass Leaf : public Wrapped<Leaf> {\n public:\n  Leaf();\n};\n}\n")
    after = fix_files({"wrapped.h": WRAPPED_H, "leaf.h": config})
    assert "  void Finalize(Napi::BasicEnv /*env*/) override {}\n" in after["leaf.h"].decode()
