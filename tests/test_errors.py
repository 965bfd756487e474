"""How error messages name what is wrong (unknown codes, undeclared prefixes), and never as a traceback."""

from __future__ import annotations

import pytest
import typer
from rdflib import Graph, Literal, URIRef

from kg.cli.common import handles_errors
from kg.errors import KgError, ParseError, StrictError, document_code, no_such_document
from kg.pipeline import _ill_typed
from kg.query.errors import QueryError, undeclared_prefix

SEEDS = ["BAS1499-003", "BAS2421-003v4", "BGM4R0172v2", "KMM5R0915v2", "TTM3R0299v2"]


def test_an_unknown_code_suggests_the_code_meant():
    assert (
        no_such_document("kmm5r0915v2", SEEDS)
        == "no document 'kmm5r0915v2' in this build; did you mean KMM5R0915v2?"
    )
    assert no_such_document("KMM5R0951v2", SEEDS).endswith("did you mean KMM5R0915v2?")
    assert no_such_document("BAS1499-03", SEEDS).endswith("did you mean BAS1499-003?")
    guessed = no_such_document("ABC-00", ["ABC-001", "ABC-002", "XYZ-001"])  # best first; ties either way
    assert guessed.split("; ")[1] in ("did you mean ABC-001 or ABC-002?", "did you mean ABC-002 or ABC-001?")


def test_a_code_in_another_letter_case_names_the_document_when_only_one_matches():
    assert document_code("kmm5r0915v2", SEEDS) == document_code("KMM5R0915V2", SEEDS) == "KMM5R0915v2"
    assert document_code("BAS1499-003", SEEDS) == "BAS1499-003"
    with pytest.raises(KgError, match="did you mean KMM5R0915v2"):
        document_code("KMM5R0951v2", SEEDS)

    class Missing(KgError):
        pass

    with pytest.raises(Missing, match="no document 'abc-1' in this build"):  # two codes match: neither
        document_code("abc-1", ["ABC-1", "abc-1a", "Abc-1"], error=Missing)


def test_without_a_likely_code_a_few_documents_are_listed_and_many_are_not():
    assert no_such_document("客訴", SEEDS, "the index") == (
        "no document '客訴' in the index; the documents are: " + ", ".join(SEEDS)
    )
    many = [f"SYN{n:05d}" for n in range(2700)]
    assert no_such_document("客訴", many) == "no document '客訴' in this build"


@pytest.mark.parametrize(
    ("sparql", "found"),
    [
        ("SELECT * { ?d a kg:Task ; foo:bar ?o }", ("foo", 1, 27)),
        ("SELECT * {\n  ?d :bar ?o }", ("", 2, 6)),
        ("PREFIX foo: <http://x/>\nSELECT * { ?d foo:bar ?o ; ex:p ?q }", ("ex", 2, 28)),
        ("SELECT * { ?d skos:notation ?c . FILTER(?c = 'a:b' || ?c = \"x:y\") } # see:this", None),
        ("SELECT * { ?d <http://x/a:b> ?o . ?o dcterms:isPartOf <urn:x:y> }", None),
        ('SELECT * { ?d rdfs:comment """multi\nline: x:y""" }', None),
        ("prefix my-p.x: <http://x/> SELECT * { ?d my-p.x:a ?o }", None),
    ],
)
def test_undeclared_prefixes_are_found_outside_strings_iris_and_comments(sparql, found):
    assert undeclared_prefix(sparql) == found


def test_an_undeclared_prefix_after_a_semicolon_is_named_not_the_parsers_guess(query):
    with pytest.raises(QueryError) as caught:
        query("SELECT * WHERE { ?d a kg:Task ; foo:bar ?o }")
    assert "line 1, column 33: unknown prefix 'foo:'" in str(caught.value)
    assert "OPTIONAL" not in str(caught.value)


# --- nothing prints a traceback --------------------------------------------------------------


def test_strict_errors_list_every_warning():
    error = StrictError(["a.txt:3: one", "b.txt:9: two"])
    assert str(error) == "2 warnings (errors with --strict):\n  a.txt:3: one\n  b.txt:9: two"
    assert isinstance(error, KgError)


