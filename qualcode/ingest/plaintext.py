"""Plain-text (``.txt``) and Markdown (``.md``) transcripts.

Each line is a paragraph, except in hard-wrapped files (lines broken at a fixed width, a
blank line between paragraphs), where the lines of a paragraph are joined again; a line that
starts with a speaker label always starts a paragraph. Transcription services' text exports
(Otter.ai, Teams, Rev) are plain text too; :mod:`qualcode.ingest.paragraphs` reads their
layouts. In Markdown, a label in emphasis (``**Interviewer:**``, ``**Jane Smith**``) is
unwrapped; the rest of the markup is kept as written.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from qualcode.ingest.paragraphs import Paragraph, transcript_from_paragraphs
from qualcode.text.normalize import normalize_text
from qualcode.text.speakers import detect_label, plausible_name
from qualcode.text.transcript import Transcript

_MD_LABEL = re.compile(
    r"^(?P<mark>\*\*|__|\*|_)(?P<name>[^*_:]{1,60}?)(?P<c1>:?)(?P=mark)(?P<c2>:?)\s*"
)
_WRAP_WIDTH = 100  # a file whose lines are all shorter may be hard-wrapped
_WRAP_SLACK = 25  # a wrapped line fills its width to within this many characters


def _markdown_paragraph(line: str) -> Paragraph:
    match = _MD_LABEL.match(line.lstrip())
    if match is None or not plausible_name(match["name"].strip()):
        return Paragraph(line)
    name, rest = match["name"].strip(), line.lstrip()[match.end() :]
    if match["c1"] or match["c2"]:
        return Paragraph(f"{name}: {rest}")
    return Paragraph(f"{name} {rest}", bold_prefix=len(name))


def _hard_wrapped(lines: list[str]) -> bool:
    lengths = [len(line) for line in lines if line.strip()]
    if len(lengths) < 4 or not 40 <= max(lengths) <= _WRAP_WIDTH:
        return False
    width = max(lengths)
    followed = [a for a, b in zip(lines, lines[1:], strict=False) if a.strip() and b.strip()]
    full = [a for a in followed if len(a) >= width - _WRAP_SLACK]
    return len(followed) >= 0.3 * len(lengths) and len(full) >= 0.7 * len(followed)


def _unwrap(lines: list[str]) -> list[str]:
    joined: list[str] = []
    can_join = False  # the previous line is text that may continue on this one
    for line in lines:
        stripped = " ".join(line.split())
        label = detect_label(stripped) if stripped else None
        if can_join and stripped and label is None:
            joined[-1] = f"{joined[-1]} {stripped}"
        elif stripped:
            joined.append(stripped)
        can_join = bool(stripped) and not (label is not None and label.heading)
    return joined


def read_plaintext(
    text: str,
    *,
    encoding: str | None = None,
    source_type: str = "txt",
    interviewer_labels: Collection[str] = (),
) -> Transcript:
    """Read decoded text (``source_type`` ``txt`` or ``md``) into a :class:`Transcript`."""
    lines = normalize_text(text).split("\n")
    if _hard_wrapped(lines):
        lines = _unwrap(lines)
    if source_type == "md":
        paragraphs = [_markdown_paragraph(line) for line in lines]
    else:
        paragraphs = [Paragraph(line) for line in lines]
    return transcript_from_paragraphs(
        paragraphs,
        source_type=source_type,
        interviewer_labels=interviewer_labels,
        encoding=encoding,
    )
