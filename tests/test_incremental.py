"""Incremental builds: a file unchanged since an earlier build is not processed again, and the
result is the same as a clean build's (graph, mappings, search answers), whatever was added,
changed or removed; a document pair whose two documents are unchanged is not matched again.
`kg build --clean` forgets what earlier builds kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
import kg.store.writer as writer
from kg.builder import BuildReport, build
from kg.document_cache import DocumentCache
from kg.errors import KgError
from kg.mapping.files import BuildMappings
from kg.settings import Settings
from kg.store import open_store
from kg.store.delta import diff_parts
from kg.store.layout import (
    BUILDS_FOLDER,
    CACHE_FILES,
    CACHE_FOLDER,
    COVERAGE_FILE,
    DOCUMENTS_FILE,
    GRAPH_FOLDER,
    LINK_COUNT_CACHE_FILE,
    MAPPINGS_FOLDER,
    PAIR_CACHE_FILE,
    PARTS_FILE,
    STORE_FOLDER,
    TEMPORARY_PREFIX,
    current_build,
    document_cache,
    read_manifest,
)
from kg.store.oxigraph import StoreMismatch, update_store
from kg.store.parts import GraphParts
from kg.store.writer import DELTA_SHARE
from test_cli import kg as kg_cli

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
QUESTIONS = ("客戶服務", "處理客戶投訴", "預算")


def _same_build(incremental: Settings, clean: Settings) -> None:
    a, b = current_build(incremental.build_dir), current_build(clean.build_dir)
    _same_graph(a, b)
    assert _quads(a) == _quads(b)  # and the stores hold them, however each was made
    assert (a / MAPPINGS_FOLDER / COVERAGE_FILE).read_text() == (
        b / MAPPINGS_FOLDER / COVERAGE_FILE
    ).read_text()
    table_a, table_b = BuildMappings.load(a).table, BuildMappings.load(b).table
    assert table_a.drop(columns="similarity_score").equals(table_b.drop(columns="similarity_score"))
    assert (table_a["similarity_score"] - table_b["similarity_score"]).abs().max() < 1e-3
    for question in QUESTIONS:
        for by in ("document", "item"):
            found_a = kg.open(settings=incremental).find(question, by=by).to_dataframe()
            found_b = kg.open(settings=clean).find(question, by=by).to_dataframe()
            assert list(found_a.iloc[:, 0]) == list(found_b.iloc[:, 0]), (question, by)


def _build(sources: Path, build_dir: Path, clean: bool = False, own_embeddings: bool = True):
    """A build with the folder's own embedding cache (which --clean forgets), or with the
    session's shared one (`own_embeddings=False`: a reference build, the same vectors sooner)."""
    with contextlib.chdir(sources.parent):  # sources are recorded relative to the working folder
        settings = Settings.load(build_dir=build_dir, embedding_cache="" if own_embeddings else None)
        return build([Path(sources.name)], settings, clean=clean)


