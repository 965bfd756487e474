"""The graph in parts (kg.store.parts, kg.mapping.graph_parts) and the store delta taken from the
parts that changed (kg.store.delta.diff_parts), on files and corpora of their own."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import kg.store.delta as delta_module
import kg.store.parts as parts_module
from kg.errors import KgError
from kg.graph.vocabulary import KG, Iris
from kg.mapping.corpus import map_corpus
from kg.mapping.files import write_mappings
from kg.mapping.graph_parts import LINK_BITS, _link_sums, _text_records, text_parts
from kg.mapping.material import Material
from kg.mapping.rdf import link_lines, mapping_nquads
from kg.mapping.stage import StageReport, map_in_parts
from kg.search.items import SearchItem, stable_id
from kg.store.delta import NoDelta, diff_parts
from kg.store.layout import GRAPH_FOLDER, MAPPINGS_FOLDER, PARTS_FILE
from kg.store.parts import GraphParts, PartsWriter, part_name
from test_corpus_pairs import CALIBRATION, DIMENSION, _corpus, _unit


def _line(n: int, graph: str = "g") -> bytes:
    return f"<s{n:03d}> <p> <o> <{graph}> .\n".encode()


def _write(
    folder, parts: dict[str, tuple[str, list[bytes]]], previous=None
) -> tuple[GraphParts, PartsWriter]:
    writer = PartsWriter(folder, previous)
    for name, (key, lines) in parts.items():
        writer.put(name, key, lambda lines=lines: [b"".join(lines)])
    return writer.close(), writer


def test_parts_are_sorted_each_line_once_and_merge_into_one_sorted_graph(tmp_path):
    made, _ = _write(tmp_path, {"b": ("", [_line(3), _line(1), _line(3)]), "a/x y": ("", [_line(2)])})
    assert (tmp_path / GRAPH_FOLDER / "a/x y.nq").read_bytes() == _line(2)
    assert made.path("b").read_bytes() == _line(1) + _line(3)  # sorted, the repeat once
    assert made.lines == 3 and list(made.sorted_lines()) == [_line(1), _line(2), _line(3)]
    again = GraphParts(tmp_path)  # read back from parts.json
    assert again.parts == made.parts and again.files() == made.files()
    assert part_name("documents", "A/B 1") == "documents/A%2FB%201"  # any code is one file name


def test_thousands_of_parts_merge_into_one_sorted_graph(tmp_path, monkeypatch):
    monkeypatch.setattr(parts_module, "MERGED", 3)  # merged three files at a time, then the runs
    planned = {f"documents/D{n}": ("", [_line(n), _line(n + 50)]) for n in range(10)}
    made, _ = _write(tmp_path, planned)
    assert list(made.sorted_lines()) == sorted(
        [_line(n) for n in range(10)] + [_line(n + 50) for n in range(10)]
    )
    assert made.write_nquads(tmp_path / "graph.nq") == 20
    assert sorted(path.name for path in tmp_path.iterdir()) == ["graph", "graph.nq"]  # the runs are gone


def test_a_part_made_from_the_same_inputs_is_linked_from_the_previous_build(tmp_path):
    old, _ = _write(tmp_path / "old", {"kept": ("k1", [_line(1)]), "changed": ("k2", [_line(2)])})
    planned = {"kept": ("k1", [_line(9)]), "changed": ("k3", [_line(3)]), "fresh": ("", [_line(4)])}
    new, writer = _write(tmp_path / "new", planned, previous=tmp_path / "old")
    assert writer.linked == 1
    assert new.path("kept").stat().st_ino == old.path("kept").stat().st_ino  # a hard link, not made again
    assert new.path("kept").read_bytes() == _line(1)
    assert new.path("changed").read_bytes() == _line(3)
    # a part whose file is gone from the previous build is made again
    old.path("kept").unlink()
    again, writer = _write(tmp_path / "again", planned, previous=tmp_path / "old")
    assert writer.linked == 0 and again.path("kept").read_bytes() == _line(9)
    # a part without a key is always made; so is every part without a previous build
    _, alone = _write(tmp_path / "alone", {"kept": ("k1", [_line(1)])})
    assert alone.linked == 0


def test_a_part_written_twice_and_an_unreadable_index_are_errors(tmp_path):
    writer = PartsWriter(tmp_path)
    writer.write("a", [_line(1)])
    with pytest.raises(ValueError, match="written twice"):
        writer.write("a", [_line(2)])
    writer.close()
    (tmp_path / GRAPH_FOLDER / PARTS_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(KgError, match=r"parts\.json .*run `kg build` again"):
        GraphParts(tmp_path)


@pytest.mark.parametrize("in_memory", [2**25, 0], ids=["as-sets", "merge-walk"])
def test_the_delta_reads_only_changed_parts_and_a_line_that_moved_is_neither_removed_nor_added(
    tmp_path, monkeypatch, in_memory
):
    monkeypatch.setattr(delta_module, "IN_MEMORY", in_memory)
    old, _ = _write(
        tmp_path / "old",
        {"same": ("", [_line(1)]), "a": ("", [_line(2), _line(3)]), "gone": ("", [_line(4)])},
    )
    new, _ = _write(
        tmp_path / "new",
        {"same": ("", [_line(1)]), "a": ("", [_line(2)]), "b": ("", [_line(3), _line(5)])},
    )
    old.path("same").write_bytes(b"not read: its hash is the new one's\n")
    delta = diff_parts(old, new, limit=10)
    assert delta.removed == [_line(4)]  # line 3 moved from a to b: it stays in the store
    assert delta.added == [_line(5)]
    assert delta.new_lines == 4


@pytest.mark.parametrize("in_memory", [2**25, 0], ids=["as-sets", "merge-walk"])
def test_a_part_compared_in_memory_or_walked_gives_the_same_delta_and_limit(tmp_path, monkeypatch, in_memory):
    monkeypatch.setattr(delta_module, "IN_MEMORY", in_memory)
    old, _ = _write(tmp_path / "old", {"a": ("", [_line(n) for n in range(0, 40, 2)])})
    new, _ = _write(tmp_path / "new", {"a": ("", [_line(n) for n in range(0, 40, 3)])})
    new.path("a").write_bytes(new.path("a").read_bytes().rstrip(b"\n"))  # a last line without newline
    delta = diff_parts(old, new, limit=100)
    assert delta.removed == [_line(n) for n in range(0, 40, 2) if n % 3]
    assert delta.added == [_line(n) for n in range(0, 40, 3) if n % 2]
    assert delta.new_lines == len(range(0, 40, 3))
    with pytest.raises(NoDelta, match="more than 5 lines differ"):
        diff_parts(old, new, limit=5)


def _grown(material: Material) -> Material:
    """The corpus with one document's text changed and a new document close to the unit."""
    items = list(material.items)
    vectors = material.vectors.copy()
    changed = next(n for n, item in enumerate(items) if item.document.startswith("OTHER-"))
    items[changed] = dataclasses.replace(items[changed], text="其他項目改寫")
    axis = np.eye(DIMENSION, dtype=np.float32)
    added = SearchItem(
        len(items),
        "https://example.org/ADDED/P1",
        "ADDED",
        "unit",
        None,
        "P1",
        "indicator",
        "建立緊急應變計畫書",
        None,
        None,
    )
    vectors = np.vstack([vectors, _unit(axis[0] + 0.05 * axis[5])[None, :]]).astype(np.float32)
    documents = material.documents | {"ADDED": {"kind": "unit", "title": "ADDED", "tasks": {}}}
    return Material([*items, added], vectors, [*material.scopes, frozenset()], material.embedder, documents)


