"""The `mappings` graph in parts (`kg.store.parts`), each made from what one change seldom touches.

- `pairs/<code>`: the mappings of the document pairs a document leads (the first of each
  compared pair, `kg.mapping.corpus.oriented`). A pair's mappings depend only on its two
  documents as matching sees them (the pair cache's rule), so the part's key is its pairs
  and both sides' fingerprints: after one document changed, only the parts of its pairs
  are made again.
- `texts/<code>`: the nodes of the distinct texts a document owns (a text is owned by the
  first document, by code, printing it) and the items printing them. The key is the owned
  texts and those items: a changed document touches the parts of the texts it prints.
- `close-texts/<digits>`: the close links between distinct texts, by the first three hex
  digits of the lower node's digest (up to 4,096 parts). The key is the links: a text
  gained or lost touches the parts of its links' lower ends, each holding about a
  4,096th of the links. (Held by their owners' `texts/` parts instead, a unit removed
  from 3,000 documents made 50 owners' parts again: 200,000 lines for 50 links.)
- `overlap`: each pair's rank and page and the units' incorporations, made from every pair
  at once, so anew each build (a small part).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kg.graph.vocabulary import Iris
from kg.mapping.model import Mapping
from kg.mapping.rdf import encoded, link_lines, pair_lines, text_digest
from kg.mapping.text_links import GroupLinks, TextLinks
from kg.search.items import SearchItem
from kg.sqlite_cache import fingerprint_files
from kg.store.parts import input_key, part_name

PlannedPart = tuple[str, str, Callable[[], Iterator[bytes]]]  # name, key, its lines when made


def code_fingerprint(salt: str) -> str:
    """The code a build's mapping parts come from (the graph's lines, the SSSOM rows, the
    summaries), with `salt` (base IRI, matching, embedder)."""
    folder = Path(__file__).parent
    names = ("rdf.py", "graph_parts.py", "sssom.py", "stage.py", "incorporation.py", "files.py")
    return fingerprint_files([folder / name for name in names], salt=salt)


def pair_part_key(code: str, pairs: list[tuple[str, str]], keys: dict[str, str], tasks: str = "") -> str:
    """The key of a leader's parts: its pairs and both sides' fingerprints (`tasks`: anything
    else the parts read, such as the standards' task titles)."""
    return input_key(code, tasks, *(f"{y}\t{keys[x]}\t{keys[y]}" for x, y in pairs))


def pair_part_lines(pairs: dict[tuple[str, str], list[Mapping]], iris: Iris) -> Iterator[bytes]:
    """A leader's part of the `mappings` graph: each of its pairs' lines (`pair_lines`)."""
    return encoded(
        itertools.chain.from_iterable(pair_lines(pair, held, iris) for pair, held in pairs.items())
    )


LINK_BITS = 12  # the first bits of a link's lower node digest name its `close-texts/` part: 4,096 at most


@dataclass
class _Owned:
    """What one document owns of the distinct texts: per kind group, its texts' rows."""

    groups: list[tuple[str, GroupLinks, list[int]]] = field(default_factory=list)
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)


