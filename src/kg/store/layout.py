"""The build folder: finished builds side by side, and a pointer to the live one.

This module names every file and folder in it; other modules import the names from
here (the check is in tests/test_layers.py).

    data/build/                   BUILD_DIR (settings.build_dir)
      CURRENT                     CURRENT_FILE: name of the live build (replaced atomically)
      .CURRENT.tmp                the next CURRENT, staged (renamed onto CURRENT)
      build.lock                  LOCK_FILE: held (flock) by the running build; never deleted
      cache/                      CACHE_FOLDER, kept across builds
        embeddings.sqlite         EMBEDDING_CACHE_FILE: passage embeddings by model and text
        layouts.sqlite            LAYOUT_CACHE_FILE: files read (PDF, ODT ...) by content hash
        documents.sqlite          DOCUMENT_CACHE_FILE: each source file's processed result
        pairs.sqlite              PAIR_CACHE_FILE: each compared document pair's mappings
        close_texts.sqlite        CLOSE_TEXT_CACHE_FILE: which distinct texts score close
        link_counts.npz           LINK_COUNT_CACHE_FILE: the item links document pairs share
        tokens.sqlite             TOKEN_CACHE_FILE: each distinct text's search tokens
      search_calibration.json     SCORE_CALIBRATION_FILE: scores refitted here (kg eval --calibrate)
      builds/                     BUILDS_FOLDER
        .tmp-<id>/                TEMPORARY_PREFIX: a build being written
        .tmp-old-<id>/            a build replaced by a newer one, being removed
        <id>/                     one finished build
          manifest.json           MANIFEST_FILE: sources, hashes, counts, base IRI, settings, timings
          documents.json          DOCUMENTS_FILE: the parsed documents (the public JSON contract)
          graph/                  GRAPH_FOLDER: every named graph as sorted N-Quads files, in parts
            parts.json            PARTS_FILE: each part's key, hash and lines (see `kg.store.parts`)
          oxigraph/               STORE_FOLDER: the persistent store that queries use (RocksDB)
          search/                 SEARCH_FOLDER: the search index (see `kg.search.index`)
            meta.json             SEARCH_META_FILE: embedder, fingerprint, dimension, probe vector ...
            items.jsonl           ITEMS_FILE: one search item per line; line i is row i
            dense.faiss           DENSE_FILE: FAISS index of the item vectors, by stable id
            lexical/              LEXICAL_FOLDER: BM25 index (bm25s's files and size.json,
                                  written by `kg.search.lexical`); row i is item i
            terms.json, terms.npy the BM25 vocabulary's Chinese terms and their vectors
                                  (`kg.search.term_gloss`: English words glossed with them)
          mappings/               MAPPINGS_FOLDER: overlap mappings (see `kg.mapping.files`)
            mappings.sssom.tsv    SSSOM_FILE: every mapping of every compared document pair
            coverage.json         COVERAGE_FILE: unit coverage by each standard's tasks
            matched.tsv           MATCHED_FILE: items of each document matching another's (the matrix)
            meta.json             MAPPINGS_META_FILE: calibration, items per document, pairs compared
            pairs/                MAPPING_PARTS_FOLDER: each leading document's SSSOM rows (<code>.tsv),
                                  and parts.json (PARTS_FILE) with their keys (`kg.mapping.stage`)
            summaries/            MAPPING_SUMMARIES_FOLDER: each leading document's pair counts,
                                  incorporations and unit coverage (<code>.json), and parts.json
            matched/              MAPPING_MATCHED_FOLDER: each leading document's lines of
                                  matched.tsv (<code>.tsv), and parts.json

A build is written to `builds/.tmp-<id>` and renamed into place; only then is
CURRENT replaced. A failed build therefore never touches the live one. A build
holds `build.lock` from start to end, so only one build runs in a build folder at a
time; holding it, a build removes the `.tmp-*` folders that killed builds left.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.errors import KgError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; builds are then not guarded against each other
    fcntl = None  # type: ignore[assignment]

# The build folder.
CURRENT_FILE = "CURRENT"
LOCK_FILE = "build.lock"
CACHE_FOLDER = "cache"
EMBEDDING_CACHE_FILE = "embeddings.sqlite"
LAYOUT_CACHE_FILE = "layouts.sqlite"
DOCUMENT_CACHE_FILE = "documents.sqlite"
PAIR_CACHE_FILE = "pairs.sqlite"
CLOSE_TEXT_CACHE_FILE = "close_texts.sqlite"
LINK_COUNT_CACHE_FILE = "link_counts.npz"
SCORE_CALIBRATION_FILE = "search_calibration.json"
TOKEN_CACHE_FILE = "tokens.sqlite"
BUILDS_FOLDER = "builds"
TEMPORARY_PREFIX = ".tmp-"
# One build.
MANIFEST_FILE = "manifest.json"
DOCUMENTS_FILE = "documents.json"
CATALOGUE_FILE = "catalogue.json"  # the documents filed by facet (kg.catalogue), for browsing
GRAPH_FOLDER = "graph"
PARTS_FILE = "parts.json"
STORE_FOLDER = "oxigraph"
SEARCH_FOLDER = "search"
MAPPINGS_FOLDER = "mappings"
# A build's search index.
SEARCH_META_FILE = "meta.json"
ITEMS_FILE = "items.jsonl"
DENSE_FILE = "dense.faiss"
LEXICAL_FOLDER = "lexical"
# A build's mappings.
SSSOM_FILE = "mappings.sssom.tsv"
COVERAGE_FILE = "coverage.json"
MATCHED_FILE = "matched.tsv"
MAPPINGS_META_FILE = "meta.json"
MAPPING_PARTS_FOLDER = "pairs"
MAPPING_SUMMARIES_FOLDER = "summaries"
MAPPING_MATCHED_FOLDER = "matched"

GRAPHS = ("ontology", "asserted", "inferred", "mappings")
_STAGED_CURRENT = f".{CURRENT_FILE}.tmp"


def embedding_cache(build_dir: Path, shared: str = "") -> Path:
    """The embedding cache of a build folder (shared by its builds), or the `shared` file that
    several build folders use (the `embedding_cache` setting)."""
    return Path(shared) if shared else build_dir / CACHE_FOLDER / EMBEDDING_CACHE_FILE


def layout_cache(build_dir: Path) -> Path:
    """The parse cache of a build folder: what PDF, ODT, DOCX and HTML files were read into."""
    return build_dir / CACHE_FOLDER / LAYOUT_CACHE_FILE


def document_cache(build_dir: Path) -> Path:
    """The document cache of a build folder: each source file's processed result (kg.document_cache)."""
    return build_dir / CACHE_FOLDER / DOCUMENT_CACHE_FILE