def _stage(folder, material: Material, previous=None) -> tuple[GraphParts, StageReport]:
    """The mapping stage of `material` into `folder`: its graph parts (written alone) and report."""
    writer = PartsWriter(folder, previous)
    report = map_in_parts(folder, material, CALIBRATION, Iris(), writer, previous, "matching")
    return writer.close(), report


def _mapping_files(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in (folder / MAPPINGS_FOLDER).iterdir() if path.is_file()}


def test_the_mapping_stage_in_parts_writes_the_whole_graph_and_the_same_files(tmp_path):
    material = _corpus()
    made, report = _stage(tmp_path / "parts", material)
    result = map_corpus(material, CALIBRATION)
    whole = b"".join(mapping_nquads(result.mappings, result.coverage, Iris(), result.links, material.items))
    every = [line for path in made.files() for line in path.read_bytes().splitlines(keepends=True)]
    assert len(every) == len(set(every)) == made.lines  # no line in two parts
    assert b"".join(made.sorted_lines()) == b"".join(sorted(set(whole.splitlines(keepends=True))))
    assert {name.split("/")[0] for name in made.parts} == {"pairs", "texts", "close-texts", "overlap"}
    # the mapping files equal those written from every mapping at once
    (tmp_path / "whole").mkdir()
    write_mappings(tmp_path / "whole", result, material, Iris().base, CALIBRATION)
    assert _mapping_files(tmp_path / "parts") == _mapping_files(tmp_path / "whole")
    assert (report.compared, report.matched, report.mappings) == (
        result.compared,
        result.compared,
        len(result.mappings),
    )


