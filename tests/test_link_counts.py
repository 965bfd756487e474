"""How many item links document pairs share, counted afresh and updated from the last build's
counts, and each document's strongest partners (kg.mapping.link_counts)."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest

from kg.mapping.calibration import calibration_for
from kg.mapping.close_texts import CloseTextCache
from kg.mapping.link_counts import (
    COMMON_TEXT_DOCUMENTS,
    LinkCountCache,
    LinkCounts,
    link_counts,
    strongest_partners,
)
from kg.mapping.material import Material
from kg.mapping.text_links import GroupLinks, TextLinks, text_links
from kg.search.items import SearchItem

DIMENSION = 64
CALIBRATION, _ = calibration_for("e5-small")


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


def _material(rows: list[tuple[str, str, int]]) -> Material:
    """Skill items (document, text, axis of its vector): one axis, one meaning."""
    axis = np.eye(DIMENSION, dtype=np.float32)
    items = [
        SearchItem(
            n, f"https://example.org/{code}/S{n}", code, "unit", None, f"S{n}", "skill", text, None, None
        )
        for n, (code, text, _) in enumerate(rows)
    ]
    documents = {code: {"kind": "unit", "title": code, "tasks": {}} for code, _, _ in rows}
    vectors = np.stack([axis[a] for *_, a in rows])
    return Material(items, vectors, [frozenset()] * len(items), "e5-small", documents)


def test_links_count_every_item_printing_one_text_or_two_close_ones():
    rows = [("A", "預算編列", 0), ("A", "預算編列", 0), ("B", "預算編列", 0), ("C", "預算編列與審核", 5)]
    material = _material(rows)
    axis = np.eye(DIMENSION, dtype=np.float32)
    material.vectors[3] = _unit(0.99 * axis[0] + 0.141 * axis[1])  # C's text is close to the others'
    links = text_links(material, CALIBRATION)
    assert links.close_links() == 1  # one pair of distinct texts, however many items print them
    # A-B: A's two items each print B's text; A-C, B-C: through the close pair
    assert link_counts(links, material).as_dict() == {("A", "B"): 2, ("A", "C"): 2, ("B", "C"): 1}


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("common", [2, 3, COMMON_TEXT_DOCUMENTS])
def test_links_counted_by_sparse_products_are_those_counted_item_by_item(seed, common):
    material, links = _printed_texts(seed)
    counted = link_counts(links, material, common=common)
    expected = _counted_item_by_item(links, material, common)
    assert counted.as_dict() == expected and len(expected) > 10
    low, high, _ = counted.pairs()
    keys = low * len(counted.codes) + high
    assert np.all(np.diff(keys) > 0) and np.all(low < high)  # each pair once, in order


def _printed_texts(seed: int) -> tuple[Material, TextLinks]:
    """Documents printing texts of two kind groups, a text often in several documents and
    sometimes twice in one, and random close pairs between a group's texts."""
    rng = np.random.default_rng(seed)
    codes = [f"D{n:02d}" for n in range(25)]
    rows = [(str(rng.choice(codes)), f"text {rng.integers(80)}", 0) for _ in range(200)]
    material = _material(rows)
    groups = {}
    for group, parity in (("skills", 1), ("other", 0)):  # odd texts in one group, even in the other
        held: dict[str, list[int]] = {}
        for row, (_, text, _) in enumerate(rows):
            if int(text.split()[1]) % 2 == parity:
                held.setdefault(text, []).append(row)
        texts = list(held)
        pairs = sorted({tuple(sorted(rng.choice(len(texts), 2, replace=False).tolist())) for _ in range(20)})
        groups[group] = GroupLinks(
            texts, [held[t] for t in texts], np.array(pairs, dtype=np.int64).reshape(-1, 2)
        )
    return material, TextLinks(groups)


def _counted_item_by_item(links: TextLinks, material: Material, common: int) -> dict[tuple[str, str], int]:
    """The rule of `link_counts`, one item link at a time."""
    counts: Counter[tuple[str, str]] = Counter()

    def link(a: str, b: str) -> None:
        if a != b:
            counts[min(a, b), max(a, b)] += 1

    for group in links.groups.values():
        holders = [[material.items[row].document for row in rows] for rows in group.rows]
        uncommon = [len(set(documents)) <= common for documents in holders]
        for documents, kept in zip(holders, uncommon, strict=True):
            for a, b in itertools.combinations(documents, 2) if kept else ():
                link(a, b)
        for x, y in group.pairs.tolist():
            for a, b in itertools.product(holders[x], holders[y]) if uncommon[x] and uncommon[y] else ():
                link(a, b)
    return dict(counts)


