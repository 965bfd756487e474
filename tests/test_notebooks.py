"""Every notebook in notebooks/ runs top to bottom against the session's build, and is committed clean.

The notebooks read KG_BUILD_DIR (the build to query) and KG_FIGURES_DIR (where to save
figures); both are set before the kernel starts, so the kernel inherits them. Their shared
setup cell also builds data/raw when there is no build yet (a fresh checkout): tested once.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from conftest import ROOT
from kg import api
from kg.settings import Settings

NOTEBOOKS_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
TIMEOUT = 600  # seconds per cell
# What a notebook may write after `kg.`: the public API, nothing from kg's submodules.
PUBLIC_NAMES = {*api.__all__, "__version__"}
SUBMODULE_IMPORT = re.compile(r"^\s*(from|import)\s+kg\.", re.M)
FROM_KG_IMPORT = re.compile(r"^\s*from\s+kg\s+import\s+(?:\(([^)]*)\)|([\w\t ,]+))", re.M)
KG_ATTRIBUTE = re.compile(r"(?<![\w.])kg\.([A-Za-z_]\w*)")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def execute(notebook: nbformat.NotebookNode, name: str) -> None:
    """Run every cell in a fresh kernel with notebooks/ as the working folder; fail naming the cell."""
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        failed = [
            index
            for index, cell in enumerate(notebook.cells)
            if any(output.get("output_type") == "error" for output in cell.get("outputs", []))
        ]
        where = f"cell {failed[0]}" if failed else "a cell"
        pytest.fail(f"{name}: {where} failed:\n{ANSI.sub('', str(error))}", pytrace=False)


@pytest.fixture
def notebook_env(built: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """KG_BUILD_DIR and KG_FIGURES_DIR for the kernel; returns the figures folder."""
    figures = tmp_path / "figures"
    figures.mkdir()
    monkeypatch.setenv("KG_BUILD_DIR", str(built.build_dir))
    monkeypatch.setenv("KG_FIGURES_DIR", str(figures))
    return figures


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 2, f"no notebooks found in {NOTEBOOKS_DIR}"


@pytest.mark.slow
def test_kernel_is_this_python(notebook_env: Path, built: Settings) -> None:
    """The notebooks' kernel is the Python running the tests (the venv's), imports kg and sees the env."""
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "import os, sys, kg\nprint(sys.executable)\nprint(os.environ['KG_BUILD_DIR'])\n"
                "print(kg.has_build(kg.Settings.load()))"
            )
        ]
    )
    execute(notebook, "kernel check")
    printed = "".join(output.get("text", "") for output in notebook.cells[0].outputs).splitlines()
    assert printed == [sys.executable, str(built.build_dir), "True"]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_notebook_runs(path: Path, notebook_env: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    execute(notebook, path.name)
    if "kg.save_figure(" in "".join(cell.source for cell in notebook.cells):
        assert_figures_shown(notebook, notebook_env, path.name)


def assert_figures_shown(notebook: nbformat.NotebookNode, figures: Path, name: str) -> None:
    """Every cell that saves a figure also shows it inline (a PNG output), and the PNG file is saved."""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or "kg.save_figure(" not in cell.source:
            continue
        images = [output for output in cell.outputs if "image/png" in output.get("data", {})]
        assert images, f"{name}: cell {index} saves a figure but shows none inline"
    assert sorted(figures.glob("*.png")), f"{name}: no figure saved as PNG in {figures}"


@pytest.mark.slow
def test_setup_cell_builds_when_there_is_no_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The notebooks' first code cell, on a fresh checkout: no build yet, so it builds ../data/raw."""
    path = NOTEBOOKS[0]
    setup = next(cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code")
    monkeypatch.setenv("KG_BUILD_DIR", str(tmp_path / "build"))
    check = nbformat.v4.new_code_cell("assert kg.has_build(settings)")
    execute(nbformat.v4.new_notebook(cells=[setup, check]), f"{path.name}, its setup cell with no build")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_notebook_is_committed_clean(path: Path) -> None:
    """No outputs or execution counts, and only the public API of kg."""
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.nbformat == 4
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {index} has outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {index} has an execution count")
        if SUBMODULE_IMPORT.search(cell.source):
            problems.append(f"cell {index} imports from a kg submodule")
        used = set(KG_ATTRIBUTE.findall(cell.source))
        for names in FROM_KG_IMPORT.findall(cell.source):
            used |= {name.split()[0] for name in ",".join(names).split(",") if name.strip()}
        private = sorted(used - PUBLIC_NAMES)
        if private:
            problems.append(f"cell {index} uses kg.{', kg.'.join(private)}, not in the public API")
    assert not problems, f"{path.name}: " + "; ".join(problems)
