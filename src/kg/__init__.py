"""kg: a knowledge graph with semantic search over Taiwan's iCAP competency documents.

The pipeline, and the direction of every import (a layer uses only those above it here):

    kg.parse      raw document -> model (`Document`, its kinds in `kg.parse.kinds`)
    kg.graph      model -> RDF, OWL RL reasoning, SHACL validation (kg.pipeline: on every core)
    kg.store      the build folder and its persisted graph (`open_store("oxigraph:PATH")`)
    kg.search     indexes and answers (FAISS + BM25, `kgf:similarity`, `kgf:contains`, `kgf:nearest`)
    kg.mapping    overlap between documents (SKOS mappings, matrix, unit coverage)
    kg.course     course coverage: a course outline against standards and units, the gaps
    kg.query      SPARQL: checks, output formats, time-limited worker processes
    kg.api        the public API, re-exported here, over one open build (`KnowledgeGraph`)
    kg.cli, kg.server    the `kg` program and the web app (`kg serve`)

`graph = kg.open("data/build")` opens a build: `graph.sparql(...)`, `graph.find(...)`,
`graph.overlap(a, b)`, `graph.matrix()`, `graph.coverage()`, `graph.documents()`,
`graph.cover("course.md", against=["BAS1499-003"])`.
`kg.build(...)`, `kg.find(...)`, `kg.sparql(...)` and the rest of `kg.api` are imported
on first use, so `import kg` stays cheap for the CLI.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Lazy: `import kg` stays cheap for the CLI; the API loads on first use.
    api = importlib.import_module("kg.api")
    if name in api.__all__:
        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__() -> list[str]:
    api = importlib.import_module("kg.api")
    return sorted([*globals(), *api.__all__])
