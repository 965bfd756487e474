"""Documents exported for other systems (kg.export, `kg export`): CASE, CTDL-ASN, RDF, tables."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import stat
import uuid
from pathlib import Path

import jsonschema
import pytest
from openpyxl import load_workbook
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

import kg
from conftest import SEED_CODES
from kg.errors import KgError
from kg.export.case import identifier
from kg.parse.model import Document
from test_cli import assert_clean_failure
from test_cli import kg as run_kg

UNIT, STANDARD = "KMM5R0915v2", "BAS1499-003"
BASE = "https://w3id.org/icap-kg/id/"


@pytest.fixture(scope="module")
def graph(built):
    return kg.open(settings=built)


def _items(code: str, seeds: dict[str, Document]) -> list[tuple[str, str]]:
    return [(ref.code, ref.kind) for ref in seeds[code].iter_items()]


def test_a_case_package_holds_every_item_and_its_place_in_the_tree(graph, seeds):
    package = json.loads(graph.export([STANDARD], "case"))
    document = package["CFDocument"]
    assert document["uri"] == BASE + STANDARD and document["language"] == "zh-Hant"
    assert document["identifier"] == str(uuid.uuid5(uuid.NAMESPACE_URL, BASE + STANDARD))
    items = package["CFItems"]
    assert [i["humanCodingScheme"] for i in items] == [code for code, _ in _items(STANDARD, seeds)]
    by_code = {i["humanCodingScheme"]: i for i in items}
    assert by_code["T1"]["CFItemType"] == "工作任務 Task" and by_code["T1"]["educationLevel"]
    parents = {
        a["originNodeURI"]["title"]: a["destinationNodeURI"]["uri"]
        for a in package["CFAssociations"]
        if a["associationType"] == "isChildOf"
    }
    assert parents["T1"] == BASE + STANDARD  # a task sits in the document
    assert parents["T1.1"] == BASE + f"{STANDARD}/T1"  # an activity in its task
    assert parents["P1.1.1"] == BASE + f"{STANDARD}/T1.1"  # an indicator in its activity
    assert len(parents) == len(items)
    kinds = {i["CFItemType"] for i in items}
    assert {t["title"] for t in package["CFDefinitions"]["CFItemTypes"]} >= kinds


def test_case_associations_carry_what_tasks_need_and_the_builds_mappings(graph):
    package = json.loads(graph.export([UNIT.lower()], "case"))  # a code in any letter case
    associations = package["CFAssociations"]
    exact = [a for a in associations if a["associationType"] == "exactMatchOf"]
    assert exact and all(a["originNodeURI"]["uri"].startswith(BASE + UNIT + "/") for a in exact)
    assert any(a["destinationNodeURI"]["uri"].startswith(BASE + STANDARD + "/") for a in exact)
    stored = graph.mappings()
    expected = stored[
        ((stored["subject_document"] == UNIT) | (stored["object_document"] == UNIT))
        & (stored["relation"] == "exact")
    ]
    assert len(exact) == len(expected)
    identifiers = [a["identifier"] for a in associations]
    assert len(identifiers) == len(set(identifiers))


SCHEMAS = Path(__file__).parent / "fixtures" / "schemas"  # vendored: see SOURCES.md there


def _validator(schema: dict) -> jsonschema.protocols.Validator:
    kind = jsonschema.validators.validator_for(schema)
    return kind(schema, format_checker=jsonschema.FormatChecker())


def _errors(validator: jsonschema.protocols.Validator, body: object) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)][:5]


def test_every_documents_case_package_is_valid_case_1_0_and_1_1(graph):
    service = json.loads((SCHEMAS / "case-v1p0-openapi2.json").read_text(encoding="utf-8"))
    v1p0 = _validator({"$ref": "#/definitions/CFPackage.Type", "definitions": service["definitions"]})
    v1p1 = _validator(json.loads((SCHEMAS / "case-v1p1-cfpackage.schema.json").read_text(encoding="utf-8")))
    for package in json.loads(graph.export([], "case")):
        assert package["CFItems"] and package["CFAssociations"]
        assert _errors(v1p0, package) == [] and _errors(v1p1, package) == [], package["CFDocument"]["uri"]


def test_every_ctdl_asn_node_is_valid_for_the_credential_registry_and_reads_as_rdf(graph):
    body = json.loads(graph.export([], "ctdl-asn"))
    schemas = {
        kind: _validator(json.loads((SCHEMAS / f"ctdlasn-{name}.schema.json").read_text(encoding="utf-8")))
        for kind, name in (
            ("ceasn:CompetencyFramework", "competency-framework"),
            ("ceasn:Competency", "competency"),
        )
    }
    assert {n["@type"] for n in body["@graph"]} == set(schemas)
    for node in body["@graph"]:
        assert _errors(schemas[node["@type"]], node | {"@context": body["@context"]}) == [], node["@id"]
    context = json.loads((SCHEMAS / "ctdlasn-context.cass.json").read_text(encoding="utf-8"))
    read = Graph().parse(data=json.dumps(body | context), format="json-ld")  # the context offline
    terms = Namespace(context["@context"]["ceasn"])
    framework = URIRef(BASE + UNIT)
    assert (framework, RDF.type, terms.CompetencyFramework) in read
    task = URIRef(BASE + f"{UNIT}/T1")
    assert (task, terms.isPartOf, framework) in read
    assert [str(o) for o in read.objects(task, terms.codedNotation)] == ["T1"]
    assert any(o.language == "zh-Hant" for o in read.objects(task, terms.competencyText))


def test_case_identifiers_are_stable_uuids_of_the_iris():
    assert identifier(BASE + "X/T1") == identifier(BASE + "X/T1") != identifier(BASE + "X/T2")
    assert uuid.UUID(identifier(BASE + "X/T1")).version == 5


def test_several_documents_give_a_list_of_packages_and_none_gives_every_document(graph):
    both = json.loads(graph.export([UNIT, STANDARD], "case"))
    assert [p["CFDocument"]["uri"] for p in both] == [BASE + UNIT, BASE + STANDARD]
    every = json.loads(graph.export([], "case"))
    assert sorted(p["CFDocument"]["uri"].removeprefix(BASE) for p in every) == sorted(SEED_CODES)


def test_ctdl_asn_json_ld_reads_as_frameworks_of_competencies(graph, seeds):
    body = json.loads(graph.export([UNIT], "ctdl-asn"))
    assert body["@context"] == "http://credreg.net/ctdlasn/schema/context/json"  # as the registry requires
    nodes = {n["@id"]: n for n in body["@graph"]}
    framework = nodes[BASE + UNIT]
    assert framework["@type"] == "ceasn:CompetencyFramework" and framework["ceasn:inLanguage"] == ["zh-Hant"]
    competencies = [n for n in body["@graph"] if n["@type"] == "ceasn:Competency"]
    assert [c["ceasn:codedNotation"] for c in competencies] == [code for code, _ in _items(UNIT, seeds)]
    task = nodes[BASE + f"{UNIT}/T1"]
    assert task["ceasn:isTopChildOf"] == BASE + UNIT and task["ceasn:isPartOf"] == [BASE + UNIT]
    assert set(task["ceasn:hasChild"]) == {
        iri for iri, n in nodes.items() if n.get("ceasn:isChildOf") == [BASE + f"{UNIT}/T1"]
    }
    assert task["ceasn:competencyText"]["zh-Hant"] == seeds[UNIT].tasks[0].title
    assert BASE + f"{UNIT}/T1" in framework["ceasn:hasTopChild"]
    assert any("ceasn:exactAlignment" in c for c in competencies)


def test_rdf_exports_are_the_documents_own_stored_triples(graph, query):
    turtle = Graph().parse(data=graph.export([UNIT], "turtle").decode("utf-8"), format="turtle")
    jsonld = Graph().parse(data=graph.export([UNIT], "jsonld").decode("utf-8"), format="json-ld")
    assert set(turtle) == set(jsonld)
    task = URIRef(BASE + f"{UNIT}/T1")
    exported = set(turtle.predicate_objects(task))
    assert (SKOS.notation, Literal("T1")) in exported

    def stored(graph_name: str) -> set:  # by the literals' text: the store's results give
        rows = query(f"SELECT ?p ?o WHERE {{ <{task}> ?p ?o }}", graph=graph_name).rows
        return {(row["p"], str(row["o"])) for row in rows}

    exported = {(p, str(o)) for p, o in exported}

    assert stored("asserted") <= exported <= stored("all")  # without what the corpus says of it
    assert exported - stored("asserted") <= stored("inferred")


def test_tables_have_chinese_headings_and_a_row_per_item(graph, seeds):
    data = graph.export([UNIT, STANDARD], "csv")
    assert data.startswith("\ufeff".encode())  # Excel reads UTF-8 with a BOM
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["文件代碼 Document", "文件名稱 Title", "項目代碼 Code"]
    assert len(rows) - 1 == len(_items(UNIT, seeds)) + len(_items(STANDARD, seeds))
    book = load_workbook(io.BytesIO(graph.export([UNIT, STANDARD], "xlsx")))
    assert book.sheetnames == [UNIT, STANDARD]
    sheet = book[STANDARD]
    assert sheet["A1"].value == "文件代碼 Document" and sheet.max_row - 1 == len(_items(STANDARD, seeds))
    assert [c.value for c in sheet[2]][2:4] == ["T1", "工作任務 Task"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g: g.export([UNIT], "pdf"), "unknown export format 'pdf'; choose one of: case, ctdl-asn"),
        (lambda g: g.export(["KMM5R0951v2"], "case"), "did you mean KMM5R0915v2"),
    ],
)
def test_bad_requests_say_what_is_wrong(graph, call, message):
    with pytest.raises(KgError, match=message):
        call(graph)


def test_the_cli_writes_to_stdout_or_a_file_whole(built, tmp_path):
    printed = run_kg("export", UNIT, "--format", "ctdl-asn", build_dir=built.build_dir)
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout)["@graph"][0]["@id"] == BASE + UNIT
    target = tmp_path / "icap.xlsx"
    written = run_kg("export", "--format", "xlsx", "--output", str(target), build_dir=built.build_dir)
    assert written.returncode == 0, written.stderr
    assert sorted(load_workbook(target).sheetnames) == sorted(SEED_CODES)
    assert_clean_failure(
        run_kg("export", "--format", "xlsx", build_dir=built.build_dir), "give --output FILE"
    )
    assert_clean_failure(
        run_kg(
            "export", "--format", "case", "-o", str(tmp_path / "no" / "x.json"), build_dir=built.build_dir
        ),
        "the folder",
    )
    assert_clean_failure(
        run_kg("export", "--format", "rdf", build_dir=built.build_dir), "unknown export format"
    )
    assert list(tmp_path.iterdir()) == [target]  # nothing half-written


def test_the_api_serves_the_same_files_as_downloads(client, graph):
    case = client.get("/api/export", params={"document": UNIT.lower(), "format": "case"})
    assert case.status_code == 200 and case.headers["content-type"].startswith("application/json")
    assert case.headers["content-disposition"] == f'attachment; filename="{UNIT.lower()}.json"'
    assert case.json() == json.loads(graph.export([UNIT], "case"))
    book = client.get("/api/export", params=[("document", UNIT), ("document", STANDARD), ("format", "xlsx")])
    assert book.status_code == 200 and load_workbook(io.BytesIO(book.content)).sheetnames == [UNIT, STANDARD]
    turtle = client.get("/api/export", params={"document": UNIT, "format": "turtle"})
    assert turtle.headers["content-type"] == "text/turtle; charset=utf-8"


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"format": "pdf"}, 400, "unknown export format 'pdf'"),
        ({"document": "KMM5R0951v2"}, 404, "did you mean KMM5R0915v2"),
        ({"document": "K" * 500}, 400, "at most 200 characters"),
    ],
)
def test_bad_api_requests_are_4xx_with_the_reason(client, params, status, message):
    answer = client.get("/api/export", params=params, headers={"Accept": "application/json"})
    assert answer.status_code == status and message in answer.json()["error"]


def test_a_dump_is_a_release_of_the_whole_build_described_in_void_and_dcat(graph, built, tmp_path):
    from rdflib.namespace import DCAT, VOID

    from kg.store.layout import current_build
    from kg.store.parts import GraphParts

    release = graph.dump(tmp_path / "release")
    folder = tmp_path / "release"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~mask  # as any new folder, not private
    assert (
        sorted(p.name for p in folder.iterdir())
        == sorted(release.files)
        == sorted(["graph.nq.gz", "mappings.sssom.tsv", "documents.json", "void.ttl"])
    )
    live = current_build(built.build_dir)
    with gzip.open(folder / "graph.nq.gz", "rb") as quads:
        lines = quads.read().splitlines(keepends=True)
    assert lines == list(GraphParts(live).sorted_lines()) and release.lines == len(lines)
    assert (folder / "documents.json").read_bytes() == (live / "documents.json").read_bytes()
    void = Graph().parse(folder / "void.ttl", format="turtle")
    dataset = URIRef(BASE + "dataset")
    manifest = json.loads((live / "manifest.json").read_text(encoding="utf-8"))
    assert int(void.value(dataset, VOID.triples)) == sum(manifest["triples"].values())
    subsets = {
        str(void.value(s, DCTERMS.title)): int(void.value(s, VOID.triples))
        for s in void.objects(dataset, VOID.subset)
    }
    assert subsets == manifest["triples"]
    sizes = {
        Path(str(d)).name: int(void.value(d, DCAT.byteSize)) for d in void.objects(dataset, DCAT.distribution)
    }
    assert sizes == {name: (folder / name).stat().st_size for name in release.files if name != "void.ttl"}
    entities = {
        str(void.value(p, VOID["class"])).rpartition("#")[2]: int(void.value(p, VOID.entities))
        for p in void.objects(dataset, VOID.classPartition)
    }
    assert entities == {"CompetencyStandard": 2, "CompetencyUnit": 3}


def test_a_dump_never_writes_into_a_folder_with_files_nor_leaves_half_a_release(graph, built, tmp_path):
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(KgError, match="is not an empty folder"):
        graph.dump(taken)
    assert [p.name for p in taken.iterdir()] == ["notes.txt"]
    result = run_kg("export", "--dump", str(tmp_path / "a" / "b"), build_dir=built.build_dir)
    assert_clean_failure(result, "does not exist")
    assert_clean_failure(
        run_kg("export", "BAS1499-003", "--dump", str(tmp_path / "r"), build_dir=built.build_dir),
        "give it no codes",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
    printed = run_kg("export", "--dump", str(tmp_path / "empty"), build_dir=built.build_dir)
    assert printed.returncode == 0 and "void.ttl" in printed.stdout
