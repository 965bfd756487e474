"""The format of a file comes from its content, never its name; a file no reader takes is named
in one line."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from kg.errors import ParseError
from kg.parse.formats import DOCX, HTML, ODT, PDF, TEXT, detect_format

SEED = Path("data/raw/BAS1499-003.txt")


def zipped(entries: dict[str, bytes]) -> bytes:
    """A zip of these entries, the same bytes at any time: the bytes name parametrized tests, and
    xdist's workers must collect the same names (the current time in a header would differ)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n...", PDF),
        (b"\x00junk before the header %PDF-1.4\n", PDF),
        (zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}), ODT),
        (
            zipped({"[Content_Types].xml": b'<Types ContentType="...wordprocessingml.document.main+xml"/>'}),
            DOCX,
        ),
        (b"<!DOCTYPE html><html><body><table></table></body></html>", HTML),
        (b"\xef\xbb\xbf\n  <!-- saved page -->\n<html lang='zh-Hant'>", HTML),
        (b"<table><tr><td>x</td></tr></table>", HTML),
        (SEED.read_bytes(), TEXT),
        # a text source whose cells hold HTML fragments is still text
        ("\n職能單元代碼\tX\n工作任務\t<p>一、任務</p>".encode(), TEXT),
    ],
)
def test_the_format_comes_from_the_content(data: bytes, expected: object) -> None:
    assert detect_format(data, "f") is expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            zipped({"notes.txt": b"hello"}),
            "f: is a zip archive but no ODT or DOCX document (it has no ODF mimetype or Word content types)",
        ),
        (
            zipped({"mimetype": b"application/vnd.oasis.opendocument.text"})[:40],
            "f: is a damaged or truncated zip",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
            "f: is a legacy Word (.doc) or password-protected",
        ),
    ],
)
def test_files_no_reader_takes_are_named(data: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        detect_format(data, "f")
    assert str(caught.value).startswith(message)


def test_a_file_named_like_another_format_is_read_by_its_content(tmp_path: Path) -> None:
    from kg.parse import parse_file

    misnamed = tmp_path / "standard.pdf"
    misnamed.write_bytes(SEED.read_bytes())
    assert parse_file(misnamed).code == "BAS1499-003"


def test_folders_are_searched_for_every_format(tmp_path: Path) -> None:
    from kg.parse import discover

    for name in ("a.txt", "b.PDF", "c.odt", "d.docx", "e.html", "f.htm", "g.png", "h.doc"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in discover([tmp_path])] == ["a.txt", "b.PDF", "c.odt", "d.docx", "e.html", "f.htm"]
