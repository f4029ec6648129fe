"""Rich Text Format (``.rtf``) transcripts, converted to text with striprtf.

Each RTF paragraph (``\\par``) or line break (``\\line``) is a paragraph. Escaped characters
are decoded with the code page the file declares (``\\ansicpg``, Windows-1252 by default);
``\\u`` escapes are Unicode. Formatting is lost, so a speaker named in bold without a colon is
not recognised in RTF (labels with a colon or a dash are).
"""

from __future__ import annotations

import codecs
import re
import warnings
from collections.abc import Collection

from striprtf.striprtf import rtf_to_text

from qualcode.errors import InvalidImport
from qualcode.ingest.paragraphs import Paragraph, transcript_from_paragraphs
from qualcode.text.normalize import normalize_text
from qualcode.text.transcript import Transcript

_CODE_PAGE = re.compile(rb"\\ansicpg(\d{3,5})")


def _code_page(data: bytes) -> str:
    match = _CODE_PAGE.search(data[:4096])
    if match:
        name = f"cp{int(match[1])}"
        try:
            codecs.lookup(name)
        except LookupError:
            return "cp1252"
        return name
    return "cp1252"


def read_rtf(data: bytes, *, interviewer_labels: Collection[str] = ()) -> Transcript:
    """Read an ``.rtf`` file's bytes into a :class:`Transcript`."""
    encoding = _code_page(data)
    source = data.decode(encoding, errors="replace")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text: str = rtf_to_text(  # type: ignore[no-untyped-call]
                source, encoding=encoding, errors="replace"
            )
    except (ValueError, IndexError, KeyError, LookupError) as error:
        raise InvalidImport(f"not a readable RTF file ({error})") from None
    lines = normalize_text(text).split("\n")
    if not any(line.strip() for line in lines):
        raise InvalidImport("the RTF file holds no text")
    return transcript_from_paragraphs(
        (Paragraph(line) for line in lines),
        source_type="rtf",
        interviewer_labels=interviewer_labels,
        encoding=encoding,
    )
