"""Paragraphs to speaker turns: the segmentation every document reader shares.

Readers (Word, OpenDocument, RTF, PDF, plain text) reduce a file to :class:`Paragraph` values
in reading order; :func:`transcript_from_paragraphs` finds the speaker labels
(:mod:`qualcode.text.speakers`) and lays out the canonical text. This is also where the
transcription services' text exports are understood: Otter.ai (``Name  00:13`` on its own line,
then the words), Microsoft Teams (``Name   0:03``) and Rev (``Speaker 1 (00:01):`` with the
words on the same or the following line), and inline timestamps such as ``[00:12:34]`` or
f4's ``#00:12:34-5#``.

Rules (the documented decisions):

- A paragraph that starts with a speaker label starts a turn, written ``Name: words`` (one
  spelling per speaker: ``INTERVIEWER:`` after ``Interviewer:`` is written ``Interviewer:``).
- A label alone on its line (a heading, e.g. Otter's ``Jane Smith  00:13``) names the speaker
  of the paragraphs that follow; the first of them is written with the ``Name: `` prefix.
- A paragraph without a label is a new turn of the same speaker, on its own line and without
  a prefix (so a re-read of the text attributes it the same way).
- Inline timestamps are taken out of the words; the first one becomes the turn's timestamp
  unless the label carried one. A paragraph holding only a timestamp dates the next turn.
- If no speaker is found the document is one speaker: a turn per paragraph, speaker ``None``,
  and a warning.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from qualcode.text.normalize import single_line
from qualcode.text.speakers import Label, confirmed_speakers, detect_label, strip_timestamps
from qualcode.text.transcript import Transcript, TurnDraft, build_transcript

NO_SPEAKERS_WARNING = "no speaker labels found: imported as one speaker, a turn per paragraph"


@dataclass(slots=True)
class Paragraph:
    """One paragraph of a document, in reading order.

    ``bold_prefix`` is the length of leading bold text (a speaker named in bold). A reader
    that knows the speaker from the layout (a transcript table) sets ``speaker``, or
    ``continues`` for a further paragraph of the same turn; such paragraphs are not searched
    for labels.
    """

    text: str
    bold_prefix: int = 0
    speaker: str | None = None
    timestamp: float | None = None
    continues: bool = False


def _single_spaced(paragraph: Paragraph) -> tuple[str, int]:
    text = single_line(paragraph.text)
    if not paragraph.bold_prefix or not text:
        return text, 0
    bold = single_line(paragraph.text[: paragraph.bold_prefix])
    return text, len(bold) if text.startswith(bold) else 0


def paragraphs_from_runs(chunks: Iterable[tuple[str, bool]]) -> Iterator[Paragraph]:
    """Paragraphs from ``(text, bold)`` runs: split at ``"\\n"``, leading bold text measured."""
    text: list[str] = []
    bold_length, bold_open = 0, True
    for chunk, bold in [*chunks, ("\n", False)]:
        for index, piece in enumerate(chunk.split("\n")):
            if index:
                yield Paragraph("".join(text), bold_prefix=bold_length)
                text, bold_length, bold_open = [], 0, True
            if not piece:
                continue
            if bold_open:
                if bold or not piece.strip():
                    bold_length += len(piece)
                else:
                    bold_open = False
            text.append(piece)


def transcript_from_paragraphs(
    paragraphs: Iterable[Paragraph],
    *,
    source_type: str,
    interviewer_labels: Collection[str] = (),
    encoding: str | None = None,
    warnings: Iterable[str] = (),
) -> Transcript:
    """Find the turns in a document's paragraphs and build its :class:`Transcript`."""
    items: list[tuple[str, Label | None, Paragraph]] = []
    for paragraph in paragraphs:
        text, bold = _single_spaced(paragraph)
        if not text:
            continue
        structural = paragraph.speaker is not None or paragraph.continues
        label = None if structural else detect_label(text, bold_prefix=bold)
        items.append((text, label, paragraph))
    labels = [label for _, label, _ in items if label is not None]
    accepted = confirmed_speakers(labels, interviewer_labels)
    spelling: dict[str, str] = {}  # one speaker, one spelling: the first one written
    for label in labels:
        key = label.name.casefold()
        if key in accepted:
            spelling.setdefault(key, label.name)
    has_speakers = bool(accepted) or any(p.speaker is not None for _, _, p in items)
    drafts = _drafts(items, spelling)
    notes = list(warnings)
    if not has_speakers and drafts:
        notes.append(NO_SPEAKERS_WARNING)
    return build_transcript(
        drafts,
        source_type=source_type,
        interviewer_labels=interviewer_labels,
        encoding=encoding,
        warnings=notes,
        canonical=True,
    )


def _drafts(
    items: list[tuple[str, Label | None, Paragraph]], speakers: dict[str, str]
) -> list[TurnDraft]:
    """Turn drafts; ``speakers`` maps each confirmed label (casefolded) to its spelling."""
    drafts: list[TurnDraft] = []
    speaker: str | None = None
    stamp: float | None = None  # from a heading or a timestamp-only line, for the next turn
    fresh = False  # a heading named the speaker: the next words get the prefix
    for text, label, paragraph in items:
        words, labelled = text, False
        if paragraph.speaker is not None:
            speaker, labelled = paragraph.speaker, True
            stamp = paragraph.timestamp if paragraph.timestamp is not None else stamp
        elif paragraph.continues:
            stamp = paragraph.timestamp if paragraph.timestamp is not None else stamp
        elif label is not None and label.name.casefold() in speakers:
            speaker, words = speakers[label.name.casefold()], text[label.start :]
            stamp = label.timestamp if label.timestamp is not None else stamp
            if label.heading:
                fresh = True
                continue
            labelled = True
        words, inline = strip_timestamps(words)
        if not words:
            stamp = stamp if stamp is not None else inline
            continue
        labelled = labelled or fresh
        drafts.append(TurnDraft(words, speaker, stamp if stamp is not None else inline, labelled))
        stamp, fresh = None, False
    return drafts
