"""kg.background: files written by a forked child while the build goes on, and its failures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kg.background import Background, Children
from kg.errors import KgError


def test_the_child_works_on_what_the_parent_holds_and_the_parent_sees_its_files(tmp_path):
    held = [f"line {n}" for n in range(10_000)]
    parent = os.getpid()
    children: list[int] = []

    def work() -> None:  # a closure over the parent's list: forked, not pickled
        (tmp_path / "lines.txt").write_text("\n".join(held), encoding="utf-8")
        (tmp_path / "pid").write_text(str(os.getpid()), encoding="utf-8")
        children.append(os.getpid())  # the child's copy of the list: the parent's stays empty

    job = Background("writing lines", work)
    job.wait()
    assert (tmp_path / "lines.txt").read_text(encoding="utf-8").splitlines() == held
    assert int((tmp_path / "pid").read_text(encoding="utf-8")) != parent
    assert children == []


@pytest.mark.parametrize(
    ("error", "said"),
    [(KgError("the disk is full"), "the disk is full"), (ValueError("bad value"), "ValueError: bad value")],
)
def test_a_failure_in_the_child_is_raised_by_wait_naming_the_work(error, said):
    def work() -> None:
        raise error

    job = Background("writing the search index", work)
    with pytest.raises(KgError, match=f"^writing the search index failed: {said}$"):
        job.wait()


def test_a_child_that_dies_without_a_word_is_a_failure_too():
    job = Background("writing the search index", lambda: os._exit(3))
    with pytest.raises(KgError, match="writing the search index failed: it stopped unexpectedly"):
        job.wait()


def test_leaving_the_block_without_waiting_stops_the_child(tmp_path):
    with Background("sleeping", lambda: time.sleep(60)) as job:
        process = job.process
        assert process is not None and process.is_alive()
    assert not process.is_alive()


def test_without_fork_the_work_runs_in_place_and_raises_its_own_error(tmp_path):
    def work() -> None:
        (tmp_path / "pid").write_text(str(os.getpid()), encoding="utf-8")

    Background("writing", work, fork=False).wait()
    assert int((tmp_path / "pid").read_text(encoding="utf-8")) == os.getpid()
    with pytest.raises(ZeroDivisionError):
        Background("dividing", lambda: 1 / 0, fork=False)  # type: ignore[func-returns-value]


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the kernel's parent-death signal is Linux's"
)
def test_a_killed_parent_takes_its_child_with_it(tmp_path):
    script = textwrap.dedent(
        f"""
        import os, signal, time
        from pathlib import Path
        from kg.background import Background

        def work():
            Path({str(tmp_path / "child")!r}).write_text(str(os.getpid()))
            time.sleep(60)

        Background("sleeping", work)
        while not Path({str(tmp_path / "child")!r}).is_file():
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    assert subprocess.run([sys.executable, "-c", script], env=env, timeout=60).returncode == -signal.SIGKILL
    child = int((tmp_path / "child").read_text())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has died: only its exit status is left


def test_a_builds_children_are_waited_for_together_and_stopped_together(tmp_path):
    with Children() as children:
        children.start("writing a", lambda: (tmp_path / "a").write_text("a", encoding="utf-8"))
        children.start("writing b", lambda: (tmp_path / "b").write_text("b", encoding="utf-8"))
        children.wait()
    assert (tmp_path / "a").read_text(encoding="utf-8") + (tmp_path / "b").read_text(encoding="utf-8") == "ab"

    def fail() -> None:
        raise KgError("b cannot be written")

    with pytest.raises(KgError, match=r"^writing b failed: b cannot be written$"), Children() as children:
        children.start("sleeping", lambda: time.sleep(60))
        children.start("writing b", fail)
        sleeping = children.running[0].process
        children.running.reverse()  # b is waited for first, and fails
        children.wait()
    assert sleeping is not None and not sleeping.is_alive()
