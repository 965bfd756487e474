"""Two builds of the same files give the same bytes, whichever folder they are run from."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph

from conftest import RAW, ROOT, SEED_CODES
from kg.builder import build
from kg.graph.blank_nodes import stable_blank_nodes
from kg.graph.vocabulary import Iris
from kg.settings import Settings
from kg.store.layout import DOCUMENTS_FILE, MANIFEST_FILE, current_build
from kg.store.oxigraph import STORE_FOLDER
from kg.store.parts import GraphParts
from kg.store.sorting import SortedLines

# What a build writes besides the store (a RocksDB folder whose files hold ids and timestamps).
ARTIFACTS = [
    "graph/parts.json",
    "graph/ontology.nq",
    "graph/concepts.nq",
    "graph/corpus.nq",
    "graph/overlap.nq",
    *(f"graph/documents/{code}.nq" for code in SEED_CODES),
    "documents.json",
    "catalogue.json",
    "mappings/mappings.sssom.tsv",
    "mappings/coverage.json",
    "mappings/matched.tsv",
    "mappings/meta.json",
    "search/items.jsonl",
    "search/dense.faiss",
    "search/meta.json",
    "search/lexical/data.csc.index.npy",
    "search/lexical/indices.csc.index.npy",
    "search/lexical/indptr.csc.index.npy",
    "search/lexical/params.index.json",
    "search/lexical/vocab.index.json",
    "search/lexical/size.json",
    "search/terms.json",
    "search/terms.npy",
]
# Files that name the sources by the path given to the build (relative to the working folder).
PATH_BEARING = {"documents.json", "search/meta.json"}


def _artifacts(path: Path) -> set[str]:
    """The files to compare: those listed, and the mappings' parts (one per pair's leading document)."""
    kept_by_pair = ("graph/pairs/", "mappings/pairs/", "mappings/summaries/", "mappings/matched/")
    return set(ARTIFACTS) | {name for name in _files(path) if name.startswith(kept_by_pair)}


def _files(path: Path) -> set[str]:
    return {
        p.relative_to(path).as_posix()
        for p in path.rglob("*")
        if p.is_file() and STORE_FOLDER not in p.relative_to(path).parts
    }


def _store_quads(path: Path) -> bytes:
    store = ox.Store.read_only(str(path / STORE_FOLDER))
    try:
        return b"".join(sorted(store.dump(format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)))
    finally:
        del store


def _rebuild(built: Settings, folder: Path, cwd: Path, sources: str) -> Path:
    """Another build of the seeds into `folder`, reusing the session build's embedding cache."""
    shutil.copytree(built.build_dir / "cache", folder / "cache")
    with contextlib.chdir(cwd):
        return build([sources], Settings.load(build_dir=folder)).path


