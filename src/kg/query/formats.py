"""Query results as text: an aligned table, W3C SPARQL JSON/XML/CSV/TSV, or RDF for graphs.

`FORMATS` is the one table of output formats: for each, the result kinds it writes, the
media types and `format=` short names the web app answers to, whether `kg sparql
--format` offers it, and the function that writes it. The CLI's choices and help, the
server's content negotiation and the query page's download links all read it.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from rdflib import XSD, BNode, Literal, URIRef
from rdflib.term import Node

from kg.graph.vocabulary import PREFIXES
from kg.query.errors import QueryError
from kg.store import QueryResult
from kg.store.terms import serialize, turtle
from kg.workbooks import XLSX_MEDIA_TYPE, cell_text

SELECT_ASK = ("select", "ask")
GRAPH = ("graph",)  # CONSTRUCT/DESCRIBE
FORMS = {"select": "SELECT/ASK", "ask": "SELECT/ASK", "graph": "CONSTRUCT/DESCRIBE"}


@dataclass(frozen=True)
class Format:
    """One output format (a row of `FORMATS`)."""

    name: str
    kinds: tuple[str, ...]  # the result kinds it writes: SELECT_ASK or GRAPH
    media_types: tuple[str, ...]  # what the server answers to, the first is the one served; () = not served
    short_names: tuple[str, ...]  # what a `format=` (`output=`, `results=`) parameter may say for it
    cli: bool  # `kg sparql --format` offers it
    write: Callable[[QueryResult], str | bytes]  # bytes for a binary format (XLSX)


def render(result: QueryResult, fmt: str = "table") -> str | bytes:
    """Text for a result, as `kg sparql --format` prints it. CONSTRUCT/DESCRIBE results are
    Turtle for the default `table`, and json or xml name their RDF forms (JSON-LD, RDF/XML), as
    in the server's `format=`; any other format for another kind of result is an error."""
    chosen = FORMATS[fmt]
    if result.kind == "graph" and result.kind not in chosen.kinds:
        same = [f for f in FORMATS.values() if result.kind in f.kinds and fmt in f.short_names]
        chosen = FORMATS["turtle"] if fmt == "table" else same[0] if same else chosen
    if result.kind not in chosen.kinds:
        form, offered = FORMS[result.kind], ", ".join(cli_formats(result.kind))
        raise QueryError(f"{fmt} is no format for {form} results; they print as {offered}")
    return chosen.write(result)


def serialize_result(result: QueryResult, fmt: str) -> str | bytes:
    """A result in a format that writes its kind (one of `media_types(result.kind)`)."""
    chosen = FORMATS[fmt]
    if result.kind not in chosen.kinds:
        raise ValueError(f"{fmt} does not write {FORMS[result.kind]} results")
    return chosen.write(result)


def media_types(kind: str) -> dict[str, tuple[str, ...]]:
    """The formats the server offers for a result kind, with their media types; the first is the default."""
    return {f.name: f.media_types for f in FORMATS.values() if kind in f.kinds and f.media_types}


def short_names(kind: str) -> dict[str, tuple[str, ...]]:
    """The short names a `format=` parameter may use, by format, for the formats offered for a kind."""
    return {name: FORMATS[name].short_names for name in media_types(kind)}


def cli_formats(kind: str | None = None) -> tuple[str, ...]:
    """The formats `kg sparql --format` offers (those for one result kind, when given)."""
    return tuple(f.name for f in FORMATS.values() if f.cli and (kind is None or kind in f.kinds))


def to_turtle(result: QueryResult) -> str:
    """Turtle with the project's prefixes."""
    return turtle(result.triples, PREFIXES)


def _rdf(rdf_format: ox.RdfFormat) -> Callable[[QueryResult], str]:
    def write(result: QueryResult) -> str:
        return serialize(result.triples, rdf_format)

    return write


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


def to_xlsx(result: QueryResult) -> bytes:
    """A workbook for Excel and LibreOffice Calc: a row per solution under the variables' names,
    numbers and booleans as the spreadsheet's own, IRIs in full, other terms as their text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "result"
    if result.kind == "ask":
        sheet.append(["boolean"])
        sheet.append([bool(result.boolean)])
    else:
        sheet.append(result.variables)
        for row in result.rows:
            sheet.append([_cell(row[v]) if v in row else None for v in result.variables])
        sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_NUMBERS = {XSD.integer, XSD.int, XSD.long, XSD.short, XSD.decimal, XSD.double, XSD.float}
_NUMBERS |= {XSD.nonNegativeInteger, XSD.positiveInteger, XSD.negativeInteger, XSD.nonPositiveInteger}


def _cell(term: Node) -> object:
    """A term as a spreadsheet cell: a typed number or boolean as one, anything else as its text
    (less what a worksheet cannot hold: control characters)."""
    if isinstance(term, Literal) and term.datatype in _NUMBERS | {XSD.boolean}:
        value = term.toPython()
        if isinstance(value, bool | int | float):
            return value
        if term.datatype == XSD.decimal:
            return float(value)
    return cell_text(_plain(term))


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


_SPARQL_JSON = (
    "application/sparql-results+json",
    "application/json",
    "text/javascript",
    "application/javascript",
)
_SPARQL_XML = ("application/sparql-results+xml", "application/xml", "text/xml")
_TURTLE = ("text/turtle", "application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3")

# The output formats, in the order the server prefers them (the first of a kind is its default).
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("table", SELECT_ASK, (), (), cli=True, write=to_table),
        Format("json", SELECT_ASK, _SPARQL_JSON, ("json",), cli=True, write=to_json),
        Format("xml", SELECT_ASK, _SPARQL_XML, ("xml",), cli=True, write=to_xml),
        Format("csv", SELECT_ASK, ("text/csv",), ("csv",), cli=True, write=to_csv),
        Format("tsv", SELECT_ASK, ("text/tab-separated-values",), ("tsv",), cli=True, write=to_tsv),
        Format("xlsx", SELECT_ASK, (XLSX_MEDIA_TYPE,), ("xlsx",), cli=True, write=to_xlsx),
        Format("turtle", GRAPH, _TURTLE, ("turtle", "ttl", "n3"), cli=True, write=to_turtle),
        Format(
            "ntriples",
            GRAPH,
            ("application/n-triples",),
            ("ntriples", "n-triples", "nt"),
            cli=True,
            write=_rdf(ox.RdfFormat.N_TRIPLES),
        ),
        Format(
            "jsonld",
            GRAPH,
            ("application/ld+json", "application/x-json+ld", "application/json"),
            ("json-ld", "jsonld", "json"),
            cli=True,
            write=_rdf(ox.RdfFormat.JSON_LD),
        ),
        Format(
            "rdfxml",
            GRAPH,
            ("application/rdf+xml", "application/xml", "text/xml"),
            ("rdf+xml", "rdfxml", "rdf", "xml"),
            cli=True,
            write=_rdf(ox.RdfFormat.RDF_XML),
        ),
    )
}
