"""Jinja2 templates (server/templates/) and the labels and filters they use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.graph.vocabulary import PREFIXES
from kg.parse.kinds import kind_labels, labels_of
from kg.search.lexical import CJK
from kg.server.highlight import highlight

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

# Traditional Chinese names with English labels, as the pages show them (kg.parse.kinds).
KIND_LABELS = kind_labels()
MODE_LABELS = {"hybrid": "混合 hybrid", "dense": "語意 dense", "lexical": "關鍵字 lexical"}
RELATION_LABELS = {"exact": "完全對應 exact", "close": "相近 close", "related": "相關 related"}

templates = Jinja2Templates(directory=str(TEMPLATES))


def kind_label(kind: str, english: bool = True) -> str:
    chinese, label = labels_of(kind)  # kinds registered after start too
    return f"{chinese} {label}" if english else chinese


def compact(term: Node | str) -> str:
    """A term as a short string: prefixed names for known namespaces, plain literals."""
    if isinstance(term, BNode):
        return f"_:{term}"
    text = str(term)
    if isinstance(term, URIRef) or not isinstance(term, Literal):
        for prefix, iri in PREFIXES.items():
            if text.startswith(iri):
                return f"{prefix}:{text[len(iri) :]}"
    return text


templates.env.filters["kind"] = kind_label
templates.env.tests["cjk"] = lambda text: bool(CJK.search(str(text)))  # {% if message is cjk %}: its lang
templates.env.filters["compact"] = compact
templates.env.filters["highlight"] = highlight
templates.env.globals["KIND_LABELS"] = KIND_LABELS
templates.env.globals["MODE_LABELS"] = MODE_LABELS
templates.env.globals["RELATION_LABELS"] = RELATION_LABELS


def render(request: Request, template: str, /, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page from a template, with the request in its context."""
    return templates.TemplateResponse(request, template, context, status_code=status_code)
