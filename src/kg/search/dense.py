"""Dense search: a FAISS inner-product index over normalised vectors, with stable item ids.

The index is exact (a flat scan): at 100,000 items a query takes a few
milliseconds on two cores (benchmarks/search_scale.py), and nothing is lost to
approximation. Ids are `kg.search.items.stable_id` of each item's IRI.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from kg.errors import KgError

if TYPE_CHECKING:
    import faiss


class _FlatIndex(Protocol):
    """The flat index inside an id map: its rows are the vectors in the order they were added."""

    def reconstruct_n(self, n0: int, ni: int) -> np.ndarray: ...


class _IdMapIndex(Protocol):
    """What DenseIndex uses of its faiss.IndexIDMap2. faiss ships stubs, but their torch
    overloads come first, so `reconstruct(key)` would type as a torch.Tensor."""

    @property
    def d(self) -> int: ...
    @property
    def ntotal(self) -> int: ...
    @property
    def index(self) -> _FlatIndex: ...
    def search(
        self, x: np.ndarray, k: int, *, params: faiss.SearchParameters | None = None
    ) -> tuple[np.ndarray, np.ndarray]: ...
    def reconstruct(self, key: int) -> np.ndarray: ...


def _faiss():
    import faiss

    return faiss


def nearest_neighbours(vectors: np.ndarray, k: int) -> np.ndarray:
    """For each row of `vectors`, the rows of its k nearest among them, by exact inner product.

    Best first; a row is usually its own nearest. Shape (rows, k); -1 fills places
    where there are fewer than k rows.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    index = _faiss().IndexFlatIP(int(vectors.shape[1]))
    index.add(vectors)
    _, neighbours = index.search(vectors, k)
    return neighbours


class DenseIndex:
    """Item vectors by stable id; search returns (ids, cosine scores), best first."""

    def __init__(self, index: _IdMapIndex) -> None:
        self.index = index

    @classmethod
    def build(cls, vectors: np.ndarray, ids: np.ndarray) -> DenseIndex:
        faiss = _faiss()
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(int(vectors.shape[1])))
        if len(ids):
            index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
        return cls(index)

    @property
    def dimension(self) -> int:
        return int(self.index.d)

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    def save(self, path: Path) -> None:
        _faiss().write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        try:
            return cls(_faiss().read_index(str(path)))
        except RuntimeError as exc:
            raise KgError(f"the vector index {path} cannot be read ({exc}): run `kg build` again") from None

    def search(
        self, query: np.ndarray, k: int, allowed_ids: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The k nearest items (ids, scores); only `allowed_ids` when given."""
        if self.size == 0 or k <= 0 or (allowed_ids is not None and len(allowed_ids) == 0):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        faiss = _faiss()
        params = None
        if allowed_ids is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed_ids.astype(np.int64)))
        # One query scans as fast on one thread, and two threads would fight the embedder's
        # still-spinning OpenMP threads for the cores: p50 29 ms -> 13 ms at 100,000 items.
        # The thread count is the calling thread's own (OpenMP's nthreads-var belongs to each
        # thread's data environment), so threads searching at once do not disturb each other.
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            query = query.reshape(1, -1).astype(np.float32)
            scores, ids = self.index.search(query, min(k, self.size), params=params)
        finally:
            faiss.omp_set_num_threads(threads)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def vectors(self) -> np.ndarray:
        """Every stored vector, in the order they were added (row i is item i of the index)."""
        if self.size == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.index.index.reconstruct_n(0, self.size)

    def vector(self, item_id: int) -> np.ndarray | None:
        """The stored vector of one item, or None when the id is not in the index."""
        try:
            return self.index.reconstruct(int(item_id))
        except RuntimeError:
            return None
