"""Search variants tried for issue 14, measured on the DEV questions only (never the test ones).

Each variant is scored by 2-fold cross-validation within dev: the score model and no-answer
threshold are fitted (`kg.search.evaluate.calibrate`) on one half of the dev questions and
the other half is searched with them, then the other way round, so that no question is
scored by a model fitted on it. Printed: item recall@10, MRR and nDCG@10 over the answerable
dev questions, no-answer recall and answerable questions wrongly refused.

Variants:
  current   the shipped search (hybrid, calibrated order, question reading, kind boost)
  no-term-gloss   current without glossing English words with the index's terms (thesaurus only)
  term-passages   current, with the index's terms embedded as passages (as items are), not as questions
  term-z35 / term-z40 / term-z45   current, a term glossing a word only when its cosine also stands
            3.5 / 4.0 / 4.5 standard deviations over the word's mean cosine with all terms
  term-gloss-zh   current, and Chinese words outside the BM25 vocabulary (jieba's cut, two
            characters or more) glossed likewise, at a cosine of ZH_MIN_COSINE or more
  context   each item indexed (embedded and tokenised) with its task's and activity's titles
            before its own text ("任務｜活動｜項目"); the shown text is unchanged
  context-bm25 / context-dense   the context only in the BM25 index / only in the vectors
  rerank50  current, then its top 50 items re-sorted by the overlap scorer
            (kg.mapping.scoring: 0.9 cosine + 0.1 character bigrams, question against item)
  blend50   current, top 50 re-sorted by the mean of the calibrated score and that scorer's
  feedback  pseudo-relevance feedback (Rocchio): the question's vector plus FEEDBACK_WEIGHT times
            the mean vector of the first pass's FEEDBACK_DEPTH best candidates, for ranking and score
  gloss-mix an English question with a Chinese gloss: the mean of its cosines with the question
            alone and with the glossed question (the shipped search uses the glossed one only)
  mapped    each item scores at least the best score of the items the build's overlap mappings
            mark exact or close to it (mappings/mappings.sssom.tsv)
  diversify each further item of a document already listed counts DIVERSITY times less
  bm25-b03  BM25 with length normalisation b = 0.3 instead of 0.75 (k1 1.5)
  bm25-k1-1 BM25 with k1 = 1.0 (b 0.75)
  zh-bigrams BM25 over jieba's words and every pair of adjacent Chinese characters too (items and
            questions alike), so that a question's word jieba cuts otherwise still meets an item's
  learned   the calibrated order and "nothing found" from a logistic model over more signals than
            the shipped three: the dense and BM25 ranks, the item's document's best cosine and BM25
            and the item's distance from them, the best cosine and BM25 of the items it is linked
            to (its task or activity, their K/S codes, outputs and indicators), the share of the
            question's words it holds, its length, its cosine standardised over the corpus, its kind
  learned-order   learned for the order, the shipped model (fitted likewise) for "nothing found"
  refuse-3rd "nothing found" when the third best item, not the best, is under the threshold
  refuse-signals  "nothing found" by a logistic model over question-level signals: the best
            item's score, the best cosine's margin over the corpus's typical cosine, agreement
            of the dense and BM25 top 10, the share of the question's words in the best item

    python benchmarks/search_variants.py --build-dir data/build [--variant current ...]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from kg.mapping.calibration import calibration_for
from kg.parse.model import Activity, Document, Task
from kg.search.calibration import (
    COSINE_CENTRE,
    COSINE_SPREAD,
    WEAK_SHOWN,
    ScoreModel,
    choose_threshold,
    fit_weights,
)
from kg.search.embedders import get_embedder
from kg.search.engine import KIND_BOOST, Filters, Searcher
from kg.search.evaluate import CALIBRATION_DEPTH, Question, Tally, calibrate, load_questions
from kg.search.index import prepare_search_index, read_items, write_search_index
from kg.search.items import SearchItem
from kg.search.lexical import BM25_B, BM25_K1, CJK, LexicalIndex, Tokenizer
from kg.search.results import ItemHit
from kg.search.term_gloss import TermGloss, to_traditional
from kg.store.layout import (
    CURRENT_FILE,
    DOCUMENTS_FILE,
    GRAPH_FOLDER,
    MAPPINGS_FOLDER,
    SEARCH_FOLDER,
    SSSOM_FILE,
    STORE_FOLDER,
    current_build,
)

VARIANTS = (
    "current",
    "context",
    "context-bm25",
    "context-dense",
    "rerank50",
    "blend50",
    "feedback",
    "gloss-mix",
    "mapped",
    "diversify",
    "bm25-b03",
    "bm25-k1-1",
    "zh-bigrams",
    "learned",
    "learned-order",
    "refuse-3rd",
    "refuse-signals",
    "no-term-gloss",
    "term-gloss-zh",
    "term-passages",
    "term-z35",
    "term-z40",
    "term-z45",
)
Rerank = Callable[[Searcher, str, list[ItemHit]], list[ItemHit]]
Refusal = Callable[[Searcher, list[Question]], Callable[[str], bool]]  # fitted on dev questions
Fitting = Callable[[Searcher, list[Question]], ScoreModel]  # the score model, from dev questions
FEEDBACK_DEPTH, FEEDBACK_WEIGHT = 5, 0.3  # the best of a grid over 3/5/10 and 0.3/0.7/1.5 (dev)
DIVERSITY = 0.9
ZH_MIN_COSINE = 0.92  # Chinese words run closer to Chinese terms than English ones (0.90 / 0.92 / 0.94)
BM25_VARIANTS = {"bm25-b03": (BM25_K1, 0.3), "bm25-k1-1": (1.0, BM25_B)}  # (k1, b)


def folds(dev: list[Question]) -> tuple[list[Question], list[Question]]:
    """Two halves of dev, alternating within each language and style (as the split was made)."""
    halves: tuple[list[Question], list[Question]] = ([], [])
    seen: dict[tuple[str, str, bool], int] = {}
    for q in dev:
        key = (q.lang, q.style, q.no_answer)
        halves[seen.get(key, 0) % 2].append(q)
        seen[key] = seen.get(key, 0) + 1
    return halves


def measure(
    searcher: Searcher,
    dev: list[Question],
    rerank: Rerank | None = None,
    depth: int = 50,
    refusal: Refusal | None = None,
    fitting: Fitting = calibrate,
) -> dict[str, float]:
    """Item quality and refusals by 2-fold cross-validation within dev.

    refusal: another "nothing found" rule, fitted on the fitting half (else the engine's own).
    fitting: how the score model is fitted on the fitting half (else as `kg eval --calibrate` does).
    """
    tally = Tally()
    shipped = searcher.score_model
    for fit, held in (folds(dev), folds(dev)[::-1]):
        model = fitting(searcher, fit)
        searcher.score_model = model
        refuses = None
        if refusal is not None:  # the engine refuses nothing; the rule decides here
            searcher.score_model = replace(model, threshold=0.0)
            refuses = refusal(searcher, fit)
        for q in held:
            result = searcher.search(q.question, by="item", top=depth)
            hits = [h for h in result.results if isinstance(h, ItemHit)]
            weak = result.no_good_match
            if refuses is not None and refuses(q.question):
                weak, hits = True, hits[:WEAK_SHOWN]  # as the engine shows a refused question
            if rerank is not None and not weak:
                hits = rerank(searcher, q.question, hits)
            tally.add(q, hits, weak, q.lang)
    searcher.score_model = shipped
    scores = tally.scores(ks=(10,))
    per_language = {lang: tally.scores(lang, ks=(10,)) for lang in ("zh", "en")}
    return {
        "recall@10": round(scores.recall[10], 3),
        "mrr": round(scores.mrr, 3),
        "ndcg@10": round(scores.ndcg, 3),
        "no_answer_recall": round(tally.recognised / tally.no_answer, 3) if tally.no_answer else 0.0,
        "wrongly_refused": round(tally.refused / tally.answerable, 3) if tally.answerable else 0.0,
        **{f"recall@10 {lang}": round(part.recall[10], 3) for lang, part in per_language.items()},
        **{f"mrr {lang}": round(part.mrr, 3) for lang, part in per_language.items()},
    }


def ranked_score(searcher: Searcher, question: str, place: int) -> float:
    """The calibrated score of the item at `place` (1: the best) among the question's items."""
    hits = searcher.search(question, by="item", top=place).results
    scores = sorted((h.score for h in hits if isinstance(h, ItemHit)), reverse=True)
    return scores[place - 1] if len(scores) >= place else 0.0


def third_item(searcher: Searcher, fit: list[Question]) -> Callable[[str], bool]:
    """Refuse when the third best item, not the best, scores under a threshold (5% of answerable)."""
    threshold = choose_threshold([ranked_score(searcher, q.question, 3) for q in fit if not q.no_answer])
    return lambda question: ranked_score(searcher, question, 3) < threshold


def question_signals(searcher: Searcher, question: str) -> np.ndarray:
    """1; log of the best calibrated score; the best cosine's margin over the corpus's typical
    cosine (in standard deviations); the share of dense and BM25 top 10 that agree; and the
    share of the question's own words that its best item holds."""
    best = searcher.search(question, by="item", top=1).results[0]
    assert isinstance(best, ItemHit)
    cosines = searcher.index.dense.vectors() @ searcher.query_vector(question)
    dense = {row for row, _ in searcher.rank(question, "dense", None, 10)}
    lexical = {row for row, _ in searcher.rank(question, "lexical", None, 10)}
    words = searcher.tokenizer.tokens(question)
    held = set(searcher.tokenizer.tokens(best.item.text))
    return np.array(
        [
            1.0,
            np.log(max(best.score, 1e-6)),
            (cosines.max() - cosines.mean()) / cosines.std(),
            len(dense & lexical) / 10,
            sum(w in held for w in words) / len(words) if words else 0.0,
        ]
    )


def signals_model(searcher: Searcher, fit: list[Question]) -> Callable[[str], bool]:
    """A logistic model of "answerable" over `question_signals`, fitted on the fitting half; refuse
    under the value that refuses at most 5% of its answerable questions."""
    x = np.array([question_signals(searcher, q.question) for q in fit])
    answerable = np.array([0.0 if q.no_answer else 1.0 for q in fit])
    weights = np.array(fit_weights(x, answerable))
    threshold = choose_threshold([float(row @ weights) for row, a in zip(x, answerable, strict=True) if a])
    return lambda question: float(question_signals(searcher, question) @ weights) < threshold


def boosted(searcher: Searcher, question: str, hits: list[ItemHit], scores: np.ndarray) -> list[ItemHit]:
    """The hits ordered by `scores`, with the asked-for item kinds boosted as the engine does."""
    kinds = set(searcher.understood(question, Filters()).item_kinds)
    factor = np.array([KIND_BOOST if h.item.kind in kinds else 1.0 for h in hits])
    return [hits[i] for i in np.argsort(-scores * factor, kind="stable")]


class Feedback(Searcher):
    """Pseudo-relevance feedback: the question's vector moved towards its first pass's best items."""

    first_pass = False

    def query_vector(self, query: str) -> np.ndarray:
        vector = super().query_vector(query)
        if self.first_pass:
            return vector
        self.first_pass = True
        try:
            rows = [row for row, _ in self.rank(query, "hybrid", None, FEEDBACK_DEPTH)]
        finally:
            self.first_pass = False
        if not rows:
            return vector
        mean = self.index.dense.vectors()[rows].mean(axis=0)
        moved = vector + FEEDBACK_WEIGHT * mean / np.linalg.norm(mean)
        return np.asarray(moved / np.linalg.norm(moved), dtype=np.float32)


class GlossMix(Searcher):
    """An English question with a gloss: the mean of its vector alone and of the glossed one."""

    def query_vector(self, query: str) -> np.ndarray:
        glossed = super().query_vector(query)
        if not self.gloss(query):
            return glossed
        return np.asarray((glossed + self._embed(query)) / 2, dtype=np.float32)


class ChineseTerms(Searcher):
    """Chinese words the index's vocabulary lacks are glossed with its nearest terms too."""

    def gloss(self, query: str) -> list[str]:
        if not CJK.search(query):
            return super().gloss(query)
        return [to_traditional(t) for t in self._terms(query)]

    def _glossing_terms(self, query: str) -> tuple[str, ...]:
        if not CJK.search(query) or self.term_gloss is None:
            return super()._glossing_terms(query)
        simplified = self.tokenizer.to_simplified(query)
        known, stop = self.index.lexical.retriever.vocab_dict, self.tokenizer.stopwords
        words = [w for w in self.tokenizer.jieba.cut(simplified) if len(w) >= 2 and CJK.search(w)]
        words = [w for w in dict.fromkeys(words) if w not in known and w not in stop]
        if not words:
            return ()
        terms = TermGloss(self.term_gloss.terms, self.term_gloss.vectors, ZH_MIN_COSINE)
        found = terms.nearest(np.array([self._embed(w) for w in words]))
        return tuple(t for t in found if t not in simplified)


def mapped_partners(build: Path) -> dict[str, set[str]]:
    """{"DOC/CODE": the items the build's mappings mark exact or close to it}."""
    partners: dict[str, set[str]] = {}
    lines = (build / MAPPINGS_FOLDER / SSSOM_FILE).read_text(encoding="utf-8").splitlines()
    rows = csv.DictReader((line for line in lines if not line.startswith("#")), delimiter="\t")
    for row in rows:
        if row["predicate_id"] in ("skos:exactMatch", "skos:closeMatch"):
            a, b = (row[k].split(":", 1)[1] for k in ("subject_id", "object_id"))
            partners.setdefault(a, set()).add(b)
            partners.setdefault(b, set()).add(a)
    return partners


def mapped(partners: dict[str, set[str]]) -> Rerank:
    def rerank(searcher: Searcher, question: str, hits: list[ItemHit]) -> list[ItemHit]:
        score = {f"{h.item.document}/{h.item.code}": h.score for h in hits}
        raised = [
            max([h.score] + [score.get(p, 0.0) for p in partners.get(f"{h.item.document}/{h.item.code}", ())])
            for h in hits
        ]
        return boosted(searcher, question, hits, np.array(raised))

    return rerank


def diversify(searcher: Searcher, question: str, hits: list[ItemHit]) -> list[ItemHit]:
    seen: dict[str, int] = {}
    scores = []
    for hit in hits:  # in the engine's order
        scores.append(hit.score * DIVERSITY ** seen.get(hit.item.document, 0))
        seen[hit.item.document] = seen.get(hit.item.document, 0) + 1
    return boosted(searcher, question, hits, np.array(scores))


def scorer_scores(searcher: Searcher, question: str, hits: list[ItemHit]) -> np.ndarray:
    calibration, _ = calibration_for(searcher.embedder.name)
    vectors = np.array([searcher.index.dense.vector(h.item.id) for h in hits], dtype=np.float32)
    query = searcher.query_vector(question)[None, :]
    return calibration.scorer.scores(query, vectors, [question], [h.item.text for h in hits])[0]


def rerank50(searcher: Searcher, question: str, hits: list[ItemHit]) -> list[ItemHit]:
    scores = scorer_scores(searcher, question, hits)
    return [hits[i] for i in np.argsort(-scores, kind="stable")]


def blend50(searcher: Searcher, question: str, hits: list[ItemHit]) -> list[ItemHit]:
    scores = scorer_scores(searcher, question, hits)
    calibrated = np.array([h.score for h in hits])
    ranks = np.argsort(np.argsort(-scores, kind="stable"), kind="stable")
    mixed = 0.5 * ranks + 0.5 * np.arange(len(hits))  # mean of the two ranks
    return [hits[i] for i in np.lexsort((-calibrated, mixed))]


def context_build(build: Path, scratch: Path, embedder_name: str) -> Path:
    """A copy of `build` whose search index embeds and tokenises each item with its context."""
    target = scratch / "builds" / build.name
    shutil.copytree(build, target, ignore=shutil.ignore_patterns(STORE_FOLDER, GRAPH_FOLDER))
    (scratch / CURRENT_FILE).write_text(build.name, encoding="utf-8")
    parsed = json.loads((build / DOCUMENTS_FILE).read_text(encoding="utf-8"))
    context: dict[tuple[str, str], str] = {}
    for entry in parsed:
        document = Document.from_dict(entry)
        for ref in document.iter_items():
            titles = [p.text for p in ref.parents if p.text]
            if titles:
                context[document.code, ref.code] = "｜".join(titles)
    items: list[SearchItem] = []
    for item in read_items(build):
        before = context.get((item.document, item.code))
        items.append(replace(item, text=f"{before}｜{item.text}" if before else item.text))
    meta = json.loads((build / SEARCH_FOLDER / "meta.json").read_text(encoding="utf-8"))
    shutil.rmtree(target / SEARCH_FOLDER)
    embedder = get_embedder(embedder_name)
    prepared, _ = prepare_search_index(items, embedder, meta["sources"], None, None, meta.get("vocabulary"))
    write_search_index(target, prepared)
    return scratch


_CHINESE_RUN = re.compile(f"{CJK.pattern}{{2,}}")  # two Chinese characters or more


class BigramTokenizer(Tokenizer):
    """jieba's search-mode words and the character bigrams of each run of Chinese characters."""

    def tokens(self, text: str) -> list[str]:
        runs = _CHINESE_RUN.findall(self.to_simplified(text))
        pairs = [run[i : i + 2] for run in runs for i in range(len(run) - 1)]
        return super().tokens(text) + [p for p in pairs if p not in self.stopwords]


def relexed(
    build: Path, tokenizer: Tokenizer | None = None, k1: float = BM25_K1, b: float = BM25_B
) -> Searcher:
    """A searcher of `build` whose BM25 index is made again, by `tokenizer` (for the questions
    too) and with the BM25 parameters `k1` and `b`, as a variant changes them."""
    searcher = Searcher(build)
    if tokenizer is not None:
        searcher.tokenizer = tokenizer
    texts = [item.text for item in searcher.index.items]
    searcher.index.lexical = LexicalIndex.build(texts, searcher.tokenizer, k1, b)
    return searcher


LEARNED_L2 = 10.0  # the ridge: 15 weights and one per item kind, from 50 candidates of 44 questions


def item_links(build: Path, searcher: Searcher) -> list[np.ndarray]:
    """For each item row, the rows its document links it to (both ways): the task or activity
    it sits under, and the K/S codes a task or activity lists."""
    row_of = {(i.document, i.code): row for row, i in enumerate(searcher.index.items)}
    links: list[set[int]] = [set() for _ in searcher.index.items]
    for entry in json.loads((build / DOCUMENTS_FILE).read_text(encoding="utf-8")):
        document = Document.from_dict(entry)
        for ref in document.iter_items():
            linked = [parent.code for parent in ref.parents[-1:]]
            if isinstance(ref.record, (Task, Activity)):
                linked += ref.record.knowledge + ref.record.skills
            here = row_of.get((document.code, ref.code))
            for code in linked:
                there = row_of.get((document.code, code))
                if here is not None and there is not None and here != there:
                    links[here].add(there)
                    links[there].add(here)
    return [np.array(sorted(rows), dtype=int) for rows in links]


class Learned(Searcher):
    """Calibrated scores from a logistic model over `signals_of` rather than the shipped three."""

    def __init__(self, build: Path, refuse_as_shipped: bool = False) -> None:
        super().__init__(build)
        items = self.index.items
        self.links = item_links(build, self)
        self.kinds = sorted({i.kind for i in items})
        documents = sorted({i.document for i in items})
        self.document_of = np.array([documents.index(i.document) for i in items])
        self.words = [set(self.tokenizer.tokens(i.text)) for i in items]
        self.length = np.log([len(i.text) for i in items])
        self.kind = np.array([[i.kind == k for k in self.kinds] for i in items], dtype=float)
        self.weights: np.ndarray | None = None  # None: the shipped model
        self.refuse_as_shipped = refuse_as_shipped  # "nothing found" by the shipped model, not this one

    def signals_of(self, query: str) -> np.ndarray:
        """One row per item: 1, the shipped model's four inputs, then the structure's."""
        cosine = (self.index.dense.vectors() @ self.query_vector(query) - COSINE_CENTRE) / COSINE_SPREAD
        bm25 = np.asarray(self._bm25(tuple(self.query_tokens(query))), dtype=float)
        lexical = np.log1p(np.maximum(bm25, 0))
        english = float(not CJK.search(query) and not self.gloss(query))
        n = len(cosine)
        dense_rank, lexical_rank = np.empty(n), np.empty(n)
        dense_rank[np.argsort(-cosine, kind="stable")] = np.arange(1, n + 1)
        lexical_rank[np.argsort(-bm25, kind="stable")] = np.arange(1, n + 1)
        lexical_rank[bm25 <= 0] = n
        best_cosine = np.full(self.document_of.max() + 1, -np.inf)
        best_lexical = np.zeros(len(best_cosine))
        np.maximum.at(best_cosine, self.document_of, cosine)
        np.maximum.at(best_lexical, self.document_of, lexical)
        linked_cosine = np.array([cosine[r].max() if len(r) else cosine[i] for i, r in enumerate(self.links)])
        linked_lexical = np.array([lexical[r].max() if len(r) else 0.0 for r in self.links])
        words = self.tokenizer.tokens(query)
        coverage = np.array([sum(w in held for w in words) / max(1, len(words)) for held in self.words])
        return np.column_stack(
            [
                np.ones(n),
                cosine,
                lexical,
                np.full(n, english),
                english * cosine,
                np.log(dense_rank),
                np.log(lexical_rank),
                best_cosine[self.document_of],
                cosine - best_cosine[self.document_of],
                best_lexical[self.document_of],
                linked_cosine,
                linked_lexical,
                coverage,
                self.length,
                (cosine - cosine.mean()) / cosine.std(),
                self.kind,
            ]
        )

    def calibrate(self, query: str, ranked: list[tuple[int, float]]) -> tuple[dict[int, float], bool]:
        if self.weights is None or not ranked or self.score_model is None:
            return super().calibrate(query, ranked)
        rows = np.array([r for r, _ in ranked], dtype=int)
        scores = 1.0 / (1.0 + np.exp(-(self.signals_of(query)[rows] @ self.weights)))
        if self.refuse_as_shipped:
            weak = super().calibrate(query, ranked)[1]
        else:
            weak = bool(scores.max() < self.score_model.threshold)
        return dict(zip(rows.tolist(), scores.tolist(), strict=True)), weak


def fit_learned(searcher: Searcher, fit: list[Question]) -> ScoreModel:
    """The `Learned` weights from the fitting half's first candidates (as `calibrate` takes them:
    the uncalibrated hybrid order, question reading applied), and the threshold likewise."""
    assert isinstance(searcher, Learned)
    shipped, searcher.score_model, searcher.weights = searcher.score_model, None, None
    examples = []
    for q in fit:
        hits = searcher.search(q.question, by="item", top=CALIBRATION_DEPTH).results
        rows = np.array([searcher.index.row_of[h.item.id] for h in hits if isinstance(h, ItemHit)], dtype=int)
        relevant = np.array(
            [f"{searcher.index.items[r].document}/{searcher.index.items[r].code}" in q.items for r in rows]
        )
        examples.append((q, searcher.signals_of(q.question)[rows], relevant.astype(float)))
    weights = np.array(
        fit_weights(
            np.vstack([x for _, x, _ in examples]), np.concatenate([y for *_, y in examples]), l2=LEARNED_L2
        )
    )
    best = [float((x @ weights).max()) for q, x, _ in examples if not q.no_answer]
    searcher.weights = weights
    assert shipped is not None, "the benchmark needs a calibrated embedder"
    return replace(shipped, threshold=float(1.0 / (1.0 + np.exp(-choose_threshold(best)))))


def fit_learned_order(searcher: Searcher, fit: list[Question]) -> ScoreModel:
    """`fit_learned` for the order, the shipped model fitted likewise for "nothing found"."""
    shipped = calibrate(searcher, fit)
    fit_learned(searcher, fit)
    return shipped


REFUSALS: dict[str, Refusal] = {"refuse-3rd": third_item, "refuse-signals": signals_model}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=Path("data/build"))
    parser.add_argument("--variant", action="append", choices=VARIANTS)
    parser.add_argument("--questions", type=Path, default=Path("eval/questions.json"))
    args = parser.parse_args()
    dev = [q for q in load_questions(args.questions) if q.split == "dev"]  # never the test part
    build = current_build(args.build_dir)
    searcher = Searcher(build)
    rows = {}
    for variant in args.variant or VARIANTS:
        if variant.startswith("context"):
            with tempfile.TemporaryDirectory() as scratch:
                folder = context_build(build, Path(scratch), searcher.embedder.name)
                with_context = Searcher(current_build(folder))
                if variant == "context-bm25":
                    with_context.index.dense = searcher.index.dense
                elif variant == "context-dense":
                    with_context.index.lexical = searcher.index.lexical
                rows[variant] = measure(with_context, dev)
        elif variant in BM25_VARIANTS:
            rows[variant] = measure(relexed(build, None, *BM25_VARIANTS[variant]), dev)
        elif variant == "zh-bigrams":
            rows[variant] = measure(relexed(build, BigramTokenizer()), dev)
        elif variant == "no-term-gloss":
            plain = Searcher(build)
            plain.term_gloss = None
            rows[variant] = measure(plain, dev)
        elif variant == "term-passages":
            passages = Searcher(build)
            assert passages.term_gloss is not None, "the build keeps no terms: run kg build again"
            terms = passages.term_gloss.terms
            vectors = passages.embedder.embed_passages(terms)
            passages.term_gloss = TermGloss(terms, vectors, passages.term_gloss.min_cosine)
            rows[variant] = measure(passages, dev)
        elif variant.startswith("term-z"):
            spread = Searcher(build)
            assert spread.term_gloss is not None, "the build keeps no terms: run kg build again"
            least = int(variant.removeprefix("term-z")) / 10
            spread.term_gloss.min_z = least
            rows[variant] = measure(spread, dev)
        elif variant == "term-gloss-zh":
            rows[variant] = measure(ChineseTerms(build), dev)
        elif variant in ("feedback", "gloss-mix"):
            rows[variant] = measure({"feedback": Feedback, "gloss-mix": GlossMix}[variant](build), dev)
        elif variant == "mapped":
            rows[variant] = measure(
                searcher, dev, mapped(mapped_partners(build)), depth=len(searcher.index.items)
            )
        elif variant == "diversify":
            rows[variant] = measure(searcher, dev, diversify, depth=len(searcher.index.items))
        elif variant == "learned":
            rows[variant] = measure(Learned(build), dev, fitting=fit_learned)
        elif variant == "learned-order":
            rows[variant] = measure(Learned(build, refuse_as_shipped=True), dev, fitting=fit_learned_order)
        elif variant in REFUSALS:
            rows[variant] = measure(searcher, dev, refusal=REFUSALS[variant])
        else:
            rerank = {"rerank50": rerank50, "blend50": blend50}.get(variant)
            rows[variant] = measure(searcher, dev, rerank)
        print(variant, rows[variant], flush=True)
    print(f"\n{len(dev)} dev questions, 2-fold cross-validated within dev, {searcher.embedder.name}")
    print("| variant | recall@10 | MRR | nDCG@10 | no-answer recall | wrongly refused |")
    print("|---|---|---|---|---|---|")
    for variant, r in rows.items():
        print(
            f"| {variant} | {r['recall@10']:.3f} | {r['mrr']:.3f} | {r['ndcg@10']:.3f} | "
            f"{r['no_answer_recall']:.3f} | {r['wrongly_refused']:.3f} |"
        )


if __name__ == "__main__":
    main()
