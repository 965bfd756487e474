"""kg build: what a build writes, and that a failed build never damages the previous one."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Graph

from conftest import RAW, SEED_CODES, values
from kg.api import run_query
from kg.builder import build
from kg.check import check_build, check_sources
from kg.errors import BuildError, KgError
from kg.graph.ontology import load_shapes
from kg.settings import Settings
from kg.store.layout import DOCUMENTS_FILE, build_lock, current_build, read_manifest
from kg.store.parts import GraphParts
from test_cli import assert_clean_failure, kg


def test_build_writes_manifest_documents_export_and_store(built, seeds):
    path = current_build(built.build_dir)
    manifest = read_manifest(path)
    assert [d["code"] for d in manifest["documents"]] == SEED_CODES
    assert manifest["reasoner"] == "rules"
    assert set(manifest["graphs"]) == {"ontology", "asserted", "inferred", "mappings"}
    assert manifest["triples"]["inferred"] > manifest["triples"]["asserted"] > 3000
    documents = json.loads((path / DOCUMENTS_FILE).read_text(encoding="utf-8"))
    assert documents == [seeds[code].to_dict() for code in SEED_CODES]
    quads = [line for part in GraphParts(path).files() for line in part.read_bytes().splitlines()]
    assert len(quads) == len(set(quads)) == sum(manifest["triples"].values())  # each quad once, in one part


def test_the_live_build_conforms_to_the_shapes(built):
    assert check_build(built) == []


def test_rdflib_store_answers_like_oxigraph(built):
    sparql = """SELECT ?code (COUNT(?i) AS ?n)
                WHERE { ?d a kg:CompetencyDocument ; skos:notation ?code ; kg:hasPart ?i }
                GROUP BY ?code ORDER BY ?code"""
    oxigraph = run_query(sparql, built.with_(store="oxigraph"))
    rdflib = run_query(sparql, built.with_(store="rdflib"))
    assert values(oxigraph, "code", "n") == values(rdflib, "code", "n")
    assert len(oxigraph.rows) == 5
    ask = 'ASK { ?i skos:notation "P4.3.1" }'  # skos:notation is inferred
    for store in ("oxigraph", "rdflib"):
        assert run_query(ask, built.with_(store=store), graph="asserted").boolean is False
        assert run_query(ask, built.with_(store=store), graph="inferred").boolean is True


def _copy_seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    shutil.copytree(RAW, folder)
    return folder


def _snapshot(build_dir: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(build_dir)): p.read_bytes() for p in sorted(build_dir.rglob("*")) if p.is_file()
    }


def test_a_failed_build_reports_every_problem_and_keeps_the_previous_build(tmp_path):
    sources = _copy_seeds(tmp_path)
    settings = Settings.load(build_dir=tmp_path / "build")
    build([sources], settings)
    before = _snapshot(settings.build_dir)

    (sources / "empty.txt").write_text("", encoding="utf-8")
    broken = (
        (sources / "TTM3R0299v2.txt")
        .read_text(encoding="utf-8")
        .replace("職能單元級別\t3", "職能單元級別\t9")
    )
    (sources / "TTM3R0299v2.txt").write_text(broken, encoding="utf-8")
    with pytest.raises(BuildError) as failure:
        build([sources], settings)

    problems = failure.value.problems
    assert any(p.endswith("empty.txt: is empty") for p in problems)
    assert any(
        p.endswith("TTM3R0299v2.txt:3: TTM3R0299v2: a level is a whole number from 1 to 6 (value: 9)")
        for p in problems
    )
    assert len(problems) == 2
    assert _snapshot(settings.build_dir) == before
    assert not list((settings.build_dir / "builds").glob(".tmp-*"))


def test_the_same_document_twice_is_a_problem(tmp_path):
    sources = _copy_seeds(tmp_path)
    shutil.copy(sources / "KMM5R0915v2.txt", sources / "copy-of-KMM.txt")
    with pytest.raises(
        BuildError, match=r"copy-of-KMM.txt:3: document KMM5R0915v2 is also in .*KMM5R0915v2.txt"
    ):
        build([sources], Settings.load(build_dir=tmp_path / "build"))


def test_a_rebuild_replaces_the_build_and_keeps_only_the_new_one(tmp_path):
    settings = Settings.load(build_dir=tmp_path / "build")
    first = build([RAW / "KMM5R0915v2.txt"], settings).path
    second = build([RAW / "KMM5R0915v2.txt", RAW / "TTM3R0299v2.txt"], settings).path
    assert first != second and not first.exists()
    assert current_build(settings.build_dir) == second
    result = run_query("SELECT ?c WHERE { ?d a kg:CompetencyUnit ; skos:notation ?c } ORDER BY ?c", settings)
    assert result.records() == [{"c": "KMM5R0915v2"}, {"c": "TTM3R0299v2"}]


def test_build_with_the_owlrl_reasoner_gives_the_same_graph(tmp_path):
    sources = [RAW / "TTM3R0299v2.txt"]
    rules = build(sources, Settings.load(build_dir=tmp_path / "a", reasoner="rules"))
    owlrl = build(sources, Settings.load(build_dir=tmp_path / "b", reasoner="owlrl"))
    assert rules.triples == owlrl.triples

    assert list(GraphParts(rules.path).sorted_lines()) == list(GraphParts(owlrl.path).sorted_lines())


def test_no_source_files_is_a_clear_error(tmp_path):
    (tmp_path / "notes.md").write_text("hello", encoding="utf-8")
    with pytest.raises(KgError, match="no source files"):
        build([tmp_path], Settings.load(build_dir=tmp_path / "build"))


def test_a_missing_path_is_named(tmp_path):
    with pytest.raises(KgError, match=r"nowhere\.txt: no such file or folder"):
        build([tmp_path / "nowhere.txt"], Settings.load(build_dir=tmp_path / "build"))


def test_querying_before_any_build_says_to_build(tmp_path):
    with pytest.raises(KgError, match=r"no build found .* run `kg build` first"):
        run_query("ASK {}", Settings.load(build_dir=tmp_path / "nothing"))


def test_check_sources_reports_without_writing(tmp_path):
    sources = _copy_seeds(tmp_path)
    (sources / "binary.txt").write_bytes(b"\x00\x01\x02")
    problems = check_sources([sources], Settings.load(build_dir=tmp_path / "build"))
    assert problems == [f"{sources / 'binary.txt'}: is a binary file, not a text document"]
    assert not (tmp_path / "build").exists()


def _recoded_corpus(folder: Path, copies: int) -> Path:
    """The seeds `copies` times over, each copy under its own document code."""
    folder.mkdir()
    for path in sorted(RAW.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        code = next(c for c in SEED_CODES if c in text)
        for copy in range(copies):
            (folder / f"{code}-{copy}.txt").write_text(text.replace(code, f"{code}-{copy}"), encoding="utf-8")
    return folder


@pytest.mark.slow
def test_a_parallel_build_equals_a_serial_one(tmp_path):
    sources = _recoded_corpus(tmp_path / "raw", copies=4)  # 20 files: enough to use worker processes
    # no search index: the workers parse, convert, validate and reason; the rest runs in one process
    serial = build([sources], Settings.load(build_dir=tmp_path / "serial", workers=1, embedder="none"))
    parallel = build([sources], Settings.load(build_dir=tmp_path / "parallel", workers=2, embedder="none"))
    assert serial.triples == parallel.triples
    assert [d["code"] for d in serial.documents] == [d["code"] for d in parallel.documents]
    assert (serial.path / "documents.json").read_bytes() == (parallel.path / "documents.json").read_bytes()


def test_kg_build_whose_workers_cannot_start_says_why_in_one_line(tmp_path):
    """What stops the worker processes (here a document cache that is a folder) is the one error
    line; the workers' own tracebacks (concurrent.futures prints them) are not shown."""
    sources = _recoded_corpus(tmp_path / "raw", copies=4)  # 20 files: enough to use worker processes
    (tmp_path / "build" / "cache" / "documents.sqlite").mkdir(parents=True)
    result = kg("build", str(sources), "--workers", "2", "--embedder", "none", build_dir=tmp_path / "build")
    assert_clean_failure(result, "cannot open the document cache")
    assert "Exception in initializer" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "build" / "CURRENT").exists()


