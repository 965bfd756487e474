"""Benchmark: kgf:nearest's two parts at a corpus size no build here reaches, on synthetic data.

    python benchmarks/nearest_scale.py --items 179938 --indicators 58000 \
        --output benchmarks/results/nearest_scale.json

The 3,000-document build does not finish on this machine (README, "Scale"), so
complaint-handling-by-similarity cannot be timed on it. This times what grows with the
corpus, apart: (1) the vector index's look-up of the k nearest items of one kind
(`DenseIndex.search` with the kind's ids allowed, as `kg.search.nearest` calls it) over
`--items` random unit vectors (179,938: the items of the 3,000-document corpus), and
(2) the store's join, on an oxigraph store holding `--indicators` indicators of standards
with the query's pattern (document, task, code, text): the named query rewritten to VALUES
of k of them, beside the form that scores every indicator. Both call a stand-in for
kgf:similarity (a dot product of stored vectors, as it is) per row. Median of `--repeats`.
Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pyoxigraph as ox
from common import machine, median_seconds

from kg.search.dense import DenseIndex

BASE = "https://example.org/id/"
KG = "https://w3id.org/icap-kg/ontology#"
PREFIXES = f"""PREFIX kg: <{KG}>
PREFIX kgf: <https://w3id.org/icap-kg/function#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
QUERY = (
    PREFIXES
    + """SELECT ?doc_code ?task_code ?code ?text ?score WHERE {
  CANDIDATES
  ?doc a kg:CompetencyStandard ; skos:notation ?doc_code .
  ?indicator a kg:BehaviourIndicator ; dcterms:isPartOf ?doc ; skos:notation ?code ; kg:text ?text .
  ?task a kg:Task ; kg:hasPart ?indicator ; skos:notation ?task_code .
  BIND(kgf:similarity(?indicator, "客訴處理") AS ?score)
} ORDER BY DESC(?score) ?doc_code ?code LIMIT 5"""
)
DIMENSION = 384  # e5-small
PER_TASK = 8  # indicators under one task
PER_DOCUMENT = 48  # indicators of one standard


def unit_vectors(rows: int, rng: np.random.Generator) -> np.ndarray:
    vectors = rng.standard_normal((rows, DIMENSION), dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def time_look_up(items: int, kept: int, k: int, repeats: int, rng: np.random.Generator) -> dict[str, float]:
    """Seconds of the k nearest of all items, and of the `kept` allowed ones (one kind)."""
    ids = np.arange(items, dtype=np.int64)
    index = DenseIndex.build(unit_vectors(items, rng), ids)
    question = unit_vectors(1, rng)[0]
    allowed = rng.choice(ids, kept, replace=False)
    return {
        "any_kind": median_seconds(lambda: index.search(question, k), repeats),
        "one_kind": median_seconds(lambda: index.search(question, k, allowed), repeats),
    }


def indicator_store(indicators: int) -> ox.Store:
    """Indicators of standards with the named query's pattern, in an in-memory store."""
    a, part, code, text = (
        ox.NamedNode(iri)
        for iri in (
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
            "http://purl.org/dc/terms/isPartOf",
            "http://www.w3.org/2004/02/skos/core#notation",
            f"{KG}text",
        )
    )
    has_part = ox.NamedNode(f"{KG}hasPart")
    classes = {
        name: ox.NamedNode(f"{KG}{name}") for name in ("CompetencyStandard", "Task", "BehaviourIndicator")
    }
    quads = []
    for i in range(indicators):
        document = ox.NamedNode(f"{BASE}D{i // PER_DOCUMENT}")
        task = ox.NamedNode(f"{BASE}D{i // PER_DOCUMENT}/T{i // PER_TASK}")
        indicator = ox.NamedNode(f"{BASE}D{i // PER_DOCUMENT}/P{i}")
        if i % PER_DOCUMENT == 0:
            quads += [
                ox.Quad(document, a, classes["CompetencyStandard"]),
                ox.Quad(document, code, ox.Literal(f"D{i}")),
            ]
        if i % PER_TASK == 0:
            quads += [ox.Quad(task, a, classes["Task"]), ox.Quad(task, code, ox.Literal(f"T{i}"))]
        quads += [
            ox.Quad(indicator, a, classes["BehaviourIndicator"]),
            ox.Quad(indicator, part, document),
            ox.Quad(indicator, code, ox.Literal(f"P{i}")),
            ox.Quad(indicator, text, ox.Literal(f"指標 {i}")),
            ox.Quad(task, has_part, indicator),
        ]
    store = ox.Store()
    store.extend(quads)
    return store


def time_join(indicators: int, k: int, repeats: int, rng: np.random.Generator) -> dict[str, float]:
    """Seconds of the named query over VALUES of k indicators, and over every indicator."""
    store = indicator_store(indicators)
    vectors = unit_vectors(indicators, rng)
    question = unit_vectors(1, rng)[0]

    def similarity(*args: object) -> ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None:
        item = args[0]
        assert isinstance(item, ox.NamedNode)
        row = int(item.value.rsplit("/P", 1)[1])
        return ox.Literal(
            str(round(float(vectors[row] @ question), 6)),
            datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double"),
        )

    functions: dict[ox.NamedNode, Callable[..., ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]]
    functions = {ox.NamedNode("https://w3id.org/icap-kg/function#similarity"): similarity}
    nearest = rng.choice(indicators, k, replace=False)
    values = " ".join(f"<{BASE}D{i // PER_DOCUMENT}/P{i}>" for i in nearest)
    forms = {
        "nearest_values": QUERY.replace("CANDIDATES", f"VALUES ?indicator {{ {values} }}"),
        "every_indicator": QUERY.replace("CANDIDATES", ""),
    }

    def run(sparql: str) -> int:
        solutions = store.query(sparql, custom_functions=functions, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)
        return len(list(solutions))

    for sparql in forms.values():
        assert run(sparql) == 5
    return {name: median_seconds(partial(run, sparql), repeats) for name, sparql in forms.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=179_938, help="vectors in the index")
    parser.add_argument("--indicators", type=int, default=58_000, help="indicators of standards")
    parser.add_argument("--k", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    results = {
        "machine": machine(),
        "items": args.items,
        "indicators": args.indicators,
        "k": args.k,
        "look_up_seconds_median": time_look_up(args.items, args.indicators, args.k, args.repeats, rng),
        "store_join_seconds_median": time_join(args.indicators, args.k, args.repeats, rng),
    }
    print(json.dumps(results, indent=1))
    if args.output:
        args.output.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
