"""`napi-fix lsp`: the language server (diagnostics and quick fixes in any LSP editor)."""