@pytest.mark.slow
def test_a_parallel_build_reports_problems_like_a_serial_one(tmp_path):
    sources = _recoded_corpus(tmp_path / "raw", copies=4)
    (sources / "zz-empty.txt").write_text("", encoding="utf-8")
    shutil.copy(sources / "TTM3R0299v2-1.txt", sources / "zz-again.txt")
    with pytest.raises(BuildError) as failure:
        build([sources], Settings.load(build_dir=tmp_path / "build", workers=2))
    assert len(failure.value.problems) == 2
    assert failure.value.problems[0].endswith(
        "zz-again.txt:3: document TTM3R0299v2-1 is also in " + str(sources / "TTM3R0299v2-1.txt")
    )
    assert failure.value.problems[1].endswith("zz-empty.txt: is empty")


def test_workers_must_be_a_whole_number():
    with pytest.raises(KgError, match="workers must be a whole number"):
        Settings.load(workers="two")


def test_validating_the_build_finds_violations_of_new_shapes(built, monkeypatch):
    """After the shapes change, `kg validate` checks the stored graph document by document."""
    stricter = load_shapes() + Graph().parse(
        data="""
        @prefix kg: <https://w3id.org/icap-kg/ontology#> . @prefix sh: <http://www.w3.org/ns/shacl#> .
        kg:LevelledTaskShape a sh:NodeShape ; sh:targetClass kg:Task ;
            sh:property [ sh:path kg:level ; sh:minCount 1 ; sh:message "every task needs a level" ] .
        """,
        format="turtle",
    )
    monkeypatch.setattr("kg.check.load_shapes", lambda: stricter)
    problems = check_build(built)
    assert "data/raw/BAS1499-003.txt:39: T4: every task needs a level" in problems
    assert any(p.startswith("data/raw/TTM3R0299v2.txt:7: T1: every task needs a level") for p in problems)


