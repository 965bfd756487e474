"""Simulated CPU drift: run the tests as if the embedding model gave slightly different vectors.

Embeddings differ a little between CPUs (AVX2 against AVX-512) and library versions. With this
folder on PYTHONPATH and KG_EMBEDDING_DRIFT set, every Python process (pytest, the `kg` CLI
subprocesses, the server, notebook kernels) moves each embedding by a small deterministic random
step, so that the cosine of two similar texts (cosine 0.9, where the overlap thresholds sit)
changes by about KG_EMBEDDING_DRIFT (one standard deviation), the same in every process. Noise
also lowers such cosines on average (by about 0.0036 at KG_EMBEDDING_DRIFT=0.002), so this is
harsher than CPU rounding: more like another library version or quantisation of the model.
KG_DRIFT_SEED picks another direction. The path must be absolute: notebook kernels start in
notebooks/.

    PYTHONPATH=$PWD/tests/drift KG_EMBEDDING_DRIFT=0.002 .venv/bin/python -m pytest

A test that fails under a small drift depends on a score sitting within a hair of a threshold.
Not part of kg: nothing in src/ knows about it.
"""

from __future__ import annotations

import os

if os.environ.get("KG_EMBEDDING_DRIFT"):
    import hashlib
    import importlib.abc
    import importlib.util
    import sys

    DRIFT = float(os.environ["KG_EMBEDDING_DRIFT"])
    SEED = os.environ.get("KG_DRIFT_SEED", "0")

    def _drifted(vectors, texts, role):  # type: ignore[no-untyped-def]
        import numpy as np

        rows = []
        for vector, text in zip(vectors, texts, strict=True):
            digest = hashlib.sha256(f"{SEED}\0{role}\0{text}".encode()).digest()
            noise = np.random.default_rng(int.from_bytes(digest[:8], "little")).standard_normal(len(vector))
            # A step of length e moves the cosine c of two texts by about e * sqrt(2 (1 - c^2) / dimension):
            # scaled so that pairs at c = 0.9, where the overlap thresholds sit, move by DRIFT.
            step = DRIFT / np.sqrt(2.0 * (1 - 0.9**2) / len(vector))
            moved = vector + step * noise / np.linalg.norm(noise)
            rows.append(moved / np.linalg.norm(moved))
        return np.asarray(rows, dtype=np.float32).reshape(vectors.shape)

    def _patch(module):  # type: ignore[no-untyped-def]
        embedder = module.E5SmallEmbedder
        queries, passages = embedder.embed_queries, embedder.embed_passages
        embedder.embed_queries = lambda self, texts: _drifted(queries(self, texts), list(texts), "query")
        embedder.embed_passages = lambda self, texts: _drifted(passages(self, texts), list(texts), "passage")

    class _Finder(importlib.abc.MetaPathFinder):
        """Patches kg.search.embedders as it is first imported, and nothing else."""

        def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
            if name != "kg.search.embedders":
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(name)
            sys.meta_path.insert(0, self)
            if spec is None or spec.loader is None:
                return spec
            execute = spec.loader.exec_module

            def exec_module(module):  # type: ignore[no-untyped-def]
                execute(module)
                _patch(module)

            spec.loader.exec_module = exec_module  # type: ignore[method-assign]
            return spec

    sys.meta_path.insert(0, _Finder())
