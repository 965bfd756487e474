"""The Markdown documentation: its relative links work in a fresh clone, and the code cites
the document-model contract where it lives (docs/document-model.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT

CONTRACT = ROOT / "docs" / "document-model.md"
DOCUMENTS = [ROOT / "README.md", ROOT / "notebooks" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
# [text](target "title"), ![alt](target), [text](<target>), and [label]: target definitions.
_INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+[\"'(][^)]*)?\s*\)")
_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)", re.M)


def links(text: str) -> list[str]:
    """The link targets of a Markdown text, outside code blocks and code spans."""
    text = _FENCE.sub("", text)
    text = _CODE_SPAN.sub(lambda m: "code" if "\n" not in m.group(2) else m.group(0), text)
    targets = _INLINE.findall(text) + _DEFINITION.findall(text)
    return [t[1:-1] if t.startswith("<") else t for t in targets]


def relative(target: str) -> bool:
    return not re.match(r"[a-z][a-z0-9+.-]*:", target, re.I) and not target.startswith(("#", "//"))


def test_links_are_found_in_markdown_and_not_in_code():
    text = (
        'See [the model](docs/document-model.md#document) and ![a figure](<figures/a b.png> "title").\n'
        "[`code`](src/kg/api.py), [web](https://example.org), [anchor](#layout), `[no](link.md)`\n"
        "```\n[not](a-link.md)\n```\n[label]: ontology/kg.ttl\n"
    )
    assert links(text) == [
        "docs/document-model.md#document",
        "figures/a b.png",
        "src/kg/api.py",
        "https://example.org",
        "#layout",
        "ontology/kg.ttl",
    ]
    assert [t for t in links(text) if relative(t)] == [
        "docs/document-model.md#document",
        "figures/a b.png",
        "src/kg/api.py",
        "ontology/kg.ttl",
    ]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_at_a_file_in_the_repository(document):
    targets = [t for t in links(document.read_text(encoding="utf-8")) if relative(t)]
    broken = []
    for target in targets:
        file_part = target.split("#", 1)[0].split("?", 1)[0]
        path = (document.parent / file_part).resolve()
        if not path.is_relative_to(ROOT) or not path.exists():
            broken.append(target)
    assert not broken, f"{document.name}: links to nothing in the repository: {broken}"


def test_the_contract_is_in_the_repository_and_cited_there():
    assert CONTRACT.is_file()
    assert "docs/document-model.md" in (ROOT / "src" / "kg" / "parse" / "model.py").read_text(
        encoding="utf-8"
    )
    assert "](docs/document-model.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
    # Every mention of the contract, anywhere in the code, tests or documentation, names this file.
    mentions = {}
    files = [*DOCUMENTS, *(ROOT / "src").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]
    for path in [f for f in files if f != Path(__file__)]:
        for mention in re.findall(r"[\w./-]*document-model[\w.-]*", path.read_text(encoding="utf-8")):
            mentions.setdefault(mention, []).append(str(path.relative_to(ROOT)))
    assert set(mentions) == {"docs/document-model.md"}, mentions
