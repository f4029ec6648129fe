"""Content sniffing and text decoding."""

from __future__ import annotations

import io
import zipfile

import pytest

from qualcode.errors import InvalidImport
from qualcode.ingest.sniff import OLE_MAGIC, decode_text, sniff, zip_kind


def _zip(**files: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name.replace("__", "/"), content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", "empty"),
        (b" \r\n\t", "empty"),
        (b"PK\x03\x04rest", "zip"),
        (OLE_MAGIC + b"rest", "ole"),
        (b"%PDF-1.7\n", "pdf"),
        (b"\xef\xbb\xbf{\\rtf1\\ansi}", "rtf"),
        (b"Interviewer: hello", "text"),
    ],
)
def test_sniff_kinds(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


def test_sniff_zip_kinds() -> None:
    assert zip_kind(_zip(**{"word__document.xml": "<w/>"})) == "docx"
    odt = {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}
    assert zip_kind(_zip(**odt)) == "odt"
    sheet = {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}
    assert zip_kind(_zip(**sheet)) == "other"
    assert zip_kind(b"PK\x03\x04" + b"\x00" * 30) == "damaged"


def test_sniff_decode_text_encodings() -> None:
    text = "Interviewer: naïve – “quoted” €5"
    assert decode_text(text.encode("utf-8")) == (text, "utf-8")
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")
    assert decode_text(b"\xff\xfe" + text.encode("utf-16-le")) == (text, "utf-16-le")
    assert decode_text(b"\xfe\xff" + text.encode("utf-16-be")) == (text, "utf-16-be")
    assert decode_text(text.encode("utf-16-be")) == (text, "utf-16-be")
    assert decode_text(text.encode("cp1252")) == (text, "windows-1252")
    assert decode_text(b"caf\xe9 \x81") == ("café \x81", "iso-8859-1")


def test_sniff_decode_text_refuses_binary_and_bad_utf16() -> None:
    with pytest.raises(InvalidImport, match="^binary data, not text$"):
        decode_text(bytes(range(256)))
    with pytest.raises(InvalidImport, match="^binary data, not text$"):
        decode_text(b"\x01\x02\x03\x04abc")
    with pytest.raises(InvalidImport, match="not valid UTF-16-LE text"):
        decode_text(b"\xff\xfe\x00\xd8a")
    assert decode_text(b"a stray bell in a long enough text " * 10 + b"\x07")[1] == "utf-8"
