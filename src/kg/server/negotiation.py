"""HTTP content negotiation: picking a format from an Accept header (or a `format` parameter).

SPARQL clients send both: SPARQLWrapper puts the media types in Accept and repeats a
short name (json, xml, csv, turtle ...) in `format`, `output` and `results`. The offers
(formats with their media types and short names) come from `kg.query.formats.FORMATS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class NotAcceptable(Exception):
    """No format on offer matches what the client asked for."""


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q values, best first (ties keep the header's order)."""
    ranges = []
    for position, part in enumerate((header or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((fields[0].lower(), quality, position))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(media, quality) for media, quality, _ in ranges if quality > 0]


def _matches(media_range: str, media_type: str) -> bool:
    if media_range in ("*/*", media_type):
        return True
    major, _, minor = media_range.partition("/")
    return minor == "*" and media_type.startswith(major + "/")


def choose(accept: str | None, offers: Mapping[str, Iterable[str]], default: str) -> str:
    """The offered format that best fits the Accept header; `default` when any will do."""
    ranges = parse_accept(accept)
    if not ranges:
        return default
    for media_range, _ in ranges:
        if media_range == "*/*":
            return default
        for name, types in offers.items():
            if any(_matches(media_range, t) for t in types):
                return name
    raise NotAcceptable(accept)


def by_name(
    values: Iterable[str], names: Mapping[str, Iterable[str]], types: Mapping[str, Iterable[str]]
) -> str:
    """The format a `format` parameter names (one of its short `names` or media `types`, by format)."""
    for value in values:
        wanted = value.strip().lower().split(";")[0]
        for name in names:
            if wanted in names[name] or wanted in types[name]:
                return name
    raise NotAcceptable(", ".join(values))
