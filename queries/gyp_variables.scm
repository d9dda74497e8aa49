; binding.gyp and .gypi files: GYP variable definitions, `name: 'value'`.
; Every string-valued pair is captured; the reader keeps those inside a
; 'variables' dictionary (or a condition branch within one), which a
; query cannot say for a nesting of any depth.

(pair
  key: (string) @name
  value: (string) @value) @variable
