"""Transcript files to :class:`~qualcode.text.transcript.Transcript` values: no database here.

:func:`read_transcript` reads a file from disk, :func:`read_transcript_bytes` an upload. The
reader is chosen by the file's suffix, but the content decides when they disagree: an old
``.doc`` or encrypted file renamed ``.docx`` is refused with that reason, a PDF named ``.txt``
is read as a PDF (with a warning), WebVTT captions in a ``.txt`` file as captions. Every
refusal is an :class:`~qualcode.errors.InvalidImport` naming the file and the reason.
:func:`discover` expands folders; :mod:`qualcode.ingest.batch` reads many files in parallel.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from qualcode.errors import InvalidImport
from qualcode.ingest.discover import SUPPORTED_SUFFIXES, discover
from qualcode.ingest.sniff import BINARY, decode_text, sniff, zip_kind
from qualcode.text.transcript import Transcript

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED_SUFFIXES",
    "discover",
    "read_transcript",
    "read_transcript_bytes",
]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
_MB = 1024 * 1024
_TEXT_SUFFIXES = frozenset({".txt", ".md", ".vtt", ".srt"})
_NOT_A = {
    ".docx": "not a Word .docx file",
    ".odt": "not an OpenDocument .odt file",
    ".pdf": "not a PDF file",
    ".rtf": "not an RTF file",
}
_HOLDS = {
    "docx": "a Word document",
    "odt": "an OpenDocument text",
    "pdf": "a PDF",
    "rtf": "an RTF document",
    "vtt": "WebVTT captions",
    "srt": "SubRip captions",
}
_SRT_START = re.compile(r"^\s*\d+\s*\n\s*(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}\s*-->")


def _size(count: int) -> str:
    """``61.2 MB``, ``50 MB``, ``12 KB``, ``300 bytes``."""
    for unit, scale in (("MB", _MB), ("KB", 1024)):
        if count >= scale // 10:
            return f"{count / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise InvalidImport(f"file is {_size(size)}, over the {_size(max_bytes)} limit")


def _binary_format(suffix: str, data: bytes) -> str:
    """The format of a file by its content; the suffix only words the refusals."""
    kind = sniff(data)
    if kind == "empty":
        raise InvalidImport("the file is empty")
    if kind in ("pdf", "rtf"):
        return kind
    if kind == "text":
        if suffix in _NOT_A:
            raise InvalidImport(f"{_NOT_A[suffix]} (it holds plain text)")
        return suffix[1:]
    if suffix in _TEXT_SUFFIXES:
        raise InvalidImport(BINARY)
    if kind == "ole":
        raise InvalidImport(f"{_NOT_A[suffix]} (looks like an old .doc or an encrypted document)")
    inner = zip_kind(data)
    if inner in ("docx", "odt"):
        return inner
    if inner == "damaged":
        raise InvalidImport(f"{_NOT_A[suffix]} (the zip archive is damaged)")
    what = {".docx": "word/document.xml", ".odt": "content.xml"}.get(suffix, "document")
    raise InvalidImport(f"{_NOT_A[suffix]} (the zip archive has no {what})")


def _text_format(fmt: str, text: str) -> str:
    """Captions saved as ``.txt`` or ``.md`` are read as captions."""
    if fmt in ("txt", "md"):
        if text.lstrip("\ufeff \t\r\n").startswith("WEBVTT"):
            return "vtt"
        if _SRT_START.match(text.replace("\r\n", "\n")):
            return "srt"
    return fmt


def _parse(suffix: str, data: bytes, interviewer_labels: Collection[str]) -> Transcript:
    fmt = _binary_format(suffix, data)
    warnings: list[str] = []
    if fmt == "docx":
        from qualcode.ingest.docx import read_docx

        transcript = read_docx(data, interviewer_labels=interviewer_labels)
    elif fmt == "odt":
        from qualcode.ingest.odt import read_odt

        transcript = read_odt(data, interviewer_labels=interviewer_labels)
    elif fmt == "rtf":
        from qualcode.ingest.rtf import read_rtf

        transcript = read_rtf(data, interviewer_labels=interviewer_labels)
    elif fmt == "pdf":
        from qualcode.ingest.pdf import read_pdf

        transcript = read_pdf(data, interviewer_labels=interviewer_labels)
    else:
        text, encoding = decode_text(data)
        fmt = _text_format(fmt, text)
        if fmt in ("vtt", "srt"):
            from qualcode.ingest.subtitles import read_subtitles

            transcript = read_subtitles(
                text, encoding=encoding, source_type=fmt, interviewer_labels=interviewer_labels
            )
        else:
            from qualcode.ingest.plaintext import read_plaintext

            transcript = read_plaintext(
                text, encoding=encoding, source_type=fmt, interviewer_labels=interviewer_labels
            )
    if fmt != suffix[1:]:
        warnings.append(f"the file is named {suffix} but holds {_HOLDS[fmt]}; read as .{fmt}")
    if not transcript.text.strip():
        raise InvalidImport("the document holds no text")
    transcript.warnings[:0] = warnings
    return transcript


def _read(
    name: str, data: bytes, max_bytes: int, interviewer_labels: Collection[str]
) -> Transcript:
    path = Path(name)
    suffix = path.suffix.lower()
    try:
        _check_size(len(data), max_bytes)
        transcript = _parse(suffix, data, interviewer_labels)
    except InvalidImport as error:
        raise InvalidImport(error.reason, path=name, location=error.location) from None
    transcript.title = transcript.title or path.stem
    return transcript


def _check_suffix(name: str) -> None:
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"'{suffix}'" if suffix else "without a suffix"
        raise InvalidImport(
            f"unsupported file type {shown} (supported: {', '.join(SUPPORTED_SUFFIXES)})",
            path=name,
        )


def read_transcript(
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    interviewer_labels: Collection[str] = (),
) -> Transcript:
    """Read a transcript file (any of :data:`SUPPORTED_SUFFIXES`).

    The size cap is checked before reading. ``interviewer_labels`` names the project's own
    interviewer labels, on top of Interviewer, INT, I, Q, Moderator and Facilitator.
    """
    name = str(path)
    _check_suffix(name)
    try:
        _check_size(path.stat().st_size, max_bytes)
        data = path.read_bytes()
    except InvalidImport as error:
        raise InvalidImport(error.reason, path=name) from None
    except FileNotFoundError:
        raise InvalidImport("no such file", path=name) from None
    except IsADirectoryError:
        raise InvalidImport("is a folder, not a file", path=name) from None
    except OSError as error:
        raise InvalidImport(f"cannot be read ({error.strerror})", path=name) from None
    return _read(name, data, max_bytes, interviewer_labels)


def read_transcript_bytes(
    name: str,
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    interviewer_labels: Collection[str] = (),
) -> Transcript:
    """Read an uploaded transcript; ``name`` (the uploaded file name) gives its suffix."""
    _check_suffix(name)
    return _read(name, data, max_bytes, interviewer_labels)
