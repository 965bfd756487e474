"""The merge-walk over two sorted N-Quads files (kg.store.delta), on small files of its own."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kg.store.delta import NoDelta, diff_sorted


def _file(path: Path, *lines: str) -> Path:
    path.write_bytes("".join(line + "\n" for line in lines).encode())
    return path


def test_the_walk_finds_the_lines_removed_and_added(tmp_path):
    old = _file(tmp_path / "old.nq", "<a> <p> <b> <g> .", "<c> <p> <d> <g> .", "<e> <p> <f> <g> .")
    lines = ("<a> <p> <b> <g> .", "<d> <p> <d> <g> .", "<e> <p> <f> <g> .", '<z> <p> "é" <g> .')
    new = _file(tmp_path / "new.nq", *lines)
    delta = diff_sorted(old, new, limit=10)
    assert delta.removed == [b"<c> <p> <d> <g> .\n"]
    assert delta.added == [b"<d> <p> <d> <g> .\n", '<z> <p> "é" <g> .\n'.encode()]
    assert delta.new_lines == 4 and len(delta) == 3


def test_identical_files_differ_in_nothing_and_an_empty_side_in_everything(tmp_path):
    old = _file(tmp_path / "old.nq", "<a> <p> <b> <g> .", "<c> <p> <d> <g> .")
    assert len(diff_sorted(old, old, limit=0)) == 0
    empty = _file(tmp_path / "empty.nq")
    assert diff_sorted(old, empty, limit=2).removed == old.read_bytes().splitlines(keepends=True)
    assert diff_sorted(empty, old, limit=2).added == old.read_bytes().splitlines(keepends=True)


def test_a_last_line_without_newline_compares_as_with_one(tmp_path):
    old = _file(tmp_path / "old.nq", "<a> <p> <b> <g> .", "<c> <p> <d> <g> .")
    new = tmp_path / "new.nq"
    new.write_bytes(old.read_bytes().rstrip(b"\n"))
    assert len(diff_sorted(old, new, limit=0)) == 0


def test_the_walk_gives_up_beyond_its_limit(tmp_path):
    old = _file(tmp_path / "old.nq", *(f"<a{i:03d}> <p> <b> <g> ." for i in range(100)))
    new = _file(tmp_path / "new.nq", *(f"<a{i:03d}> <p> <b> <g> ." for i in range(0, 100, 2)))
    assert len(diff_sorted(old, new, limit=50).removed) == 50
    with pytest.raises(NoDelta, match="more than 49 lines differ"):
        diff_sorted(old, new, limit=49)
    with pytest.raises(NoDelta, match="more than 49 lines differ"):  # differences only at the end
        diff_sorted(new, _file(tmp_path / "more.nq", *(f"<a{i:03d}> <p> <b> <g> ." for i in range(200))), 49)


@pytest.mark.parametrize("which", ["old", "new"])
def test_a_file_not_sorted_or_with_repeats_is_refused(tmp_path, which):
    good = _file(tmp_path / "good.nq", "<a> <p> <b> <g> .", "<c> <p> <d> <g> .")
    for bad in (
        _file(tmp_path / "unsorted.nq", "<c> <p> <d> <g> .", "<a> <p> <b> <g> ."),
        _file(tmp_path / "repeated.nq", "<a> <p> <b> <g> .", "<a> <p> <b> <g> ."),
    ):
        pair = (bad, good) if which == "old" else (good, bad)
        with pytest.raises(NoDelta, match=f"{bad} is not sorted \\(line 2\\)"):
            diff_sorted(*pair, limit=10)


@pytest.mark.parametrize("block", [1, 7, 64, 4096])
def test_the_walk_agrees_with_sets_whatever_the_block_size(tmp_path, block):
    """Shared runs are skipped by comparing bytes: across block ends, runs and lines of all sizes."""
    rng = random.Random(block)
    pool = sorted({f'<s{rng.randrange(10**6)}> <p> "{"x" * rng.randrange(40)}" <g> .\n' for _ in range(3000)})
    old = sorted(line for line in pool if rng.random() < 0.9)
    new = sorted(line for line in pool if rng.random() < (0.95 if line in old else 0.1))
    (tmp_path / "old.nq").write_text("".join(old))
    (tmp_path / "new.nq").write_text("".join(new))
    delta = diff_sorted(tmp_path / "old.nq", tmp_path / "new.nq", limit=len(pool), block=block)
    assert [line.decode() for line in delta.removed] == sorted(set(old) - set(new))
    assert [line.decode() for line in delta.added] == sorted(set(new) - set(old))
    assert delta.new_lines == len(new)


def test_a_file_out_of_order_is_refused_where_a_shared_run_starts(tmp_path):
    old = _file(tmp_path / "old.nq", "<c> <p> <d> <g> .", "<a> <p> <b> <g> .", "<b> <p> <b> <g> .")
    new = _file(tmp_path / "new.nq", "<a> <p> <b> <g> .", "<b> <p> <b> <g> .")
    with pytest.raises(NoDelta, match=r"old\.nq is not sorted"):
        diff_sorted(old, new, limit=10)
