"""Course coverage on the web: the /cover page (paste or upload an outline) and POST /api/cover.

Both take the course the same ways: a form (`text` pasted, or `file` uploaded, and one or
more `against` codes) sent as multipart/form-data or urlencoded, or, for /api/cover, the
file itself as the request body with `?against=CODE` (any content type: text, DOCX, PDF).
Bodies over `MAX_BODY` bytes get a 413 before they are read; every other bad input
(an empty or binary file, too many lines, an unknown code) a 4xx naming it.
"""

from __future__ import annotations

import email.parser
import email.policy
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kg.course.outline import MAX_LINES
from kg.errors import KgError
from kg.server.api import MAX_CODE, knowledge_graph
from kg.server.errors import HttpError, status_of
from kg.server.templating import render
from kg.workbooks import XLSX_MEDIA_TYPE

router = APIRouter()

MAX_BODY = 2 * 2**20  # bytes in one request: a course outline, even a PDF one, is far smaller
MAX_AGAINST = 10  # documents one course is covered against at once


@dataclass
class CourseRequest:
    """What a request asks to cover: the course's bytes, its name and the documents."""

    data: bytes = b""
    name: str = "course"
    against: list[str] = field(default_factory=list)
    text: str = ""  # the pasted text, shown again in the page's form
    format: str = ""  # "xlsx": the page's download button


def _form_fields(content_type: str, body: bytes) -> list[tuple[str, str | None, bytes]]:
    """(name, file name, value) of each field of a multipart or urlencoded form."""
    if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise HttpError(400, "the form is not UTF-8 text") from None
        return [
            (key, None, value.encode())
            for key, values in parse_qs(text, keep_blank_values=True).items()
            for value in values
        ]
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise HttpError(400, "the form could not be read: a multipart body without parts")
    fields = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str):
            fields.append((name, part.get_filename(), payload if isinstance(payload, bytes) else b""))
    return fields


async def read_request(request: Request, raw_allowed: bool) -> CourseRequest:
    """The course and documents of a request; an HttpError (4xx) naming what is wrong."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise HttpError(413, f"the request is {int(declared):,} bytes, more than the {MAX_BODY:,} allowed")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HttpError(413, f"the request is {len(body):,} bytes, more than the {MAX_BODY:,} allowed")
    content_type = request.headers.get("content-type", "")
    kind = content_type.split(";")[0].strip().lower()
    asked = CourseRequest(against=request.query_params.getlist("against"))
    if kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for name, filename, value in _form_fields(content_type, body):
            if name == "against":
                asked.against += value.decode("utf-8", "replace").split()
            elif name == "text":
                asked.text = value.decode("utf-8", "replace").replace("\r\n", "\n")
            elif name == "file" and filename and value:
                asked.data, asked.name = value, filename
            elif name == "format":
                asked.format = value.decode("utf-8", "replace")
        if not asked.data and asked.text.strip():
            asked.data, asked.name = asked.text.encode("utf-8"), "pasted outline"
        if not asked.data:
            raise HttpError(400, "give a course outline: paste it (text) or choose a file (file)")
    elif raw_allowed:
        asked.data, asked.name = body, request.query_params.get("name", "course")[:200]
    else:
        raise HttpError(415, "send the page's form (multipart/form-data or urlencoded)")
    asked.against = list(dict.fromkeys(a.strip() for a in asked.against if a.strip()))
    if len(asked.against) > MAX_AGAINST:
        raise HttpError(400, f"against: at most {MAX_AGAINST} documents at once, not {len(asked.against)}")
    for code in asked.against:
        if len(code) > MAX_CODE:
            raise HttpError(400, f"against: a document code has at most {MAX_CODE} characters")
    return asked


@router.post("/api/cover")
async def api_cover(request: Request) -> dict[str, Any]:
    """`kg cover --json`'s JSON for a course outline: the body itself (`?against=CODE`, repeatable),
    or a form with `text` or `file` and `against` fields."""
    asked = await read_request(request, raw_allowed=True)
    graph = knowledge_graph(request)
    coverage = await anyio.to_thread.run_sync(lambda: graph.cover(asked.data, asked.against, name=asked.name))
    return coverage.to_dict()


def _page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    graph = knowledge_graph(request)
    documents: dict[str, Any] = {}
    try:
        documents = graph.parsed
    except KgError as exc:
        context.setdefault("error", str(exc))
        status = max(status, status_of(exc))
    defaults: dict[str, Any] = {
        "documents": documents,
        "against": [],
        "text": "",
        "error": None,
        "max_lines": MAX_LINES,
    }
    return render(request, "cover.html", status_code=status, **(defaults | context))


@router.get("/cover", response_class=HTMLResponse)
def cover_page(request: Request) -> HTMLResponse:
    """The form: paste or upload a course outline and pick the documents."""
    return _page(request)


@router.post("/cover", response_model=None)
async def cover_result(request: Request) -> Response:
    """The coverage as tables, gaps shaded; with format=xlsx the workbook to download."""
    try:
        asked = await read_request(request, raw_allowed=False)
    except KgError as exc:
        return _page(request, status_of(exc), error=str(exc))
    graph = knowledge_graph(request)
    try:
        coverage = await anyio.to_thread.run_sync(
            lambda: graph.cover(asked.data, asked.against, name=asked.name)
        )
    except KgError as exc:
        return _page(request, status_of(exc), error=str(exc), against=asked.against, text=asked.text)
    if asked.format == "xlsx":
        from kg.course.tables import xlsx_bytes

        data = await anyio.to_thread.run_sync(lambda: xlsx_bytes(coverage))
        headers = {"Content-Disposition": 'attachment; filename="course-coverage.xlsx"'}
        return Response(data, media_type=XLSX_MEDIA_TYPE, headers=headers)
    chosen = asked.against or [d.document for d in coverage.documents]
    return _page(request, coverage=coverage, against=chosen, text=asked.text)