@pytest.mark.slow
def test_an_incremental_build_equals_a_clean_one_after_adding_changing_and_removing(tmp_path):
    sources = tmp_path / "raw"
    sources.mkdir()
    for name in ("BAS1499-003.txt", "BAS2421-003v4.txt", "BGM4R0172v2.txt", "TTM3R0299v2.txt"):
        shutil.copy(RAW / name, sources / name)
    first = _build(sources, tmp_path / "incremental")
    assert first.reused == 0 and document_cache(tmp_path / "incremental").is_file()
    assert first.mappings["pairs_matched"] == first.mappings["pairs_compared"] == 6

    shutil.copy(RAW / "KMM5R0915v2.txt", sources / "KMM5R0915v2.txt")  # added
    changed = sources / "TTM3R0299v2.txt"
    text = changed.read_text(encoding="utf-8")
    assert "優質客戶服務的原則" in text
    changed.write_text(text.replace("優質客戶服務的原則", "優質客戶服務的原則與實務"), encoding="utf-8")
    (sources / "BGM4R0172v2.txt").unlink()  # removed

    again = _build(sources, tmp_path / "incremental")
    assert again.reused == 2  # BAS1499-003 and BAS2421-003v4: the changed and the added file are processed
    assert {d["code"] for d in again.documents} == {
        "BAS1499-003",
        "BAS2421-003v4",
        "KMM5R0915v2",
        "TTM3R0299v2",
    }
    # the removed file's and the changed file's old results are gone from the document cache
    kept = sqlite3.connect(document_cache(tmp_path / "incremental")).execute("SELECT name FROM results_kept")
    assert sorted(name for (name,) in kept) == sorted(p.name for p in sources.iterdir())
    # of the 6 pairs, the one between the two unchanged documents keeps its mappings
    assert (again.mappings["pairs_compared"], again.mappings["pairs_matched"]) == (6, 5)
    assert again.store["mode"] == "delta"  # the store too: the live one, updated
    assert again.graph["linked"] >= 2  # the graph's parts of the two unchanged documents: linked, not made
    clean = _build(sources, tmp_path / "clean", own_embeddings=False)
    _same_build(
        Settings.load(build_dir=tmp_path / "incremental"), Settings.load(build_dir=tmp_path / "clean")
    )
    graph = b"".join(GraphParts(current_build(tmp_path / "incremental")).sorted_lines())
    assert "優質客戶服務的原則與實務".encode() in graph
    assert clean.reused == 0

    # every cache a build keeps (and the files beside one) is one that --clean forgets
    kept = {path.name for path in (tmp_path / "incremental" / CACHE_FOLDER).iterdir()}
    assert PAIR_CACHE_FILE in kept and all(name.startswith(CACHE_FILES) for name in kept)
    forced = _build(sources, tmp_path / "incremental", clean=True)
    assert forced.reused == 0 and forced.search["cached"] == 0  # --clean: nothing kept is used
    assert forced.mappings["pairs_matched"] == 6
    assert forced.store == {"mode": "full", "reason": "--clean"}
    _same_build(
        Settings.load(build_dir=tmp_path / "incremental"), Settings.load(build_dir=tmp_path / "clean")
    )


@pytest.mark.slow
def test_beyond_the_cut_off_an_incremental_build_equals_a_clean_one(tmp_path, monkeypatch):
    """With the cut-off under the corpus, pairs are chosen by link counts: the second build
    updates the counts the first kept (`kg.mapping.link_counts`) and still equals a clean build."""
    import kg.mapping.link_counts as link_counts

    monkeypatch.setattr("kg.mapping.corpus.EXHAUSTIVE_DOCUMENTS", 2)
    updates = []
    real = link_counts._updated
    monkeypatch.setattr(link_counts, "_updated", lambda *args: updates.append(1) or real(*args))
    sources = tmp_path / "raw"
    sources.mkdir()
    for name in ("BAS1499-003.txt", "BAS2421-003v4.txt", "BGM4R0172v2.txt", "TTM3R0299v2.txt"):
        shutil.copy(RAW / name, sources / name)
    _build(sources, tmp_path / "incremental")
    assert (tmp_path / "incremental" / CACHE_FOLDER / LINK_COUNT_CACHE_FILE).is_file() and not updates
    shutil.copy(RAW / "KMM5R0915v2.txt", sources / "KMM5R0915v2.txt")
    changed = sources / "BAS2421-003v4.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("客戶", "顧客", 3), encoding="utf-8")
    (sources / "BGM4R0172v2.txt").unlink()
    again = _build(sources, tmp_path / "incremental")
    assert updates == [1] and again.mappings["close_text_links"]
    _build(sources, tmp_path / "clean", own_embeddings=False)
    _same_build(
        Settings.load(build_dir=tmp_path / "incremental"), Settings.load(build_dir=tmp_path / "clean")
    )


def test_the_quads_of_a_file_the_document_cache_does_not_hold_are_a_clear_error(tmp_path):
    cache = DocumentCache(tmp_path / "documents.sqlite", "fingerprint")
    cache.put(b"text", "a.txt", {"code": "A", "source": "a.txt"}, b"<a> <b> <c> <g> .\n")
    # the result, without its quads (nothing derived from it kept)
    assert cache.get(b"text", "a.txt") == {"code": "A", "source": "a.txt", "derived": None}
    assert cache.quads(hashlib.sha256(b"text").hexdigest(), "a.txt") == b"<a> <b> <c> <g> .\n"
    with pytest.raises(KgError, match=r"the document cache no longer holds b\.txt: run `kg build` again"):
        cache.quads(hashlib.sha256(b"text").hexdigest(), "b.txt")
    cache.close()


