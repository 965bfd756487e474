"""kg: a knowledge graph with semantic search over Taiwan's iCAP competency documents.

Pipeline: raw document -> `kg.parse` (model) -> `kg.graph` (RDF + reasoning + SHACL)
-> `kg.store` (persisted graph) -> `kg.query` (SPARQL) -> `kg.cli`.
"""

__version__ = "0.1.0"
