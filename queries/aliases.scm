; Type aliases that may name Napi::ObjectWrap (or an intermediate base):
;   using Base = Napi::ObjectWrap<T>;
;   template <class T> using W = Napi::ObjectWrap<T>;
;   typedef Napi::ObjectWrap<T> Base;

(alias_declaration
  name: (type_identifier) @name
  type: (type_descriptor) @target) @alias

(type_definition
  type: (_) @target
  declarator: (type_identifier) @name) @alias
