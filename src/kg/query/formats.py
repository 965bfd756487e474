"""Query results as text: an aligned table, W3C SPARQL JSON/XML/CSV/TSV, or RDF for graphs.

The CLI prints `FORMATS` (graphs as Turtle); the web app negotiates any of
`RESULT_FORMATS` for SELECT/ASK and `GRAPH_FORMATS` for CONSTRUCT/DESCRIBE.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from rdflib import XSD, BNode, Literal, URIRef
from rdflib.term import Node

from kg.graph.vocabulary import PREFIXES
from kg.store import QueryResult
from kg.store.terms import serialize, turtle

FORMATS = ("table", "json", "csv", "tsv")
# Formats a SPARQL endpoint offers, by name, with their media types.
RESULT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
_RDF_FORMATS = {
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def render(result: QueryResult, fmt: str = "table") -> str:
    """Text for a result; CONSTRUCT/DESCRIBE results are always Turtle."""
    if result.kind == "graph":
        return to_turtle(result)
    return {"table": to_table, "json": to_json, "csv": to_csv, "tsv": to_tsv}[fmt](result)


def serialize_result(result: QueryResult, fmt: str) -> str:
    """A result in one of `RESULT_FORMATS` (SELECT/ASK) or `GRAPH_FORMATS` (CONSTRUCT/DESCRIBE)."""
    if result.kind == "graph":
        if fmt == "turtle":
            return to_turtle(result)
        return serialize(result.triples, _RDF_FORMATS[fmt])
    return {"json": to_json, "xml": to_xml, "csv": to_csv, "tsv": to_tsv}[fmt](result)


def to_turtle(result: QueryResult) -> str:
    return turtle(result.triples, PREFIXES)


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None and term.datatype != XSD.string:
        out["datatype"] = str(term.datatype)
    return out


def to_json(result: QueryResult) -> str:
    """The W3C SPARQL 1.1 Query Results JSON Format."""
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": result.boolean})
    body = {
        "head": {"vars": result.variables},
        "results": {"bindings": [{k: _json_term(v) for k, v in row.items()} for row in result.rows]},
    }
    return json.dumps(body, ensure_ascii=False, indent=1)


def _xml_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(str(term))}</bnode>"
    assert isinstance(term, Literal)
    if term.language:
        attribute = f" xml:lang={quoteattr(term.language)}"
    elif term.datatype is not None and term.datatype != XSD.string:
        attribute = f" datatype={quoteattr(str(term.datatype))}"
    else:
        attribute = ""
    return f"<literal{attribute}>{escape(str(term))}</literal>"


def to_xml(result: QueryResult) -> str:
    """The W3C SPARQL Query Results XML Format."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
    ]
    if result.kind == "ask":
        lines += ["<head/>", f"<boolean>{'true' if result.boolean else 'false'}</boolean>", "</sparql>"]
        return "\n".join(lines) + "\n"
    lines.append("<head>")
    lines += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
    lines += ["</head>", "<results>"]
    for row in result.rows:
        lines.append("<result>")
        lines += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>" for v, t in row.items()]
        lines.append("</result>")
    lines += ["</results>", "</sparql>"]
    return "\n".join(lines) + "\n"


def to_csv(result: QueryResult) -> str:
    """The W3C SPARQL 1.1 CSV format: plain values, no types."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if result.kind == "ask":
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
        return out.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_plain(row[v]) if v in row else "" for v in result.variables])
    return out.getvalue()


def to_tsv(result: QueryResult) -> str:
    """The W3C SPARQL 1.1 TSV format: terms in N-Triples syntax."""
    if result.kind == "ask":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join(row[v].n3() if v in row else "" for v in result.variables))
    return "\n".join(lines) + "\n"


def _plain(term: Node) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _compact(term: Node) -> str:
    if isinstance(term, URIRef):
        for prefix, iri in PREFIXES.items():
            if str(term).startswith(iri):
                return f"{prefix}:{str(term)[len(iri) :]}"
        return str(term)
    return _plain(term)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def to_table(result: QueryResult) -> str:
    """An aligned text table with a row count, for people."""
    if result.kind == "ask":
        return "true" if result.boolean else "false"
    header = result.variables
    rows = [[_compact(row[v]) if v in row else "" for v in header] for row in result.rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(header)]
    lines = [" | ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    count = len(rows)
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(lines)
