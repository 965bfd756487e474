"""HTTP calls to a SPARQL 1.1 server (Protocol and Graph Store Protocol), each failure one clear line.

The standard library's urllib, not an HTTP package: a response is a file object that
pyoxigraph's parsers read as it arrives (a large answer is never held twice), a request
body may be a file sent in blocks, and `kg` needs no extra for it.

A server that cannot be reached, answers with an HTTP error (its own message is shown,
tags and spaces squeezed out) or does not answer in time raises `RemoteError`; after an
HTTP error it has the `status` and the server's message (`detail`).
"""

from __future__ import annotations

import re
import socket
import urllib.error
import urllib.request
from collections.abc import Mapping
from http.client import HTTPResponse
from typing import BinaryIO
from urllib.parse import urlsplit, urlunsplit

from kg.store.errors import RemoteError

__all__ = ["RemoteError", "Response", "at_path", "send", "server_message"]

Response = HTTPResponse  # what `send` returns: headers, and the body as a file to read

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
MESSAGE_CHARS = 300  # most characters of a server's message shown


def at_path(url: str, default_path: str) -> str:
    """`url` itself, or `url` with `default_path` when it has no path at all (http://host:7878).

    A path of "/" is kept: a server that answers on its root (QLever) is named that way.
    """
    parts = urlsplit(url)
    if not parts.path and not parts.query:
        return urlunsplit(parts._replace(path=default_path))
    return url


def send(
    url: str,
    *,
    method: str,
    timeout: float,
    headers: Mapping[str, str],
    body: bytes | BinaryIO | None = None,
    what: str = "the SPARQL server",
    shown: str = "",
) -> Response:
    """The server's response to one request (2xx), open for reading; RemoteError otherwise.

    `what` names the server in messages ("the SPARQL server", "the graph store"), followed
    by `shown` (default: "at URL").
    """
    where = shown or f"at {url}"
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers))
    try:
        response = urllib.request.urlopen(request, timeout=timeout)  # http(s) only: the URL is checked
    except urllib.error.HTTPError as exc:
        with exc:
            message = server_message(exc.read(64 * 1024), exc.headers.get_content_charset() or "utf-8")
        status = f"HTTP {exc.code} {exc.reason}".strip()
        error = RemoteError(f"{what} {where} answered {status}" + (f": {message}" if message else ""))
        error.status, error.detail = exc.code, message  # for callers that treat a status apart (400)
        raise error from None
    except urllib.error.URLError as exc:
        raise RemoteError(f"cannot reach {what} {where}: {_reason(exc.reason)}") from None
    except TimeoutError:
        raise RemoteError(f"{what} {where} did not answer within {timeout:g} s") from None
    except OSError as exc:  # a connection reset while sending the body, for one
        raise RemoteError(f"the connection to {what} {where} failed: {_reason(exc)}") from None
    return response  # urlopen gives an HTTPResponse for http(s) URLs


def server_message(data: bytes, charset: str = "utf-8") -> str:
    """A server's error body as one short line: tags and runs of spaces squeezed out."""
    text = data.decode(charset, errors="replace")
    text = _SPACE.sub(" ", _TAG.sub(" ", text)).strip()
    return text if len(text) <= MESSAGE_CHARS else text[: MESSAGE_CHARS - 3] + "..."


def _reason(reason: object) -> str:
    """Why a connection failed, in words (connection refused, unknown host ...)."""
    if isinstance(reason, socket.gaierror):
        return f"unknown host ({reason.strerror or reason})"
    if isinstance(reason, TimeoutError):
        return "no answer in time"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__
