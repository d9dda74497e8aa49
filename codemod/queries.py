"""Loads and caches the tree-sitter queries in queries/*.scm.

An installed package carries them as codemod/queries/ (see pyproject.toml);
a source checkout keeps them at the top level, beside codemod/.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from tree_sitter import Language, Parser, Query, QueryCursor, Node

_HERE = Path(__file__).resolve().parent
_SEARCH = (_HERE / "queries", _HERE.parent / "queries")


@lru_cache(maxsize=None)
def cpp_language() -> Language:
    import tree_sitter_cpp

    return Language(tree_sitter_cpp.language())


def cpp_parser() -> Parser:
    return Parser(cpp_language())


@lru_cache(maxsize=None)
def python_language() -> Language:
    """binding.gyp is a Python literal: parsed with tree-sitter-python, never run."""
    import tree_sitter_python

    return Language(tree_sitter_python.language())


def python_parser() -> Parser:
    return Parser(python_language())


_LANGUAGES = {"cpp": cpp_language, "python": python_language}


def query_path(name: str) -> Path:
    for folder in _SEARCH:
        candidate = folder / f"{name}.scm"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"query {name}.scm not found in {', '.join(map(str, _SEARCH))}")


@lru_cache(maxsize=None)
def load(name: str, language: str = "cpp") -> Query:
    return Query(_LANGUAGES[language](), query_path(name).read_text(encoding="utf-8"))


def matches(name: str, node: Node, language: str = "cpp") -> list[dict[str, list[Node]]]:
    """Capture dicts of every match of query `name` under `node`, in source order."""
    return [captures for _, captures in QueryCursor(load(name, language)).matches(node)]