def test_each_document_keeps_its_strongest_partners_and_every_partner_tied_with_the_last():
    counts = {("A", "B"): 9, ("A", "C"): 3, ("A", "D"): 3, ("A", "E"): 1, ("C", "D"): 1}
    links = LinkCounts.from_dict(counts)
    assert links.as_dict() == counts
    # C-D is neither C's nor D's strongest (both share 3 links with A): dropped with one partner
    assert strongest_partners(links, partners=1) == {("A", "B"), ("A", "C"), ("A", "D"), ("A", "E")}
    # A's second strongest is a tie (C and D): both stay; A-E is E's strongest, so it stays
    assert strongest_partners(links, partners=2) == set(counts)
    assert strongest_partners(LinkCounts.from_dict({})) == set()


@pytest.mark.parametrize("seed", range(5))
def test_strongest_partners_follow_the_rule_one_document_at_a_time(seed):
    rng = np.random.default_rng(seed)
    codes = [f"D{n:02d}" for n in range(30)]
    counts = {
        (x, y): int(rng.integers(1, 6))  # few values: many ties
        for x, y in itertools.combinations(codes, 2)
        if rng.random() < 0.4
    }
    partners = 4
    floor = {}
    for code in codes:
        shared = sorted((n for pair, n in counts.items() if code in pair), reverse=True)
        floor[code] = shared[min(partners, len(shared)) - 1] if shared else 0
    expected = {pair for pair, n in counts.items() if n >= floor[pair[0]] or n >= floor[pair[1]]}
    assert strongest_partners(LinkCounts.from_dict(counts), partners) == expected


def _linked(rows: list[tuple[str, str, int]], close: set[frozenset[str]]) -> tuple[Material, TextLinks]:
    """The material of `rows` and its close links as `text_links` lays them out: per group (odd
    and even text numbers), its distinct texts in order of first print, the item rows of each,
    and the pairs of them that `close` holds (a property of two texts, whatever else changed)."""
    material = _material(rows)
    groups = {}
    for group, parity in (("skills", 1), ("other", 0)):
        held: dict[str, list[int]] = {}
        for row, (_, text, _) in enumerate(rows):
            if int(text.split()[1]) % 2 == parity:
                held.setdefault(text, []).append(row)
        texts = list(held)
        pairs = [
            (i, j) for i, j in itertools.combinations(range(len(texts)), 2) if {texts[i], texts[j]} in close
        ]
        groups[group] = GroupLinks(
            texts, [held[t] for t in texts], np.array(pairs, dtype=np.int64).reshape(-1, 2)
        )
    return material, TextLinks(groups)


def _changed(
    rows: list[tuple[str, str, int]], rng: np.random.Generator, step: int
) -> list[tuple[str, str, int]]:
    """One document changed (texts replaced and added), one removed, one added: what a build
    between two others sees."""
    codes = sorted({code for code, _, _ in rows})
    edited, removed = rng.choice(codes, 2, replace=False)
    kept = [row for row in rows if row[0] != removed]
    kept = [
        (code, f"text {rng.integers(120)}", 0) if code == edited and rng.random() < 0.5 else (code, text, a)
        for code, text, a in kept
    ]
    kept += [(str(edited), f"text {rng.integers(120)}", 0) for _ in range(3)]
    kept += [(f"N{step:02d}", f"text {rng.integers(120)}", 0) for _ in range(int(rng.integers(1, 12)))]
    return kept


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("common", [2, 4, COMMON_TEXT_DOCUMENTS])
def test_link_counts_updated_from_the_last_build_are_those_counted_afresh(
    tmp_path, monkeypatch, seed, common
):
    import kg.mapping.link_counts as module

    updates = []
    real = module._updated
    monkeypatch.setattr(module, "_updated", lambda *args: updates.append(1) or real(*args))
    rng = np.random.default_rng(seed)
    close = {frozenset(rng.choice([f"text {n}" for n in range(120)], 2, replace=False)) for _ in range(150)}
    rows = [(f"D{rng.integers(25):02d}", f"text {rng.integers(120)}", 0) for _ in range(220)]
    cache = LinkCountCache(tmp_path / "counts.npz", "fingerprint")
    earlier: dict = {}
    for step in range(6):
        material, links = _linked(rows, close)
        links.earlier = earlier  # what the close-text cache held: the last build's links
        updated = link_counts(links, material, cache, common=common)
        afresh = link_counts(links, material, common=common)
        assert updated.codes == afresh.codes
        assert np.array_equal(updated.matrix, afresh.matrix)
        assert strongest_partners(updated, 3) == strongest_partners(afresh, 3)
        earlier = {name: (group.texts, group.pairs) for name, group in links.groups.items()}
        rows = _changed(rows, rng, step)
    assert len(updates) == 5  # every build after the first updated the kept counts