def pair_cache(build_dir: Path) -> Path:
    """The pair cache of a build folder: each compared document pair's mappings (kg.mapping.pair_cache)."""
    return build_dir / CACHE_FOLDER / PAIR_CACHE_FILE


def close_text_cache(build_dir: Path) -> Path:
    """The close-text cache of a build folder: which texts score close (kg.mapping.close_texts)."""
    return build_dir / CACHE_FOLDER / CLOSE_TEXT_CACHE_FILE


def link_count_cache(build_dir: Path) -> Path:
    """The link-count cache of a build folder: the last build's item links per document pair
    (kg.mapping.link_counts)."""
    return build_dir / CACHE_FOLDER / LINK_COUNT_CACHE_FILE


def token_cache(build_dir: Path) -> Path:
    """The token cache of a build folder: each distinct text's search tokens (kg.search.token_cache)."""
    return build_dir / CACHE_FOLDER / TOKEN_CACHE_FILE


CACHE_FILES = (
    EMBEDDING_CACHE_FILE,
    LAYOUT_CACHE_FILE,
    DOCUMENT_CACHE_FILE,
    PAIR_CACHE_FILE,
    CLOSE_TEXT_CACHE_FILE,
    LINK_COUNT_CACHE_FILE,
    TOKEN_CACHE_FILE,
)


def clear_caches(build_dir: Path) -> None:
    """Forget what earlier builds kept (parsed files, results, embeddings, mappings): `kg build --clean`."""
    for name in CACHE_FILES:
        for path in (build_dir / CACHE_FOLDER).glob(name + "*"):  # with SQLite's -wal and -shm files
            path.unlink()


def score_calibration(build_dir: Path) -> Path:
    """The build folder's own score calibration (`kg eval --calibrate`), preferred to the one
    the package ships (kg.search.calibration)."""
    return build_dir / SCORE_CALIBRATION_FILE


