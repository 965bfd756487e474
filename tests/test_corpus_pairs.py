"""Which document pairs a corpus beyond the exhaustive cut-off compares, and the close links
it keeps between distinct texts (kg.mapping.corpus, kg.mapping.text_links).

A small corpus of one-item documents, above `EXHAUSTIVE_DOCUMENTS`, with vectors laid out
by hand: a unit and the standard that holds a near copy of its indicator each have a dozen
items nearer to them than they are to each other (so that a nearest-neighbour search would
miss the pair), and unrelated documents.
"""

from __future__ import annotations

import itertools
import sqlite3

import numpy as np

from kg.mapping.calibration import calibration_for
from kg.mapping.close_texts import BLOCK, CloseTextCache, close_text_pairs, new_blocks, scoring_fingerprint
from kg.mapping.corpus import EXHAUSTIVE_DOCUMENTS, document_pairs
from kg.mapping.link_counts import COMMON_TEXT_DOCUMENTS, link_counts
from kg.mapping.matching import match
from kg.mapping.material import Material
from kg.mapping.model import at_least
from kg.mapping.text_links import GroupLinks, TextLinks, text_links
from kg.search.items import SearchItem

DIMENSION = 64
CALIBRATION, _ = calibration_for("e5-small")


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


def _corpus() -> Material:
    rng = np.random.default_rng(3)
    axis = np.eye(DIMENSION, dtype=np.float32)
    unit_text = _unit(axis[0])  # the unit's indicator
    near_copy = _unit(0.95 * axis[0] + 0.312 * axis[1])  # the standard's longer version of it: cosine 0.95
    rows: list[tuple[str, str, str, np.ndarray]] = [
        ("UNIT", "unit", "建立緊急應變計畫", unit_text),
        ("STANDARD", "standard", "建立緊急應變計畫並定期演練", near_copy),
    ]
    # twelve documents nearer to each of the two than the two are to each other (cosine 0.999)
    for n in range(12):
        near_unit, near_standard = unit_text + 0.045 * axis[2 + n], near_copy + 0.045 * axis[20 + n]
        rows.append((f"NEAR-UNIT-{n:02d}", "standard", f"維護客戶資料第{n}版", _unit(near_unit)))
        rows.append((f"NEAR-STD-{n:02d}", "standard", f"檢視銷售報告第{n}版", _unit(near_standard)))
    # unrelated documents, to pass the cut-off
    while len(rows) <= EXHAUSTIVE_DOCUMENTS + 5:
        n = len(rows)
        vector = _unit(rng.normal(size=DIMENSION).astype(np.float32) + 3 * axis[40 + n % 20])
        rows.append((f"OTHER-{n:03d}", "unit", f"其他項目{n}號", vector))
    items = [
        SearchItem(n, f"https://example.org/{code}/P1", code, kind, None, "P1", "indicator", text, None, None)
        for n, (code, kind, text, _) in enumerate(rows)
    ]
    documents = {code: {"kind": kind, "title": code, "tasks": {}} for code, kind, _, _ in rows}
    vectors = np.stack([vector for *_, vector in rows]).astype(np.float32)
    return Material(items, vectors, [frozenset()] * len(items), "e5-small", documents)


def close_pairs(material: Material, texts: CloseTextCache | None = None) -> set[tuple[str, str]]:
    """The document pairs sharing a close (or identical) item, texts held by few documents."""
    return set(link_counts(text_links(material, CALIBRATION, cache=texts), material).as_dict())


def test_beyond_the_cut_off_a_pair_sharing_a_close_item_is_never_lost():
    material = _corpus()
    assert len(material.documents) > EXHAUSTIVE_DOCUMENTS
    pair = ("STANDARD", "UNIT")
    found, links = document_pairs(material, CALIBRATION)
    compared = {tuple(sorted(p)) for p in found}
    assert pair in compared
    # recall against the exhaustive comparison: every pair with an exact or close mapping is
    # linked (and here, where every document has one item and so few partners, compared)
    sides = {code: material.side(code) for code in material.documents}
    sharing = {
        (x, y)
        for x, y in itertools.combinations(sorted(material.documents), 2)
        if any(
            at_least(m.relation, "close")
            for m in match(sides[x], sides[y], CALIBRATION.scorer, CALIBRATION.thresholds)
        )
    }
    assert pair in sharing and sharing <= close_pairs(material) and sharing <= compared
    assert links is not None and links.close_links() > 0
    # and pruning still prunes
    assert len(compared) < len(list(itertools.combinations(material.documents, 2))) // 10


