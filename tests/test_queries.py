"""The grammars (queries.py): loaded from their `_binding` extension alone,
they are the very grammars the packages' own import gives; any other
package layout is imported as usual."""

from __future__ import annotations

import importlib
import importlib.machinery
import sys

import pytest
from tree_sitter import Language, Parser

from codemod import queries


def _shape(language: Language) -> tuple:
    return (language.abi_version, language.node_kind_count, language.field_count, language.parse_state_count,
            tuple(language.node_kind_for_id(i) for i in range(language.node_kind_count)))


@pytest.mark.parametrize("package, source", [
    pytest.param("tree_sitter_cpp", b"class A : public Napi::ObjectWrap<A> {};", id="cpp"),
    pytest.param("tree_sitter_python", b"{'targets': [{'target_name': 'a'}]}", id="python"),
])
def test_the_binding_alone_is_the_packages_grammar(package, source):
    alone = Language(queries.grammar(package)())
    imported = Language(importlib.import_module(package).language())
    assert _shape(alone) == _shape(imported)
    assert str(Parser(alone).parse(source).root_node) == str(Parser(imported).parse(source).root_node)


@pytest.mark.parametrize("binding", [None, b"not a shared object"], ids=["no-binding", "a-binding-that-fails"])
def test_a_package_whose_binding_cannot_be_loaded_alone_is_imported(tmp_path, monkeypatch, binding):
    package = tmp_path / "tree_sitter_elsewhere"
    package.mkdir()
    (package / "__init__.py").write_text("def language():\n    return 'imported as a package'\n")
    if binding is not None:
        (package / ("_binding" + importlib.machinery.EXTENSION_SUFFIXES[0])).write_bytes(binding)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert queries.grammar("tree_sitter_elsewhere")() == "imported as a package"
    finally:
        sys.modules.pop("tree_sitter_elsewhere", None)


def test_the_query_files_are_found_from_the_source_checkout():
    assert all(queries.query_path(name).endswith(f"queries/{name}.scm")
               for names in queries.QUERY_FILES.values() for name in names)