def current_build(build_dir: Path) -> Path:
    """The live build's folder; a clear error when there is none yet."""
    pointer = build_dir / CURRENT_FILE
    if not pointer.is_file():
        raise KgError(f"no build found in {build_dir}: run `kg build` first (or pass --build-dir)")
    path = build_dir / BUILDS_FOLDER / pointer.read_text(encoding="utf-8").strip()
    if not (path / MANIFEST_FILE).is_file():
        raise KgError(f"the build folder {path} is incomplete: run `kg build` again")
    return path


def live_build(build_dir: Path) -> Path | None:
    """The live build's folder, or None when there is none (or it is incomplete)."""
    try:
        return current_build(build_dir)
    except KgError:
        return None


def read_manifest(build_path: Path) -> dict:
    return json.loads((build_path / MANIFEST_FILE).read_text(encoding="utf-8"))


def graph_iris(build_path: Path) -> dict[str, str]:
    """Named graph IRIs of a build, by name (asserted, inferred, ontology)."""
    return read_manifest(build_path)["graphs"]


def new_build_folder(build_dir: Path, build_id: str) -> Path:
    folder = build_dir / BUILDS_FOLDER / f"{TEMPORARY_PREFIX}{build_id}"
    folder.mkdir(parents=True, exist_ok=False)
    return folder


def publish(build_dir: Path, temporary: Path, build_id: str) -> Path:
    """Move a finished build into place, point CURRENT at it, then drop older builds."""
    final = build_dir / BUILDS_FOLDER / build_id
    os.replace(temporary, final)
    pointer = build_dir / CURRENT_FILE
    staged = build_dir / _STAGED_CURRENT
    staged.write_text(build_id + "\n", encoding="utf-8")
    os.replace(staged, pointer)
    replaced = []
    for old in (build_dir / BUILDS_FOLDER).iterdir():
        if old.name != build_id and not old.name.startswith(TEMPORARY_PREFIX):
            gone = old.with_name(f"{TEMPORARY_PREFIX}old-{old.name}")
            os.replace(old, gone)
            replaced.append(gone)
    _remove_in_background(replaced)
    return final


def _remove_in_background(folders: list[Path]) -> None:
    """Remove replaced builds in a process of their own, so that the build that replaced them
    returns without waiting (half a second for a 3,000-document build's files). They are
    named as temporary folders first: one left behind is removed by the next build
    (`remove_leftovers`). Where no `rm` can be started, they are removed here."""
    if not folders:
        return
    try:
        subprocess.Popen(
            ["rm", "-rf", "--", *map(str, folders)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not stopped with the build's process group (Ctrl-C after the swap)
        )
    except OSError:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


def discard(temporary: Path) -> None:
    shutil.rmtree(temporary, ignore_errors=True)


def ensure_writable(build_dir: Path) -> None:
    try:
        build_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KgError(f"cannot create the build folder {build_dir}: {exc.strerror}") from None


@contextmanager
def build_lock(build_dir: Path) -> Iterator[None]:
    """Hold the build folder's exclusive lock; fails at once when another build holds it.

    The lock is an flock on `build.lock`: the kernel releases it when its holder
    exits, however it exits (even SIGKILL), so a killed build never blocks the next.
    """
    if fcntl is None:
        yield
        return
    path = build_dir / LOCK_FILE
    try:
        handle = open(path, "a+b")  # noqa: SIM115 (closed by the `with` below)
    except OSError as exc:
        raise KgError(f"cannot open the build lock {path}: {exc.strerror}") from None
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise KgError(f"another build is running in {build_dir}: wait for it to finish") from None
        except OSError as exc:
            raise KgError(f"cannot lock the build folder {build_dir} ({path}): {exc.strerror}") from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def remove_leftovers(build_dir: Path) -> list[Path]:
    """Remove the temporary folders of builds that were killed; call only holding `build_lock`."""
    builds = build_dir / BUILDS_FOLDER
    if not builds.is_dir():
        return []
    removed = []
    for folder in sorted(builds.iterdir()):
        if folder.name.startswith(TEMPORARY_PREFIX):
            if folder.is_dir() and not folder.is_symlink():
                shutil.rmtree(folder, ignore_errors=True)
            else:
                folder.unlink(missing_ok=True)
            removed.append(folder)
    (build_dir / _STAGED_CURRENT).unlink(missing_ok=True)
    return removed
