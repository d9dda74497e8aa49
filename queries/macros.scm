; Macros whose body defines an ObjectWrap-derived class: their expansions are
; reported with file and line, never edited.

(preproc_function_def
  name: (identifier) @name
  value: (preproc_arg) @body
  (#match? @body "(class|struct)[^;]*ObjectWrap")) @macro

(preproc_def
  name: (identifier) @name
  value: (preproc_arg) @body
  (#match? @body "(class|struct)[^;]*ObjectWrap")) @macro
