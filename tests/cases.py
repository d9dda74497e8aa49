"""(before, after) cases for the Finalize rewriter, shared by the rewrite
tests and the g++ compile tests.

Each case is one header's text before and after `napi-fix --strategy
finalize`. `targets` name the types node-addon-api must see an override on
(checked with Napi::details::HasExtendedFinalizer<T> when compiled against
8.2.x); `compile=False` marks cases that are not standalone C++.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpers import dedent

DECL = "void Finalize(Napi::Env /*env*/) override {}"


@dataclass(frozen=True)
class Case:
    id: str
    before: str
    after: str
    targets: tuple[str, ...]
    compile: bool = True


CASES = [
    Case(
        "qualified-public-section",
        dedent("""
            class Counter : public Napi::ObjectWrap<Counter> {
             public:
              explicit Counter(const Napi::CallbackInfo& info);
              Napi::Value Increment(const Napi::CallbackInfo& info);

             private:
              int count_ = 0;
            };
        """),
        dedent(f"""
            class Counter : public Napi::ObjectWrap<Counter> {{
             public:
              explicit Counter(const Napi::CallbackInfo& info);
              Napi::Value Increment(const Napi::CallbackInfo& info);
              {DECL}

             private:
              int count_ = 0;
            }};
        """),
        ("Counter",),
    ),
    Case(
        "using-namespace-napi",
        dedent("""
            using namespace Napi;
            class Counter : public ObjectWrap<Counter> {
            public:
                Counter(const CallbackInfo& info);
            };
        """),
        dedent(f"""
            using namespace Napi;
            class Counter : public ObjectWrap<Counter> {{
            public:
                Counter(const CallbackInfo& info);
                {DECL}
            }};
        """),
        ("Counter",),
    ),
    Case(
        "using-declaration",
        dedent("""
            using Napi::ObjectWrap;
            class Counter : public ObjectWrap<Counter> {
             public:
              Counter(const Napi::CallbackInfo& info);
            };
        """),
        dedent(f"""
            using Napi::ObjectWrap;
            class Counter : public ObjectWrap<Counter> {{
             public:
              Counter(const Napi::CallbackInfo& info);
              {DECL}
            }};
        """),
        ("Counter",),
    ),
    Case(
        "spaces-and-comments-in-base",
        dedent("""
            class Spaced : public Napi /* ns */ :: ObjectWrap < Spaced > {
             public:
              Spaced(const Napi::CallbackInfo& info);
            };
        """),
        dedent(f"""
            class Spaced : public Napi /* ns */ :: ObjectWrap < Spaced > {{
             public:
              Spaced(const Napi::CallbackInfo& info);
              {DECL}
            }};
        """),
        ("Spaced",),
    ),
    Case(
        "global-qualifier",
        dedent("""
            class Rooted : public ::Napi::ObjectWrap<Rooted> {
             public:
              Rooted(const Napi::CallbackInfo& info);
            };
        """),
        dedent(f"""
            class Rooted : public ::Napi::ObjectWrap<Rooted> {{
             public:
              Rooted(const Napi::CallbackInfo& info);
              {DECL}
            }};
        """),
        ("Rooted",),
    ),
    Case(
        "struct-is-public-by-default",
        dedent("""
            struct Point : Napi::ObjectWrap<Point> {
              Point(const Napi::CallbackInfo& info);
              double x = 0;
            };
        """),
        dedent(f"""
            struct Point : Napi::ObjectWrap<Point> {{
              Point(const Napi::CallbackInfo& info);
              double x = 0;
              {DECL}
            }};
        """),
        ("Point",),
    ),
    Case(
        "final-class",
        dedent("""
            class Sealed final : public Napi::ObjectWrap<Sealed> {
             public:
              Sealed(const Napi::CallbackInfo& info);
            };
        """),
        dedent(f"""
            class Sealed final : public Napi::ObjectWrap<Sealed> {{
             public:
              Sealed(const Napi::CallbackInfo& info);
              {DECL}
            }};
        """),
        ("Sealed",),
    ),
    Case(
        "multiple-inheritance",
        dedent("""
            struct Listener {
              virtual ~Listener() = default;
            };
            class Multi : public Listener, public Napi::ObjectWrap<Multi> {
             public:
              Multi(const Napi::CallbackInfo& info);
            };
        """),
        dedent(f"""
            struct Listener {{
              virtual ~Listener() = default;
            }};
            class Multi : public Listener, public Napi::ObjectWrap<Multi> {{
             public:
              Multi(const Napi::CallbackInfo& info);
              {DECL}
            }};
        """),
        ("Multi",),
    ),
    Case(
        "nested-class-in-namespace",
        dedent("""
            namespace outer {
            class Holder {
             public:
              class Inner : public Napi::ObjectWrap<Inner> {
               public:
                Inner(const Napi::CallbackInfo& info);
              };
            };
            }  // namespace outer
        """),
        dedent(f"""
            namespace outer {{
            class Holder {{
             public:
              class Inner : public Napi::ObjectWrap<Inner> {{
               public:
                Inner(const Napi::CallbackInfo& info);
                {DECL}
              }};
            }};
            }}  // namespace outer
        """),
        ("outer::Holder::Inner",),
    ),
    Case(
        "alias-using",
        dedent("""
            class Counter;
            using CounterBase = Napi::ObjectWrap<Counter>;
            class Counter : public CounterBase {
             public:
              Counter(const Napi::CallbackInfo& info);
            };
        """),
        dedent(f"""
            class Counter;
            using CounterBase = Napi::ObjectWrap<Counter>;
            class Counter : public CounterBase {{
             public:
              Counter(const Napi::CallbackInfo& info);
              {DECL}
            }};
        """),
        ("Counter",),
    ),
    Case(
        "alias-typedef",
        dedent("""
            class Counter;
            typedef Napi::ObjectWrap<Counter> CounterBase;
            class Counter : public CounterBase {
             public:
              Counter(const Napi::CallbackInfo& info);
            };
        """),
        dedent(f"""
            class Counter;
            typedef Napi::ObjectWrap<Counter> CounterBase;
            class Counter : public CounterBase {{
             public:
              Counter(const Napi::CallbackInfo& info);
              {DECL}
            }};
        """),
        ("Counter",),
    ),
    Case(
        "alias-template",
        dedent("""
            template <class T>
            using Wrap = Napi::ObjectWrap<T>;
            class Counter : public Wrap<Counter> {
             public:
              Counter(const Napi::CallbackInfo& info);
            };
        """),
        dedent(f"""
            template <class T>
            using Wrap = Napi::ObjectWrap<T>;
            class Counter : public Wrap<Counter> {{
             public:
              Counter(const Napi::CallbackInfo& info);
              {DECL}
            }};
        """),
        ("Counter",),
    ),
    Case(
        "class-template",
        dedent("""
            template <class T>
            class Box : public Napi::ObjectWrap<Box<T>> {
             public:
              Box(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Box<T>>(info) {}
              T value{};
            };
        """),
        dedent(f"""
            template <class T>
            class Box : public Napi::ObjectWrap<Box<T>> {{
             public:
              Box(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Box<T>>(info) {{}}
              T value{{}};
              {DECL}
            }};
        """),
        ("Box<int>",),
    ),
    Case(
        "intermediate-base-leaves-are-targets",
        dedent("""
            template <class T>
            class Wrapped : public Napi::ObjectWrap<T> {
             public:
              explicit Wrapped(const Napi::CallbackInfo& info) : Napi::ObjectWrap<T>(info) {}
            };
            class Leaf : public Wrapped<Leaf> {
             public:
              explicit Leaf(const Napi::CallbackInfo& info) : Wrapped<Leaf>(info) {}
            };
            template <class T>
            class Middle : public Wrapped<T> {
             public:
              using Wrapped<T>::Wrapped;
            };
            class Deep : public Middle<Deep> {
             public:
              using Middle<Deep>::Middle;
            };
        """),
        dedent(f"""
            template <class T>
            class Wrapped : public Napi::ObjectWrap<T> {{
             public:
              explicit Wrapped(const Napi::CallbackInfo& info) : Napi::ObjectWrap<T>(info) {{}}
            }};
            class Leaf : public Wrapped<Leaf> {{
             public:
              explicit Leaf(const Napi::CallbackInfo& info) : Wrapped<Leaf>(info) {{}}
              {DECL}
            }};
            template <class T>
            class Middle : public Wrapped<T> {{
             public:
              using Wrapped<T>::Wrapped;
            }};
            class Deep : public Middle<Deep> {{
             public:
              using Middle<Deep>::Middle;
              {DECL}
            }};
        """),
        ("Leaf", "Deep"),
    ),
    Case(
        "export-macro-in-class-head",
        dedent("""
            #define ADDON_EXPORT __attribute__((visibility("default")))
            class ADDON_EXPORT Exported : public Napi::ObjectWrap<Exported> {
             public:
              Exported(const Napi::CallbackInfo& info);
            };
            class ADDON_EXPORT Sealed final : public Napi::ObjectWrap<Sealed> {
             public:
              Sealed(const Napi::CallbackInfo& info);
            };
        """),
        dedent(f"""
            #define ADDON_EXPORT __attribute__((visibility("default")))
            class ADDON_EXPORT Exported : public Napi::ObjectWrap<Exported> {{
             public:
              Exported(const Napi::CallbackInfo& info);
              {DECL}
            }};
            class ADDON_EXPORT Sealed final : public Napi::ObjectWrap<Sealed> {{
             public:
              Sealed(const Napi::CallbackInfo& info);
              {DECL}
            }};
        """),
        ("Exported", "Sealed"),
    ),
    Case(
        "head-split-over-lines",
        dedent("""
            struct Listener {
              virtual ~Listener() = default;
            };
            template <typename T>
            class
                Split
                : public Listener,
                  public Napi::ObjectWrap<Split<T>>
            {
             public:
              Split(const Napi::CallbackInfo& info);
            };
        """),
        dedent(f"""
            struct Listener {{
              virtual ~Listener() = default;
            }};
            template <typename T>
            class
                Split
                : public Listener,
                  public Napi::ObjectWrap<Split<T>>
            {{
             public:
              Split(const Napi::CallbackInfo& info);
              {DECL}
            }};
        """),
        ("Split<int>",),
    ),
    Case(
        "private-label-only",
        dedent("""
            class Hidden : public Napi::ObjectWrap<Hidden> {
             private:
              int secret_ = 0;
            };
        """),
        dedent(f"""
            class Hidden : public Napi::ObjectWrap<Hidden> {{
             private:
              int secret_ = 0;
             public:
              {DECL}
            }};
        """),
        ("Hidden",),
    ),
    Case(
        "no-label-at-all",
        dedent("""
            class Bare : public Napi::ObjectWrap<Bare> {
                int secret_ = 0;
            };
        """),
        dedent(f"""
            class Bare : public Napi::ObjectWrap<Bare> {{
                int secret_ = 0;
            public:
                {DECL}
            }};
        """),
        ("Bare",),
    ),
    Case(
        "private-destructor-befriends-objectwrap",
        dedent("""
            class Guarded : public Napi::ObjectWrap<Guarded> {
              friend class Napi::ObjectWrap<Guarded>;
              ~Guarded() = default;

             public:
              Guarded(const Napi::CallbackInfo& info);
            };
        """),
        dedent(f"""
            class Guarded : public Napi::ObjectWrap<Guarded> {{
              friend class Napi::ObjectWrap<Guarded>;
              ~Guarded() = default;

             public:
              Guarded(const Napi::CallbackInfo& info);
              {DECL}
            }};
        """),
        ("Guarded",),
    ),
    Case(
        "public-section-before-a-conditional",
        dedent("""
            class Cond : public Napi::ObjectWrap<Cond> {
             public:
              Cond(const Napi::CallbackInfo& info);
            #ifdef ADDON_DEBUG
              int Count() const;
            #endif
              // Internal state.
             private:
              int n_ = 0;
            };
        """),
        dedent(f"""
            class Cond : public Napi::ObjectWrap<Cond> {{
             public:
              Cond(const Napi::CallbackInfo& info);
            #ifdef ADDON_DEBUG
              int Count() const;
            #endif
              {DECL}
              // Internal state.
             private:
              int n_ = 0;
            }};
        """),
        ("Cond",),
    ),
    Case(
        "access-labels-inside-a-conditional",
        dedent("""
            class Split : public Napi::ObjectWrap<Split> {
              int a_ = 0;
            #ifdef ADDON_EXPOSE
             public:
              int A() const;
            #endif
            };
        """),
        dedent(f"""
            class Split : public Napi::ObjectWrap<Split> {{
              int a_ = 0;
            #ifdef ADDON_EXPOSE
             public:
              int A() const;
            #endif
             public:
              {DECL}
            }};
        """),
        ("Split",),
    ),
    Case(
        "protected-then-public",
        dedent("""
            class Layered : public Napi::ObjectWrap<Layered> {
             protected:
              int depth_ = 0;

             public:
              Layered(const Napi::CallbackInfo& info);
            };
        """),
        dedent(f"""
            class Layered : public Napi::ObjectWrap<Layered> {{
             protected:
              int depth_ = 0;

             public:
              Layered(const Napi::CallbackInfo& info);
              {DECL}
            }};
        """),
        ("Layered",),
    ),
    Case(
        "anonymous-namespace",
        dedent("""
            namespace {
            class Local : public Napi::ObjectWrap<Local> {
             public:
              Local(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Local>(info) {}
            };
            }  // namespace
        """),
        dedent(f"""
            namespace {{
            class Local : public Napi::ObjectWrap<Local> {{
             public:
              Local(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Local>(info) {{}}
              {DECL}
            }};
            }}  // namespace
        """),
        ("Local",),
    ),
    Case(
        "own-finalize-with-other-parameters",
        dedent("""
            class Closer : public Napi::ObjectWrap<Closer> {
             public:
              Closer(const Napi::CallbackInfo& info);
              void Finalize(int code);
            };
        """),
        dedent(f"""
            class Closer : public Napi::ObjectWrap<Closer> {{
             public:
              Closer(const Napi::CallbackInfo& info);
              void Finalize(int code);
              {DECL}
            }};
        """),
        ("Closer",),
    ),
    Case(
        "one-line-class",
        "class Tiny : public Napi::ObjectWrap<Tiny> { public: Tiny(const Napi::CallbackInfo& info); };\n",
        f"class Tiny : public Napi::ObjectWrap<Tiny> {{ public: Tiny(const Napi::CallbackInfo& info); {DECL} }};\n",
        ("Tiny",),
    ),
    Case(
        "empty-body",
        "class Empty : public Napi::ObjectWrap<Empty> {};\n",
        f"class Empty : public Napi::ObjectWrap<Empty> {{ public: {DECL} }};\n",
        ("Empty",),
    ),
    Case(
        "trailing-block-comment-spans-lines",
        dedent("""
            class Noted : public Napi::ObjectWrap<Noted> {
             public:
              Noted(const Napi::CallbackInfo& info); /* a note that
                                                       goes on */
             private:
              int n_ = 0;
            };
        """),
        dedent(f"""
            class Noted : public Napi::ObjectWrap<Noted> {{
             public:
              Noted(const Napi::CallbackInfo& info); /* a note that
                                                       goes on */
              {DECL}
             private:
              int n_ = 0;
            }};
        """),
        ("Noted",),
    ),
    Case(
        "tabs",
        "class Tabbed : public Napi::ObjectWrap<Tabbed> {\npublic:\n\tTabbed(const Napi::CallbackInfo& info);\n};\n",
        f"class Tabbed : public Napi::ObjectWrap<Tabbed> {{\npublic:\n\tTabbed(const Napi::CallbackInfo& info);\n\t{DECL}\n}};\n",
        ("Tabbed",),
    ),
    Case(
        "tabs-no-public-section",
        "namespace addon {\n\tclass T2 : public Napi::ObjectWrap<T2> {\n\t\tint n_ = 0;\n\t};\n}\n",
        f"namespace addon {{\n\tclass T2 : public Napi::ObjectWrap<T2> {{\n\t\tint n_ = 0;\n\tpublic:\n\t\t{DECL}\n\t}};\n}}\n",
        ("addon::T2",),
    ),
]


# (id, source): napi-fix must leave each exactly as it is.
NO_OP = [
    ("nan-objectwrap", "class A : public Nan::ObjectWrap {\n public:\n  A();\n};\n"),
    ("node-objectwrap", "class A : public node::ObjectWrap {\n public:\n  A();\n};\n"),
    ("node-objectwrap-under-using", "using namespace node;\nclass A : public ObjectWrap {\n public:\n  A();\n};\n"),
    ("my-objectwrap", "template <class T> class MyObjectWrap {};\nclass A : public MyObjectWrap<A> {\n};\n"),
    ("objectwrapper", "class ObjectWrapper {};\nclass A : public ObjectWrapper {\n};\n"),
    ("in-a-comment", "// class A : public Napi::ObjectWrap<A> { };\n/* class B : public Napi::ObjectWrap<B> {}; */\n"),
    ("in-a-string", 'const char* s = "class A : public Napi::ObjectWrap<A> { };";\n'),
    ("forward-declaration", "class A;\nnamespace Napi { template <class T> class ObjectWrap; }\n"),
    ("friend-declaration-only", "class A {\n  friend class Napi::ObjectWrap<A>;\n};\n"),
    (
        "unqualified-without-using",
        "template <class T> class ObjectWrap {};\nclass A : public ObjectWrap<A> {\n};\n",
    ),
    (
        "override-napi-env",
        "class A : public Napi::ObjectWrap<A> {\n public:\n  void Finalize(Napi::Env env) override;\n};\n",
    ),
    (
        "override-basic-env",
        "class A : public Napi::ObjectWrap<A> {\n public:\n  void Finalize(Napi::BasicEnv env) override;\n};\n",
    ),
    (
        "override-node-addon-api-basic-env",
        "class A : public Napi::ObjectWrap<A> {\n public:\n  void Finalize(node_addon_api_basic_env env);\n};\n",
    ),
    (
        "override-global-qualified-defined-inline",
        "class A : public Napi::ObjectWrap<A> {\n public:\n  virtual void Finalize(::Napi::Env) { }\n};\n",
    ),
    (
        "override-spaced-namespace",
        "class A : public Napi::ObjectWrap<A> {\n public:\n  void Finalize(Napi :: Env /*e*/) override {}\n};\n",
    ),
    (
        "override-unqualified-under-using",
        "using namespace Napi;\nclass A : public ObjectWrap<A> {\n public:\n  void Finalize(Env env) override;\n};\n",
    ),
    (
        "intermediate-base-without-leaves",
        "template <class T>\nclass Wrapped : public Napi::ObjectWrap<T> {\n};\n",
    ),
    (
        "derived-from-a-concrete-wrapper",
        "class Base : public Napi::ObjectWrap<Base> {\n public:\n  void Finalize(Napi::Env) override;\n};\n"
        "class Derived : public Base {\n};\n",
    ),
    (
        "template-parameter-named-like-a-wrapper",
        "template <class T> class Wrapped : public Napi::ObjectWrap<T> {};\n"
        "template <class Wrapped> class Mixin : public Wrapped {\n};\n",
    ),
]
