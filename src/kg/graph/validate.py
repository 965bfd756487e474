"""SHACL validation (pyshacl) of asserted triples against `ontology/shapes.ttl`."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Namespace
from rdflib.term import Literal, Node

from kg.graph.vocabulary import KG

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Violation:
    """One SHACL result, located in the source file where possible."""

    source: str | None
    line: int | None
    focus: str
    code: str | None
    message: str

    def __str__(self) -> str:
        where = self.source or "graph"
        if self.line:
            where += f":{self.line}"
        what = self.code or self.focus
        return f"{where}: {what}: {self.message}"


def validate_graph(data: Graph, shapes: Graph, source: str | None = None) -> list[Violation]:
    """Every SHACL violation of `data`, sorted by file and line.

    A violation names its file by `source` when given (the path as the user gave it),
    else by the file's kg:path in the graph, which holds only the file's name.
    """
    from pyshacl import validate

    conforms, results, _ = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    if conforms:
        return []
    violations = {
        _locate(data, results, result, source) for result in results.subjects(SH.resultSeverity, SH.Violation)
    }
    return sorted(violations, key=lambda v: (v.source or "", v.line or 0, v.focus, v.message))


def _locate(data: Graph, results: Graph, result: Node, path: str | None) -> Violation:
    focus = results.value(result, SH.focusNode)
    message = str(results.value(result, SH.resultMessage) or "violates a shape")
    value = results.value(result, SH.value)
    if value is not None and str(value) not in message:
        message += f" (value: {value})"
    source_node = data.value(focus, KG.sourceFile)
    source: Node | str | None = data.value(source_node, KG.path) if source_node is not None else None
    if source is not None and path is not None:
        source = path
    line = data.value(focus, KG.sourceLine)
    code = data.value(focus, KG.code)
    return Violation(
        source=str(source) if source is not None else None,
        line=int(line) if isinstance(line, Literal) else None,
        focus=str(focus),
        code=str(code) if code is not None else None,
        message=message,
    )
