; Member function declarators. The finder keeps those named Finalize that
; sit directly in a class body and take exactly one Napi::Env,
; Napi::BasicEnv or node_addon_api_basic_env: those override ObjectWrap's.
; The name is compared in Python, not with #eq?: a predicate reads node
; text, which costs a call back into Python per node on trees parsed
; through a read callback (codemod/cpp/parse.py).

(function_declarator
  declarator: [
    (field_identifier)
    (identifier)
  ] @name
  parameters: (parameter_list) @params) @method
