"""Shared fixtures: the real seeds, built once per test session into a temporary folder."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from kg.build import build
from kg.parse import parse_file
from kg.parse.model import Document
from kg.query.sparql import run_query
from kg.settings import Settings
from kg.store import QueryResult

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
QUERIES = ROOT / "ontology" / "queries"
SEED_CODES = ["BAS1499-003", "BAS2421-003v4", "BGM4R0172v2", "KMM5R0915v2", "TTM3R0299v2"]


@pytest.fixture(scope="session")
def seeds() -> dict[str, Document]:
    """The five seed documents, parsed, by code."""
    documents = [parse_file(path) for path in sorted(RAW.glob("*.txt"))]
    return {d.code: d for d in documents}


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings pointing at a real build of data/raw/, made once per session."""
    settings = Settings.load(build_dir=tmp_path_factory.mktemp("build"))
    with contextlib.chdir(ROOT):  # sources are recorded relative to the working folder
        build([Path("data/raw")], settings)
    return settings


@pytest.fixture(scope="session")
def query(built: Settings):
    """Run SPARQL over the session's build: query(sparql, graph="all") -> QueryResult."""

    def run(sparql: str, graph: str = "all") -> QueryResult:
        return run_query(sparql, built, graph)

    return run


def values(result: QueryResult, *names: str) -> list[tuple]:
    """Rows of a SELECT result as tuples of Python values (str/int), in order."""
    return [tuple(row[n].toPython() if n in row else None for n in names) for row in result.rows]
