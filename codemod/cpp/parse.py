"""Parse C++ bytes with tree-sitter, recovering class heads with export macros.

tree-sitter-cpp cannot parse `class DLL_EXPORT Name : public Base {` (the
unknown macro makes the whole class an ERROR node), and large addons put such
a macro on every wrapper class. Before parsing, such a macro (a bare
identifier, or one with a parenthesised argument list) is overwritten with
spaces of the same length: byte offsets stay exact, so edits planned on the
recovered tree apply to the original bytes. The macro names are returned so
the finder can report that it recovered them.

The insides of plain function bodies are then left out of the parse
(bodies.py says which); if the tree that comes back has an error, or a
left-out inside turns out not to be a block of statements, the file is
parsed again whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node, Range, Tree

from codemod.cpp.bodies import skippable_bodies
from codemod.queries import cpp_parser
from codemod.textpos import whole_words

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
    for match in _macro_heads(data):
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
    return Parsed(_parse(source), tuple(recovered))


def _macro_heads(data: bytes):
    """_MACRO_HEAD's matches in order, without overlaps. Found from each
    `class`/`struct` keyword (bytes.find) rather than by a regex scan of the
    whole file, which is several times slower than the match itself."""
    starts = [at for keyword in (b"class", b"struct") for at in whole_words(data, keyword)]
    end = 0
    for at in sorted(starts):
        if at >= end and (match := _MACRO_HEAD.match(data, at)) is not None:
            end = match.end()
            yield match


def _parse(source: bytes) -> Tree:
    return parse_without_bodies(source) or cpp_parser().parse(source)


def parse_without_bodies(source: bytes) -> Tree | None:
    """The tree of `source` with plain function bodies left empty; None when
    there is nothing to leave out or the result cannot be trusted."""
    skips = skippable_bodies(source)
    if not skips:
        return None
    parser = cpp_parser()
    parser.included_ranges = _included_ranges(source, skips)
    tree = parser.parse(source)
    if tree.root_node.has_error or not all(_is_block(tree.root_node, s, e) for s, e in skips):
        return None
    return tree


def _is_block(root: Node, start: int, end: int) -> bool:
    """The braces around a left-out inside are those of a block of statements
    (a function's, a lambda's, an if's...), not a class body or a list."""
    brace = root.descendant_for_byte_range(start - 1, start)
    block = brace.parent if brace is not None else None
    return (
        block is not None
        and block.type == "compound_statement"
        and block.start_byte == start - 1
        and block.end_byte == end + 1
    )


def _included_ranges(source: bytes, skips: list[tuple[int, int]]) -> list[Range]:
    """The complement of `skips`, with the (row, byte column) points tree-sitter needs."""
    row = line_start = last = 0

    def point(offset: int) -> tuple[int, int]:
        nonlocal row, line_start, last
        row += source.count(b"\n", last, offset)
        newline = source.rfind(b"\n", last, offset)
        if newline != -1:
            line_start = newline + 1
        last = offset
        return row, offset - line_start

    ranges = []
    begin = 0
    for skip_start, skip_end in skips:
        ranges.append(Range(point(begin), point(skip_start), begin, skip_start))
        begin = skip_end
    ranges.append(Range(point(begin), point(len(source)), begin, len(source)))
    return ranges
