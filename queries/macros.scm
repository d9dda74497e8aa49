; Macro definitions; macros.py keeps those whose body defines an
; ObjectWrap-derived class (`(class|struct)[^;]*ObjectWrap`): their
; expansions are reported with file and line, never edited. The body is
; matched in Python, not with #match? (see finalize.scm).

(preproc_function_def
  name: (identifier) @name
  value: (preproc_arg) @body) @macro

(preproc_def
  name: (identifier) @name
  value: (preproc_arg) @body) @macro
