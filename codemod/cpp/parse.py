"""Parse C++ bytes with tree-sitter, recovering class heads with export macros.

tree-sitter-cpp cannot parse `class DLL_EXPORT Name : public Base {` (the
unknown macro makes the whole class an ERROR node), and large addons put such
a macro on every wrapper class. Before parsing, such a macro (a bare
identifier, or one with a parenthesised argument list) is overwritten with
spaces of the same length: byte offsets stay exact, so edits planned on the
recovered tree apply to the original bytes. The macro names are returned so
the finder can report that it recovered them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Tree

from codemod.queries import cpp_parser

# class|struct MACRO[(args)] [MACRO2 ...] Name [final] : base  -- `:` not `::`.
_MACRO_HEAD = re.compile(
    rb"\b(?:class|struct)\s+"
    rb"(?P<macro>(?:[A-Za-z_]\w*(?:\s*\((?:[^()]|\([^()]*\))*\))?\s+)+?)"
    rb"(?!final\b)(?=[A-Za-z_]\w*\s*(?:final\s*)?:(?!:))"
)
# A lone spelling tree-sitter-cpp already parses in that position.
_NATIVE = re.compile(rb"(?:alignas|__attribute__|__declspec)\s*\(.*\)\s*$", re.S)


@dataclass(frozen=True)
class Parsed:
    tree: Tree
    recovered_macros: tuple[tuple[int, str], ...]  # (byte offset, macro spelling)


def parse_cpp(data: bytes) -> Parsed:
    recovered: list[tuple[int, str]] = []
    patched = bytearray()
    cursor = 0
    for match in _MACRO_HEAD.finditer(data):
        macro = match.group("macro")
        if _NATIVE.match(macro):
            continue
        start, end = match.span("macro")
        patched += data[cursor:start]
        # Keep newlines so line numbers stay right in a multi-line argument list.
        patched += bytes(b if b in b"\r\n" else 0x20 for b in macro)
        cursor = end
        recovered.append((start, b" ".join(macro.split()).decode("utf-8", "replace")))
    source = data if not recovered else bytes(patched + data[cursor:])
    return Parsed(cpp_parser().parse(source), tuple(recovered))
