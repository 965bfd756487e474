"""The named queries shipped in `ontology/queries/`: one SPARQL file each, titled by its first comment
(and in Chinese by a `# zh: …` comment line)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError
from kg.graph.ontology import QUERIES_FOLDER, ontology_dir
from kg.query.errors import QueryError

# One word (letters, digits, - _ .), which no SPARQL query is: it needs a space, { or <.
_NAME_LIKE = re.compile(r"[\w.-]+")


@dataclass(frozen=True)
class NamedQuery:
    name: str  # the file name without .rq
    title: str  # the file's first comment line
    description: str  # the comment lines after it
    text: str
    title_zh: str = ""  # a comment line "zh: …": the title in Traditional Chinese

    @classmethod
    def read(cls, path: Path) -> NamedQuery:
        text = path.read_text(encoding="utf-8")
        comments = []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            comments.append(line.lstrip("#").strip())
        title = comments[0] if comments else path.stem
        chinese = [c for c in comments[1:] if c.startswith("zh:")]
        described = " ".join(c for c in comments[1:] if c and not c.startswith("zh:"))
        title_zh = chinese[0].removeprefix("zh:").strip() if chinese else ""
        return cls(path.stem, title, described, text, title_zh)


def named_queries() -> dict[str, NamedQuery]:
    """Every named query, by name, in name order."""
    folder = ontology_dir() / QUERIES_FOLDER
    return {path.stem: NamedQuery.read(path) for path in sorted(folder.glob("*.rq"))}


def named_query(name: str) -> NamedQuery:
    """One named query; a clear error listing the names when it does not exist."""
    queries = named_queries()
    if name not in queries:
        raise KgError(f"no named query {name!r}; the named queries are: {', '.join(queries)}")
    return queries[name]


def resolve(text: str) -> str:
    """The SPARQL text to run for `text`: a named query's own text when `text` is its name,
    else `text` itself. A single word that names no query is an error listing the names."""
    name = text.strip()
    queries = named_queries()
    if name in queries:
        return queries[name].text
    if _NAME_LIKE.fullmatch(name):
        names = ", ".join(queries)
        raise QueryError(
            f"{name!r} is neither a SPARQL query nor a named query; the named queries are: {names}"
        )
    return text
