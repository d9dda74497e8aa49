"""One C/C++ file -> FileFacts: everything the finder needs from it.

Pure and picklable: a worker process can scan, the parent resolves across
files. Nothing here knows about other files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from codemod import queries
from codemod.cpp.aliases import AliasDecl, find_aliases
from codemod.cpp.classes import ClassDecl, find_classes
from codemod.cpp.errors import Unparsed, find_unparsed
from codemod.cpp.finalize import detect_indent_unit, detect_newline
from codemod.cpp.macros import MacroClass, find_macro_classes
from codemod.cpp.parse import parse_cpp
from codemod.cpp.usings import Usings, find_usings

@dataclass(frozen=True)
class FileFacts:
    path: str
    digest: str  # of the bytes scanned: edits planned on them apply to nothing else
    classes: tuple[ClassDecl, ...]
    aliases: tuple[AliasDecl, ...]
    usings: Usings
    macro_classes: tuple[MacroClass, ...]
    unparsed: tuple[Unparsed, ...]
    recovered_macros: tuple[tuple[int, str], ...]


def scan_cpp(path: str, data: bytes) -> FileFacts:
    parsed = parse_cpp(data)
    root = parsed.tree.root_node
    matches = queries.match_all(root)  # every query file, one walk of the tree
    # The indentation step needs a regex pass over the whole file; most class
    # bodies show their members' indentation, so it is worked out only on demand.
    unit = lru_cache(maxsize=None)(lambda: detect_indent_unit(data))
    classes = find_classes(matches, path, data, unit, detect_newline(data))
    unparsed = tuple(
        u for u in find_unparsed(matches, data) if not any(c.start <= u.start < c.end for c in classes)
    )
    return FileFacts(
        path=path,
        digest=digest(data),
        classes=classes,
        aliases=find_aliases(matches, path),
        usings=find_usings(matches, path),
        macro_classes=find_macro_classes(matches),
        unparsed=unparsed,
        recovered_macros=parsed.recovered_macros,
    )


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
