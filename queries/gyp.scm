; binding.gyp (a Python literal, parsed with tree-sitter-python): the lists
; that decide where node-addon-api's headers come from.
; Which target a list belongs to is the nearest enclosing dictionary with a
; 'target_name' (conditions nest dictionaries inside lists). GYP's merge
; suffixes count as the list they merge into: `+` prepends, `=` replaces,
; `?` sets when absent (docs/build-files.md).

(pair
  key: (string) @key
  value: (list) @list
  (#match? @key "^['\"](include_dirs|dependencies)[+=?]?['\"]$")) @setting