def test_after_a_change_the_parts_kept_from_the_previous_build_equal_parts_made_afresh(tmp_path):
    _stage(tmp_path / "before", _corpus())
    grown = _grown(_corpus())
    kept, report = _stage(tmp_path / "after", grown, previous=tmp_path / "before")
    fresh, clean = _stage(tmp_path / "fresh", grown)
    assert kept.parts == fresh.parts
    for name in fresh.parts:
        assert kept.path(name).read_bytes() == fresh.path(name).read_bytes(), name
    assert _mapping_files(tmp_path / "after") == _mapping_files(tmp_path / "fresh")
    # only the pairs of leaders whose pairs changed are matched; the others' parts are linked
    assert 0 < report.matched < clean.matched == clean.compared
    assert 0 < report.linked < len([name for name in fresh.parts if name.startswith("pairs/")])


def test_a_part_is_copied_where_the_file_system_cannot_link_it(tmp_path, monkeypatch):
    old, _ = _write(tmp_path / "old", {"kept": ("k1", [_line(1)])})

    def refuse(source, target):
        raise PermissionError("links not allowed here")

    monkeypatch.setattr(parts_module.os, "link", refuse)
    new, writer = _write(tmp_path / "new", {"kept": ("k1", [_line(9)])}, previous=tmp_path / "old")
    assert writer.linked == 1 and new.path("kept").read_bytes() == _line(1)
    assert new.path("kept").stat().st_ino != old.path("kept").stat().st_ino  # a copy


def test_the_close_text_parts_key_sums_are_the_same_for_the_same_links_in_any_order():
    generator = np.random.default_rng(7)
    low = generator.integers(0, 2**63, 2000, dtype=np.uint64)
    high = low + generator.integers(1, 2**20, 2000, dtype=np.uint64)
    starts = np.array([0, 700, 1500])
    sums = _link_sums(low, high, starts)
    shuffled = np.concatenate(
        [generator.permutation(np.arange(a, b)) for a, b in [(0, 700), (700, 1500), (1500, 2000)]]
    )
    assert np.array_equal(_link_sums(low[shuffled], high[shuffled], starts), sums)
    changed = high.copy()
    changed[800] += np.uint64(1)  # one link of the second run
    other = _link_sums(low, changed, starts)
    assert (other[1] != sums[1]).all() and np.array_equal(other[[0, 2]], sums[[0, 2]])
    swapped = _link_sums(high, low, starts)  # the ends' roles are not interchangeable
    assert not np.array_equal(swapped, sums)


@pytest.mark.parametrize("seed", range(3))
def test_the_texts_parts_key_records_are_each_owned_texts_digest_and_sorted_item_ids(seed):
    rng = np.random.default_rng(seed)
    texts = 40
    values = rng.integers(1, 2**62, texts).astype(np.uint64)
    sizes = rng.integers(1, 5, texts)
    ids = rng.integers(1, 2**62, int(sizes.sum())).astype(np.uint64)
    owner = rng.integers(0, 7, texts)
    owner = np.unique(owner, return_inverse=True)[1]  # every owner holds a text
    by_owner = np.argsort(owner, kind="stable")
    records, ends = _text_records(values, sizes, ids, by_owner, owner)
    starts = np.cumsum(sizes) - sizes
    for n in range(owner.max() + 1):
        expected = [
            [values[t], sizes[t], *sorted(ids[starts[t] : starts[t] + sizes[t]])]
            for t in range(texts)
            if owner[t] == n
        ]
        assert records[ends[n] : ends[n + 1]].tolist() == [int(x) for row in expected for x in row]
    assert ends[-1] == len(records)