def test_a_kept_result_names_its_file_where_it_is_now(tmp_path):
    cache = DocumentCache(tmp_path / "documents.sqlite", "fingerprint")
    result = {
        "source": "old/a.txt",
        "model_json": json.dumps({"code": "A", "source": "old/a.txt", "title": "客訴"}, ensure_ascii=False),
        "summary": {"source": "old/a.txt"},
        "warnings": ["old/a.txt:3: a cell left empty", "a note that names old/a.txt inside"],
    }
    cache.put(b"text", "old/a.txt", result, b"")
    found = cache.get(b"text", "new/place/a.txt")
    assert found == {
        "source": "new/place/a.txt",
        "model_json": '{"code": "A", "source": "new/place/a.txt", "title": "客訴"}',
        "summary": {"source": "new/place/a.txt"},
        "warnings": ["new/place/a.txt:3: a cell left empty", "a note that names old/a.txt inside"],
        "derived": None,
    }
    assert cache.get(b"text", "new/place/b.txt") is None  # another file name: another file
    assert cache.get(b"other", "new/place/a.txt") is None  # other bytes
    cache.close()


def test_what_was_derived_from_a_model_is_kept_under_the_key_of_the_code_that_derived_it(tmp_path):
    cache = DocumentCache(tmp_path / "documents.sqlite", "fingerprint")
    cache.put(b"text", "a.txt", {"code": "A", "source": "a.txt"}, b"", ("code-1", b"made by code 1"))
    assert cache.get(b"text", "a.txt", "code-1")["derived"] == b"made by code 1"
    assert cache.get(b"text", "a.txt", "code-2")["derived"] is None  # other code: derived again
    cache.put_derived(b"text", "a.txt", ("code-2", b"made by code 2"))
    assert cache.get(b"text", "a.txt", "code-2")["derived"] == b"made by code 2"
    assert cache.get(b"text", "a.txt", "code-1")["derived"] is None  # one derivation is kept
    assert cache.get(b"text", "a.txt")["derived"] is None  # none asked for
    cache.close()


def _derive_code(model: dict) -> tuple[str, str]:
    _DERIVED.append(model["code"])
    return model["code"], model["kind"]


_DERIVED: list[str] = []


def test_a_document_read_from_the_cache_is_derived_from_again_only_when_the_deriving_code_changed(tmp_path):
    from kg.pipeline import Derivation, process_all

    files = sorted(_seeds(tmp_path, *FOUR).glob("*.txt"))

    def run(key: str) -> list[tuple[str, str]]:
        derivation = Derivation(_derive_code, key)
        cache = tmp_path / "documents.sqlite"
        found = list(
            process_all(
                files, "https://w3id.org/icap-kg/id/", "rules", 1, document_cache=cache, derivation=derivation
            )
        )
        assert all(result.derived is not None for result in found)
        made = [pickle.loads(result.derived) for result in found if result.derived is not None]
        assert made == [(result.code, json.loads(result.model_json)["kind"]) for result in found]
        return made

    _DERIVED.clear()
    first = run("code-1")
    assert len(_DERIVED) == len(files)
    assert run("code-1") == first and len(_DERIVED) == len(files)  # read with the result, not made again
    assert run("code-2") == first and len(_DERIVED) == 2 * len(files)  # other code: made again, and kept
    assert run("code-2") == first and len(_DERIVED) == 2 * len(files)


def test_a_corpus_moved_to_another_folder_is_not_processed_again(tmp_path):
    first = _seeds(tmp_path, *FOUR)
    settings = _graph_only(tmp_path / "build")
    with contextlib.chdir(tmp_path):
        built = build([Path("raw")], settings)
    graph = list(GraphParts(built.path).sorted_lines())
    moved = tmp_path / "elsewhere" / "corpus"
    moved.parent.mkdir()
    first.rename(moved)
    with contextlib.chdir(tmp_path):
        again = build([Path("elsewhere/corpus")], settings)
    assert built.reused == 0 and again.reused == len(FOUR)
    assert {d["source"] for d in again.documents} == {f"elsewhere/corpus/{name}" for name in FOUR}
    documents = json.loads((again.path / DOCUMENTS_FILE).read_text(encoding="utf-8"))
    assert {d["source"] for d in documents} == {f"elsewhere/corpus/{name}" for name in FOUR}
    assert list(GraphParts(again.path).sorted_lines()) == graph  # a file is named by its name and content