def text_parts(links: TextLinks, items: Sequence[SearchItem], iris: Iris, code: str) -> Iterator[PlannedPart]:
    """The `texts/<code>` and `close-texts/<digits>` parts of the close links (see above), with
    their keys."""
    codes = sorted({item.document for item in items})
    number = {document: n for n, document in enumerate(codes)}
    document_of = np.array([number[item.document] for item in items], dtype=np.int64)  # by row
    id_of = np.array([item.id for item in items], dtype=np.uint64)  # by row: the item's IRI, hashed
    owned: dict[str, _Owned] = {}
    names: list[str] = []  # the kind groups, in order
    sums = np.zeros((2**LINK_BITS, len(links.groups), 2), dtype=np.uint64)  # per bucket and group
    counts = np.zeros((2**LINK_BITS, len(links.groups)), dtype=np.uint64)
    # per group, the order of its links by bucket and where each bucket starts
    bucketed: list[tuple[str, GroupLinks, np.ndarray, list[int]]] = []
    for group, found in sorted(links.groups.items()):
        # the texts with a link, in order (np.unique hashes the 7 million ends: 50 times slower)
        linked = np.flatnonzero(np.bincount(found.pairs.ravel(), minlength=len(found.texts)))
        listed = linked.tolist()
        value = np.zeros(len(found.texts), dtype=np.uint64)  # each text's digest (its node) as a number
        value[linked] = np.array(
            [int(text_digest(group, found.texts[i]), 16) for i in listed], dtype=np.uint64
        )
        sizes = np.array([len(found.rows[i]) for i in listed], dtype=np.int64)
        printing = itertools.chain.from_iterable(found.rows[i] for i in listed)
        rows = np.fromiter(printing, np.int64, int(sizes.sum()))  # each linked text's items, in turn
        # each text's owner: the first document by code printing it
        first_owner = np.minimum.reduceat(document_of[rows], np.cumsum(sizes) - sizes) if listed else sizes
        owners, owner = np.unique(first_owner, return_inverse=True)  # owners by code, each text's by position
        by_owner = np.argsort(owner, kind="stable")  # the linked texts by owner, each's in order
        texts_of = np.split(linked[by_owner], np.cumsum(np.bincount(owner))[:-1])
        records, ends = _text_records(value[linked], sizes, id_of[rows], by_owner, owner)
        for n, document in enumerate(owners.tolist()):
            entry = owned.setdefault(codes[document], _Owned())
            entry.groups.append((group, found, texts_of[n].tolist()))
            entry.digest.update(group.encode() + b"\0" + records[ends[n] : ends[n + 1]].tobytes())
        a, b = found.pairs[:, 0], found.pairs[:, 1]
        low, high = np.minimum(value[a], value[b]), np.maximum(value[a], value[b])
        bucket = (low >> np.uint64(64 - LINK_BITS)).astype(np.uint16)
        order = np.argsort(bucket, kind="stable")  # 16-bit keys: a radix sort
        bounds = np.searchsorted(bucket[order], np.arange(2**LINK_BITS + 1))
        filled = np.flatnonzero(np.diff(bounds))
        if len(filled):
            sums[filled, len(names)] = _link_sums(low[order], high[order], bounds[filled])
        counts[filled, len(names)] = np.diff(bounds)[filled].astype(np.uint64)
        names.append(group)
        bucketed.append((group, found, order, bounds.tolist()))
    for name, entry in sorted(owned.items()):
        yield (
            part_name("texts", name),
            input_key(code, entry.digest.hexdigest()),
            _text_maker(entry, items, iris),
        )
    width, listed_groups = -(-LINK_BITS // 4), "\t".join(names)
    for digits in np.flatnonzero(counts.any(axis=1)).tolist():
        key = input_key(code, listed_groups, counts[digits].tobytes(), sums[digits].tobytes())
        yield part_name("close-texts", f"{digits:0{width}x}"), key, _link_maker(bucketed, digits, items, iris)


def _link_sums(low: np.ndarray, high: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per run of links from each of `starts` (their lower and higher node digests), two sums of
    64-bit mixes of each link's digests: with the count, what a `close-texts/` part's key reads.
    The same links in any order give the same sums (no sort of millions of links by digest);
    other links give others but by a chance of 2**-128."""
    first = _mixed(low * np.uint64(0x9E3779B97F4A7C15) ^ high)
    second = _mixed(high * np.uint64(0xD1B54A32D192ED03) ^ low)
    return np.stack([np.add.reduceat(first, starts), np.add.reduceat(second, starts)], axis=1)


def _mixed(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, element-wise (uint64 products wrap, as it intends)."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _text_records(
    values: np.ndarray, sizes: np.ndarray, ids: np.ndarray, by_owner: np.ndarray, owner: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """What a `texts/` part's key reads of each text it owns: its digest, how many items print it
    and their ids (IRIs hashed), sorted; one array of every text's record, the texts by owner
    (`by_owner`), and where each owner's records end. Numbers rather than each text's line:
    91,000 texts at 3,000 documents."""
    text_of_row = np.repeat(np.arange(len(sizes)), sizes)
    ids = ids[np.lexsort((ids, text_of_row))]  # each text's ids, sorted
    first_id = np.cumsum(sizes) - sizes
    length = sizes[by_owner] + 2
    at = np.cumsum(length) - length  # where each text's record starts, the texts by owner
    records = np.zeros(int(length.sum()), dtype=np.uint64)
    records[at] = values[by_owner]
    records[at + 1] = sizes[by_owner].astype(np.uint64)
    within = np.arange(len(ids)) - np.repeat(first_id, sizes)  # each id's place in its text's
    position = np.empty(len(sizes), dtype=np.int64)
    position[by_owner] = at  # each text's record start
    records[np.repeat(position, sizes) + 2 + within] = ids
    ends = np.concatenate([[0], np.cumsum(np.bincount(owner, weights=sizes + 2))])
    return records, ends.astype(np.int64)


def _text_maker(entry: _Owned, items: Sequence[SearchItem], iris: Iris) -> Callable[[], Iterator[bytes]]:
    def lines() -> Iterator[str]:
        for group, found, texts in entry.groups:
            yield from link_lines(group, found, items, iris, texts, [])

    return lambda: encoded(lines())


def _link_maker(
    bucketed: list[tuple[str, GroupLinks, np.ndarray, list[int]]],
    digits: int,
    items: Sequence[SearchItem],
    iris: Iris,
) -> Callable[[], Iterator[bytes]]:
    def lines() -> Iterator[str]:
        for group, found, order, bounds in bucketed:
            held = found.pairs[order[bounds[digits] : bounds[digits + 1]]].tolist()
            yield from link_lines(group, found, items, iris, [], [(i, j) for i, j in held])

    return lambda: encoded(lines())