def test_a_texts_part_is_made_again_when_an_item_printing_its_text_changes(tmp_path):
    """Its key reads the items printing each owned text (by their ids, the IRIs hashed): an
    item renamed, its text and links the same, gives the part another key."""
    material = _corpus()
    links = map_corpus(material, CALIBRATION).links
    assert links is not None
    before = {name: key for name, key, _ in text_parts(links, material.items, Iris(), "code")}
    rows = next(group.rows[int(group.pairs[0, 0])] for group in links.groups.values() if len(group.pairs))
    printed, owner = rows[0], min(material.items[row].document for row in rows)
    renamed = dataclasses.replace(material.items[printed], iri=material.items[printed].iri + "-renamed")
    renamed = dataclasses.replace(renamed, id=stable_id(renamed.iri))
    items = [renamed if n == printed else item for n, item in enumerate(material.items)]
    after = {name: key for name, key, _ in text_parts(links, items, Iris(), "code")}
    assert before.keys() == after.keys()
    changed = [name for name in before if before[name] != after[name]]
    assert changed == [part_name("texts", owner)]


def test_close_links_are_parted_by_their_lower_nodes_digest_and_a_lost_link_touches_its_part_only():
    """A `close-texts/<digits>` part holds the links whose lower node's digest starts with its
    digits; the `texts/` parts hold nodes and items only. A link lost changes its own part's
    key and no other."""
    material = _corpus()
    links = map_corpus(material, CALIBRATION).links
    assert links is not None and links.close_links() >= 2
    planned = {
        name: (key, b"".join(make())) for name, key, make in text_parts(links, material.items, Iris(), "c")
    }
    close = f"<{KG.closeText}>".encode()
    width = -(-LINK_BITS // 4)
    digits_of = {}  # each close link's line -> its part's digits
    for name, (_, made) in planned.items():
        folder, _, digits = name.partition("/")
        lines = made.splitlines()
        assert folder in {"texts", "close-texts"} and lines
        if folder == "texts":
            assert not any(close in line for line in lines)
            continue
        for line in lines:
            lower, predicate, higher = line.split(b" ")[:3]
            assert predicate == close and lower < higher
            assert lower.decode().rpartition("/")[2][:width] == digits
            digits_of[line] = digits
    assert len(digits_of) == links.close_links()
    group, found = next((g, f) for g, f in sorted(links.groups.items()) if len(f.pairs))
    fewer = dataclasses.replace(found, pairs=found.pairs[1:])
    lost = dataclasses.replace(links, groups=links.groups | {group: fewer})
    before = {name: key for name, (key, _) in planned.items()}
    after = {name: key for name, key, _ in text_parts(lost, material.items, Iris(), "c")}
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    gone = "".join(link_lines(group, found, material.items, Iris(), [], found.pairs[:1].tolist()))
    its_part = part_name("close-texts", digits_of[gone.encode().rstrip(b"\n")])
    assert its_part in changed
    assert all(name.startswith("texts/") for name in changed - {its_part})  # a text left without links


def test_a_units_pair_parts_key_reads_its_standards_task_titles():
    """A unit's coverage names its standards' tasks, so its pair parts' key reads their titles:
    a title changed in one standard remakes the parts of the units paired with it, only."""
    from types import SimpleNamespace

    from kg.mapping.stage import _TaskTitles

    documents = {
        "U1": {"kind": "unit", "tasks": {}},
        "U2": {"kind": "unit", "tasks": {}},
        "S1": {"kind": "standard", "tasks": {"T1": "處理客訴", "T2": "行銷"}},
        "S2": {"kind": "standard", "tasks": {"T1": "排班"}},
    }
    read = _TaskTitles(SimpleNamespace(documents=documents)).read_by  # type: ignore[arg-type]
    pairs = [("U1", "S1"), ("U1", "S2"), ("U1", "U2")]
    before = read(pairs)
    assert "處理客訴" in before and "排班" in before and read([("S1", "S2")]) == ""  # a standard leads: none
    assert read([("U1", "U2")]) == ""  # no standard: no titles
    documents["S2"] = {"kind": "standard", "tasks": {"T1": "輪班排程"}}
    assert _TaskTitles(SimpleNamespace(documents=documents)).read_by(pairs) != before  # type: ignore[arg-type]
    assert _TaskTitles(SimpleNamespace(documents=documents)).read_by([("U1", "S1")]) == read([("U1", "S1")])  # type: ignore[arg-type]
