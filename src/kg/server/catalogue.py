"""The live build as the pages need it: documents by code, items with their place, search, overlap.

Loaded from the build folder (documents.json, the manifest, the search index, the
mapping files) on the first request that needs each, and again whenever `kg build`
publishes a new build.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas

from kg.errors import KgError, no_such_document
from kg.graph.vocabulary import Iris
from kg.mapping.files import BuildMappings
from kg.mapping.material import Material
from kg.mapping.overlap import (
    Overlap,
    check_overlap_options,
    coverage_of,
    item_mappings_of,
    matrix_of,
    overlap_in,
)
from kg.search.engine import Searcher
from kg.search.items import SearchItem, joined, stable_id
from kg.search.results import SearchResults
from kg.settings import Settings
from kg.store.layout import DOCUMENTS_FILE, current_build, read_manifest


class NotFound(KgError):
    """A document, item or IRI that the live build does not have."""


@dataclass
class Item:
    """One item of a document, with the chain of items above it (task, activity)."""

    document: dict[str, Any]
    code: str
    kind: str
    text: str
    entry: dict[str, Any]
    parents: list[Item] = field(default_factory=list)
    children: list[Item] = field(default_factory=list)

    @property
    def level(self) -> int | None:
        for holder in [self.entry, *(p.entry for p in reversed(self.parents)), self.document]:
            if holder.get("level"):
                return holder["level"]
        return None


def _coded(entry: dict[str, Any], key: str = "text") -> str:
    return str(entry.get(key) or "")


def _items_of(document: dict[str, Any]) -> dict[str, Item]:
    """Every coded item of a parsed document, by code, each knowing its parents and children."""
    found: dict[str, Item] = {}

    def add(code: str, kind: str, text: str, entry: dict[str, Any], parents: list[Item]) -> Item:
        item = Item(document, code, kind, text, entry, parents)
        if parents:
            parents[-1].children.append(item)
        found[code] = item
        return item

    for task in document.get("tasks", []):
        t = add(task["code"], "task", _coded(task, "title"), task, [])
        for indicator in task.get("indicators", []):
            add(indicator["code"], "indicator", _coded(indicator), indicator, [t])
        for activity in task.get("activities", []):
            a = add(activity["code"], "activity", _coded(activity, "title"), activity, [t])
            for output in activity.get("outputs", []):
                add(output["code"], "output", _coded(output), output, [t, a])
            for indicator in activity.get("indicators", []):
                add(indicator["code"], "indicator", _coded(indicator), indicator, [t, a])
    for kind, key in (("knowledge", "knowledge"), ("skill", "skills"), ("note", "notes")):
        for entry in document.get(key, []):
            add(entry["code"], kind, joined(entry.get("text"), entry.get("items", [])), entry, [])
    for attitude in document.get("attitudes", []):
        text = f"{attitude['name']}：{attitude['text']}" if attitude.get("text") else attitude["name"]
        add(attitude["code"], "attitude", text, attitude, [])
    for assessment in document.get("assessment") or []:
        add(assessment["code"], "assessment", _coded(assessment, "title"), assessment, [])
    return found


class Catalogue:
    """One build's documents, items and search index."""

    def __init__(self, build_path: Path, embedder: str = "") -> None:
        self.path = build_path
        self.manifest = read_manifest(build_path)
        self.iris = Iris(self.manifest["base_iri"])
        documents = json.loads((build_path / DOCUMENTS_FILE).read_text(encoding="utf-8"))
        self.documents: dict[str, dict[str, Any]] = {d["code"]: d for d in documents}
        self.items = {code: _items_of(d) for code, d in self.documents.items()}
        self.graphs: dict[str, str] = self.manifest["graphs"]
        self._embedder = embedder
        self._searcher: Searcher | None = None
        self._searcher_lock = threading.Lock()  # loads the searcher once; searches run concurrently
        self._material: Material | None = None
        self._mappings: BuildMappings | None = None
        self._matrices: dict[str, pandas.DataFrame] = {}
        self._coverage: dict[bool, pandas.DataFrame] = {}
        self._overlap_lock = threading.Lock()

    @property
    def base(self) -> str:
        return self.iris.base

    def document(self, code: str) -> dict[str, Any]:
        if code not in self.documents:
            raise NotFound(no_such_document(code, self.documents))
        return self.documents[code]

    def item(self, code: str, item_code: str) -> Item:
        items = self.items.get(code)
        if items is None:
            raise NotFound(no_such_document(code, self.documents))
        if item_code not in items:
            raise NotFound(f"document {code} has no item {item_code!r}")
        return items[item_code]

    def page_of(self, iri: str) -> str | None:
        """The local page of a document's or item's IRI, or None when it is neither."""
        if not iri.startswith(self.base):
            return None
        parts = iri[len(self.base) :].split("/")
        if len(parts) == 1 and parts[0] in self.documents:
            return "/document/" + quote(parts[0])
        if len(parts) == 2 and parts[1] in self.items.get(parts[0], {}):
            return f"/document/{quote(parts[0])}/{quote(parts[1])}"
        return None

    def searcher(self) -> Searcher:
        with self._searcher_lock:
            if self._searcher is None:
                self._searcher = Searcher(self.path, self._embedder)
            return self._searcher

    def search(self, query: str, **options: Any) -> SearchResults:
        """`Searcher.search` on the build's searcher; any number of threads may search at once."""
        return self.searcher().search(query, **options)

    def closest(self, code: str, item_code: str, top: int = 8) -> list[tuple[SearchItem, float]]:
        """The items of other documents nearest in meaning to one item (cosine of their vectors)."""
        searcher = self.searcher()
        index = searcher.index
        vector = index.dense.vector(stable_id(str(self.iris.item(code, item_code))))
        if vector is None:
            return []
        others = index.ids[index.column("document") != code]
        ids, scores = index.dense.search(vector, top, others)
        return list(zip(index.rows(ids), (float(s) for s in scores), strict=True))

    def overlap(self, a: str, b: str, min_relation: str = "related", kinds: tuple[str, ...] = ()) -> Overlap:
        """The corresponding items of two documents, as `kg overlap A B` finds them."""
        check_overlap_options(min_relation, kinds)
        for code in (a, b):
            self.document(code)
        if a == b:
            raise KgError(f"give two different documents, not {a!r} twice")
        return overlap_in(self._loaded_material(), a, b, min_relation, kinds)

    def matrix(self, min_relation: str = "close") -> pandas.DataFrame:
        """The document x document overlap of the build (as `kg overlap --matrix`), computed once."""
        stored = self._stored_mappings()
        with self._overlap_lock:
            if min_relation not in self._matrices:
                self._matrices[min_relation] = matrix_of(stored, min_relation)
            return self._matrices[min_relation]

    def coverage(self, incorporated_only: bool = False) -> pandas.DataFrame:
        """Each unit's best covering standard task (as `kg overlap --coverage`), computed once."""
        stored = self._stored_mappings()
        with self._overlap_lock:
            if incorporated_only not in self._coverage:
                self._coverage[incorporated_only] = coverage_of(stored, incorporated_only)
            return self._coverage[incorporated_only]

    def item_mappings(self, code: str, item_code: str) -> list[dict[str, Any]]:
        """An item's stored SKOS mappings to items of other documents, strongest first."""
        self.item(code, item_code)
        return item_mappings_of(self._stored_mappings(), code, item_code).to_dict(orient="records")

    # The overlap lock guards only loading and the results kept: what is loaded is read, never
    # changed, so matching a pair or reading an item's mappings runs in many threads at once.

    def _loaded_material(self) -> Material:
        with self._overlap_lock:
            if self._material is None:
                self._material = Material.load(self.path)
            return self._material

    def _stored_mappings(self) -> BuildMappings:
        with self._overlap_lock:
            if self._mappings is None:
                mappings = BuildMappings.load(self.path)
                for side in ("subject", "object"):
                    mappings.rows_of(side, "", "")  # its per-item index, built now rather than in a race
                self._mappings = mappings
            return self._mappings


class Live:
    """The catalogue of whatever build is live now; reloaded when CURRENT moves."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._catalogue: Catalogue | None = None
        self._lock = threading.Lock()

    def catalogue(self) -> Catalogue:
        path = current_build(self.settings.build_dir)
        with self._lock:
            if self._catalogue is None or self._catalogue.path != path:
                self._catalogue = Catalogue(path, self.settings.embedder)
            return self._catalogue
