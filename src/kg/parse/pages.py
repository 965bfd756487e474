"""Pages for documents read from a paginated format (PDF).

The parsers count lines of the shared table model; a PDF's reader knows the page of each
line. Here every item gets the page its line is on, and errors and warnings name the
page rather than a line of text the user never saw.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from kg.errors import ParseError
from kg.parse.layout import Layout
from kg.parse.model import Document


class Pages:
    """The page of each line of one layout (no pages: an unpaginated format, nothing changes)."""

    def __init__(self, layout: Layout, source: str) -> None:
        self.layout = layout
        self.source = source
        self._warning = re.compile(rf"^{re.escape(source)}:(\d+): ")

    @property
    def paginated(self) -> bool:
        return bool(self.layout.pages)

    def warnings(self, warnings: list[str]) -> list[str]:
        """`file:LINE: …` warnings as `file: page P: …`."""
        if not self.paginated:
            return warnings
        return [self._warning.sub(self._page_prefix, warning) for warning in warnings]

    def _page_prefix(self, match: re.Match[str]) -> str:
        page = self.layout.page_of(int(match.group(1)))
        return f"{self.source}: page {page}: " if page else f"{self.source}: "

    def error(self, error: ParseError) -> ParseError:
        if not self.paginated or error.page is not None or error.path != self.source:
            return error
        page = self.layout.page_of(error.line) if error.line else None
        return ParseError(self.source, error.reason, page=page)

    def place(self, document: Document) -> None:
        """Give the document and each of its items the page its line is on."""
        if not self.paginated:
            return
        document.page = self.layout.page_of(document.line)
        for ref in document.iter_items():
            ref.record.page = self.layout.page_of(ref.record.line)
        for version in document.versions:
            version.page = self.layout.page_of(version.line)


@contextmanager
def on_pages(layout: Layout, source: str) -> Iterator[Pages]:
    """Parse inside this: a ParseError at a line of a paginated layout names its page instead."""
    pages = Pages(layout, source)
    try:
        yield pages
    except ParseError as error:
        raised = pages.error(error)
        if raised is error:
            raise
        raise raised from None
