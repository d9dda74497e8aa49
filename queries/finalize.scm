; Member functions named Finalize, declared or defined. The finder keeps the
; ones that sit directly in a class body and take exactly one Napi::Env,
; Napi::BasicEnv or node_addon_api_basic_env: those override ObjectWrap's.

(function_declarator
  declarator: [
    (field_identifier)
    (identifier)
  ] @_name
  parameters: (parameter_list) @params
  (#eq? @_name "Finalize")) @method
