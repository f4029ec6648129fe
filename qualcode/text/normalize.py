"""Canonical text: the normalisation every document's text goes through once, at import.

DESIGN.md's text model: Unicode NFC, ``\\n`` line endings, no byte-order mark, no control
characters other than ``\\n`` and ``\\t``, no trailing whitespace on a line. Offsets into the
text are only stable because this runs before anything is measured.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Characters that end a line in other conventions (Python's str.splitlines honours them all).
_LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_KEEP = {ord("\n"), ord("\t")}
_TRANSLATION: dict[int, str | None] = {
    **{code: None for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)] if code not in _KEEP},
    **{ord(ch): "\n" for ch in _LINE_BREAKS},
    0xFEFF: None,  # byte-order mark, or a zero-width no-break space left by concatenation
}
_SINGLE_LINE = {**_TRANSLATION, ord("\r"): "\n"}  # every line break is whitespace there
_WORD = re.compile(r"\w+(?:['’.\-]\w+)*")


def normalize_text(s: str) -> str:
    """``s`` in canonical form: NFC, ``\\n`` newlines, no BOM, controls or trailing spaces."""
    s = s.replace("\r\n", "\n").replace("\r", "\n").translate(_TRANSLATION)
    if not s.isascii() and not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    if s.isascii() and " \n" not in s and "\t\n" not in s and s[-1:] not in (" ", "\t"):
        return s  # no trailing whitespace anywhere: skip the per-line pass
    return "\n".join(line.rstrip() for line in s.split("\n"))


def single_line(s: str) -> str:
    """``s`` in canonical form on one line: every run of whitespace (newlines too) one space."""
    tidy = s.isprintable() and "  " not in s and s[:1] != " " and s[-1:] != " "
    if tidy and (s.isascii() or unicodedata.is_normalized("NFC", s)):
        return s  # already canonical: the common case, tested without copying
    s = s.translate(_SINGLE_LINE)
    if not s.isascii() and not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    return " ".join(s.split())


def text_hash(s: str) -> str:
    """SHA-256 (hex) of the UTF-8 encoding of ``s``: the identity of a document's text."""
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def word_count(s: str) -> int:
    """Number of words: runs of letters or digits, with inner apostrophes, hyphens or dots.

    ``"don't"``, ``"well-being"`` and ``"2.5"`` are one word each; a dash or a lone
    punctuation mark is none.
    """
    return len(_WORD.findall(s))
