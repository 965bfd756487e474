"""Every error as a clear message with the right status: JSON for /api, text for /sparql, else a page.

Bad requests get a 4xx naming what is wrong; the time limit a 503, busy workers a 503
with Retry-After; a SPARQL server behind (`--sparql-endpoint`) that fails a 502; anything
unexpected a plain 500, logged on the server, never a traceback for the client. The 500
is answered by a middleware (`CatchUnexpected`),
not an exception handler: Starlette re-raises after its handler, and uvicorn then
closes the connection, so the client's next request on a keep-alive connection failed.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.errors import KgError
from kg.knowledge_graph import NotFound
from kg.query.errors import QueryTooLong, UpdateRefused
from kg.query.workers import QueryTimeout, WorkersBusy
from kg.server.negotiation import parse_accept
from kg.server.templating import render
from kg.store.errors import RemoteError, ResultTooLarge

log = logging.getLogger("kg.server")

TITLES = {
    400: "錯誤的請求 Bad request",
    403: "不允許 Forbidden",
    404: "找不到 Not found",
    405: "不支援的方法 Method not allowed",
    406: "無法提供此格式 Not acceptable",
    413: "請求太大 Too large",
    415: "不支援的內容類型 Unsupported media type",
    422: "結果太大 Result too large",
    500: "伺服器錯誤 Server error",
    502: "上游伺服器錯誤 Bad gateway",
    503: "暫時無法處理 Unavailable",
}

# What each status means, in Chinese, above the message (which names what is wrong, in English)
EXPLANATIONS = {
    400: "請求有誤：請依下方說明修改後再試。",
    403: "這個動作不被允許：圖譜是唯讀的。",
    404: "找不到所要的頁面、文件或項目。",
    405: "這個網址不接受此種請求方法。",
    406: "無法以所要求的格式提供這項資源。",
    413: "請求太大，請縮短後再試。",
    415: "不支援所送出的內容類型。",
    422: "結果太大：請加上 LIMIT 或縮小查詢範圍。",
    500: "伺服器發生未預期的錯誤，已記錄下來。",
    502: "後端的 SPARQL 伺服器沒有正常回應。",
    503: "伺服器暫時忙碌或查詢逾時，請稍後再試。",
}


class HttpError(KgError):
    """A KgError with an HTTP status of its own (406, 413, 415 ...)."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


def status_of(exc: KgError) -> int:
    """The HTTP status for one of the library's errors."""
    if isinstance(exc, HttpError):
        return exc.status
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, UpdateRefused):
        return 403
    if isinstance(exc, QueryTooLong):
        return 413
    if isinstance(exc, ResultTooLarge):
        return 422
    if isinstance(exc, QueryTimeout | WorkersBusy):
        return 503
    if isinstance(exc, RemoteError):  # the SPARQL server behind (--sparql-endpoint) failed
        return 502
    return 400


def error_response(request: Request, status: int, message: str) -> Response:
    """The error in the form the caller reads: JSON, plain text or an HTML page."""
    path = request.url.path
    if path.startswith("/api/"):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    best = [media for media, _ in parse_accept(request.headers.get("accept"))][:1]
    wants_html = not best or best[0] in ("text/html", "application/xhtml+xml", "*/*")
    if path == "/sparql" or not wants_html:
        return PlainTextResponse(f"error: {message}\n", status_code=status)
    title = TITLES.get(status, f"錯誤 Error {status}")
    explanation = EXPLANATIONS.get(status, "")
    return render(
        request,
        "error.html",
        status_code=status,
        title=title,
        message=message,
        status=status,
        explanation=explanation,
    )


def _clipped(value: str | int | float, limit: int = 60) -> str:
    """A parameter's value as the message quotes it: a huge one is not echoed back whole."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(str(value))} characters)"


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""

    @app.exception_handler(KgError)
    async def library_error(request: Request, exc: KgError) -> Response:
        response = error_response(request, status_of(exc), str(exc))
        if isinstance(exc, WorkersBusy):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"no page at {request.url.path}"
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        response = error_response(request, exc.status_code, message)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_parameters(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ())[1:] if not isinstance(p, int)) or "request"
            value = error.get("input")
            shown = (
                f" (got {_clipped(value)})" if isinstance(value, str | int | float) and value != "" else ""
            )
            problems.append(f"{where}: {error.get('msg', 'invalid').lower()}{shown}")
        return error_response(request, 400, "; ".join(problems))

    app.add_middleware(CatchUnexpected)


UNEXPECTED = "something went wrong on the server; the details are in its log"


class CatchUnexpected:
    """Answer any exception that escaped the routes with a clean 500, logged, and keep the connection."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            log.exception("unexpected error on %s", scope.get("path"))
            if started:  # half a response is out: nothing clean is left to send
                raise
            response = error_response(Request(scope, receive), 500, UNEXPECTED)
            await response(scope, receive, send)
