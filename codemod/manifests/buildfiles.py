"""Where each build target gets node-addon-api's headers from.

binding.gyp is parsed with tree-sitter-python (queries/gyp.scm) and never
run: its `<!(...)` strings are shell commands and stay text. CMakeLists.txt
(cmake-js) is read line by line. Other build systems (Bazel, Zig, Meson)
are reported as "unknown: headers come from <file>", never guessed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from tree_sitter import Node

from codemod import queries
from codemod.manifests import cmake
from codemod.manifests.jsonspan import BadInput

NPM = "npm"  # the npm package: the lockfile (then node_modules) decides the version
VENDORED = "vendored"  # a literal path to a header copy: judged by fingerprint
UNKNOWN = "unknown"

_NPM_HINT = re.compile(r"""require\(\s*['"]node-addon-api['"]\s*\)|node_addon_api(?:_except|_maybe)?\b|node-addon-api""")


@dataclass(frozen=True)
class HeaderSource:
    build_file: str
    target: str
    line: int
    kind: str
    detail: str
    folder: str | None = None  # the vendored copy's folder
    span: tuple[int, int] | None = None  # binding.gyp: the include_dirs string literal

# What a gyp target's include_dirs entry becomes to build against the npm package.
NPM_INCLUDE = b'"<!(node -p \\"require(\'node-addon-api\').include_dir\\")"'


# -- binding.gyp ------------------------------------------------------------


def gyp_sources(path: str, data: bytes, copy_folders: frozenset[str]) -> list[HeaderSource]:
    """copy_folders: the folders known to hold a napi-inl.h (roots.load_root looked)."""
    folder = os.path.dirname(path)
    out: list[HeaderSource] = []
    for key, target, item in _gyp_entries(path, data):
        value = _unquote(item)
        source = _classify(value, key, folder, copy_folders)
        if source is not None:
            kind, detail, copy = source
            out.append(HeaderSource(path, target, item.start_point[0] + 1, kind, detail, copy,
                                    (item.start_byte, item.end_byte) if key == "include_dirs" else None))
    return out


def copy_candidates(path: str, data: bytes) -> list[str]:
    """Folders a build file names as literal include paths: where a header
    copy may sit (the loader checks which hold napi-inl.h). Never raises."""
    folder = os.path.dirname(path)
    try:
        if os.path.basename(path) == "binding.gyp":
            values = [_unquote(item) for key, _, item in _gyp_entries(path, data) if key == "include_dirs"]
            return [c for v in values if (c := _literal_folder(v, folder)) is not None]
        if os.path.basename(path) == "CMakeLists.txt":
            return [copy for _, _, copy in cmake.include_paths(data.decode("utf-8", "replace"), folder)]
    except BadInput:
        pass
    return []


def _gyp_entries(path: str, data: bytes):
    """(setting, target, string node) for each string in an include_dirs or
    dependencies list, under any of GYP's merge suffixes (`include_dirs+`
    is include_dirs to the compiler, as `=` and `?` are)."""
    root = queries.python_parser().parse(data).root_node
    if root.has_error:
        raise BadInput(path, _first_error_line(root), "invalid GYP (a Python literal expected)")
    for m in queries.match_all(root, "python")["gyp"]:
        key = _unquote(m["key"][0]).rstrip("+=?")
        target = _target_name(m["setting"][0])
        for item in m["list"][0].named_children:
            if item.type == "string":
                yield key, target, item


def _literal_folder(value: str, folder: str) -> str | None:
    """The folder a literal include path names, relative to the build file's folder."""
    if "<!" in value:
        return None
    # <(module_root_dir) is the build file's own folder: joined once, here.
    literal = value.replace("<(module_root_dir)", ".")
    if "<(" in literal or "<@(" in literal:
        return None
    return os.path.normpath(os.path.join(folder, literal))


def _classify(value: str, key: str, folder: str, copy_folders) -> tuple[str, str, str | None] | None:
    if "<!" in value:
        if _NPM_HINT.search(value):
            return NPM, f"npm package node-addon-api via {value!r} (not run): the lockfile decides the version", None
        return (UNKNOWN, f"unknown: headers come from shell command {value!r} (napi-fix never runs it)", None) \
            if key == "include_dirs" else None
    if key == "dependencies":
        if _NPM_HINT.search(value):
            return NPM, f"npm package node-addon-api via dependency {value!r}", None
        return None
    literal = value.replace("<(module_root_dir)", ".")
    copy = _literal_folder(value, folder)
    if copy is None:
        return UNKNOWN, f"unknown: headers come from GYP variable path {value!r}", None
    if copy in copy_folders:
        where = "installed copy" if "node_modules" in copy.split(os.sep) else "vendored copy"
        return VENDORED, f"{where} {literal!r}", copy
    return None


def _target_name(node: Node) -> str:
    parent = node.parent
    while parent is not None:
        if parent.type == "dictionary":
            for pair in parent.named_children:
                key = pair.child_by_field_name("key")
                value = pair.child_by_field_name("value")
                if pair.type == "pair" and key is not None and _unquote(key) == "target_name" and value is not None:
                    return _unquote(value)
        if parent.type == "pair":
            key = parent.child_by_field_name("key")
            if key is not None and _unquote(key) == "target_defaults":
                return "target_defaults"
        parent = parent.parent
    return "(all targets)"


_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", "'": "'", '"': '"', "\n": ""}


def _unquote(node: Node) -> str:
    """The value of a Python string literal, decoded by hand (nothing is evaluated)."""
    text = node.text.decode("utf-8", "replace")
    prefix = re.match(r"^[rRuUbB]*", text).group(0)
    body = text[len(prefix) :]
    quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
    body = body[len(quote) : len(body) - len(quote)]
    if "r" in prefix.lower():
        return body
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), body, flags=re.S)


def _first_error_line(root: Node) -> int:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            return node.start_point[0] + 1
        stack.extend(reversed(node.children))
    return 1


# -- CMakeLists.txt (cmake-js) and build systems napi-fix does not read --------

_CMAKE_NPM = re.compile(r"""require\(\s*\\?['"]node-addon-api\\?['"]\s*\)\.include|CMAKE_JS_INC""")


def cmake_sources(path: str, data: bytes, copy_folders: frozenset[str]) -> list[HeaderSource]:
    text = data.decode("utf-8", "replace")
    folder = os.path.dirname(path)
    out: list[HeaderSource] = []
    for number, line in enumerate(text.splitlines(), 1):
        code = line.split("#", 1)[0]
        if _CMAKE_NPM.search(code):
            what = "CMAKE_JS_INC (cmake-js adds the npm package)" if "CMAKE_JS_INC" in code else \
                "execute_process(node -p require('node-addon-api').include)"
            out.append(HeaderSource(path, "cmake", number, NPM, f"npm package node-addon-api via {what} "
                                                                 "(not run): the lockfile decides the version"))
    for line, literal, copy in cmake.include_paths(text, folder):
        if copy in copy_folders:
            kind = "hard-coded path into node_modules" if "node_modules" in literal else "vendored copy"
            out.append(HeaderSource(path, "cmake", line, VENDORED, f"{kind} {literal!r}", copy))
    return out


def other_sources(path: str, data: bytes) -> list[HeaderSource]:
    if b"napi.h" in data or b"node-addon-api" in data or b"node_addon_api" in data:
        return [HeaderSource(path, os.path.basename(path), 1, UNKNOWN,
                             f"unknown: headers come from {os.path.basename(path)}, a build napi-fix does not read")]
    return []
