"""The mappings as RDF, in the `mappings` graph: plain SKOS triples, nodes only where they say something.

    <a> skos:exactMatch <b> .  <b> skos:exactMatch <a> .      (SKOS mapping relations are symmetric;
                                                                exact and close only: see `IN_GRAPH`)
    <{base}mapping/{hash}> a kg:Mapping ;                       (only when the score or cardinality says
        owl:annotatedSource <a> ; owl:annotatedProperty skos:closeMatch ; owl:annotatedTarget <b> ;
        kg:similarityScore 0.9123 ; kg:mappingCardinality "1:n" .          something: see `says_something`)
    <{base}overlap/{hash}> a kg:DocumentOverlap ;               (one per document pair with a mapping)
        kg:overlapSource <docA> ; kg:overlapTarget <docB> ;
        kg:exactMatches 12 ; kg:closeMatches 3 ; kg:relatedMatches 0 ;
        kg:overlapRank 1 ; kg:overlapPage 1 .                   (the first page only, 100 pairs: the most
                                                                exact, then close, then by code)
    <task> kg:incorporatesUnit <unit> .
    <{base}text/{hash}> a kg:DistinctText ; rdf:value "…"@zh-Hant ;     (beyond the exhaustive cut-off: each
        kg:closeText <{base}text/{hash2}> .                             distinct text with a close text, and
    <item> kg:distinctText <{base}text/{hash}> .                        the items printing it; see below)
    <{base}incorporation/{hash}> a kg:UnitIncorporation ;
        owl:annotatedSource <task> ; owl:annotatedProperty kg:incorporatesUnit ;
        owl:annotatedTarget <unit> ; kg:coverage 0.9545 ;
        kg:incorporationRank 1 ; kg:incorporationPage 1 .      (by standard, task and unit code)

Why: most mappings of a real corpus join identical texts (a unit printed inside every
standard that embeds it), scored 1 and one-to-one; a reified node for each (7 triples)
made the mappings graph 16 times the asserted one at 1,000 documents. Such a mapping is
the plain triple alone: a missing node means score 1, cardinality 1:1. Related mappings
(about half of all, the weakest evidence: too loose to call a unit embedded) stay in the
SSSOM file and the per-pair counts, not in the graph. The reified nodes
follow OWL's axiom annotation pattern (as SSSOM's OWL output does; kg:Mapping is a
subclass of owl:Axiom). The per-pair counts are what `document-overlap` reads, so that
query does not aggregate every mapping; the pairs of the first page (`kg.graph.pages`)
have their rank, the query's order, and page, which it reads by a look-up of one value
instead of sorting every pair. Only the first: the order is by counts, so a rank on every
pair would move for tens of thousands of pairs with any changed document;
the incorporations are ranked and paged alike for `units-in-standards`.
Every mapping, with its score, is in the SSSOM file.

Beyond the exhaustive cut-off only each document's strongest partners are matched item by
item (`kg.mapping.text_links`); every close link of the corpus is kept at the level of its
texts instead: one `kg:DistinctText` node per distinct text (of a kind group) that has a
close text, `kg:closeText` once per pair (symmetric in meaning: ask for both ways),
and a `kg:distinctText` link from each item printing it. That grows with the distinct
texts, where item-to-item triples would grow with the square of the documents printing them.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from rdflib import OWL, RDF, XSD, Literal

from kg.graph.convert import ZH
from kg.graph.nquads import integer, nt
from kg.graph.pages import page_of
from kg.graph.vocabulary import KG, Iris
from kg.mapping.incorporation import Coverage
from kg.mapping.model import RELATIONS, Mapping
from kg.mapping.text_links import GroupLinks, TextLinks
from kg.search.items import SearchItem

IN_GRAPH = ("exact", "close")  # relations stored as triples; every relation is in the SSSOM file


def says_something(mapping: Mapping) -> bool:
    """Whether a mapping needs a reified node: its score is below 1 or it is not one-to-one."""
    return round(mapping.score, 4) < 1 or mapping.cardinality != "1:1"


def mapping_nquads(
    mappings: Iterable[Mapping],
    coverage: Iterable[Coverage],
    iris: Iris,
    links: TextLinks | None = None,
    items: Sequence[SearchItem] = (),
    lines: int = 100_000,
) -> Iterator[bytes]:
    """The whole `mappings` graph (see above) as N-Quads, in chunks of `lines` lines: a corpus has
    millions, which as one string would cost gigabytes at once. `links` (with the `items`
    its rows point to): the corpus's close links between distinct texts. (A build writes the
    same lines in parts: `kg.mapping.graph_parts`.)"""
    by_pair: dict[tuple[str, str], list[Mapping]] = {}
    for m in mappings:
        by_pair.setdefault((m.a.document, m.b.document), []).append(m)
    groups = sorted(links.groups.items()) if links else []
    found = itertools.chain(
        itertools.chain.from_iterable(pair_lines(pair, held, iris) for pair, held in by_pair.items()),
        overlap_lines(
            ((pair, Counter(m.relation for m in held)) for pair, held in by_pair.items() if held),
            incorporations(c.to_dict() for c in coverage),
            iris,
        ),
        itertools.chain.from_iterable(link_lines(group, held, items, iris) for group, held in groups),
    )
    return encoded(found, lines)


def encoded(lines: Iterable[str], size: int = 100_000) -> Iterator[bytes]:
    """Lines of text as UTF-8 chunks of `size` lines."""
    found = iter(lines)
    while chunk := "".join(itertools.islice(found, size)):
        yield chunk.encode("utf-8")


def pair_lines(pair: tuple[str, str], mappings: Sequence[Mapping], iris: Iris) -> Iterator[str]:
    """The N-Quads lines of one document pair's `mappings`: exact and close ones as triples (a
    node where they say something) and the pair's `kg:DocumentOverlap` node with its counts
    (its rank is in `overlap_lines`). Nothing for a pair without mappings.

    Written as text, not through rdflib terms: every term is an IRI minted by `Iris`
    (nothing to escape) or a number, and rdflib terms cost several times more.
    """
    if not mappings:
        return
    graph = f"<{iris.graph('mappings')}> .\n"
    mapping_node = _concepts(iris, "mapping")
    counts: Counter[str] = Counter()
    for m in mappings:
        counts[m.relation] += 1
        if m.relation not in IN_GRAPH:
            continue
        a, b, predicate = f"<{m.a.iri}>", f"<{m.b.iri}>", f"<{m.predicate}>"
        yield f"{a} {predicate} {b} {graph}"
        yield f"{b} {predicate} {a} {graph}"
        if not says_something(m):
            continue
        node = f"<{mapping_node}{_digest(m.a.iri, m.b.iri)}>"
        yield from _axiom(node, _KIND[KG.Mapping], a, predicate, b, graph)
        yield f"{node} {_SCORE} {_decimal(m.score)} {graph}"
        if m.cardinality != "1:1":
            yield f'{node} {_CARDINALITY} "{m.cardinality}" {graph}'
    node = _overlap_node(pair, iris)
    yield f"{node} {_TYPE} {_KIND[KG.DocumentOverlap]} {graph}"
    yield f"{node} {_SOURCE} <{iris.document(pair[0])}> {graph}"
    yield f"{node} {_TARGET} <{iris.document(pair[1])}> {graph}"
    for relation in RELATIONS:
        yield f"{node} {_COUNTS[relation]} {integer(counts[relation])} {graph}"


def overlap_lines(
    counts: Iterable[tuple[tuple[str, str], dict[str, int]]],
    incorporations: Iterable[tuple[str, str, str, float]],
    iris: Iris,
) -> Iterator[str]:
    """The lines made from every pair at once: the rank and page of each pair on the first page
    of those with mappings (`counts`: by relation; the most exact, then close, then by code),
    and the units' `incorporations` (standard, task, unit, share), ranked.

    Only the first page: the order is by counts, which any changed document moves, and a rank
    on every pair would move tens of thousands of ranks each time (every triple an incremental
    build's store update removes and adds again)."""
    graph = f"<{iris.graph('mappings')}> .\n"
    ranked = sorted(counts, key=lambda pair: (-pair[1].get("exact", 0), -pair[1].get("close", 0), pair[0]))
    for rank, (pair, _) in enumerate(ranked, start=1):
        if page_of(rank) > 1:
            break
        node = _overlap_node(pair, iris)
        yield f"{node} {_RANK} {integer(rank)} {graph}"
        yield f"{node} {_PAGE} {integer(page_of(rank))} {graph}"
    incorporated = sorted(incorporations)
    incorporates = f"<{KG.incorporatesUnit}>"
    incorporation_node = _concepts(iris, "incorporation")
    for rank, (standard, task_code, unit_code, share) in enumerate(incorporated, start=1):
        task, unit = f"<{iris.item(standard, task_code)}>", f"<{iris.document(unit_code)}>"
        yield f"{task} {incorporates} {unit} {graph}"
        node = f"<{incorporation_node}{_digest(task[1:-1], unit[1:-1])}>"
        yield from _axiom(node, _KIND[KG.UnitIncorporation], task, incorporates, unit, graph)
        yield f"{node} <{KG.coverage}> {_decimal(share)} {graph}"
        yield f"{node} <{KG.incorporationRank}> {integer(rank)} {graph}"
        yield f"{node} <{KG.incorporationPage}> {integer(page_of(rank))} {graph}"


def incorporations(coverage: Iterable[dict]) -> Iterator[tuple[str, str, str, float]]:
    """(standard, task, unit, share) of each unit a task incorporates, from `Coverage.to_dict()`s."""
    for c in coverage:
        if c["incorporated"] and c["task"] is not None:
            yield c["standard"], c["task"], c["unit"], c["coverage"]


def text_digest(group: str, text: str) -> str:
    """What names a kind group's distinct text: its node's IRIs order as these do."""
    return _digest(group, text)


def link_lines(
    group: str,
    found: GroupLinks,
    items: Sequence[SearchItem],
    iris: Iris,
    texts: Iterable[int] | None = None,
    pairs: Iterable[tuple[int, int]] | None = None,
) -> Iterator[str]:
    """The N-Quads lines of a kind group's close links between distinct texts (see above): the
    nodes of `texts` (default: every text with a close text) with the items printing them, and
    the `kg:closeText` link of each of `pairs` (default: all), once, the smaller IRI first."""
    graph = f"<{iris.graph('mappings')}> .\n"
    prefix = _concepts(iris, "text")  # once: minting it per node cost half a second at 3,000 documents
    if texts is None:
        texts = sorted(set(found.pairs.ravel().tolist()))
    for i in texts:
        text = found.texts[i]
        node = f"<{prefix}{text_digest(group, text)}>"
        yield f"{node} {_TYPE} {_KIND[KG.DistinctText]} {graph}"
        yield f"{node} {_VALUE} {nt(Literal(text, lang=ZH))} {graph}"
        for row in found.rows[i]:
            yield f"<{items[row].iri}> {_DISTINCT} {node} {graph}"
    nodes: dict[int, str] = {}
    for i, j in found.pairs.tolist() if pairs is None else pairs:
        for k in (i, j):
            if k not in nodes:
                nodes[k] = f"<{prefix}{text_digest(group, found.texts[k])}>"
        first, second = sorted((nodes[i], nodes[j]))
        yield f"{first} {_CLOSE_TEXT} {second} {graph}"


_TYPE = f"<{RDF.type}>"
_KIND = {
    kind: f"<{kind}>" for kind in (KG.Mapping, KG.DocumentOverlap, KG.UnitIncorporation, KG.DistinctText)
}
_VALUE, _DISTINCT, _CLOSE_TEXT = f"<{RDF.value}>", f"<{KG.distinctText}>", f"<{KG.closeText}>"
_SCORE = f"<{KG.similarityScore}>"
_CARDINALITY = f"<{KG.mappingCardinality}>"
_SOURCE, _TARGET, _RANK = f"<{KG.overlapSource}>", f"<{KG.overlapTarget}>", f"<{KG.overlapRank}>"
_PAGE = f"<{KG.overlapPage}>"
_COUNTS = {
    "exact": f"<{KG.exactMatches}>",
    "close": f"<{KG.closeMatches}>",
    "related": f"<{KG.relatedMatches}>",
}
_ANNOTATED = f"<{OWL.annotatedSource}>", f"<{OWL.annotatedProperty}>", f"<{OWL.annotatedTarget}>"


def _overlap_node(pair: tuple[str, str], iris: Iris) -> str:
    return f"<{_concepts(iris, 'overlap')}{_digest(*pair)}>"


def _concepts(iris: Iris, scheme: str) -> str:
    """What every `iris.concept(scheme, key)` starts with: the keys here are hex digests, which
    minting leaves as they are, and minting each of millions costs seconds."""
    return str(iris.concept(scheme, ""))


def _axiom(node: str, kind: str, source: str, predicate: str, target: str, graph: str) -> Iterator[str]:
    yield f"{node} {_TYPE} {kind} {graph}"
    for annotation, value in zip(_ANNOTATED, (source, predicate, target), strict=True):
        yield f"{node} {annotation} {value} {graph}"


def _decimal(value: float) -> str:
    """An xsd:decimal to 4 places, as rdflib writes `Literal(round(value, 4), datatype=XSD.decimal)`."""
    return f'"{round(value, 4)!r}"^^<{XSD.decimal}>'


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]