# --- the store: updated from the live build's by the difference of the two graphs' parts --------


def _same_graph(a: Path, b: Path) -> None:
    """Every triple of every graph, in the same parts (names, bytes, lines, keys)."""
    assert GraphParts(a).parts == GraphParts(b).parts
    assert list(GraphParts(a).sorted_lines()) == list(GraphParts(b).sorted_lines())


def _quads(build_path: Path) -> tuple[set[str], set[str]]:
    """(every quad of a build's store in N-Quads, blank nodes with their labels; its named graphs)."""
    store = ox.Store.read_only(str(build_path / STORE_FOLDER))
    try:
        return {str(quad) for quad in store}, {str(graph) for graph in store.named_graphs()}
    finally:
        del store


def _graph_only(build_dir: Path, **options: str) -> Settings:
    return Settings.load(build_dir=build_dir, embedder="none", **options)


def _same_store(built: BuildReport, clean: BuildReport) -> None:
    quads, graphs = _quads(built.path)
    assert (quads, graphs) == _quads(clean.path)
    assert any(quad.startswith("_:") for quad in quads)  # blank nodes (the ontology's) compared too
    _same_graph(built.path, clean.path)
    assert built.triples == clean.triples


# Four seeds: removing one (KMM5R0915v2, a unit) changes a small enough share of the lines
FOUR = ("BAS1499-003.txt", "BAS2421-003v4.txt", "TTM3R0299v2.txt", "KMM5R0915v2.txt")


def _seeds(tmp_path: Path, *names: str) -> Path:
    sources = tmp_path / "raw"
    sources.mkdir()
    for name in names:
        shutil.copy(RAW / name, sources / name)
    return sources


@pytest.mark.slow
def test_the_updated_store_holds_a_clean_builds_quads_after_changing_removing_and_readding(tmp_path):
    sources = _seeds(tmp_path, *FOUR)
    settings, clean = _graph_only(tmp_path / "incremental"), _graph_only(tmp_path / "clean")
    first = build([sources], settings)
    assert first.store == {"mode": "full", "reason": "no earlier build"}

    changed = sources / "TTM3R0299v2.txt"
    text = changed.read_text("utf-8")
    changed.write_text(text.replace("優質客戶服務的原則", "優質客戶服務的準則"), "utf-8")
    steps = [  # (what changed, the kinds of quad lines it must change)
        ("changed", lambda: None, ("removed", "added")),
        ("removed", lambda: (sources / "KMM5R0915v2.txt").unlink(), ("removed",)),
        ("re-added", lambda: shutil.copy(RAW / "KMM5R0915v2.txt", sources / "KMM5R0915v2.txt"), ("added",)),
    ]
    for step, change, kinds in steps:
        change()
        live = current_build(settings.build_dir).name
        again = build([sources], settings)
        assert again.store["mode"] == "delta" and again.store["from"] == live, (step, again.store)
        assert read_manifest(again.path)["store"] == again.store
        assert all(again.store[kind] for kind in kinds), (step, again.store)
        full = build([sources], clean, clean=True)
        assert full.store == {"mode": "full", "reason": "--clean"}
        _same_store(again, full)

    unchanged = build([sources], settings)  # nothing changed: nothing to apply
    assert (unchanged.store["removed"], unchanged.store["added"]) == (0, 0)
    _same_store(unchanged, full)


