"""Matching a corpus's document pairs: on several processes, and kept between builds
(kg.mapping.corpus.map_corpus with kg.mapping.pair_cache)."""

from __future__ import annotations

import sqlite3

import pytest

from kg.mapping import corpus
from kg.mapping.calibration import calibration_for
from kg.mapping.material import Material
from kg.mapping.pair_cache import PairCache, matching_fingerprint, side_fingerprint
from kg.settings import Settings
from kg.store.layout import current_build


@pytest.fixture(scope="module")
def material(built: Settings) -> Material:
    return Material.load(current_build(built.build_dir))


def _rows(result: corpus.CorpusMappings) -> list[tuple]:
    return [(m.a.iri, m.b.iri, round(m.score, 6), m.relation, m.cardinality) for m in result.mappings]


def test_several_processes_match_as_one_does(material, monkeypatch):
    calibration, _ = calibration_for(material.embedder)
    alone = corpus.map_corpus(material, calibration, workers=1)
    monkeypatch.setattr(corpus, "PARALLEL_PAIRS", 0)  # the seeds have too few pairs to go parallel
    together = corpus.map_corpus(material, calibration, workers=2)
    assert together.compared == alone.compared == 10
    assert _rows(together) == _rows(alone) and _rows(alone)
    assert together.coverage == alone.coverage


def test_kept_pairs_are_not_matched_again_and_give_the_same_mappings(material, tmp_path):
    calibration, _ = calibration_for(material.embedder)
    cache = PairCache(tmp_path / "pairs.sqlite", matching_fingerprint(calibration.to_dict()))
    first = corpus.map_corpus(material, calibration, cache=cache)
    assert first.matched == first.compared == 10
    again = corpus.map_corpus(material, calibration, cache=cache)
    assert again.matched == 0
    assert _rows(again) == _rows(first) and again.coverage == first.coverage

    # another calibration is another matching: nothing kept under the old one is used, or kept
    other = calibration_for(material.embedder)[0].to_dict() | {"close": 0.9}
    moved = PairCache(tmp_path / "pairs.sqlite", matching_fingerprint(other))
    assert moved.get([("a", "b")]) == {}
    moved.keep_only([])
    assert sqlite3.connect(tmp_path / "pairs.sqlite").execute("SELECT COUNT(*) FROM pairs").fetchone() == (0,)


def test_a_side_fingerprint_changes_with_what_matching_reads(material):
    side = material.side("TTM3R0299v2")
    changed = material.side("TTM3R0299v2")
    changed.vectors = changed.vectors.copy()
    changed.vectors[0, 0] += 0.01
    assert side_fingerprint(side) == side_fingerprint(material.side("TTM3R0299v2"))
    assert side_fingerprint(changed) != side_fingerprint(side)


def test_a_cache_that_cannot_be_opened_is_a_clear_error(tmp_path):
    from kg.errors import KgError

    (tmp_path / "pairs.sqlite").write_bytes(b"not a database" * 100)
    with pytest.raises(KgError, match="pair cache"):
        PairCache(tmp_path / "pairs.sqlite", "f")
