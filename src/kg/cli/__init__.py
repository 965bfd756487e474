"""The `kg` command line: thin wrappers over library functions notebooks can call too.

common.py   the app, the options every command shares, error handling, progress
graph.py    kg build, parse, validate, sparql
publish.py  kg publish
search.py   kg search, eval
overlap.py  kg overlap
cover.py    kg cover
export.py   kg export
serve.py    kg serve
"""

from __future__ import annotations

# Importing the command modules registers their commands on `app`.
from kg.cli import cover, export, graph, overlap, publish, search, serve  # noqa: F401
from kg.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    app()
