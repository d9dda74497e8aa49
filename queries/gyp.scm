; binding.gyp and .gypi files (Python literals, parsed with tree-sitter-python):
; the lists that decide where node-addon-api's headers come from, and the
; files GYP merges in (`includes`).
; Which target a list belongs to is the nearest enclosing dictionary with a
; 'target_name' (conditions nest dictionaries inside lists). GYP's merge
; suffixes count as the list they merge into: `+` prepends, `=` replaces,
; `?` sets when absent (docs/build-files.md).

(pair
  key: (string) @key
  value: (list) @list
  (#match? @key "^['\"](include_dirs|dependencies|includes)[+=?]?['\"]$")) @setting