@pytest.mark.slow
def test_the_live_store_is_only_read_while_a_reader_has_it_open(tmp_path):
    sources = _seeds(tmp_path, *FOUR)
    settings = _graph_only(tmp_path / "build")
    live = build([sources], settings).path
    other = build([sources], _graph_only(tmp_path / "other", base_iri="https://example.org/other/")).path
    files = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in (live / STORE_FOLDER).iterdir()}
    ask = 'ASK { ?d skos:notation "KMM5R0915v2" }'
    reader = open_store(f"oxigraph:{live}")  # read-only, as the server opens it
    assert reader.query(ask).boolean is True

    delta = diff_parts(GraphParts(live), GraphParts(other), limit=10**7)  # every line differs
    target = tmp_path / "target"
    target.mkdir()
    manifest = read_manifest(live)
    before = {manifest["graphs"][name]: count for name, count in manifest["triples"].items() if count}
    counts = update_store(live, target, delta.removed, delta.added, before)
    assert sum(counts.values()) == delta.new_lines
    assert _quads(target)[0] == _quads(other)[0]
    # a quad removed that the store lacks, or added that it holds, is no update of this store
    for removed, added, said in ((delta.added[:1], [], "lacks"), ([], delta.removed[:1], "holds")):
        shutil.rmtree(target / STORE_FOLDER)
        with pytest.raises(StoreMismatch, match=f"the live store {said} a quad"):
            update_store(live, target, removed, added, before)
    with pytest.raises(StoreMismatch, match="added twice"):
        update_store(live, target, [], delta.added[:1] * 2, before)
    assert {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in (live / STORE_FOLDER).iterdir()} == files
    assert reader.query(ask).boolean is True

    (sources / "KMM5R0915v2.txt").unlink()
    assert build([sources], settings).store["mode"] == "delta"  # from the store the reader has open
    assert kg.open(settings=settings).run_query(ask).boolean is False
    reader.close()


def _killed_after_the_update(sources: Path, build_dir: Path) -> int:
    """Run a build in another process that SIGKILLs itself once the store has been updated."""
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "import kg.store.writer as writer\n"
        "from kg.builder import build\n"
        "from kg.settings import Settings\n"
        "real = writer.update_store\n"
        "def update_then_die(*args):\n"
        "    real(*args)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "writer.update_store = update_then_die\n"
        "build([Path(sys.argv[1])], Settings.load(build_dir=Path(sys.argv[2]), embedder='none'))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", script, str(sources), str(build_dir)], env=env, timeout=300)
    return done.returncode


@pytest.mark.slow
def test_a_build_killed_or_failing_after_the_update_leaves_the_live_build(tmp_path, monkeypatch):
    sources = _seeds(tmp_path, *FOUR)
    settings = _graph_only(tmp_path / "build")
    live = build([sources], settings).path
    quads = _quads(live)
    (sources / "KMM5R0915v2.txt").unlink()

    assert _killed_after_the_update(sources, settings.build_dir) == -signal.SIGKILL
    (left,) = (settings.build_dir / BUILDS_FOLDER).glob(TEMPORARY_PREFIX + "*")
    assert (left / STORE_FOLDER).is_dir()  # killed after its store was made
    assert current_build(settings.build_dir) == live and _quads(live) == quads

    real = writer.update_store

    def update_then_fail(*args):
        real(*args)
        raise KeyboardInterrupt  # as Ctrl-C after the store was updated

    monkeypatch.setattr(writer, "update_store", update_then_fail)
    with pytest.raises(KeyboardInterrupt):
        build([sources], settings)
    assert not left.exists()  # the killed build's folder went when the next build started
    assert list((settings.build_dir / BUILDS_FOLDER).iterdir()) == [live]  # the failed one's went too
    assert current_build(settings.build_dir) == live and _quads(live) == quads
    assert kg.open(settings=settings).run_query('ASK { ?d skos:notation "KMM5R0915v2" }').boolean is True


