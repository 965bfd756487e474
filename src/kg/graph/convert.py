"""Parsed model -> asserted RDF triples, in the ontology's own terms (kg:).

Documents and items get the classes and links their kinds name (kg.parse.kinds); only kg:
terms are asserted; the SKOS, CTDL-ASN, Dublin Core, ESCO and PROV views
(skos:notation, dcterms:isPartOf ...) come from reasoning, so the asserted graph
stays small and the alignment lives in one place: the ontology.

Nothing here depends on the folder a source file was read from (its IRI and kg:path
hold its content hash and file name), so a graph is the same wherever it is built.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import PurePath

from rdflib import RDF, XSD, Graph, Literal, URIRef

from kg.graph.vocabulary import KG, Iris
from kg.parse.kinds import document_kind, item_kind
from kg.parse.model import (
    Activity,
    Assessment,
    Attitude,
    CodedText,
    Competence,
    Concept,
    Document,
    ItemRecord,
    ItemRef,
    Note,
    Task,
    Version,
)

ZH = "zh-Hant"


def zh(text: str) -> Literal:
    return Literal(text, lang=ZH)


class _Writer:
    """Adds one document's triples to a graph."""

    def __init__(self, graph: Graph, document: Document, iris: Iris, source_sha256: str) -> None:
        self.g = graph
        self.doc = document
        self.iris = iris
        self.file_name = PurePath(document.source).name
        self.source = iris.source(self.file_name, source_sha256)
        self.sha256 = source_sha256

    def item(self, code: str) -> URIRef:
        return self.iris.item(self.doc.code, code)

    def add(self, subject: URIRef, predicate: URIRef, value: object) -> None:
        if value is None or value == "":
            return
        obj = value if isinstance(value, (URIRef, Literal)) else Literal(value)
        self.g.add((subject, predicate, obj))

    def describe(self, node: URIRef, cls: URIRef, code: str, line: int, page: int | None) -> None:
        self.add(node, RDF.type, cls)
        self.add(node, KG.code, Literal(code))
        self.add(node, KG.sourceLine, Literal(line, datatype=XSD.positiveInteger))
        if page is not None:
            self.add(node, KG.sourcePage, Literal(page, datatype=XSD.positiveInteger))
        self.add(node, KG.sourceFile, self.source)

    def level(self, node: URIRef, level: int | None) -> None:
        if level is not None:
            self.add(node, KG.level, Literal(level, datatype=XSD.integer))
            self.add(node, KG.competencyLevel, self.iris.level(level))

    def references(
        self, node: URIRef, knowledge: Iterable[str], skills: Iterable[str], notes: Iterable[str]
    ) -> None:
        for code in knowledge:
            self.add(node, KG.requiresKnowledge, self.item(code))
        for code in skills:
            self.add(node, KG.requiresSkill, self.item(code))
        for code in notes:
            self.add(node, KG.refersToNote, self.item(code))

    def write(self) -> URIRef:
        doc = self.doc
        node = self.iris.document(doc.code)
        self.describe(node, KG[document_kind(doc.kind).owl_class], doc.code, doc.line, doc.page)
        self.add(node, KG.title, zh(doc.title) if doc.title else None)
        self.level(node, doc.level)
        self.add(node, KG.description, zh(doc.description) if doc.description else None)
        self.add(node, KG.qualification, zh(doc.qualification) if doc.qualification else None)
        for entry in doc.history:
            self.add(node, KG.updateRecord, zh(entry))
        self.add(self.source, RDF.type, KG.SourceFile)
        self.add(self.source, KG.path, Literal(self.file_name))  # not the folder: see kg:path
        self.add(self.source, KG.sha256, Literal(self.sha256))
        self.concepts(node)
        for ref in doc.iter_items():
            self.item_of(node, ref)
        for version in doc.versions:
            self.version(node, version)
        return node

    def concepts(self, node: URIRef) -> None:
        """The document's classification: its job category, and every occupation and industry
        (a cell may list several codes; the model's `occupation` is the first of `occupations`)."""
        doc = self.doc
        coded: tuple[tuple[URIRef, URIRef, str, list[Concept | None]], ...] = (
            (KG.jobCategory, KG.JobCategory, "category", [doc.category]),
            (KG.occupation, KG.Occupation, "occupation", [*doc.occupations] or [doc.occupation]),
            (KG.industry, KG.Industry, "industry", [*doc.industries] or [doc.industry]),
        )
        for predicate, cls, scheme, concepts in coded:
            for concept in concepts:
                if concept is not None:
                    self.concept(node, predicate, cls, scheme, concept)
        if doc.domain:
            domain = self.iris.concept("domain", doc.domain)
            self.add(node, KG.domain, domain)
            self.add(domain, RDF.type, KG.Domain)
            self.add(domain, KG.name, zh(doc.domain))

    def concept(self, node: URIRef, predicate: URIRef, cls: URIRef, scheme: str, concept: Concept) -> None:
        concept_node = self.iris.concept(scheme, concept.code or concept.name or "")
        self.add(node, predicate, concept_node)
        self.add(concept_node, RDF.type, cls)
        self.add(concept_node, KG.code, concept.code)
        self.add(concept_node, KG.name, zh(concept.name) if concept.name else None)

    def item_of(self, document: URIRef, ref: ItemRef) -> None:
        """An item, linked from its holder (its activity, task or document) as its kind says."""
        kind = item_kind(ref.kind)
        node = self.item(ref.code)
        holder = self.item(ref.parents[-1].code) if ref.parents else document
        self.add(holder, KG[kind.link], node)
        self.describe(node, KG[kind.owl_class], ref.code, ref.record.line, ref.record.page)
        self.properties(node, ref.record)

    def properties(self, node: URIRef, record: ItemRecord) -> None:
        """What an item says besides its place: title or text, level, list entries, references."""
        match record:
            case Task() | Activity():
                self.add(node, KG.title, zh(record.title))
                self.level(node, record.level)
                self.references(node, record.knowledge, record.skills, record.notes)
            case CodedText():  # indicators and outputs
                self.add(node, KG.text, zh(record.text))
                self.references(node, (), (), record.notes)
            case Competence():
                self.add(node, KG.text, zh(record.text) if record.text else None)
                self.list_items(node, record.items)
                self.references(node, (), (), record.notes)
            case Attitude():
                self.add(node, KG.name, zh(record.name))
                self.add(node, KG.description, zh(record.text) if record.text else None)
            case Note():
                self.add(node, KG.text, zh(record.text) if record.text else None)
                self.list_items(node, record.items)
            case Assessment():
                self.add(node, KG.title, zh(record.title))
                self.list_items(node, record.items)

    def list_items(self, node: URIRef, entries: Iterable[str]) -> None:
        for entry in entries:
            self.add(node, KG.listItem, zh(entry))

    def version(self, document: URIRef, version: Version) -> None:
        node = self.iris.version(self.doc.code, version.version)
        self.add(document, KG.hasVersionRecord, node)
        self.describe(node, KG.VersionRecord, version.code, version.line, version.page)
        self.add(node, KG.versionLabel, Literal(version.version))
        self.add(node, KG.title, zh(version.title) if version.title else None)
        self.add(node, KG.status, zh(version.status) if version.status else None)
        self.add(node, KG.remark, zh(version.remark) if version.remark else None)
        if version.date:
            self.add(node, KG.date, Literal(version.date, datatype=XSD.date))
        if version.code:
            self.add(node, KG.versionOf, self.iris.document(version.code))


def document_graph(document: Document, iris: Iris, source_bytes: bytes | None = None) -> Graph:
    """The asserted triples of one document (kg: terms only)."""
    graph = Graph()
    sha256 = hashlib.sha256(source_bytes).hexdigest() if source_bytes is not None else ""
    _Writer(graph, document, iris, sha256).write()
    return graph
