"""Shared fixtures: the real seeds, built once per test session into a temporary folder."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from kg.builder import build
from kg.parse import parse_file
from kg.parse.model import Document
from kg.query.sparql import run_query
from kg.settings import Settings
from kg.store import QueryResult

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
QUERIES = ROOT / "ontology" / "queries"
# The public JSON contract (shared/spec/document-model.md): keys every object must have.
DOCUMENT_KEYS = {
    "kind",
    "code",
    "title",
    "level",
    "source",
    "tasks",
    "knowledge",
    "skills",
    "attitudes",
    "notes",
    "history",
}
STANDARD_KEYS = DOCUMENT_KEYS | {
    "category",
    "occupation",
    "industry",
    "description",
    "versions",
    "qualification",
}
UNIT_KEYS = DOCUMENT_KEYS | {"domain", "assessment"}
CONCEPT_KEYS = {"name", "code"}
VERSION_KEYS = {"version", "code", "title", "status", "remark", "date"}
STANDARD_TASK_KEYS = {"code", "title", "level", "knowledge", "skills", "line", "activities"}
ACTIVITY_KEYS = {"code", "title", "level", "knowledge", "skills", "line", "outputs", "indicators"}
OUTPUT_KEYS = {"code", "text", "line"}
INDICATOR_KEYS = {"code", "text", "notes", "line"}
UNIT_TASK_KEYS = {"code", "title", "notes", "line", "indicators"}
COMPETENCE_KEYS = {"code", "text", "items", "notes", "line"}
ATTITUDE_KEYS = {"code", "name", "text", "line"}
NOTE_KEYS = {"code", "text", "line"}
ASSESSMENT_KEYS = {"code", "title", "items", "line"}

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
