"""Namespaces and IRI minting, in one place.

Ontology terms live under a fixed namespace (`KG`). Data IRIs are built from one
configurable base: a document is `{base}{code}`, an item `{base}{code}/{item code}`,
so an item's IRI is stable across rebuilds; a source file is named by its content
hash and file name, never by the folder it was read from.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from rdflib import Namespace, URIRef

from kg.settings import DEFAULT_BASE_IRI, check_base_iri

_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]+")  # what `quote` leaves as it is: most codes
KG = Namespace("https://w3id.org/icap-kg/ontology#")
KGF = Namespace("https://w3id.org/icap-kg/function#")
CEASN = Namespace("https://purl.org/ctdlasn/terms/")
ESCO = Namespace("http://data.europa.eu/esco/model#")

PREFIXES = {
    "kg": str(KG),
    "kgf": str(KGF),
    "ceasn": str(CEASN),
    "esco": str(ESCO),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above, for queries that omit them."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


class Iris:
    """Mints the data IRIs under one base."""

    def __init__(self, base: str = DEFAULT_BASE_IRI) -> None:
        check_base_iri(base)
        self.base = base if base.endswith(("/", "#", ":")) else base + "/"

    def _mint(self, *parts: str) -> URIRef:
        return URIRef(self._path(*parts))

    def _path(self, *parts: str) -> str:
        return self.base + "/".join(p if _UNRESERVED.fullmatch(p) else quote(p, safe="") for p in parts)

    def item_iri(self, document_code: str, item_code: str) -> str:
        """`item` as text, without making a URIRef (search items keep their IRI so)."""
        return self._path(document_code, item_code)

    def document(self, code: str) -> URIRef:
        return self._mint(code)

    def item(self, document_code: str, item_code: str) -> URIRef:
        return self._mint(document_code, item_code)

    def version(self, document_code: str, version: str) -> URIRef:
        return self._mint(document_code, "version", version)

    def source(self, name: str, sha256: str = "") -> URIRef:
        """A source file, by its content hash and file name: `{base}source/{sha256[:16]}/{name}`.

        Not by its path, which depends on the working folder and on how it was typed.
        """
        return self._mint("source", sha256[:16], name) if sha256 else self._mint("source", name)

    def concept(self, scheme: str, key: str) -> URIRef:
        return self._mint(scheme, key)

    @staticmethod
    def level(level: int) -> URIRef:
        """Levels are shared concepts of the ontology (kg:level-1 ... kg:level-6)."""
        return KG[f"level-{level}"]

    def graph(self, name: str) -> URIRef:
        return self._mint("graph", name)