def test_counts_kept_from_other_close_links_are_counted_afresh(tmp_path, monkeypatch):
    """A build that stopped after the close-text cache was written, before the counts were: the
    kept counts are of other texts than the links the cache held, so they are not updated."""
    import kg.mapping.link_counts as module

    monkeypatch.setattr(module, "_updated", lambda *args: pytest.fail("updated from counts of other texts"))
    rng = np.random.default_rng(0)
    close = {frozenset(rng.choice([f"text {n}" for n in range(120)], 2, replace=False)) for _ in range(150)}
    rows = [(f"D{rng.integers(25):02d}", f"text {rng.integers(120)}", 0) for _ in range(220)]
    cache = LinkCountCache(tmp_path / "counts.npz", "fingerprint")
    material, links = _linked(rows, close)
    link_counts(links, material, cache)
    changed = _changed(rows, rng, 0)
    material, links = _linked(_changed(changed, rng, 1), close)
    links.earlier = {
        name: (group.texts, group.pairs) for name, group in _linked(changed, close)[1].groups.items()
    }
    assert np.array_equal(link_counts(links, material, cache).matrix, link_counts(links, material).matrix)
    # and under another fingerprint (other scoring or counting code) nothing is kept
    assert LinkCountCache(tmp_path / "counts.npz", "other").get() is None


def test_a_damaged_or_unwritable_link_count_cache_only_costs_time(tmp_path):
    material, links = _linked([("A", "text 1", 0), ("B", "text 1", 0), ("C", "text 3", 0)], set())
    path = tmp_path / "counts.npz"
    path.write_bytes(b"PK\x03\x04 not a zip file")
    assert LinkCountCache(path, "f").get() is None
    assert link_counts(links, material, LinkCountCache(path, "f")).as_dict() == {("A", "B"): 1}
    assert LinkCountCache(path, "f").get() is not None  # replaced by a good one
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder should be")
    assert link_counts(links, material, LinkCountCache(blocked / "counts.npz", "f")).as_dict() == {
        ("A", "B"): 1
    }


def test_a_build_updates_the_counts_from_the_close_text_cache_it_read(tmp_path, monkeypatch):
    """Through `text_links` and both caches, as a build runs them: the counts after one document
    changed are updated, and equal those counted afresh."""
    import kg.mapping.link_counts as module

    updates = []
    real = module._updated
    monkeypatch.setattr(module, "_updated", lambda *args: updates.append(1) or real(*args))
    axis = np.eye(DIMENSION, dtype=np.float32)
    rows = [(f"D{n % 7}", f"text {n % 11}", n % 11) for n in range(40)]
    texts = CloseTextCache(tmp_path / "close.sqlite", "scoring")
    counts = LinkCountCache(tmp_path / "counts.npz", "scoring")
    for changed in (rows, [*rows[3:], ("D9", "text 2", 2), ("D9", "text 12", 12)]):
        material = _material(changed)
        material.vectors[material.vectors[:, 3] > 0] = _unit(axis[3] + 0.1 * axis[4])  # close to text 3
        links = text_links(material, CALIBRATION, cache=texts)
        updated = link_counts(links, material, counts)
        afresh = link_counts(text_links(material, CALIBRATION), material)
        assert updated.codes == afresh.codes and np.array_equal(updated.matrix, afresh.matrix)
        assert updated.as_dict()
    assert updates == [1]
