; Name-lookup facts: `using namespace Napi;`, `using Napi::ObjectWrap;`, and
; the project headers a file includes (their using-directives apply too).

(using_declaration
  "namespace"
  (_) @namespace) @using

(using_declaration
  (qualified_identifier) @name
  (#not-match? @using "^using[ \t\r\n]+namespace")) @using

(preproc_include
  path: (string_literal
    (string_content) @include))
