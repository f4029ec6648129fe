"""PDF transcripts, read from the text layer with pypdf.

A PDF has lines, not paragraphs. Lines are joined into paragraphs again: a blank line, a
line that starts with a speaker label, or a line after a short line ending a sentence starts
a new paragraph; lines holding only a page number (``12``, ``Page 3 of 10``) are dropped. A
PDF without a text layer (a scan) is refused with advice to run OCR first.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Collection, Iterator

from pypdf import PdfReader
from pypdf.errors import DependencyError, PdfReadError, PyPdfError

from qualcode.errors import InvalidImport
from qualcode.ingest.paragraphs import Paragraph, transcript_from_paragraphs
from qualcode.text.normalize import normalize_text
from qualcode.text.speakers import detect_label
from qualcode.text.transcript import Transcript

# pypdf logs repairs of damaged files on stderr; the reader reports problems itself.
logging.getLogger("pypdf").setLevel(logging.ERROR)

NO_TEXT_LAYER = "the PDF has no text layer (a scanned document?); run OCR first"
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
_SENTENCE_END = (".", "?", "!", '"', "”", "’", ")")
_SHORT_LINE = 0.75  # a line shorter than this share of the longest may end a paragraph


def _page_texts(data: bytes) -> list[str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise InvalidImport("the PDF is password-protected")
            return [page.extract_text() or "" for page in reader.pages]
    except DependencyError:
        raise InvalidImport("the PDF is encrypted with a method that cannot be read") from None
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise InvalidImport(f"not a readable PDF file ({error})") from None


def _paragraphs(lines: list[str]) -> Iterator[Paragraph]:
    longest = max((len(line) for line in lines), default=0)
    current: list[str] = []
    for line in [*lines, ""]:
        if _PAGE_NUMBER.match(line):
            continue
        previous = current[-1] if current else ""
        ends_short = previous.endswith(_SENTENCE_END) and len(previous) < _SHORT_LINE * longest
        if current and (not line or ends_short or detect_label(line) is not None):
            yield Paragraph(" ".join(current))
            current = []
        if line:
            current.append(line)


def read_pdf(data: bytes, *, interviewer_labels: Collection[str] = ()) -> Transcript:
    """Read a PDF file's bytes into a :class:`Transcript`."""
    pages = _page_texts(data)
    text = normalize_text("\n".join(pages))
    if not text.strip():
        raise InvalidImport(NO_TEXT_LAYER)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return transcript_from_paragraphs(
        _paragraphs(lines), source_type="pdf", interviewer_labels=interviewer_labels
    )
