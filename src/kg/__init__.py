"""kg: a knowledge graph with semantic search over Taiwan's iCAP competency documents.

Pipeline: raw document -> `kg.parse` (model) -> `kg.graph` (RDF + reasoning + SHACL)
-> `kg.store` (persisted graph) -> `kg.search` (indexes) -> `kg.query` (SPARQL)
-> `kg.cli`. The public API (`kg.api`) is re-exported here: `kg.sparql(...)`,
`kg.find(...)`, `kg.build(...)` and the rest, imported on first use.
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