@pytest.fixture(scope="module")
def rebuilt(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The session build (repo root, `data/raw`), again from the repo root, and from another folder."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    spelled = os.path.relpath(RAW, elsewhere).replace("/raw", "/./raw") + "//"  # ../../repo/data/./raw//
    return {
        "first": current_build(built.build_dir),
        "again": _rebuild(built, tmp_path_factory.mktemp("again"), ROOT, "data/raw"),
        "elsewhere": _rebuild(built, tmp_path_factory.mktemp("other"), elsewhere, spelled),
    }


def test_two_builds_from_the_same_folder_are_byte_identical(rebuilt):
    first, again = rebuilt["first"], rebuilt["again"]
    assert _files(first) == _files(again) == _artifacts(first) | {MANIFEST_FILE}
    assert len(_artifacts(first)) > len(ARTIFACTS)  # the pairs' parts
    for name in _artifacts(first):
        assert (first / name).read_bytes() == (again / name).read_bytes(), name
    assert _store_quads(first) == _store_quads(again)


def test_a_build_from_another_folder_has_the_same_graph_mappings_and_index(rebuilt):
    first, elsewhere = rebuilt["first"], rebuilt["elsewhere"]
    for name in _artifacts(first) - PATH_BEARING:
        assert (first / name).read_bytes() == (elsewhere / name).read_bytes(), name
    assert _store_quads(first) == _store_quads(elsewhere)
    # only the paths as given differ: data/raw/X.txt here, ../../…/data/raw/X.txt there
    here = json.loads((first / DOCUMENTS_FILE).read_text(encoding="utf-8"))
    there = json.loads((elsewhere / DOCUMENTS_FILE).read_text(encoding="utf-8"))
    assert [d["source"] for d in here] == [f"data/raw/{code}.txt" for code in SEED_CODES]
    assert all(d["source"].endswith(f"data/raw/{d['code']}.txt") for d in there)
    assert [d | {"source": ""} for d in here] == [d | {"source": ""} for d in there]


def test_the_manifests_differ_only_in_build_id_timings_and_paths(rebuilt):
    def comparable(path: Path) -> dict:
        manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
        assert manifest.pop("built_at") and manifest.pop("seconds")
        # how many embeddings came from the cache: none in the session's first build
        assert manifest["search"].pop("embedded") + manifest["search"].pop("cached") > 0
        # and how many document pairs were matched again: none when both documents were built before
        mapped = manifest["mappings"]
        assert mapped.pop("pairs_matched") + mapped.pop("pairs_kept") == mapped["pairs_compared"]
        for document in manifest["documents"]:
            document["source"] = Path(document["source"]).name
        return manifest

    first, again, elsewhere = (comparable(rebuilt[k]) for k in ("first", "again", "elsewhere"))
    assert first == again == elsewhere


def test_each_graph_part_is_sorted_and_each_quad_in_one_part_once(rebuilt):
    parts = GraphParts(rebuilt["first"])
    every = []
    for path in parts.files():
        lines = path.read_bytes().splitlines()
        assert lines == sorted(set(lines)), path
        every.extend(lines)
    assert len(every) == len(set(every)) == parts.lines
    assert list(parts.sorted_lines()) == sorted(line + b"\n" for line in every)


def test_source_files_are_named_by_content_hash_and_file_name(built, query):
    result = query("SELECT ?file ?path ?sha WHERE { ?file a kg:SourceFile ; kg:path ?path ; kg:sha256 ?sha }")
    rows = {str(r["path"]): (str(r["file"]), str(r["sha"])) for r in result.rows}
    assert sorted(rows) == [f"{code}.txt" for code in SEED_CODES]
    for name, (iri, sha) in rows.items():
        assert iri == str(Iris(built.base_iri).source(name, sha))
        assert iri.endswith(f"/source/{sha[:16]}/{name}")


def test_ontology_blank_nodes_keep_their_labels_in_the_store(rebuilt):
    quads = _store_quads(rebuilt["first"]).decode("utf-8").splitlines()
    blank = [q for q in quads if q.startswith("_:")]
    assert blank and all(q.split()[0].startswith("_:b") and len(q.split()[0]) == 35 for q in blank)
    exported = GraphParts(rebuilt["first"]).path("ontology").read_text(encoding="utf-8").splitlines()
    assert set(blank) <= set(exported)


# --- the parts ------------------------------------------------------------------------------------


def _labels(graph: Graph) -> set[str]:
    return {str(n) for triple in graph for n in triple if isinstance(n, BNode)}


RESTRICTIONS = """
@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
ex:A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:p ; owl:hasValue ex:x ] .
ex:B rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:p ; owl:hasValue ex:x ] .
ex:C rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:p ; owl:hasValue ex:x ] ,
                     [ a owl:Restriction ; owl:onProperty ex:p ; owl:hasValue ex:x ] .
ex:q owl:propertyChainAxiom ( ex:p ex:r ex:p ) .
_:loop ex:next [ ex:next _:loop ] .
"""


def test_blank_node_labels_come_from_content_and_use():
    first = stable_blank_nodes(Graph().parse(data=RESTRICTIONS, format="turtle"))
    second = stable_blank_nodes(Graph().parse(data=RESTRICTIONS, format="turtle"))
    assert set(first) == set(second)
    original = Graph().parse(data=RESTRICTIONS, format="turtle")
    assert len(first) == len(original) and len(_labels(first)) == len(_labels(original))  # none merged
    assert any(label.endswith("x1") for label in _labels(first))  # C's two alike restrictions


def test_blank_node_labels_do_not_depend_on_the_process():
    """rdflib's own labels and Python's string hashes change with every process; ours do not."""
    script = (
        "from kg.graph.ontology import load_ontology; from kg.graph.nquads import nquads;"
        "import sys; sys.stdout.buffer.write(b''.join(sorted(nquads(load_ontology(), 'urn:g')"
        ".splitlines(keepends=True))))"
    )
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, check=True)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] and b"_:b" in outputs[0]


def test_sorted_lines_spill_and_merge_in_bounded_memory(tmp_path):
    lines = [f"<urn:s{(i * 7919) % 1000}> <urn:p> <urn:o> <urn:g> .\n".encode() for i in range(3000)]
    writer = SortedLines(tmp_path / "out.nq", memory=4096)  # a run every few dozen lines
    for start in range(0, len(lines), 100):
        writer.write(b"".join(lines[start : start + 100]))
    assert len(writer.runs) > 10
    assert writer.close() == 1000
    assert (tmp_path / "out.nq").read_bytes().splitlines(keepends=True) == sorted(set(lines))
    assert list(tmp_path.iterdir()) == [tmp_path / "out.nq"]  # the runs are gone


def test_sorted_lines_in_memory_and_empty(tmp_path):
    writer = SortedLines(tmp_path / "out.nq")
    writer.write(b"<b> <p> <o> .\n<a> <p> <o> .\n<b> <p> <o> .")  # the last line without its newline
    assert writer.close() == 2
    assert (tmp_path / "out.nq").read_bytes() == b"<a> <p> <o> .\n<b> <p> <o> .\n"
    empty = SortedLines(tmp_path / "empty.nq")
    assert empty.close() == 0 and (tmp_path / "empty.nq").read_bytes() == b""
