"""Where each build target gets node-addon-api's headers from.

binding.gyp is read as GYP merges it (gyp.py: merge suffixes, .gypi
includes, variables, both branches of conditions) and never run: its
`<!(...)` strings are shell commands and stay text. CMakeLists.txt
(cmake-js) is tokenized in one pass (cmake.py). Other build systems (Bazel, Zig, Meson)
are reported as "unknown: headers come from <file>", never guessed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from typing import Callable

from codemod.manifests import cmake, gyp
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
    span: tuple[int, int] | None = None  # binding.gyp (or .gypi): the include_dirs string literal
    via: str = ""  # a .gypi's entry: the binding.gyp that includes it (whose package builds it)

    @property
    def home(self) -> str:
        """The build file whose folder holds the package that builds this target."""
        return self.via or self.build_file

NODE_HEADERS = ("<(node_root_dir)", ">(node_root_dir)")
# What a gyp target's include_dirs entry becomes to build against the npm package.
NPM_INCLUDE = b'"<!(node -p \\"require(\'node-addon-api\').include_dir\\")"'


# -- binding.gyp ------------------------------------------------------------


def gyp_sources(path: str, data: bytes, copy_folders: frozenset[str],
                read: Callable[[str], bytes | None] | None = None) -> list[HeaderSource]:
    """copy_folders: the folders known to hold a napi-inl.h (roots.load_root
    looked); read: the bytes of a .gypi the file includes (None: unreadable)."""
    items, variables = gyp.read_gyp(path, data, read)
    out: list[HeaderSource] = []
    for item in items:
        seen = set()
        for expansion in gyp.expansions(item, variables, os.path.dirname(path)):
            classified = _classify(expansion.value, item.setting, expansion.folder, copy_folders)
            if classified is None or classified in seen:
                continue
            seen.add(classified)
            kind, detail, copy = classified
            if expansion.through:
                detail = detail.replace(f" {expansion.value!r}", f" {expansion.value!r} (through {expansion.through})", 1)
            # `<@(list)` stands for several directories: replacing it would drop the others.
            editable = item.setting == "include_dirs" and "@(" not in item.value
            out.append(HeaderSource(item.file, item.target, item.node.start_point[0] + 1, kind, detail, copy,
                                    (item.node.start_byte, item.node.end_byte) if editable else None,
                                    path if item.file != path else ""))
    return out


def copy_candidates(path: str, data: bytes, read: Callable[[str], bytes | None] | None = None) -> list[str]:
    """Folders a build file names as literal include paths: where a header
    copy may sit (the loader checks which hold napi-inl.h). Never raises."""
    folder = os.path.dirname(path)
    try:
        if os.path.basename(path) == "binding.gyp":
            items, variables = gyp.read_gyp(path, data, read)
            return [c for item in items if item.setting == "include_dirs"
                    for e in gyp.expansions(item, variables, folder)
                    if (c := _literal_folder(e.value, e.folder)) is not None]
        if os.path.basename(path) == "CMakeLists.txt":
            return [copy for *_, copy in cmake.include_paths(data.decode("utf-8", "replace"), folder)]
    except (BadInput, RecursionError):
        pass
    return []


def _literal_folder(value: str, folder: str) -> str | None:
    """The folder a literal include path names, relative to `folder`."""
    if "<!" in value:
        return None
    # <(module_root_dir) is the binding.gyp's own folder (node-gyp defines it so).
    literal = value.replace("<(module_root_dir)", ".")
    if "<(" in literal or "<@(" in literal or ">(" in literal:
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
    if value.startswith(NODE_HEADERS):
        return None  # Node's own headers (node-gyp's variable): node-addon-api is never there
    literal = value.replace("<(module_root_dir)", ".")
    copy = _literal_folder(value, folder)
    if copy is None:
        return UNKNOWN, f"unknown: headers come from GYP variable path {value!r}", None
    if copy in copy_folders:
        where = "installed copy" if "node_modules" in copy.split(os.sep) else "vendored copy"
        return VENDORED, f"{where} {literal!r}", copy
    return None


# -- CMakeLists.txt (cmake-js) and build systems napi-fix does not read --------

_CMAKE_NPM = re.compile(r"""require\(\s*\\?['"]node-addon-api\\?['"]\s*\)\.include|CMAKE_JS_INC""")


def cmake_sources(path: str, data: bytes, copy_folders: frozenset[str]) -> list[HeaderSource]:
    text = data.decode("utf-8", "replace")
    folder = os.path.dirname(path)
    out: list[HeaderSource] = []
    for number, line in enumerate(text.split("\n"), 1):
        code = line.split("#", 1)[0]
        if _CMAKE_NPM.search(code):
            what = "CMAKE_JS_INC (cmake-js adds the npm package)" if "CMAKE_JS_INC" in code else \
                "execute_process(node -p require('node-addon-api').include)"
            out.append(HeaderSource(path, "cmake", number, NPM, f"npm package node-addon-api via {what} "
                                                                 "(not run): the lockfile decides the version"))
    for line, written, literal, copy in cmake.include_paths(text, folder):
        through = f" (through {written})" if written != literal else ""
        if copy in copy_folders:
            kind = "hard-coded path into node_modules" if "node_modules" in literal else "vendored copy"
            out.append(HeaderSource(path, "cmake", line, VENDORED, f"{kind} {literal!r}{through}", copy))
        elif copy.split(os.sep)[-2:] == ["node_modules", "node-addon-api"]:
            # Not installed (yet): whatever npm installs there, the lockfile decides.
            out.append(HeaderSource(path, "cmake", line, NPM, f"npm package node-addon-api via hard-coded path "
                                                               f"{literal!r}: the lockfile decides the version"))
    return out


def other_sources(path: str, data: bytes) -> list[HeaderSource]:
    if b"napi.h" in data or b"node-addon-api" in data or b"node_addon_api" in data:
        return [HeaderSource(path, os.path.basename(path), 1, UNKNOWN,
                             f"unknown: headers come from {os.path.basename(path)}, a build napi-fix does not read")]
    return []
