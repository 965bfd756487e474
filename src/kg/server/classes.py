"""The classification facets (領域類別, 職類別, 職業別, 行業別) as query parameters, shared by
the search API, the search page and the /documents listing."""

# No `from __future__ import annotations` here: FastAPI reads a dependency's fields from its
# __init__, and a subclass in another module could not resolve names (_ONLY) of this one.
from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from kg.catalogue import FACETS

_ONLY = "Only documents of this {}; repeatable."


@dataclass
class Classes:
    """Narrows an answer to the documents filed under the values chosen (each repeatable; values
    as /documents shows them, "name (code)")."""

    domain: Annotated[list[str] | None, Query(description=_ONLY.format("領域類別"))] = None
    category: Annotated[list[str] | None, Query(description=_ONLY.format("職類別"))] = None
    occupation: Annotated[list[str] | None, Query(description=_ONLY.format("職業別"))] = None
    industry: Annotated[list[str] | None, Query(description=_ONLY.format("行業別"))] = None

    def chosen(self) -> dict[str, list[str]]:
        """The values chosen, by facet (in /documents' order); facets without any left out."""
        return {f.name: list(values) for f in FACETS if (values := getattr(self, f.name, None))}
