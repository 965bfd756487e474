"""Every setting in one place: its default, its environment variable and its help text.

The CLI's options read their help from here; library calls take a `Settings`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from kg.errors import KgError

DEFAULT_BASE_IRI = "https://w3id.org/icap-kg/id/"

_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
_HTTP_URL = re.compile(r"https?://[^\s/?#@]+(?:[/?][^\s#]*)?", re.IGNORECASE)


def check_http_url(url: str, what: str, example: str = "http://localhost:7878/query") -> str:
    """`url` unchanged when it is an http(s) URL with a host; a KgError naming `what` and it otherwise."""
    if not _HTTP_URL.fullmatch(url):
        if _HTTP_URL.fullmatch(re.sub(r"//[^/?#\s]*@", "//", url, count=1)):
            # not repeated in the message: it holds a password
            raise KgError(f"{what} holds credentials (user@): kg sends none; use a proxy that adds them")
        raise KgError(f"{what} {url!r} is not an http:// or https:// URL (like {example})")
    return url


def check_base_iri(base: str) -> str:
    """`base` unchanged when it is an absolute IRI; a KgError naming it otherwise.

    Here, not in `kg.graph.vocabulary` (which mints IRIs under the base and calls this),
    so that settings are checked without loading the graph layer.
    """
    if not _ABSOLUTE_IRI.fullmatch(base):
        raise KgError(f"the base IRI {base!r} is not an absolute IRI (like https://example.org/icap/)")
    return base


@dataclass(frozen=True)
class Option:
    env: str
    default: str
    help: str


OPTIONS: dict[str, Option] = {
    "build_dir": Option(
        "KG_BUILD_DIR",
        "data/build",
        "Folder for generated artifacts (graph store, exports, manifest); never committed.",
    ),
    "base_iri": Option(
        "KG_BASE_IRI",
        DEFAULT_BASE_IRI,
        "Base of every data IRI: a document is BASE + code, an item BASE + code/item-code.",
    ),
    "reasoner": Option(
        "KG_REASONER",
        "rules",
        "OWL RL reasoner: 'rules' (owlrl-closed ontology applied by a fast rule engine) "
        "or 'owlrl' (owlrl's full closure; slow).",
    ),
    "store": Option(
        "KG_STORE",
        "oxigraph",
        "Graph store that queries use: 'oxigraph' (persistent, fast) or 'rdflib' (in memory).",
    ),
    "embedder": Option(
        "KG_EMBEDDER",
        "",
        "Text embedder for semantic search: e5-small (bundled multilingual-e5-small, the default for "
        "building), st:<model name or folder> (a local sentence-transformers model), or none (build "
        "no search index). Searches use the model the index was built with unless this names another.",
    ),
    "embedding_cache": Option(
        "KG_EMBEDDING_CACHE",
        "",
        "A file of text embeddings that several build folders share (a test corpus and the full one); "
        "builds read and add to it, and --clean leaves it alone. Empty: the build folder's own "
        "cache/embeddings.sqlite.",
    ),
    "workers": Option(
        "KG_WORKERS",
        "0",
        "Processes that parse, validate and reason over documents in parallel; 0 means one per core.",
    ),
    "host": Option(
        "KG_HOST",
        "127.0.0.1",
        "Address `kg serve` listens on; the loopback address by default, so only this machine can reach it.",
    ),
    "port": Option("KG_PORT", "8000", "Port `kg serve` listens on."),
    "query_timeout": Option(
        "KG_QUERY_TIMEOUT",
        "20",
        "Seconds a SPARQL query may run (in `kg sparql`, `kg serve` and the Python API's kg.sparql) "
        "before its worker process is stopped.",
    ),
    "max_results": Option(
        "KG_MAX_RESULTS",
        "10000",
        "Most rows (or triples) one SPARQL query may return (in `kg sparql`, `kg serve` and kg.sparql); "
        "larger results are refused.",
    ),
    "query_workers": Option(
        "KG_QUERY_WORKERS",
        "2",
        "Worker processes that run `kg serve`'s SPARQL queries side by side.",
    ),
    "sparql_endpoint": Option(
        "KG_SPARQL_ENDPOINT",
        "",
        "A SPARQL 1.1 server's query URL (http://host:7878/query; a bare http://host:7878 means "
        "Oxigraph's /query) that `kg sparql` and `kg serve` query instead of the local build's store "
        "(publish the build there with `kg publish`); kgf:similarity needs the local store. "
        "Empty: the local store.",
    ),
    "publish_timeout": Option(
        "KG_PUBLISH_TIMEOUT",
        "600",
        "Seconds `kg publish` waits for the SPARQL server at each step (connecting, sending, "
        "the server loading one named graph).",
    ),
}

DEFAULT_SOURCES = Path("data/raw")

# Numeric settings: (name, type, smallest value allowed). The type (int or float) is called on
# whatever the user gave (text, a number, anything): a TypeError or ValueError is reported.
_Convert = Callable[[Any], int | float]
_NUMBERS: tuple[tuple[str, _Convert, float], ...] = (
    ("workers", int, 0),
    ("port", int, 1),
    ("query_timeout", float, 0.1),
    ("max_results", int, 1),
    ("query_workers", int, 1),
    ("publish_timeout", float, 0.1),
)


def _number(name: str, value: object, convert: _Convert, least: float) -> int | float:
    """A numeric setting from its text, with a clear error for anything else."""
    what = "a whole number" if convert is int else "a number"
    try:
        number = convert(value)
    except (TypeError, ValueError):
        raise KgError(f"{name} must be {what}, not {value!r}") from None
    if number != number or number < least or (name == "port" and number > 65535):  # NaN too
        if name == "workers":
            raise KgError("workers must be 0 (one per core) or more")
        limit = "1 to 65535" if name == "port" else f"at least {least:g}"
        raise KgError(f"{name} must be {limit}, not {value!r}")
    return number


@dataclass(frozen=True)
class Settings:
    build_dir: Path
    base_iri: str
    reasoner: str
    store: str
    embedder: str
    embedding_cache: str
    workers: int
    host: str
    port: int
    query_timeout: float
    max_results: int
    query_workers: int
    sparql_endpoint: str
    publish_timeout: float

    @classmethod
    def load(cls, **overrides: object) -> Settings:
        """Defaults, overridden by environment variables, overridden by explicit values."""
        values: dict[str, object] = {}
        for name, option in OPTIONS.items():
            value = overrides.get(name)
            if value is None:
                value = os.environ.get(option.env) or option.default
            values[name] = value
        values["build_dir"] = Path(values["build_dir"])  # type: ignore[arg-type]
        for name, convert, least in _NUMBERS:
            values[name] = _number(name, values[name], convert, least)
        check_base_iri(str(values["base_iri"]))  # a malformed base IRI fails here, before any work
        _check_endpoint(values)
        return cls(**values)  # type: ignore[arg-type]

    def with_(self, **changes: object) -> Settings:
        """These settings with some changed (None: unchanged), numbers checked as `load` checks them."""
        known = {f.name for f in fields(self)}
        changed = {k: v for k, v in changes.items() if k in known and v is not None}
        for name, convert, least in _NUMBERS:
            if name in changed:
                changed[name] = _number(name, changed[name], convert, least)
        _check_endpoint(changed)
        return replace(self, **changed)  # type: ignore[arg-type]


def _check_endpoint(values: dict[str, object]) -> None:
    """A SPARQL endpoint that is set must be an http(s) URL (spaces around it dropped)."""
    if "sparql_endpoint" in values:
        endpoint = str(values["sparql_endpoint"]).strip()
        values["sparql_endpoint"] = check_http_url(endpoint, "the SPARQL endpoint") if endpoint else ""
