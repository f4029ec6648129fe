"""What a file really holds, whatever its name says, and how its text is encoded.

Transcripts arrive misnamed: an old ``.doc`` renamed ``.docx``, an encrypted Word file (an OLE
container), a PDF saved as ``.txt``. :func:`sniff` looks at the first bytes; :func:`zip_kind`
looks inside a zip archive; :func:`decode_text` finds a text file's encoding (UTF-8 with or
without a byte-order mark, UTF-16, Windows-1252) and refuses binary data.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from typing import Literal

from qualcode.errors import InvalidImport

Kind = Literal["empty", "zip", "ole", "pdf", "rtf", "text"]
ZipKind = Literal["docx", "odt", "damaged", "other"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
BINARY = "binary data, not text"

# C0 controls other than tab, newlines, form feed and the DOS end-of-file mark
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f]")
_SAMPLE = 4096


def sniff(data: bytes) -> Kind:
    """The kind of content from the magic numbers at the start of ``data``."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not data.strip():
        return "empty"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    return "text"


def zip_kind(data: bytes) -> ZipKind:
    """``docx`` or ``odt`` for a word-processor document, else ``other`` or ``damaged``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if (
                "word/document.xml" in names
                or "[Content_Types].xml" in names
                and any(name.startswith("word/") for name in names)
            ):
                return "docx"
            if "content.xml" in names and (
                "mimetype" not in names or archive.read("mimetype").strip() == ODT_MIMETYPE
            ):
                return "odt"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError,
            NotImplementedError, RuntimeError):  # fmt: skip
        return "damaged"
    return "other"


def _utf16_without_bom(sample: bytes) -> str | None:
    even, odd = sample[0::2], sample[1::2]
    if not even or not odd:
        return None
    even_zeros, odd_zeros = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_zeros > 0.3 and even_zeros < 0.05:
        return "utf-16-le"
    if even_zeros > 0.3 and odd_zeros < 0.05:
        return "utf-16-be"
    return None


def _decode(data: bytes, encoding: str, skip: int = 0) -> str:
    try:
        return data[skip:].decode(encoding)
    except UnicodeDecodeError as error:
        raise InvalidImport(
            f"not valid {encoding.upper()} text (byte {error.start + skip})"
        ) from None


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a text file; return ``(text, encoding)``. Binary data raises ``InvalidImport``.

    The encoding is named as Python names it: ``utf-8``, ``utf-8-sig`` (with a byte-order
    mark), ``utf-16-le``, ``utf-16-be``, ``windows-1252`` or, for bytes Windows-1252 leaves
    undefined, ``iso-8859-1``.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = _decode(data, "utf-8", 3), "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        text = _decode(data, encoding, 2)
    elif b"\x00" in data[:_SAMPLE]:
        detected = _utf16_without_bom(data[:_SAMPLE])
        if detected is None:
            raise InvalidImport(BINARY)
        text, encoding = _decode(data, detected), detected
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1252"), "windows-1252"
            except UnicodeDecodeError:
                text, encoding = data.decode("latin-1"), "iso-8859-1"
    controls = len(_CONTROL.findall(text))
    if controls and controls > len(text) // 200:
        raise InvalidImport(BINARY)
    return text, encoding
