"""Benchmark: how long quick SPARQL queries wait while two runaway queries hold every worker.

Starts `kg serve` (2 query workers, the default 20 s time limit) over a build, sends
two queries that run into the time limit, and meanwhile a stream of quick queries
(`ASK { ?s a kg:Task }`, one client, one after the other) for `--seconds` seconds.
Reports how long each quick query took to be answered, by status (200, or 503 busy),
how long the runaway ones took, and how soon after they were stopped (their workers
killed and replaced) a query is answered again.

    python benchmarks/sparql_busy.py --build-dir data/build

Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from common import machine

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
QUICK = "ASK { ?s a kg:Task }"


def ask(url: str, query: str, timeout: float = 60) -> tuple[int, float]:
    """(HTTP status, seconds) of one query."""
    started = time.monotonic()
    try:
        address = f"{url}/sparql?{urllib.parse.urlencode({'query': query})}"
        with urllib.request.urlopen(address, timeout=timeout):
            status = 200
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.monotonic() - started


def serve(build_dir: Path, timeout: float) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "kg", "serve", "--build-dir", str(build_dir), "--port", str(port)]
    command += ["--query-timeout", str(timeout), "--query-workers", "2"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if ask(url, "ASK {}", 5)[0] == 200:
                return server, url
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("kg serve did not start")


def summary(times: list[float]) -> dict[str, float]:
    if not times:
        return {"count": 0}
    ordered = sorted(times)
    return {
        "count": len(times),
        "p50_s": round(statistics.median(ordered), 3),
        "p95_s": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 3),
        "max_s": round(ordered[-1], 3),
    }


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--build-dir", type=Path, default=Path("data/build"))
    parser.add_argument("--timeout", type=float, default=20.0, help="the server's --query-timeout")
    parser.add_argument("--seconds", type=float, default=15.0, help="how long the quick queries are sent")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results" / "sparql_busy.json")
    args = parser.parse_args()
    server, url = serve(args.build_dir, args.timeout)
    try:
        heavy: list[tuple[int, float]] = []
        runners = [threading.Thread(target=lambda: heavy.append(ask(url, HEAVY))) for _ in range(2)]
        for runner in runners:
            runner.start()
        time.sleep(1.0)  # both workers are now busy
        quick: dict[int, list[float]] = {}
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            status, seconds = ask(url, QUICK)
            quick.setdefault(status, []).append(seconds)
        for runner in runners:
            runner.join()
        stopped = time.monotonic()  # the runaway queries are stopped: how soon is a query answered?
        after = [ask(url, QUICK)]
        while after[-1][0] != 200 and time.monotonic() < stopped + 120:
            after.append(ask(url, QUICK))
        recovered = time.monotonic() - stopped
    finally:
        server.terminate()
        server.wait(20)
    report = {
        "machine": machine(),
        "time_limit_s": args.timeout,
        "query_workers": 2,
        "runaway_queries": [{"status": s, "seconds": round(t, 2)} for s, t in heavy],
        "quick_queries_while_busy": {str(status): summary(times) for status, times in sorted(quick.items())},
        "after_the_runaway_queries_stopped": {
            "seconds_to_the_first_200": round(recovered, 2),
            "busy_answers_before_it": sum(s == 503 for s, _ in after),
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
