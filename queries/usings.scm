; Name-lookup facts: `using namespace Napi;`, `using Napi::ObjectWrap;`,
; `namespace js = Napi;`, and the headers a file includes (their
; using-directives and declarations apply too).

(using_declaration
  "namespace"
  (_) @namespace) @using

; (A `using namespace a::b;` matches this pattern too: usings.py tells them
; apart by the `namespace` token, instead of a predicate reading text.)
(using_declaration
  (qualified_identifier) @name) @using

(namespace_alias_definition
  name: (namespace_identifier) @alias
  [
    (namespace_identifier)
    (nested_namespace_specifier)
  ] @target) @using

(preproc_include
  path: (string_literal
    (string_content) @include))

; `#include <ns/objectwrap.hpp>`: looked up only on the build's include path.
(preproc_include
  path: (system_lib_string) @system_include)
