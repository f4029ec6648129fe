"""Word search with keyword-in-context (pure: strings in, matches out).

A search is a few terms, each a word or a ``"quoted phrase"``; a passage matches when it
holds every term. Terms match whole words, ignoring case; a trailing ``*`` matches any word
ending (``negotiat*``), and the words of a phrase may be separated by spaces or hyphens
(``"pump priming"`` finds "pump-priming").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qualcode.reports.evidence import Kwic

_TERM = re.compile(r'"([^"]*)"|(\S+)')
_SEPARATOR = re.compile(r"[\s\-‐–]+")
WIDTH = 60


def parse_terms(text: str) -> list[re.Pattern[str]]:
    """One compiled pattern per term of ``text`` (empty for blank text)."""
    patterns = []
    for match in _TERM.finditer(text or ""):
        phrase = match.group(1) if match.group(1) is not None else match.group(2)
        words = [
            w for w in (w.strip(".,;:!?()[]'") for w in _SEPARATOR.split(phrase)) if w.strip("*")
        ]
        if not words:
            continue
        parts = [re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "") for w in words]
        patterns.append(
            re.compile(r"(?<!\w)" + _SEPARATOR.pattern.join(parts) + r"(?!\w)", re.IGNORECASE)
        )
    return patterns


def matches(text: str, terms: Sequence[re.Pattern[str]]) -> list[tuple[int, int]] | None:
    """Spans of every term's occurrences in ``text`` (sorted), or ``None`` if a term is
    missing."""
    spans: list[tuple[int, int]] = []
    for term in terms:
        found = [m.span() for m in term.finditer(text)]
        if not found:
            return None
        spans.extend(found)
    return sorted(set(spans))


def kwic(text: str, start: int, end: int, *, width: int = WIDTH, offset: int = 0) -> Kwic:
    """The match ``text[start:end]`` with up to ``width`` characters either side, cut at word
    boundaries and on one line; ``offset`` is added to the reported positions (for a text that
    is itself a slice of the document)."""
    begin, stop = max(0, start - width), min(len(text), end + width)
    left, right = text[begin:start], text[end:stop]
    if begin > 0 and text[begin - 1].isalnum() and " " in left:  # a cut word: drop it
        left = left[left.index(" ") + 1 :]
    if stop < len(text) and text[stop].isalnum() and " " in right:
        right = right[: right.rindex(" ")]
    return Kwic(
        " ".join(left.split()) + (" " if left[-1:].isspace() else ""),
        text[start:end],
        (" " if right[:1].isspace() else "") + " ".join(right.split()),
        start + offset,
        end + offset,
    )


def kwic_all(
    text: str, spans: Sequence[tuple[int, int]], *, offset: int = 0, width: int = WIDTH
) -> list[Kwic]:
    return [kwic(text, a, b, offset=offset, width=width) for a, b in spans]