def test_a_parse_error_quoting_a_runaway_value_stays_short():
    error = ParseError("a.txt", "code " + "1" * 5000, 4)
    assert len(str(error)) < 320
    assert str(error).startswith("a.txt:4: code 111")


@pytest.mark.parametrize(
    ("raised", "message"),
    [
        (TypeError("unsupported operand"), "error: unexpected TypeError: unsupported operand (a bug in kg;"),
        (PermissionError(13, "Permission denied", "/x/build"), "error: /x/build: Permission denied"),
        (KgError("a.txt:3: bad"), "error: a.txt:3: bad"),
    ],
)
def test_a_command_failing_prints_one_line_and_exits_1(capsys, monkeypatch, raised, message):
    monkeypatch.delenv("KG_DEBUG", raising=False)

    @handles_errors
    def command() -> None:
        raise raised

    with pytest.raises(typer.Exit) as exited:
        command()
    assert exited.value.exit_code == 1
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_an_ill_typed_literal_is_a_build_problem_not_a_stored_value(caplog):
    from rdflib import XSD  # here, not at module level: pytest's collection probes module names

    graph = Graph()
    graph.add((URIRef("urn:x:v1"), URIRef("urn:x:date"), Literal("2025-13-45", datatype=XSD.date)))
    graph.add((URIRef("urn:x:v2"), URIRef("urn:x:date"), Literal("2025-12-15", datatype=XSD.date)))
    assert _ill_typed(graph, "a.txt") == [
        'a.txt: "2025-13-45"^^<http://www.w3.org/2001/XMLSchema#date> is not a valid '
        "<http://www.w3.org/2001/XMLSchema#date>"
    ]


def test_a_worker_that_cannot_start_says_why_not_that_its_pool_broke(tmp_path):
    """Workers start in their own processes; what stops one (here a document cache that is a
    folder) used to reach the user as "BrokenProcessPool"."""
    from pathlib import Path

    from kg.pipeline import PARALLEL_FROM, process_all

    raw = Path(__file__).resolve().parent.parent / "data" / "raw"
    files = sorted(raw.glob("*.txt")) * (PARALLEL_FROM // 5 + 1)  # enough files for a pool
    with pytest.raises(KgError, match=f"cannot open the document cache {tmp_path}"):
        list(process_all(files, "https://w3id.org/icap-kg/id/", "rules", workers=2, document_cache=tmp_path))


def _outlines(folder):
    from kg.course.evaluate import load_outlines

    (folder / "outlines.tsv").write_text("a.md\tBAS1499-003\ttune\n", encoding="utf-8")
    return load_outlines(folder)


def _readers():
    from kg.mapping.evaluate import load_pairs
    from kg.query.sparql import read_query_file
    from kg.search.evaluate import load_questions

    return {
        "query file": read_query_file,
        "question file": load_questions,
        "file of labelled pairs": load_pairs,
        "file": lambda path: _outlines(path.parent),  # labels.tsv of labelled course outlines
    }


@pytest.mark.parametrize("what", ["query file", "question file", "file of labelled pairs", "file"])
def test_a_file_a_user_names_that_cannot_be_read_is_one_line_naming_it(tmp_path, what):
    read = _readers()[what]
    named = tmp_path / ("labels.tsv" if what == "file" else "named")
    named.write_bytes("客訴處理\n".encode("big5"))
    with pytest.raises(KgError, match=rf"^{named}: not a UTF-8 text file \(byte 0 cannot be read\)$"):
        read(named)
    named.unlink()
    with pytest.raises(KgError, match=rf"^{named}: no such {what}$"):
        read(named)
    named.mkdir()
    with pytest.raises(KgError, match=rf"^{named}: a folder, not a {what}$"):
        read(named)


def test_a_byte_order_mark_is_read_past_and_a_bad_label_line_is_named(tmp_path):
    from kg.text_files import read_text

    marked = tmp_path / "marked.rq"
    marked.write_bytes("\ufeffASK {}".encode())
    assert read_text(marked) == "ASK {}"
    (tmp_path / "labels.tsv").write_text("a.md\tseven\tT1\n", encoding="utf-8")
    with pytest.raises(KgError, match=r"labels\.tsv:1: the line must be a number, not 'seven'"):
        _outlines(tmp_path)
