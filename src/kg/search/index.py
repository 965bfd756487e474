"""The search index of a build: items, their vectors (FAISS) and their tokens (BM25).

    builds/<id>/search/   (names in `kg.store.layout`)
      meta.json     embedder, fingerprint, dimension, item count, source hashes, probe vector,
                    the documents' occupation and industry names (`vocabulary`, for questions)
      items.jsonl   one SearchItem per line; line i is row i
      dense.faiss   FAISS index of the item vectors, by stable id
      lexical/      bm25s index; row i is item i
      terms.json, terms.npy   the BM25 vocabulary's Chinese terms embedded as questions
                    (kg.search.term_gloss: English words glossed with them)

An index answers only queries embedded by the model that built it: `SearchIndex.check`
refuses any other, so a changed model can never give silently wrong scores.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.errors import KgError
from kg.search.cache import EmbeddingCache, EmbeddingStats, embed_passages
from kg.search.dense import DenseIndex
from kg.search.embedders import Embedder
from kg.search.items import SearchItem, Vocabulary
from kg.search.lexical import LexicalIndex
from kg.search.term_gloss import write_terms
from kg.search.token_cache import TokenCache
from kg.store.layout import DENSE_FILE, ITEMS_FILE, LEXICAL_FOLDER, SEARCH_FOLDER, SEARCH_META_FILE

FORMAT = 1
# Embedded at build time and again at query time: a different vector means a different model.
PROBE_TEXT = "職能基準 competency standard"
PROBE_TOLERANCE = 1e-3
NO_INDEX = "none"


@dataclass
class IndexReport:
    items: int
    stats: EmbeddingStats
    seconds: dict[str, float]
    vectors: np.ndarray  # row i is item i's: what the build maps overlaps with


@dataclass
class PreparedIndex:
    """What a search index is written from, once its texts are embedded and tokenised."""

    items: list[SearchItem]
    vectors: np.ndarray
    lexical: LexicalIndex
    terms: list[str]  # the BM25 vocabulary's Chinese terms (kg.search.term_gloss)
    term_vectors: np.ndarray
    meta: dict


def prepare_search_index(
    items: list[SearchItem],
    embedder: Embedder,
    sources: dict[str, str],
    cache: EmbeddingCache | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    vocabulary: Vocabulary | None = None,
    tokens: TokenCache | None = None,
) -> tuple[PreparedIndex, IndexReport]:
    """Embed and tokenise every item (`cache` keeps embeddings between builds, `tokens` the
    texts' search tokens): the items' and the terms' vectors, the items' tokens and BM25, all
    that needs the model and the caches. `write_search_index` then writes the index's files,
    which a build does in a thread while it goes on (`kg.background`).

    vocabulary: the documents' occupation and industry names (`kg.search.items.class_vocabulary`),
    kept so that a question naming one can be read (`kg.search.understand`).
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    vectors, stats = embed_passages(embedder, [i.text for i in items], cache, progress)
    seconds["embed"] = time.perf_counter() - started
    started = time.perf_counter()
    if len({i.id for i in items}) != len(items):
        raise KgError("two search items share an IRI: item codes must be unique within a document")
    lexical = LexicalIndex.build([i.text for i in items], cache=tokens)  # jieba loaded only if needed
    seconds["index"] = time.perf_counter() - started
    started = time.perf_counter()
    terms = sorted(set(lexical.chinese_terms()))  # kg.search.term_gloss
    term_vectors, _ = embed_passages(embedder, terms, cache, as_queries=True)
    seconds["terms"] = time.perf_counter() - started
    meta = {
        "format": FORMAT,
        "embedder": embedder.name,
        "fingerprint": embedder.fingerprint,
        "dimension": embedder.dimension,
        "items": len(items),
        "sources": sources,
        "vocabulary": vocabulary or {},
        "probe": [round(float(x), 6) for x in embedder.embed_passages([PROBE_TEXT])[0]],
    }
    prepared = PreparedIndex(items, vectors, lexical, terms, term_vectors, meta)
    report = IndexReport(len(items), stats, {k: round(v, 3) for k, v in seconds.items()}, vectors)
    return prepared, report


def write_search_index(folder: Path, prepared: PreparedIndex, encoded: Sequence[str] = ()) -> None:
    """Write a prepared index into `folder/search`: files only (no model, no cache).

    `encoded`: the items' lines of items.jsonl (`SearchItem.json_line`, each ended by a
    newline), in order, in as many pieces as the caller has (a build: one per document, made
    and kept with it), rather than encoded here.
    """
    out = folder / SEARCH_FOLDER
    out.mkdir(parents=True, exist_ok=True)
    ids = np.array([i.id for i in prepared.items], dtype=np.int64)
    DenseIndex.build(prepared.vectors, ids).save(out / DENSE_FILE)
    prepared.lexical.save(out / LEXICAL_FOLDER)
    if encoded and sum(piece.count("\n") for piece in encoded) != len(prepared.items):
        raise ValueError("the encoded items.jsonl lines are not one per item")
    with open(out / ITEMS_FILE, "w", encoding="utf-8") as lines:
        lines.writelines(encoded or (item.json_line() + "\n" for item in prepared.items))
    write_terms(out, prepared.terms, prepared.term_vectors)
    meta = json.dumps(prepared.meta, ensure_ascii=False, indent=1)
    (out / SEARCH_META_FILE).write_text(meta, encoding="utf-8")


class SearchIndex:
    """A build's search index, loaded for querying."""

    def __init__(self, build_path: Path) -> None:
        folder = build_path / SEARCH_FOLDER
        meta_file = folder / SEARCH_META_FILE
        if not meta_file.is_file():
            raise KgError(
                f"the build in {build_path} has no search index: run `kg build` "
                f"(with an embedder other than {NO_INDEX!r})"
            )
        self.meta = json.loads(meta_file.read_text(encoding="utf-8"))
        if self.meta.get("format") != FORMAT:
            raise KgError(f"the search index in {folder} is from another kg version: run `kg build` again")
        self.items = read_items(build_path)
        self.dense = DenseIndex.load(folder / DENSE_FILE)
        self.lexical = LexicalIndex.load(folder / LEXICAL_FOLDER)
        if not (len(self.items) == self.dense.size == self.lexical.size == self.meta["items"]):
            raise KgError(f"the search index in {folder} is incomplete: run `kg build` again")
        self.row_of = {item.id: row for row, item in enumerate(self.items)}
        self.ids = np.array([i.id for i in self.items], dtype=np.int64)
        self.documents = {item.document for item in self.items}
        # an index written before names were kept has none: no question then names one
        self.vocabulary: Vocabulary = self.meta.get("vocabulary") or {}
        self._columns: dict[str, np.ndarray] = {}
        self._checked: set[str] = set()

    def column(self, attribute: str) -> np.ndarray:
        """One attribute of every item as an array (for filters); levels absent are 0."""
        if attribute not in self._columns:
            values = [getattr(item, attribute) for item in self.items]
            if attribute == "level":
                self._columns[attribute] = np.array([v or 0 for v in values], dtype=np.int16)
            else:
                self._columns[attribute] = np.array(values, dtype=str)
        return self._columns[attribute]

    @property
    def embedder_name(self) -> str:
        return str(self.meta["embedder"])

    def check(self, embedder: Embedder) -> None:
        """Refuse an embedder other than the one that built the index."""
        if embedder.name in self._checked:
            return
        built = self.meta["embedder"]
        if embedder.name != built:
            raise KgError(
                f"the search index was built with the embedder {built!r}, not {embedder.name!r}: "
                f"search with --embedder {built} or rebuild with `kg build --embedder {embedder.name}`"
            )
        probe = embedder.embed_passages([PROBE_TEXT])[0]
        stored = np.asarray(self.meta["probe"], dtype=np.float32)
        if (
            embedder.dimension != self.dense.dimension
            or embedder.fingerprint != self.meta["fingerprint"]
            or stored.shape != probe.shape
            or float(np.abs(stored - probe).max()) > PROBE_TOLERANCE
        ):
            raise KgError(
                f"the embedding model {built!r} has changed since the search index was built "
                f"({self.meta['fingerprint']}; now {embedder.fingerprint}): run `kg build` again"
            )
        self._checked.add(embedder.name)

    def rows(self, ids: Iterable[int]) -> list[SearchItem]:
        return [self.items[self.row_of[int(i)]] for i in ids]


def read_items(build_path: Path) -> list[SearchItem]:
    """The indexed items of a build, in row order (without loading the indexes)."""
    return [SearchItem(**json.loads(line)) for line in _lines(build_path / SEARCH_FOLDER / ITEMS_FILE)]


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError:
        raise KgError(f"the search index file {path} is missing: run `kg build` again") from None
