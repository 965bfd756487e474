"""The /cover page and POST /api/cover through the session's web app (TestClient)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from fastapi.testclient import TestClient

from conftest import ROOT
from kg.server.cover_page import MAX_BODY

SUPERVISOR = ROOT / "eval" / "courses" / "supervisor.md"

pytestmark = pytest.mark.slow


def test_api_takes_the_file_as_body(client: TestClient):
    response = client.post(
        "/api/cover?against=BAS1499-003&name=supervisor.md",
        content=SUPERVISOR.read_bytes(),
        headers={"content-type": "text/markdown"},
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["course"] == "supervisor.md"
    [document] = data["documents"]
    assert document["document"] == "BAS1499-003"
    assert any(i["code"] == "T3.2" and i["covered"] for i in document["items"])
    last = data["lines"][-1]
    assert last["text"] == "期末成果發表與課後問卷" and last["matches"] == []


def test_api_takes_a_multipart_form_with_a_file(client: TestClient):
    response = client.post(
        "/api/cover",
        data={"against": "KMM5R0915v2"},
        files={"file": ("course.md", SUPERVISOR.read_bytes(), "text/markdown")},
    )
    assert response.status_code == 200, response.text
    assert response.json()["documents"][0]["document"] == "KMM5R0915v2"


@pytest.mark.parametrize(
    ("body", "query", "status", "needle"),
    [
        (b"", "against=BAS1499-003", 400, "is empty"),
        (b"\x00\x01binary", "against=BAS1499-003", 400, "binary"),
        (("- x\n" * 2001).encode(), "against=BAS1499-003", 400, "more than the 2000"),
        (b"- budget", "against=BAS1499-03", 404, "did you mean BAS1499-003"),
        (b"x" * (MAX_BODY + 1), "against=BAS1499-003", 413, "more than the"),
    ],
)
def test_api_bad_input_is_a_clear_4xx(client: TestClient, body: bytes, query: str, status: int, needle: str):
    response = client.post(f"/api/cover?{query}", content=body, headers={"content-type": "text/plain"})
    assert response.status_code == status, response.text
    assert needle in response.json()["error"]


def test_page_shows_the_form(client: TestClient):
    response = client.get("/cover")
    assert response.status_code == 200
    assert 'id="cover-form"' in response.text and "BAS1499-003" in response.text


def test_pasted_outline_shows_tables_with_gaps_and_a_download(client: TestClient):
    form = {"text": SUPERVISOR.read_text(encoding="utf-8"), "against": "BAS1499-003"}
    response = client.post("/cover", data=form, files={"file": ("", b"", "application/octet-stream")})
    assert response.status_code == 200, response.text
    page = response.text
    assert 'id="items-BAS1499-003"' in page and 'class="task gap"' in page
    assert "未對應（非課程內容）" in page  # 期末成果發表與課後問卷
    assert 'id="download-xlsx"' in page
    download = client.post(
        "/cover", data=form | {"format": "xlsx"}, files={"file": ("", b"", "application/octet-stream")}
    )
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    assert book.sheetnames == ["BAS1499-003", "缺口", "課程"]


def test_page_errors_are_shown_with_a_4xx(client: TestClient):
    response = client.post("/cover", data={"text": "", "against": "BAS1499-003"})
    assert response.status_code == 400
    assert "give a course outline" in response.text
    response = client.post("/cover", data={"text": "- 預算", "against": "NOPE"})
    assert response.status_code == 404
    assert 'role="alert"' in response.text