def test_a_text_printed_by_very_many_documents_does_not_on_its_own_make_them_pairs():
    axis = np.eye(DIMENSION, dtype=np.float32)
    holders = COMMON_TEXT_DOCUMENTS + 1
    codes = [f"S{n:03d}" for n in range(holders + 1)]
    rows = [(code, "溝通協調能力", axis[0]) for code in codes[:holders]]  # one generic skill everywhere
    rows += [
        (codes[0], "預算管理能力", axis[1]),
        (codes[-1], "預算管理能力", axis[1]),
    ]  # and one shared by two
    items = [
        SearchItem(
            n, f"https://example.org/{code}/S{n}", code, "standard", None, f"S{n}", "skill", text, None, None
        )
        for n, (code, text, _) in enumerate(rows)
    ]
    documents = {code: {"kind": "standard", "title": code, "tasks": {}} for code in codes}
    vectors = np.stack([vector for *_, vector in rows])
    material = Material(items, vectors, [frozenset()] * len(items), "e5-small", documents)
    assert close_pairs(material) == {(codes[0], codes[-1])}


def test_a_float32_score_a_hair_below_a_threshold_is_no_mapping_and_no_crash():
    from kg.mapping.matching import Side
    from kg.mapping.model import Thresholds
    from kg.mapping.scoring import Scorer

    thresholds = Thresholds(exact=0.95, close=0.9, related=0.8556)
    x = np.float32(0.8556)  # 0.85559999942... : not below 0.8556 in float32, below it in float64
    a_vector = np.array([[1.0, 0.0]], dtype=np.float32)
    b_vector = np.array([[x, np.sqrt(1 - np.float64(x) ** 2)]], dtype=np.float32)

    def one(document: str, text: str, vector: np.ndarray) -> Side:
        item = SearchItem(
            0,
            f"https://example.org/{document}/K1",
            document,
            "unit",
            None,
            "K1",
            "knowledge",
            text,
            None,
            None,
        )
        return Side(document, [item], vector, [frozenset()])

    assert match(one("A", "甲", a_vector), one("B", "乙", b_vector), Scorer(0.0), thresholds) == []


def _texts_with_copies(count: int, seed: int) -> tuple[list[str], np.ndarray]:
    """`count` texts with random vectors; every tenth a near copy (same words plus one, nearly
    the same vector) of the one before, so some pairs score close and most do not."""
    rng = np.random.default_rng(seed)
    texts, vectors = [], []
    for n in range(count):
        if n % 10 == 1:
            texts.append(texts[-1] + "並記錄")
            vectors.append(_unit(vectors[-1] + 0.01 * rng.normal(size=DIMENSION)))
        else:
            texts.append(f"第{n}項{'甲乙丙丁戊己庚辛'[n % 8]}作業程序")
            vectors.append(_unit(rng.normal(size=DIMENSION)))
    return texts, np.stack(vectors).astype(np.float32)


