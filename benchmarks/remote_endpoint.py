"""Benchmark: publishing a build to an Oxigraph server, and the named queries asked there.

Builds a synthetic corpus (benchmarks/corpus.py; the graph only, no embeddings), starts
the `oxigraph` server (the test extra's binary) on loopback, times `kg.store.publish`
(N-Triples per named graph, PUT with the Graph Store Protocol: into an empty server,
again (replacing), again with --bulk (Oxigraph's load without a transaction), and with
--bulk into a second empty server) and
`oxigraph load` of the build's graph: every part's N-Quads file in one load (how a replica is
made; "oxigraph_load_export_seconds" keeps the name it had when a build wrote one graph.nq),
then the median of each named query without kgf: functions on the build's own store
(pyoxigraph, in process) and on the server (`sparql:URL`: HTTP, SPARQL JSON results parsed
back into rdflib terms), with their ratio. Both read the same data with the same engine
(Oxigraph 0.5), so the ratio is what the protocol costs.

    python benchmarks/remote_endpoint.py --documents 200

Reports medians and the machine. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import machine
from corpus import write_corpus

from kg.builder import build
from kg.query.named import named_queries
from kg.settings import Settings
from kg.store import GraphStore, open_store, store_descriptor
from kg.store.errors import ResultTooLarge
from kg.store.layout import current_build, graph_iris
from kg.store.parts import GraphParts
from kg.store.publish import publish

MAX_ROWS = 200_000


def binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    command = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if command is None:
        raise SystemExit("the oxigraph server binary is missing: pip install 'kg[test]'")
    return command


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    command = binary()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [command, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=5):
                return server, url
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the oxigraph server did not start")


def median_seconds(store: GraphStore, text: str, repeats: int) -> tuple[float | None, int]:
    """(median seconds, rows) of a query; None when its answer passes MAX_ROWS."""
    runs, rows = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        try:
            answer = store.query(text, max_results=MAX_ROWS)
        except ResultTooLarge:
            return None, MAX_ROWS
        runs.append(time.perf_counter() - start)
        rows = len(answer.rows) + len(answer.triples)
    return statistics.median(runs), rows


def run(work: Path, documents: int, repeats: int) -> dict[str, object]:
    settings = Settings.load(build_dir=work / "build", embedder="none")
    start = time.perf_counter()
    report = build([write_corpus(work / "raw", documents)], settings)
    build_seconds = time.perf_counter() - start
    build_path = current_build(settings.build_dir)
    server, url = start_server(work / "oxigraph")
    try:
        start = time.perf_counter()
        sent = publish(build_path, url, timeout=600)
        publish_seconds = time.perf_counter() - start
        start = time.perf_counter()
        again = publish(build_path, url, timeout=600)
        republish_seconds = time.perf_counter() - start
        assert again == sent
        start = time.perf_counter()
        publish(build_path, url, timeout=600, bulk=True)
        bulk_seconds = time.perf_counter() - start
        second, second_url = start_server(work / "oxigraph-2")
        try:
            start = time.perf_counter()
            publish(build_path, second_url, timeout=600, bulk=True)
            bulk_empty_seconds = time.perf_counter() - start
        finally:
            second.terminate()
            second.wait(30)
        start = time.perf_counter()
        parts = GraphParts(build_path)
        files = [str(path.relative_to(parts.folder)) for path in parts.files()]  # short: one per part
        loader = [binary(), "load", "--location", str(work / "replica"), "--file", *files]
        subprocess.run(loader, check=True, capture_output=True, cwd=parts.folder)
        load_seconds = time.perf_counter() - start
        local = open_store(store_descriptor("oxigraph", build_path))
        remote = open_store(f"sparql:{url}", graphs=graph_iris(build_path), timeout=600)
        queries: dict[str, object] = {}
        for name, named in named_queries().items():
            if "kgf:" in named.text:
                continue
            here, rows = median_seconds(local, named.text, repeats)
            there, remote_rows = median_seconds(remote, named.text, repeats)
            assert rows == remote_rows, name
            queries[name] = {
                "rows": rows,
                "local_median": None if here is None else round(here, 4),
                "remote_median": None if there is None else round(there, 4),
                "ratio": None if not here or there is None else round(there / here, 2),
            }
            print(name, queries[name], flush=True)
    finally:
        server.terminate()
        server.wait(30)
    triples = sum(sent.values())
    return {
        "documents": documents,
        "build_seconds": round(build_seconds, 1),
        "triples": report.triples,
        "published_triples": sent,
        "publish_seconds": round(publish_seconds, 2),
        "publish_triples_per_second": round(triples / publish_seconds),
        "republish_seconds": round(republish_seconds, 2),
        "bulk_republish_seconds": round(bulk_seconds, 2),
        "bulk_publish_seconds": round(bulk_empty_seconds, 2),
        "oxigraph_load_export_seconds": round(load_seconds, 2),
        "queries": queries,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=200, help="synthetic corpus size")
    parser.add_argument("--repeats", type=int, default=5, help="runs per query (the median is reported)")
    parser.add_argument("--output", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    results: dict[str, object] = {"machine": machine()}
    with tempfile.TemporaryDirectory(prefix="kg-bench-remote-") as tmp:
        results["run"] = run(Path(tmp), args.documents, args.repeats)
    print(json.dumps(results, indent=1), flush=True)
    if args.output:
        args.output.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