@pytest.mark.slow
def test_a_full_load_is_taken_when_the_live_build_cannot_be_updated(tmp_path, monkeypatch):
    sources = _seeds(tmp_path, *FOUR)
    settings = _graph_only(tmp_path / "build")
    clean = build([sources], _graph_only(tmp_path / "clean"))

    # another base IRI: every line differs, far beyond the share worth applying one by one
    build([sources], _graph_only(settings.build_dir, base_iri="https://example.org/other/"))
    made = build([sources], settings)
    lines = sum(clean.triples.values())
    assert made.store == {"mode": "full", "reason": f"more than {int(DELTA_SHARE * lines)} lines differ"}
    _same_store(made, clean)

    # the live build's graph has no parts (a build of an earlier version): nothing to compare with
    (made.path / GRAPH_FOLDER / PARTS_FILE).unlink()
    live = made.path.name
    made = build([sources], settings)
    assert made.store == {"mode": "full", "reason": f"the live build {live} has no graph in parts"}
    _same_store(made, clean)

    # its index of parts is damaged: nothing is linked from it, and the store is loaded in full
    (made.path / GRAPH_FOLDER / PARTS_FILE).write_text("{not json", encoding="utf-8")
    made = build([sources], settings)
    assert made.store["mode"] == "full" and "parts cannot be read" in str(made.store["reason"])
    assert made.graph["linked"] == 0
    _same_store(made, clean)

    # the update fails (after the checkpoint was made): the partial store goes, a full load follows
    real = writer.update_store

    def update_then_fail(*args):
        real(*args)
        raise OSError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr(writer, "update_store", update_then_fail)
        made = build([sources], settings)
    assert made.store == {"mode": "full", "reason": "the live build's store could not be updated (disk full)"}
    _same_store(made, clean)

    # the live store lost a quad its graph still lists, one the next update removes: the update sees it
    unit = GraphParts(made.path).path("documents/KMM5R0915v2").read_bytes().splitlines()[0]
    store = ox.Store(str(made.path / STORE_FOLDER))
    lost = next(ox.parse(input=unit + b"\n", format=ox.RdfFormat.N_QUADS))
    store.remove(lost)
    store.flush()
    del store
    (sources / "KMM5R0915v2.txt").unlink()
    made = build([sources], settings)
    reason = f"the live store lacks a quad its graph lists ({lost}): the live build's store is not its graph"
    assert made.store == {"mode": "full", "reason": reason}
    _same_store(made, build([sources], _graph_only(tmp_path / "without"), clean=True))
    shutil.copy(RAW / "KMM5R0915v2.txt", sources / "KMM5R0915v2.txt")
    assert build([sources], settings).store["mode"] == "delta"  # and from a sound store, updates again


@pytest.mark.slow
def test_kg_build_says_how_the_store_was_made(tmp_path):
    sources = _seeds(tmp_path, *FOUR)
    options = ("--embedder", "none")
    first = kg_cli("build", str(sources), *options, build_dir=tmp_path / "build")
    assert first.returncode == 0, first.stderr
    assert "store: loaded in full (no earlier build)" in first.stdout.splitlines()
    (sources / "KMM5R0915v2.txt").unlink()
    again = kg_cli("build", str(sources), *options, build_dir=tmp_path / "build")
    made = read_manifest(current_build(tmp_path / "build"))["store"]
    # the document's quads go; a few derived ones (shared texts' ranks) may change
    assert made["mode"] == "delta" and made["removed"] > made["added"]
    line = f"store: the live build's, updated ({made['removed']} quads removed, {made['added']} added)"
    assert line in again.stdout.splitlines()
    forced = kg_cli("build", str(sources), *options, "--clean", build_dir=tmp_path / "build")
    assert "store: loaded in full (--clean)" in forced.stdout.splitlines()


def test_an_unchanged_rebuild_links_every_graph_part_made_from_unchanged_inputs(tmp_path):
    sources = _seeds(tmp_path, *FOUR)
    settings = Settings.load(build_dir=tmp_path / "build", embedder="none")
    with contextlib.chdir(sources.parent):
        build([Path(sources.name)], settings)
        first = GraphParts(current_build(tmp_path / "build"))
        inodes = {name: first.path(name).stat().st_ino for name in first.parts}
        again = build([Path(sources.name)], settings)
    parts = GraphParts(current_build(tmp_path / "build"))
    assert parts.parts.keys() == inodes.keys()
    made = {name for name in parts.parts if parts.path(name).stat().st_ino != inodes[name]}
    # the ontology, every document and the corpus-wide part are the live build's files; the
    # concepts (gathered from every document's results) are written each build
    assert made == {"concepts"} and again.graph["linked"] == len(inodes) - 1
    assert {"ontology", "corpus"} <= inodes.keys()
