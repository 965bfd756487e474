"""`kg serve`: a local web app over the live build (SPARQL endpoint, search pages, linked data).

    from kg.server import create_app, serve
    serve(Settings.load(build_dir="data/build"), port=8000)

It needs the `serve` extra (FastAPI, uvicorn, Jinja2): `pip install 'kg[serve]'`.
These are imported only here, so the rest of kg works without them.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from kg.errors import KgError
from kg.settings import Settings
from kg.store.layout import current_build

if TYPE_CHECKING:
    from fastapi import FastAPI

REQUIRED = ("fastapi", "uvicorn", "jinja2")


def require_extra() -> None:
    """A clear error when the web app's packages are not installed."""
    missing = [name for name in REQUIRED if importlib.util.find_spec(name) is None]
    if missing:
        raise KgError(
            f"the web app needs {', '.join(missing)}, which are not installed: install kg[serve] "
            "(pip install 'kg[serve]')"
        )


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI app (see `kg.server.app.create_app`)."""
    require_extra()
    from kg.server.app import create_app as make

    return make(settings)


def serve(settings: Settings | None = None) -> None:
    """Serve the live build on `settings.host`:`settings.port` until interrupted."""
    settings = settings or Settings.load()
    require_extra()
    if not settings.sparql_endpoint:  # a SPARQL server answers queries without a local build
        current_build(settings.build_dir)  # no build: fail now, not on the first request
    import uvicorn

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


__all__ = ["create_app", "require_extra", "serve"]
