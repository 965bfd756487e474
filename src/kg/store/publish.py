"""Publishing a finished build to a SPARQL 1.1 server with the Graph Store HTTP Protocol (`kg publish`).

Each named graph of the build (ontology, asserted, inferred, mappings) is written as
N-Triples from the build's store to a temporary file (one graph at a time, so the disk
holds at most the largest) and PUT to the graph store under the graph's IRI
(`?graph=IRI`). PUT replaces the graph, so publishing twice leaves the same data, and
a graph is replaced whole or not at all (a failed upload leaves the server's previous
copy). Blank nodes are kept within a graph; the server gives them labels of its own.

The URL is the server's Graph Store Protocol endpoint (Oxigraph: http://HOST:7878/store;
Fuseki: http://HOST:3030/DATASET/data; GraphDB: http://HOST:7200/repositories/REPO/rdf-graphs/service),
or a URL without a path (http://HOST:7878), which means Oxigraph's /store.

`bulk` adds Oxigraph's `no_transaction` parameter: the server loads without a transaction,
several times faster (see the README), but a failed upload leaves that graph partly
written, so it is for loading a replica that no one reads yet. Other servers may ignore
or refuse the parameter.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from kg.store.errors import RemoteError
from kg.store.http import at_path, send
from kg.store.oxigraph import OxigraphStore

STORE_PATH = "/store"  # Oxigraph's graph store endpoint, for a URL without a path
BULK = "no_transaction"  # Oxigraph's parameter for loading without a transaction
CHUNK = 2**20


def graph_store_url(url: str) -> str:
    """The Graph Store Protocol endpoint a URL names (one without a path means Oxigraph's /store)."""
    return at_path(url, STORE_PATH)


def graph_url(store_url: str, iri: str, bulk: bool = False) -> str:
    """The URL of one named graph in a graph store (indirect identification: ?graph=IRI)."""
    url = f"{store_url}{'&' if '?' in store_url else '?'}graph={quote(iri, safe='')}"
    return f"{url}&{BULK}" if bulk else url


def publish(
    build_path: Path,
    url: str,
    timeout: float,
    progress: Callable[[str, int, int], None] | None = None,
    bulk: bool = False,
) -> dict[str, int]:
    """PUT every named graph of the build at `build_path` to the graph store at `url`.

    Returns the triples sent per graph name. Raises RemoteError (one line, with the
    server's message) on the first graph the server does not take.
    """
    target = graph_store_url(url)
    store = OxigraphStore(build_path)
    sent: dict[str, int] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="kg-publish-") as folder:
            for number, (name, iri) in enumerate(store.graphs.items()):
                if progress:
                    progress("publishing", number, len(store.graphs))
                path = Path(folder) / f"{name}.nt"
                with open(path, "wb") as output:
                    store.dump(name, output)
                size = path.stat().st_size
                with open(path, "rb") as body:
                    try:
                        response = send(
                            graph_url(target, iri, bulk),
                            method="PUT",
                            timeout=timeout,
                            headers={"Content-Type": "application/n-triples", "Content-Length": str(size)},
                            body=body,
                            what="the graph store",
                            shown=f"at {target} (graph <{iri}>)",
                        )
                    except RemoteError as exc:
                        if not bulk:
                            raise
                        raise RemoteError(
                            f"{exc} (loaded without a transaction: the graph may be partly written; "
                            "publish again)"
                        ) from None
                    response.close()
                sent[name] = _lines(path)
                path.unlink()
    finally:
        store.close()
    return sent


def _lines(path: Path) -> int:
    """Lines of an N-Triples file: its triples (a newline inside a literal is written escaped)."""
    count = 0
    with open(path, "rb") as data:
        while chunk := data.read(CHUNK):
            count += chunk.count(b"\n")
    return count
