"""The kg program as users run it: real processes, exit codes, stdout and stderr."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import QUERIES, RAW, ROOT, STANDARD_KEYS, UNIT_KEYS


def kg(*args: str, build_dir: Path | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("KG_BUILD_DIR", None)
    if build_dir is not None:
        env["KG_BUILD_DIR"] = str(build_dir)
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "\nerror: " in "\n" + result.stderr
    for needle in needles:
        assert needle in result.stderr


def test_parse_json_prints_the_contract_shape():
    result = kg("parse", "data/raw/BAS1499-003.txt", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) >= STANDARD_KEYS
    assert document["source"] == "data/raw/BAS1499-003.txt"
    t3 = next(t for t in document["tasks"] if t["code"] == "T3")
    assert t3["title"] == "管理客戶服務的營運成本"


def test_parse_json_of_several_files_prints_an_array():
    result = kg("parse", "data/raw/KMM5R0915v2.txt", "data/raw/TTM3R0299v2.txt", "--json")
    documents = json.loads(result.stdout)
    assert [d["code"] for d in documents] == ["KMM5R0915v2", "TTM3R0299v2"]
    assert all(set(d) >= UNIT_KEYS for d in documents)


def test_parse_without_json_prints_a_summary_per_document():
    result = kg("parse", "data/raw/")
    assert result.returncode == 0
    assert len(result.stdout.strip().splitlines()) == 5
    assert "standard BAS1499-003 客戶服務主管 — 8 tasks, 28 activities, 114 indicators" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"   \n\t\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "is a binary file"),
        (b"abc \xc3\x28 \x81\x20 def", "cannot be decoded as UTF-8 or Big5/CP950"),
        (b"hello\tworld\n", "not a document of a known kind"),
    ],
    ids=["empty", "blank", "binary", "undecodable", "unknown-kind"],
)
def test_bad_input_gets_one_clear_line_and_exit_1(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = kg("parse", str(path), "--json")
    assert_clean_failure(result, "bad.txt", message)
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1


def test_build_then_query_from_a_fresh_folder(tmp_path):
    build_dir = tmp_path / "build"
    result = kg("build", "--build-dir", str(build_dir), "--embedding-cache", "")  # its own: counted
    assert result.returncode == 0, result.stderr
    assert "built 5 documents (2 standards, 3 units)" in result.stdout
    assert "search index: 458 items, e5-small (414 texts embedded, 0 from the cache)" in result.stdout
    query = kg(
        "sparql", "--file", str(QUERIES / "tasks-level-5-and-up.rq"), "--format", "csv", build_dir=build_dir
    )
    assert query.returncode == 0, query.stderr
    rows = list(csv.reader(io.StringIO(query.stdout)))
    assert rows == [
        ["doc_code", "code", "title", "level"],
        ["BAS1499-003", "T2", "發展客戶服務的行銷策略", "5"],
        ["BAS1499-003", "T8", "促進團隊效能", "5"],
    ]


def test_build_failure_exits_1_and_lists_problems_with_file_and_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text(
        (RAW / "KMM5R0915v2.txt").read_text(encoding="utf-8").replace("職能單元級別\t5", "職能單元級別\t五"),
        encoding="utf-8",
    )
    result = kg("build", str(bad), "--build-dir", str(tmp_path / "build"))
    assert_clean_failure(result, "build failed with 1 problem", "bad.txt:6: level '五' is not a whole number")
    assert not (tmp_path / "build" / "CURRENT").exists()


@pytest.fixture(scope="module")
def cli_build(built) -> Path:
    """The session's build of data/raw/, for the commands that read a build (`kg build` itself
    is run from a fresh folder above)."""
    return built.build_dir


def test_sparql_json_is_the_w3c_results_format(cli_build):
    result = kg(
        "sparql",
        'SELECT ?t WHERE { ?i skos:notation "T3" ; kg:title ?t ; kg:inDocument/skos:notation "BAS1499-003" }',
        "--format",
        "json",
        build_dir=cli_build,
    )
    body = json.loads(result.stdout)
    assert body["head"]["vars"] == ["t"]
    assert body["results"]["bindings"] == [
        {"t": {"type": "literal", "value": "管理客戶服務的營運成本", "xml:lang": "zh-hant"}}
    ]


def test_sparql_tsv_and_table_and_ask(cli_build):
    tsv = kg(
        "sparql", 'SELECT ?d WHERE { ?d skos:notation "TTM3R0299v2" }', "--format", "tsv", build_dir=cli_build
    )
    assert tsv.stdout == "?d\n<https://w3id.org/icap-kg/id/TTM3R0299v2>\n"
    table = kg(
        "sparql", "SELECT ?c WHERE { ?d a kg:CompetencyUnit ; kg:code ?c } ORDER BY ?c", build_dir=cli_build
    )
    assert table.stdout.splitlines() == [
        "c",
        "-----------",
        "BGM4R0172v2",
        "KMM5R0915v2",
        "TTM3R0299v2",
        "(3 rows)",
    ]
    ask = kg("sparql", "ASK { ?s a kg:Task }", build_dir=cli_build)
    assert ask.stdout.strip() == "true"


def test_sparql_construct_prints_turtle(cli_build):
    result = kg(
        "sparql",
        'CONSTRUCT { ?i skos:notation ?c } WHERE { ?i kg:code ?c FILTER(?c = "P4.3.1") }',
        build_dir=cli_build,
    )
    assert result.returncode == 0
    assert '<https://w3id.org/icap-kg/id/BAS1499-003/P4.3.1> skos:notation "P4.3.1"' in result.stdout


def test_sparql_describe_prints_turtle(cli_build):
    result = kg(
        "sparql",
        "DESCRIBE <https://w3id.org/icap-kg/id/TTM3R0299v2/P1.2>",
        "--graph",
        "asserted",
        build_dir=cli_build,
    )
    assert result.returncode == 0, result.stderr
    assert "kg:refersToNote <https://w3id.org/icap-kg/id/TTM3R0299v2/N2>" in result.stdout


def test_sparql_graph_option_queries_asserted_or_inferred(cli_build):
    ask = 'ASK { ?i skos:notation "P4.3.1" }'
    assert kg("sparql", ask, "--graph", "asserted", build_dir=cli_build).stdout.strip() == "false"
    assert kg("sparql", ask, "--graph", "inferred", build_dir=cli_build).stdout.strip() == "true"


def test_sparql_syntax_error_names_the_position(cli_build):
    result = kg("sparql", "SELECT ?x WHERE { ?x ?y }", build_dir=cli_build)
    assert_clean_failure(result, "SPARQL syntax error at line 1, column")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["SELECT * WHERE { ?s foo:bar ?o }"], "unknown prefix 'foo:'"),
        (["INSERT DATA { <a:b> <a:c> <a:d> }"], "SPARQL updates (INSERT) are not allowed"),
        (["   "], "the query is empty"),
        (["ASK {}", "--format", "pdf"], "unknown format 'pdf'"),
        (["ASK {}", "--format", "turtle"], "turtle is no format for SELECT/ASK results; they print as table"),
        (["ASK {}", "--graph", "mine"], "unknown graph 'mine'"),
        (["--file", "nowhere.rq"], "nowhere.rq: no such query file"),
        ([], "give a query or --file FILE"),
    ],
)
def test_sparql_bad_requests(cli_build, args, message):
    assert_clean_failure(kg("sparql", *args, build_dir=cli_build), message)


def test_sparql_xml_is_the_w3c_results_format(cli_build):
    result = kg(
        "sparql", 'SELECT ?d WHERE { ?d skos:notation "TTM3R0299v2" }', "--format", "xml", build_dir=cli_build
    )
    assert result.returncode == 0, result.stderr
    assert '<sparql xmlns="http://www.w3.org/2005/sparql-results#">' in result.stdout
    assert '<binding name="d"><uri>https://w3id.org/icap-kg/id/TTM3R0299v2</uri></binding>' in result.stdout
    ask = kg("sparql", "ASK { ?s a kg:Task }", "--format", "xml", build_dir=cli_build)
    assert "<boolean>true</boolean>" in ask.stdout


@pytest.mark.parametrize(
    ("fmt", "rdflib_format"), [("ntriples", "nt"), ("jsonld", "json-ld"), ("rdfxml", "xml")]
)
def test_sparql_construct_in_other_rdf_formats(cli_build, fmt, rdflib_format):
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import SKOS

    result = kg(
        "sparql",
        'CONSTRUCT { ?i skos:notation ?c } WHERE { ?i kg:code ?c FILTER(?c = "P4.3.1") }',
        "--format",
        fmt,
        build_dir=cli_build,
    )
    assert result.returncode == 0, result.stderr
    item = URIRef("https://w3id.org/icap-kg/id/BAS1499-003/P4.3.1")
    assert set(Graph().parse(data=result.stdout, format=rdflib_format)) == {
        (item, SKOS.notation, Literal("P4.3.1"))
    }


CONSTRUCT_ONE = 'CONSTRUCT { ?i skos:notation ?c } WHERE { ?i kg:code ?c FILTER(?c = "P4.3.1") }'


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("table", "turtle"), ("json", "json-ld"), ("xml", "xml")])
def test_sparql_construct_with_a_select_format_prints_that_rdf_form(cli_build, fmt, rdflib_format):
    from rdflib import Graph

    result = kg("sparql", CONSTRUCT_ONE, "--format", fmt, build_dir=cli_build)
    assert result.returncode == 0, result.stderr
    assert len(Graph().parse(data=result.stdout, format=rdflib_format)) == 1
    if fmt == "json":
        assert json.loads(result.stdout)[0]["@id"] == "https://w3id.org/icap-kg/id/BAS1499-003/P4.3.1"


def test_sparql_writes_a_workbook_and_any_format_to_a_file(cli_build, tmp_path):
    from openpyxl import load_workbook

    query = (
        "SELECT ?code (COUNT(?t) AS ?tasks)"
        " WHERE { ?d skos:notation ?code . ?t kg:inDocument ?d ; a kg:Task } GROUP BY ?code ORDER BY ?code"
    )
    book_path = tmp_path / "tasks.xlsx"
    result = kg("sparql", query, "--format", "xlsx", "--output", str(book_path), build_dir=cli_build)
    assert result.returncode == 0 and result.stdout == "" and f"wrote {book_path}" in result.stderr
    rows = list(load_workbook(book_path).active.values)
    assert rows[0] == ("code", "tasks") and [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:])
    assert all(isinstance(r[1], int) and r[1] > 0 for r in rows[1:])  # a number, not its text
    assert_clean_failure(
        kg("sparql", query, "--format", "xlsx", build_dir=cli_build), "give --output FILE.xlsx"
    )
    as_csv = tmp_path / "tasks.csv"
    assert kg("sparql", query, "--format", "csv", "-o", str(as_csv), build_dir=cli_build).returncode == 0
    assert as_csv.read_text(encoding="utf-8").splitlines()[0] == "code,tasks"


def test_sparql_construct_as_csv_is_an_error_not_turtle(cli_build):
    result = kg("sparql", CONSTRUCT_ONE, "--format", "csv", build_dir=cli_build)
    assert_clean_failure(result, "csv is no format for CONSTRUCT/DESCRIBE results; they print as turtle")


def test_sparql_select_star_keeps_the_querys_variable_order(cli_build):
    query = 'SELECT * WHERE { ?task kg:code "T2" ; kg:inDocument ?document . ?document skos:notation ?code }'
    for star in (query, query.replace("SELECT *", "SELECT DISTINCT *")):
        result = kg("sparql", star, "--format", "csv", build_dir=cli_build)
        assert result.stdout.splitlines()[0] == "task,document,code", result.stderr
    named = kg("sparql", query.replace("*", "?code ?task"), "--format", "csv", build_dir=cli_build)
    assert named.stdout.splitlines()[0] == "code,task"


def test_version_and_the_serve_extra_are_printed_as_they_are():
    from kg import __version__

    assert kg("--version").stdout == f"kg {__version__}\n"
    assert "pip install 'kg[serve]'" in kg("serve", "--help").stdout


def test_document_codes_are_taken_in_any_letter_case(cli_build):
    lower = kg("overlap", "kmm5r0915v2", "bas1499-003", "--json", build_dir=cli_build)
    assert lower.returncode == 0, lower.stderr
    assert (json.loads(lower.stdout)["a"], json.loads(lower.stdout)["b"]) == ("KMM5R0915v2", "BAS1499-003")
    misspelt = kg("overlap", "KMM5R0951v2", "BAS1499-003", build_dir=cli_build)
    assert_clean_failure(misspelt, "did you mean KMM5R0915v2")


def test_sparql_runs_a_named_query_by_its_name(cli_build):
    by_name = kg("sparql", "tasks-level-5-and-up", "--format", "csv", build_dir=cli_build)
    assert by_name.returncode == 0, by_name.stderr
    by_file = kg(
        "sparql", "--file", str(QUERIES / "tasks-level-5-and-up.rq"), "--format", "csv", build_dir=cli_build
    )
    assert by_name.stdout == by_file.stdout
    assert by_name.stdout.splitlines()[1] == "BAS1499-003,T2,發展客戶服務的行銷策略,5"


def test_sparql_list_names_every_named_query_with_its_title(tmp_path):
    from kg.query.named import named_queries

    result = kg("sparql", "--list", build_dir=tmp_path / "no-build-needed")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    queries = named_queries()
    assert (
        [line.split()[0] for line in lines] == list(queries) == sorted(p.stem for p in QUERIES.glob("*.rq"))
    )
    assert "shared-knowledge" in queries
    assert any(
        line.startswith("shared-knowledge ") and line.endswith(queries["shared-knowledge"].title)
        for line in lines
    )
    assert_clean_failure(kg("sparql", "--list", "shared-knowledge"), "--list lists the named queries")


@pytest.mark.parametrize("word", ["shared-knowlege", "SELECT", "units_of_domain"])
def test_a_word_that_names_no_query_gets_the_list_of_names(cli_build, word):
    result = kg("sparql", word, build_dir=cli_build)
    assert_clean_failure(result, f"{word!r} is neither a SPARQL query nor a named query", "shared-knowledge")
    assert "syntax error" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_resolve_is_the_one_rule_for_names_and_queries():
    from kg.query.errors import QueryError
    from kg.query.named import named_queries, resolve

    assert resolve("shared-knowledge") == named_queries()["shared-knowledge"].text
    assert resolve("  shared-knowledge\n") == named_queries()["shared-knowledge"].text
    for query in ["ASK {}", "ASK{}", "DESCRIBE <https://w3id.org/icap-kg/id/X>", "   ", ""]:
        assert resolve(query) == query
    with pytest.raises(QueryError, match=r"the named queries are: .*shared-knowledge"):
        resolve("no-such-query")


def test_sparql_help_offers_every_cli_format():
    from kg.query.formats import cli_formats

    help_text = " ".join(kg("sparql", "--help").stdout.split())
    assert cli_formats() == (
        "table",
        "json",
        "xml",
        "csv",
        "tsv",
        "xlsx",
        "turtle",
        "ntriples",
        "jsonld",
        "rdfxml",
    )
    for name in cli_formats():
        assert name in help_text


@pytest.mark.parametrize(
    ("command", "settings"),
    [
        ("build", ("build_dir", "base_iri", "reasoner", "workers", "embedder")),
        ("sparql", ("build_dir", "store", "query_timeout", "max_results", "sparql_endpoint", "base_iri")),
        (
            "serve",
            ("build_dir", "host", "port", "query_timeout", "max_results", "query_workers", "sparql_endpoint"),
        ),
        ("publish", ("build_dir", "publish_timeout")),
    ],
)
def test_option_help_names_each_setting_s_variable_and_default(command, settings):
    from kg.settings import OPTIONS

    help_text = " ".join(kg(command, "--help").stdout.replace("│", " ").split())
    for name in settings:
        option = OPTIONS[name]
        assert f"env: {option.env}" in help_text, name
        if option.default:
            assert f"default: {option.default})" in help_text, name
    assert "(default: data/raw/)" in " ".join(kg("build", "--help").stdout.replace("│", " ").split())


def test_sparql_before_any_build(tmp_path):
    assert_clean_failure(kg("sparql", "ASK {}", build_dir=tmp_path / "none"), "no build found", "kg build")


def test_validate_the_build_and_source_files(cli_build, tmp_path):
    assert (
        kg("validate", build_dir=cli_build).stdout.strip() == "valid: the data conforms to the SHACL shapes"
    )
    bad = tmp_path / "bad.txt"
    bad.write_text(
        (RAW / "TTM3R0299v2.txt").read_text(encoding="utf-8").replace("職能單元級別\t3", "職能單元級別\t0"),
        encoding="utf-8",
    )
    result = kg("validate", str(bad))
    assert result.returncode == 1
    assert "bad.txt:3: TTM3R0299v2: a level is a whole number from 1 to 6 (value: 0)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["build", "parse", "validate", "sparql"])
def test_every_command_has_help_with_an_example(command):
    result = kg(command, "--help")
    assert result.returncode == 0
    assert "Example:" in result.stdout


def test_a_malformed_base_iri_fails_before_any_work(tmp_path):
    result = kg("build", "--base-iri", "not an iri", "--build-dir", str(tmp_path / "build"))
    assert_clean_failure(result, "the base IRI 'not an iri' is not an absolute IRI")
    assert not (tmp_path / "build").exists()


def test_parse_of_a_folder_without_documents_is_an_error(tmp_path):
    listed = ".txt, .text, .tsv, .pdf, .odt, .docx, .html, .htm"
    assert_clean_failure(kg("parse", str(tmp_path), "--json"), f"no source files ({listed}) found in")


# --- input that is not a document: one line, exit 1, never a hang -------------------------


def _fifo(folder: Path) -> Path:
    os.mkfifo(folder / "pipe.txt")  # reading it would block forever
    return folder / "pipe.txt"


def _loop(folder: Path) -> Path:
    (folder / "a.txt").symlink_to("b.txt")
    (folder / "b.txt").symlink_to("a.txt")
    return folder / "a.txt"


def _folder_with_fifo(folder: Path) -> Path:
    (folder / "docs").mkdir()
    (folder / "docs" / "ok.txt").write_bytes((RAW / "KMM5R0915v2.txt").read_bytes())
    os.mkfifo(folder / "docs" / "pipe.txt")
    return folder / "docs"


_NOT_REGULAR = {
    "fifo": (_fifo, "pipe.txt: not a regular file (a FIFO)"),
    "link-loop": (_loop, "a.txt: a symbolic link loop"),
    "device": (lambda _: Path("/dev/zero"), "/dev/zero: not a regular file (a character device)"),
    "fifo-in-folder": (_folder_with_fifo, "docs/pipe.txt: not a regular file (a FIFO)"),
}


@pytest.mark.parametrize(
    ("command", "case"),
    [("parse", case) for case in _NOT_REGULAR]
    + [(command, case) for command in ("build", "validate") for case in ("link-loop", "fifo-in-folder")],
)
def test_a_path_that_is_not_a_regular_file_gets_one_line(tmp_path, command, case):
    make, message = _NOT_REGULAR[case]
    path = make(tmp_path)
    result = (
        kg(command, str(path), "--build-dir", str(tmp_path / "build"), cwd=tmp_path)
        if command == "build"
        else (kg(command, str(path), cwd=tmp_path))
    )
    assert_clean_failure(result, message)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_an_unreadable_file_is_one_line_and_exit_1_not_a_usage_error(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_bytes((RAW / "KMM5R0915v2.txt").read_bytes())
    path.chmod(0)
    if os.geteuid() != 0:
        result = kg("parse", str(path), cwd=tmp_path)
    else:  # root reads any file: refuse the open as the kernel would for a user
        refuse = (
            "import os, sys; import kg.parse.files as f\n"
            "def refuse(path, *a, **k): raise PermissionError(13, 'Permission denied', str(path))\n"
            "f.os.open = refuse\n"
            "sys.argv = ['kg', 'parse', sys.argv[1]]\n"
            "from kg.cli import main; main()\n"
        )
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        result = subprocess.run(
            [sys.executable, "-c", refuse, str(path)], capture_output=True, text=True, cwd=tmp_path, env=env
        )
    assert_clean_failure(result, "secret.txt: cannot be read (permission denied)")
    assert len(result.stderr.strip().splitlines()) == 1


# --- damaged documents: warnings, and --strict ---------------------------------------------


def _with_garbage_row(tmp_path: Path) -> Path:
    lines = (RAW / "BAS1499-003.txt").read_text(encoding="utf-8").split("\n")
    path = tmp_path / "garbage.txt"
    path.write_text("\n".join([*lines[:39], "@@@ garbage ### ... !!!\t\t\t", *lines[39:]]), encoding="utf-8")
    return path


GARBAGE_WARNING = (
    "garbage.txt:40: a row that is neither a new item nor a continuation after a page break is skipped"
)


def test_parse_warns_about_a_stray_row_and_strict_makes_it_an_error(tmp_path):
    path = _with_garbage_row(tmp_path)
    relaxed = kg("parse", str(path), "--json", cwd=tmp_path)
    assert relaxed.returncode == 0, relaxed.stderr
    assert relaxed.stderr.startswith(f"warning: {GARBAGE_WARNING}")
    t4 = next(t for t in json.loads(relaxed.stdout)["tasks"] if t["code"] == "T4")
    assert t4["title"] == "協調與客戶的互動"
    strict = kg("parse", str(path), "--strict", cwd=tmp_path)
    assert_clean_failure(strict, "1 warning (errors with --strict)", GARBAGE_WARNING)
    assert strict.stdout == ""


def test_validate_strict_makes_warnings_problems(tmp_path):
    path = _with_garbage_row(tmp_path)
    relaxed = kg("validate", str(path), cwd=tmp_path)
    assert relaxed.returncode == 0, relaxed.stderr
    assert f"warning: {GARBAGE_WARNING}" in relaxed.stderr
    assert_clean_failure(
        kg("validate", str(path), "--strict", cwd=tmp_path), GARBAGE_WARNING, "1 problem found"
    )


def test_build_prints_warnings_and_strict_fails_without_publishing(tmp_path):
    path = _with_garbage_row(tmp_path)
    build_dir = tmp_path / "build"
    strict = kg(
        "build", str(path), "--strict", "--embedder", "none", "--build-dir", str(build_dir), cwd=tmp_path
    )
    assert_clean_failure(strict, "build failed with 1 problem", GARBAGE_WARNING)
    assert not (build_dir / "CURRENT").exists()
    relaxed = kg("build", str(path), "--embedder", "none", "--build-dir", str(build_dir), cwd=tmp_path)
    assert relaxed.returncode == 0, relaxed.stderr
    assert f"warning: {GARBAGE_WARNING}" in relaxed.stderr
    assert "built 1 documents" in relaxed.stdout


def test_a_truncated_document_is_named_by_build(tmp_path):
    text = (RAW / "BAS2421-003v4.txt").read_text(encoding="utf-8")
    (tmp_path / "cut.txt").write_text(text[: int(len(text) * 0.6)], encoding="utf-8")
    result = kg("build", "cut.txt", "--strict", "--embedder", "none", "--build-dir", "build", cwd=tmp_path)
    assert_clean_failure(
        result,
        "cut.txt:26: the document ends without 態度 (attitudes) and 說明與補充事項 (notes): truncated?",
    )


@pytest.mark.parametrize("date", ["2025/13/45", "二〇二五年"])
def test_an_impossible_date_fails_the_build_with_file_and_line(tmp_path, date):
    text = (RAW / "BAS2421-003v4.txt").read_text(encoding="utf-8").replace("2025/12/15", date)
    (tmp_path / "dated.txt").write_text(text, encoding="utf-8")
    result = kg("build", "dated.txt", "--embedder", "none", "--build-dir", "build", cwd=tmp_path)
    assert_clean_failure(result, "build failed with 1 problem", f"dated.txt:6: date '{date}'")
    assert "xsd:date" not in result.stderr
    assert not (tmp_path / "build" / "CURRENT").exists()


def test_library_logs_print_one_line_never_a_traceback():
    """rdflib logs a traceback for an ill-typed literal; under the CLI's logging it is one line."""
    script = (
        "from kg.cli.common import configure_logging; configure_logging()\n"
        "from rdflib import XSD, Literal; Literal('2025-13-45', datatype=XSD.date)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("warning: rdflib.term: Failed to convert Literal lexical form to value")
    assert len(result.stderr.strip().splitlines()) == 1