def test_close_text_pairs_kept_from_an_earlier_build_equal_scoring_afresh(tmp_path):
    texts, vectors = _texts_with_copies(700, seed=5)
    scorer, close = CALIBRATION.scorer, CALIBRATION.thresholds.close
    blocks: list[int] = []
    fresh = close_text_pairs(texts, vectors, scorer, close, progress=blocks.append)
    assert len(blocks) == -(-len(texts) // BLOCK) and len(fresh) >= 60  # the near copies, at least
    assert {(texts[i], texts[j]) for i, j in fresh} >= {(texts[n - 1], texts[n]) for n in range(1, 700, 10)}

    # the next build: 50 texts gone, 40 new ones, the rest in another order
    rng = np.random.default_rng(9)
    more, more_vectors = _texts_with_copies(40, seed=6)
    more = [f"新{text}" for text in more]
    kept = rng.permutation(np.arange(50, 700))
    texts2 = [texts[i] for i in kept] + more
    vectors2 = np.concatenate([vectors[kept], more_vectors])
    blocks.clear()
    again = close_text_pairs(texts2, vectors2, scorer, close, known=(texts, fresh), progress=blocks.append)
    assert len(blocks) == 1  # only the 40 new texts were scored
    assert new_blocks(texts2, (texts, fresh)) == 1  # what the progress bar is told, though 50 are gone
    assert np.array_equal(again, close_text_pairs(texts2, vectors2, scorer, close))
    # texts in their order (the pairs kept stay in order, the new ones are sorted in), or unchanged
    texts3, vectors3 = texts[50:] + more, np.concatenate([vectors[50:], more_vectors])
    again = close_text_pairs(texts3, vectors3, scorer, close, known=(texts, fresh))
    assert np.array_equal(again, close_text_pairs(texts3, vectors3, scorer, close))
    blocks.clear()
    assert np.array_equal(
        close_text_pairs(texts, vectors, scorer, close, (texts, fresh), blocks.append), fresh
    )
    assert blocks == []


def test_the_close_text_cache_is_kept_per_group_and_scoring(tmp_path):
    texts, vectors = _texts_with_copies(30, seed=2)
    pairs = close_text_pairs(texts, vectors, CALIBRATION.scorer, CALIBRATION.thresholds.close)
    fingerprint = scoring_fingerprint(CALIBRATION.to_dict(), "e5-small")
    cache = CloseTextCache(tmp_path / "close_texts.sqlite", fingerprint)
    cache.put("skill", texts, pairs)
    cache.close()
    reopened = CloseTextCache(tmp_path / "close_texts.sqlite", fingerprint)
    held = reopened.get("skill")
    assert held is not None and held[0] == texts and np.array_equal(held[1], pairs)
    assert reopened.get("knowledge") is None
    other = CloseTextCache(
        tmp_path / "close_texts.sqlite", scoring_fingerprint(CALIBRATION.to_dict(), "st:x")
    )
    assert other.get("skill") is None  # another embedder's vectors: scored afresh


def test_the_close_text_cache_is_written_in_the_background_and_read_after_the_write(tmp_path, monkeypatch):
    """`put` writes in a thread of its own; `get` and `close` wait for it, and a cache that
    cannot be written only costs time."""
    texts, vectors = _texts_with_copies(30, seed=3)
    pairs = close_text_pairs(texts, vectors, CALIBRATION.scorer, CALIBRATION.thresholds.close)
    cache = CloseTextCache(tmp_path / "close_texts.sqlite", "f")
    cache.put("skill", texts, pairs)
    cache.put("knowledge", texts[:10], pairs[:0])
    held = cache.get("skill")  # on the same cache, right after: the write is waited for
    assert held is not None and held[0] == texts and np.array_equal(held[1], pairs)
    cache.put("skill", texts[:5], pairs[:1])
    cache.close()
    reopened = CloseTextCache(tmp_path / "close_texts.sqlite", "f")
    assert reopened.get("skill")[0] == texts[:5] and reopened.get("knowledge")[0] == texts[:10]
    reopened.close()
    unwritable = CloseTextCache(tmp_path / "close_texts.sqlite", "f")

    def refused(*args, **kwargs):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(sqlite3, "connect", refused)  # the writing thread's connection
    unwritable.put("skill", texts, pairs)  # cannot be written: nothing raised, nothing changed
    assert unwritable.get("skill")[0] == texts[:5]
    unwritable.close()


def test_beyond_the_cut_off_pairs_from_the_close_text_cache_equal_a_clean_run(tmp_path):
    material = _corpus()
    cache = CloseTextCache(tmp_path / "close_texts.sqlite", "f")
    assert close_pairs(material, cache) == close_pairs(material)
    gone = "NEAR-UNIT-03"
    rows = [n for n, item in enumerate(material.items) if item.document != gone]
    smaller = Material(
        [material.items[n] for n in rows],
        material.vectors[rows],
        [material.scopes[n] for n in rows],
        material.embedder,
        {code: d for code, d in material.documents.items() if code != gone},
    )
    assert close_pairs(smaller, cache) == close_pairs(smaller)
    assert close_pairs(material, cache) == close_pairs(material)


def test_the_graph_holds_every_close_link_once_between_distinct_texts():
    from rdflib import RDF, Dataset, URIRef

    from kg.graph.vocabulary import KG, Iris
    from kg.mapping.rdf import mapping_nquads

    material = _corpus()
    _, links = document_pairs(material, CALIBRATION)
    quads = b"".join(mapping_nquads([], [], Iris(), links, material.items))
    graph = Dataset(default_union=True)
    graph.parse(data=quads, format="nquads")
    unit, standard = (URIRef(f"https://example.org/{code}/P1") for code in ("UNIT", "STANDARD"))
    ask = graph.query(
        "ASK { ?a kg:distinctText ?x . ?b kg:distinctText ?y . ?x kg:closeText|^kg:closeText ?y }",
        initNs={"kg": KG},
        initBindings={"a": unit, "b": standard},
    )
    assert ask.askAnswer
    assert links is not None
    stored = sum(1 for _ in graph.quads((None, KG.closeText, None, None)))
    assert stored == links.close_links()  # once a pair, not both ways
    nodes = {s for s, _, _, _ in graph.quads((None, RDF.type, KG.DistinctText, None))}
    assert len(nodes) == len({int(i) for group in links.groups.values() for i in group.pairs.ravel()})


def test_a_distinct_text_with_quotes_and_line_breaks_is_written_as_valid_n_quads():
    from rdflib import RDF, Dataset, Literal

    from kg.graph.vocabulary import Iris
    from kg.mapping.rdf import link_lines

    texts = ['依「作業規範」執行\n"設備"保養\\校正', "依作業規範執行設備保養"]
    items = [
        SearchItem(n, f"https://example.org/D{n}/P1", f"D{n}", "unit", None, "P1", "indicator", t, None, None)
        for n, t in enumerate(texts)
    ]
    links = TextLinks({"indicator": GroupLinks(texts, [[0], [1]], np.array([[0, 1]]))})
    graph = Dataset(default_union=True)
    graph.parse(
        data="".join(link_lines("indicator", links.groups["indicator"], items, Iris())), format="nquads"
    )
    values = {str(o) for _, _, o, _ in graph.quads((None, RDF.value, None, None))}
    assert values == set(texts)
    assert all(
        isinstance(o, Literal) and (o.language or "").lower() == "zh-hant"
        for _, _, o, _ in graph.quads((None, RDF.value, None, None))
    )
