"""The FastAPI application: `create_app(settings)` wires the routes, the worker pool and the errors."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from kg.errors import KgError
from kg.knowledge_graph import KnowledgeGraph
from kg.server import api, browse_page, cover_page, errors, linked_data, overlap_page, pages, sparql
from kg.server.templating import STATIC
from kg.server.workers import start_workers
from kg.settings import Settings

# Threads that may wait on the query workers at once; apart from the pool of threads that
# serves pages and searches, so waiting queries never hold those up.
QUERY_THREADS = 32


def _warm_up(graph: KnowledgeGraph) -> None:
    """Load the live build's documents, index and model now, so the first search is quick."""
    with contextlib.suppress(KgError):  # no build yet: the pages will say so
        graph.warm_up()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web app over the live build of `settings.build_dir`; its workers start with the app."""
    settings = settings or Settings.load()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(start_workers, app.state.graph)  # ready before the first request
        await anyio.to_thread.run_sync(_warm_up, app.state.graph)
        try:
            yield
        finally:
            app.state.graph.close()

    app = FastAPI(
        title="kg",
        summary="iCAP 職能基準與職能單元知識圖譜 · knowledge graph of iCAP competency documents",
        lifespan=lifespan,
        docs_url=None,  # the Swagger and ReDoc pages load their scripts from a CDN: offline, no
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.graph = KnowledgeGraph(settings)
    app.state.query_limiter = anyio.CapacityLimiter(QUERY_THREADS)
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(sparql.router)
    app.include_router(pages.router)
    app.include_router(overlap_page.router)
    app.include_router(cover_page.router)
    app.include_router(browse_page.router)
    app.include_router(linked_data.router)  # last: it answers any other path under the base IRI
    return app