# --- one build at a time, and what killed builds leave ----------------------------------------------


def test_a_second_build_in_the_same_folder_fails_while_one_runs(tmp_path):
    build_dir = tmp_path / "build"
    build_dir.mkdir()
    with build_lock(build_dir):  # as a running build holds it
        with pytest.raises(KgError, match=f"^another build is running in {re.escape(str(build_dir))}"):
            build([RAW / "KMM5R0915v2.txt"], Settings.load(build_dir=build_dir, embedder="none"))
        result = kg("build", "data/raw/KMM5R0915v2.txt", "--embedder", "none", build_dir=build_dir)
        assert_clean_failure(result, f"another build is running in {build_dir}")
    assert not (build_dir / "CURRENT").exists()
    build([RAW / "KMM5R0915v2.txt"], Settings.load(build_dir=build_dir, embedder="none"))  # free again
    assert current_build(build_dir).is_dir()


_BUILD_SCRIPT = """
import sys
from pathlib import Path
from kg.builder import build
from kg.settings import Settings
build([Path(sys.argv[1])], Settings.load(build_dir=Path(sys.argv[2])))
"""


def _kill_mid_build(sources: Path, build_dir: Path, leftovers: set[Path]) -> Path:
    """Start a real build in another process and SIGKILL it once its temporary folder has content."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen([sys.executable, "-c", _BUILD_SCRIPT, str(sources), str(build_dir)], env=env)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            started = set((build_dir / "builds").glob(".tmp-*")) - leftovers
            if started and (next(iter(started)) / DOCUMENTS_FILE).is_file():
                process.send_signal(signal.SIGKILL)
                process.wait(10)
                return next(iter(started))
            time.sleep(0.05)
        raise AssertionError(f"the build did not start in time (exit code {process.poll()})")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


@pytest.mark.slow
def test_a_killed_build_leaves_the_live_build_and_the_next_build_removes_its_folder(tmp_path):
    sources = _copy_seeds(tmp_path)
    settings = Settings.load(build_dir=tmp_path / "build", embedder="none")
    live = build([sources], settings).path
    live_files = _snapshot(live)

    killed = _kill_mid_build(sources, settings.build_dir, set())
    assert killed.is_dir() and (killed / DOCUMENTS_FILE).is_file()  # what the killed build left
    assert current_build(settings.build_dir) == live and _snapshot(live) == live_files
    answer = run_query('ASK { ?d skos:notation "KMM5R0915v2" }', settings)
    assert answer.boolean is True
    fake = settings.build_dir / "builds" / ".tmp-20240101T000000000000Z"
    (fake / "search").mkdir(parents=True)
    (fake / "graph").mkdir()
    (fake / "graph" / "ontology.nq").write_bytes(b"left by a build killed long ago\n")

    new = build([sources], settings).path
    assert current_build(settings.build_dir) == new
    assert not killed.exists() and not fake.exists() and not live.exists()
    _only_folder_soon(new)  # the replaced build is removed in a process of its own


def _only_folder_soon(live: Path, seconds: float = 60) -> None:
    """Wait until `live` is the only build in its folder (replaced builds are removed in the
    background, under a temporary name)."""
    deadline = time.monotonic() + seconds
    while (others := [p for p in live.parent.iterdir() if p != live]) and time.monotonic() < deadline:
        assert all(p.name.startswith(".tmp-old-") for p in others), others
        time.sleep(0.05)
    assert not others, f"still there after {seconds} s: {others}"


def test_a_replaced_build_is_renamed_at_once_and_removed_in_the_background(tmp_path, monkeypatch):
    sources = _copy_seeds(tmp_path)
    settings = Settings.load(build_dir=tmp_path / "build", embedder="none")
    first = build([sources], settings).path
    second = build([sources], settings).path
    assert not first.exists() and current_build(settings.build_dir) == second
    _only_folder_soon(second)

    def no_rm(*args, **kwargs):
        raise FileNotFoundError("rm")

    monkeypatch.setattr(subprocess, "Popen", no_rm)  # no `rm` to start: removed by the build itself
    third = build([sources], settings).path
    assert [p for p in third.parent.iterdir()] == [third]
    # one left behind (its process killed) is a leftover the next build removes
    left = third.with_name(".tmp-old-20240101T000000000000Z")
    (left / "graph").mkdir(parents=True)
    fourth = build([sources], settings).path
    assert not left.exists()
    _only_folder_soon(fourth)


def test_a_build_pauses_the_collector_but_processes_documents_with_it(tmp_path, monkeypatch):
    """The build's own objects are walked by no collector (kg.builder), while a document is
    processed with it on (rdflib's graphs hold cycles), and the collector is on again after."""
    import gc

    from kg import builder, pipeline

    processing: list[bool] = []  # per document processed: whether the collector was on
    keeping: list[bool] = []  # per document the build kept

    def recorded(log, call):
        return lambda *arguments: log.append(gc.isenabled()) or call(*arguments)

    monkeypatch.setattr(pipeline, "process_file", recorded(processing, pipeline.process_file))
    monkeypatch.setattr(builder, "_quads", recorded(keeping, builder._quads))
    assert gc.isenabled()
    build([RAW / "KMM5R0915v2.txt"], Settings.load(build_dir=tmp_path, workers=1, embedder="none"))
    assert processing == [True] and keeping == [False]
    assert gc.isenabled()


def test_pairs_matched_in_the_builds_process_leave_the_collector_paused_and_nothing_behind(
    tmp_path, monkeypatch
):
    """A few pairs are matched in the build's own process: the collector stays paused there
    (it is switched on only in matching worker processes), and no document's side is kept
    in the module once the build is done (a notebook building twice would hold hundreds of MB)."""
    import gc

    from kg.mapping import corpus

    matching: list[bool] = []  # per pair matched: whether the collector was on
    real = corpus.match_rows
    monkeypatch.setattr(corpus, "match_rows", lambda *a: matching.append(gc.isenabled()) or real(*a))
    sources = [RAW / "KMM5R0915v2.txt", RAW / "BAS1499-003.txt"]
    built = build(sources, Settings.load(build_dir=tmp_path, workers=1))
    assert built.mappings["pairs_matched"] == 1 and matching == [False]
    assert corpus._matcher is None and gc.isenabled()


def test_a_search_index_that_cannot_be_written_fails_the_build_and_keeps_the_previous_one(
    tmp_path, monkeypatch
):
    """The index is written in a thread while the overlaps are mapped (kg.background):
    its failure is the build's, with its message, and nothing of the new build is published."""
    from kg import builder

    settings = Settings.load(build_dir=tmp_path / "build")
    live = build([RAW / "TTM3R0299v2.txt"], settings).path
    live_files = _snapshot(live)

    def failing(folder: Path, prepared, encoded) -> None:
        (folder / "search").mkdir(exist_ok=True)
        (folder / "search" / "items.jsonl").write_text("half written", encoding="utf-8")
        raise KgError("no space left on device")

    monkeypatch.setattr(builder, "write_search_index", failing)
    with pytest.raises(KgError, match=r"^writing the search index failed: no space left on device$"):
        build([RAW / "TTM3R0299v2.txt", RAW / "KMM5R0915v2.txt"], settings)
    assert current_build(settings.build_dir) == live and _snapshot(live) == live_files
    assert list((settings.build_dir / "builds").iterdir()) == [live]
