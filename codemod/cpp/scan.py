"""One C/C++ file -> FileFacts: everything the finder needs from it.

Pure and picklable: a worker process can scan, the parent resolves across
files. Nothing here knows about other files.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from codemod.cpp.aliases import AliasDecl, find_aliases
from codemod.cpp.classes import ClassDecl, find_classes
from codemod.cpp.errors import Unparsed, find_unparsed
from codemod.cpp.finalize import detect_indent_unit, detect_newline
from codemod.cpp.macros import MacroClass, find_macro_classes
from codemod.cpp.parse import parse_cpp
from codemod.cpp.usings import Usings, find_usings

_ALIAS_HINT = re.compile(rb"\busing\b|\btypedef\b")
_USING_HINT = re.compile(rb"\busing\b|#[ \t]*include[ \t]*\"")
# A #define whose (possibly continued) body mentions ObjectWrap.
_MACRO_HINT = re.compile(rb"#[ \t]*define(?:[^\n]|\\\r?\n)*ObjectWrap")
_NO_USINGS = Usings((), (), ())

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
    classes = find_classes(root, path, data, detect_indent_unit(data), detect_newline(data))
    # Each query walks the whole tree: skip the ones whose trigger bytes are absent.
    unparsed = () if not root.has_error else tuple(
        u for u in find_unparsed(root, data) if not any(c.start <= u.start < c.end for c in classes)
    )
    return FileFacts(
        path=path,
        digest=digest(data),
        classes=classes,
        aliases=find_aliases(root, path) if _ALIAS_HINT.search(data) else (),
        usings=find_usings(root, path) if _USING_HINT.search(data) else _NO_USINGS,
        macro_classes=find_macro_classes(root) if _MACRO_HINT.search(data) else (),
        unparsed=unparsed,
        recovered_macros=parsed.recovered_macros,
    )


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
