; Name-lookup facts: `using namespace Napi;`, `using Napi::ObjectWrap;`, and
; the project headers a file includes (their using-directives apply too).

(using_declaration
  "namespace"
  (_) @namespace) @using

; (A `using namespace a::b;` matches this pattern too: usings.py tells them
; apart by the `namespace` token, instead of a predicate reading text.)
(using_declaration
  (qualified_identifier) @name) @using

(preproc_include
  path: (string_literal
    (string_content) @include))
