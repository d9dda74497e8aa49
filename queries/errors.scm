; Regions tree-sitter could not parse. The finder reports the ones that
; mention ObjectWrap and hold no class it recovered: never skipped silently.

(ERROR) @error
