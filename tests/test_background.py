"""kg.background: files written in a thread while the build goes on, and its failures."""

from __future__ import annotations

import threading

import pytest

from kg.background import Background, Children
from kg.errors import KgError


def test_the_work_runs_beside_the_caller_and_its_files_are_there_after_wait(tmp_path):
    started, release = threading.Event(), threading.Event()

    def work() -> None:
        started.set()
        release.wait(10)  # runs on while the caller goes on
        (tmp_path / "lines.txt").write_text("written", encoding="utf-8")

    job = Background("writing lines", work)
    assert started.wait(10) and not (tmp_path / "lines.txt").exists()
    release.set()
    job.wait()
    assert (tmp_path / "lines.txt").read_text(encoding="utf-8") == "written"


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (KgError("the index is damaged"), "the index is damaged"),
        (
            OSError(28, "No space left on device", "/b/search/dense.faiss"),
            r"No space left on device \(/b/search",
        ),
    ],
)
def test_a_failure_is_raised_by_wait_naming_the_work(error, said):
    def work() -> None:
        raise error

    with pytest.raises(KgError, match=f"^writing the search index failed: {said}"):
        Background("writing the search index", work).wait()


def test_a_bug_in_the_work_is_raised_as_it_was():
    with pytest.raises(ZeroDivisionError):
        Background("dividing", lambda: print(1 / 0)).wait()


def test_a_builds_work_is_waited_for_together_and_the_first_failure_raised_when_all_are_done(tmp_path):
    release = threading.Event()

    def slow() -> None:
        release.wait(10)
        (tmp_path / "a").write_text("a", encoding="utf-8")

    def fail() -> None:
        release.set()
        raise KgError("b cannot be written")

    with pytest.raises(KgError, match=r"^writing b failed: b cannot be written$"), Children() as children:
        children.start("writing b", fail)
        children.start("writing a", slow)
        children.wait()
    assert (tmp_path / "a").read_text(encoding="utf-8") == "a"  # a finished before the failure was raised


def test_a_build_failing_before_it_waits_lets_its_work_finish_first(tmp_path):
    release = threading.Event()

    def slow() -> None:
        release.wait(10)
        (tmp_path / "a").write_text("a", encoding="utf-8")

    with pytest.raises(RuntimeError, match="the build failed"), Children() as children:
        children.start("writing a", slow)
        release.set()
        raise RuntimeError("the build failed")
    assert (tmp_path / "a").read_text(encoding="utf-8") == "a"
