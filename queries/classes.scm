; Classes and structs with a base clause and a body. Whether a base leads to
; Napi::ObjectWrap is decided later, through the project-wide index, so this
; query stays purely syntactic. Forward declarations have no body and
; `friend class Napi::ObjectWrap<X>;` is no class_specifier: neither matches.

(class_specifier
  name: (_) @name
  (base_class_clause) @base
  body: (field_declaration_list) @body) @class

(struct_specifier
  name: (_) @name
  (base_class_clause) @base
  body: (field_declaration_list) @body) @class
