"""The public API (`import kg`): every function stays reachable as `kg.<name>`."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import kg
from conftest import ROOT
from kg import api


def test_every_public_function_is_callable_even_after_all_submodules_are_loaded():
    # A submodule named like an API function (kg.build, kg.search) would shadow it on import.
    for module in pkgutil.walk_packages(kg.__path__, "kg."):
        if module.name != "kg.__main__":  # that one runs the CLI
            importlib.import_module(module.name)
    for name in api.__all__:
        value = getattr(kg, name)
        assert value is getattr(api, name), name
        assert callable(value), name


def test_the_api_lists_what_it_exports():
    assert {"build", "sparql", "find", "overlap", "overlap_matrix", "coverage_table", "export_sssom"} <= set(
        dir(kg)
    )


def test_an_empty_search_still_has_its_columns(built):
    empty = kg.find("zzzqqq", built, mode="lexical", by="item").to_dataframe()
    assert empty.empty and list(empty.columns) == ["document", "code", "kind", "text", "score", "iri"]
    documents = kg.find("zzzqqq", built, mode="lexical").to_dataframe()
    assert documents.empty and {"document", "title", "document_score", "code"} <= set(documents.columns)


def test_build_with_strict_refuses_a_truncated_document(tmp_path):
    seed = (ROOT / "data" / "raw" / "KMM5R0915v2.txt").read_text(encoding="utf-8")
    cut = tmp_path / "sources" / "KMM5R0915v2.txt"
    cut.parent.mkdir()
    cut.write_text(seed[: len(seed) * 6 // 10], encoding="utf-8")
    settings = kg.Settings.load(build_dir=tmp_path / "build", embedder="none")
    with pytest.raises(kg.KgError, match="truncated"):
        kg.build([cut.parent], settings, strict=True)
    assert not kg.has_build(settings)
    report = kg.build([cut.parent], settings)  # without strict, a warning
    assert any("truncated" in warning for warning in report.warnings)
    assert kg.has_build(settings)
