"""Loads the tree-sitter queries in queries/*.scm and runs them.

An installed package carries them as codemod/queries/ (see pyproject.toml);
a source checkout keeps them at the top level, beside codemod/.

Each finder owns one query file, but all the files of a language are
compiled into one Query and run in one walk per tree: compiling a query
against tree-sitter-cpp costs ~5 ms however small it is, and each walk of a
20 KB file's tree ~1 ms, so six separate queries cost 6x both. `match_all`
hands every finder the matches of its own file's patterns.
"""

from __future__ import annotations

import os
from functools import lru_cache

from tree_sitter import Language, Node, Parser, Query, QueryCursor

_HERE = os.path.dirname(os.path.realpath(__file__))
_SEARCH = (os.path.join(_HERE, "queries"), os.path.join(os.path.dirname(_HERE), "queries"))

# The query files of each language; a finder reads its matches by file name.
QUERY_FILES = {
    "cpp": ("classes", "finalize", "aliases", "usings", "macros", "errors"),
    "python": ("gyp", "gyp_variables"),
}

Captures = dict[str, list[Node]]
Matches = dict[str, list[Captures]]  # query file name -> its matches, in source order


@lru_cache(maxsize=None)
def cpp_language() -> Language:
    return Language(grammar("tree_sitter_cpp")())


def cpp_parser() -> Parser:
    return Parser(cpp_language())


@lru_cache(maxsize=None)
def python_language() -> Language:
    """binding.gyp is a Python literal: parsed with tree-sitter-python, never run."""
    return Language(grammar("tree_sitter_python")())


def python_parser() -> Parser:
    return Parser(python_language())


_LANGUAGES = {"cpp": cpp_language, "python": python_language}


def grammar(package: str):
    """A grammar package's `language` function, from its `_binding`
    extension alone. The package's __init__ imports importlib.resources
    (with pathlib, tempfile, shutil...: ~9 ms, the cost of a tenth of a
    small dry run) for highlight queries napi-fix never reads. Any other
    layout: the package is imported as usual."""
    import importlib.machinery
    import importlib.util

    spec = importlib.util.find_spec(package)  # a top-level name: finds the package without running it
    for folder in (spec.submodule_search_locations or ()) if spec is not None else ():
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(folder, "_binding" + suffix)
            if os.path.isfile(path):
                name = f"{package}._binding"
                loader = importlib.machinery.ExtensionFileLoader(name, path)
                try:
                    module = importlib.util.module_from_spec(importlib.util.spec_from_file_location(name, path,
                                                                                                   loader=loader))
                    loader.exec_module(module)
                    return module.language
                except (ImportError, AttributeError):
                    break  # not loadable alone: the package's own import says why, if it fails too
    return importlib.import_module(package).language


def query_path(name: str) -> str:
    for folder in _SEARCH:
        candidate = os.path.join(folder, f"{name}.scm")
        if os.path.isfile(candidate):
            return candidate
    raise FileNotFoundError(f"query {name}.scm not found in {', '.join(_SEARCH)}")


@lru_cache(maxsize=None)
def bundle(language: str = "cpp") -> tuple[Query, tuple[str, ...]]:
    """One Query holding every query file of `language`, and the file each
    pattern (by index) came from."""
    sources, bounds, offset = [], [], 0
    for name in QUERY_FILES[language]:
        with open(query_path(name), encoding="utf-8") as source:
            text = source.read() + "\n"
        sources.append(text)
        offset += len(text.encode("utf-8"))
        bounds.append((offset, name))
    query = Query(_LANGUAGES[language](), "".join(sources))
    owners = tuple(
        next(name for end, name in bounds if query.start_byte_for_pattern(i) < end)
        for i in range(query.pattern_count)
    )
    return query, owners


def match_all(node: Node, language: str = "cpp") -> Matches:
    """The matches of every query file of `language` under `node`, from one walk."""
    query, owners = bundle(language)
    found: Matches = {name: [] for name in QUERY_FILES[language]}
    for index, captures in QueryCursor(query).matches(node):
        found[owners[index]].append(captures)
    return found
