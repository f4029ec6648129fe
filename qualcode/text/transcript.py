"""The transcript model every reader produces: normalised text plus speaker turns.

Readers in ``qualcode.ingest`` turn a file into a :class:`Transcript`. The text follows
DESIGN.md's text model: Unicode NFC, ``\\n`` line endings, one line per speaker turn (or
paragraph), the speaker label kept as a readable ``Name: `` prefix. Each :class:`TurnData`
span covers the spoken words only, so ``text[turn.start:turn.end]`` is exactly what was said.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from qualcode.text.normalize import single_line, word_count
from qualcode.text.speakers import Label, confirmed_speakers, detect_label, is_interviewer


@dataclass(frozen=True)
class TurnData:
    """One speaker turn: ``text[start:end]`` are the spoken words (label excluded)."""

    start: int
    end: int
    speaker: str | None = None
    timestamp: float | None = None  # seconds from the start of the recording, if known
    is_interviewer: bool = False


@dataclass
class Transcript:
    """A parsed transcript, ready to be stored as a ``Document`` with ``Turn`` rows."""

    text: str
    turns: list[TurnData] = field(default_factory=list)
    source_type: str = "txt"  # docx, txt, md, vtt, srt, odt, rtf, pdf, qdpx
    encoding: str | None = None  # detected encoding of a text file, reported to the user
    warnings: list[str] = field(default_factory=list)
    title: str | None = None
    # Counted once, where the transcript is read (a parser process in a bulk import).
    counted_words: int | None = field(default=None, repr=False, compare=False)

    @property
    def speakers(self) -> list[str]:
        seen: dict[str, None] = {}
        for turn in self.turns:
            if turn.speaker:
                seen.setdefault(turn.speaker, None)
        return list(seen)

    @property
    def word_count(self) -> int:
        if self.counted_words is None:
            self.counted_words = word_count(self.text)
        return self.counted_words


@dataclass(slots=True)
class TurnDraft:
    """A turn as a reader found it, before the canonical text is laid out."""

    words: str
    speaker: str | None = None
    timestamp: float | None = None
    labelled: bool = True  # write ``Speaker: `` before the words (False for a continuation)


def build_transcript(
    drafts: Iterable[TurnDraft],
    *,
    source_type: str,
    interviewer_labels: Collection[str] = (),
    encoding: str | None = None,
    warnings: Iterable[str] = (),
    title: str | None = None,
    canonical: bool = False,
) -> Transcript:
    """Lay drafts out as canonical text, one line per turn, and record each turn's span.

    A labelled turn is written ``Speaker: words``; a continuation (or a turn with no speaker)
    is the words alone. Words are normalised and single-spaced (``canonical=True`` says the
    caller already did it, with :func:`~qualcode.text.normalize.single_line`); empty turns
    are dropped.
    """
    lines: list[str] = []
    turns: list[TurnData] = []
    offset = 0
    names: dict[str, str | None] = {}
    roles: dict[str | None, bool] = {None: False}
    for draft in drafts:
        words = draft.words if canonical else single_line(draft.words)
        if not words:
            continue
        speaker = None
        if draft.speaker:
            if draft.speaker not in names:
                names[draft.speaker] = single_line(draft.speaker) or None
            speaker = names[draft.speaker]
        if speaker not in roles:
            roles[speaker] = is_interviewer(speaker, interviewer_labels)
        prefix = f"{speaker}: " if speaker and draft.labelled else ""
        start = offset + len(prefix)
        turns.append(TurnData(start, start + len(words), speaker, draft.timestamp, roles[speaker]))
        lines.append(prefix + words)
        offset = start + len(words) + 1
    return Transcript(
        text="\n".join(lines),
        turns=turns,
        source_type=source_type,
        encoding=encoding,
        warnings=list(warnings),
        title=title,
    )


def find_turns(text: str, *, interviewer_labels: Collection[str] = ()) -> list[TurnData]:
    """Speaker turns of a text that must not be rewritten (a REFI-QDA source, say).

    Each non-blank line is a turn; a line that starts with a confirmed speaker label is
    attributed to it and its span starts after the label; a label alone on its line names the
    speaker of the lines below; other lines continue the current speaker. Spans are trimmed
    of surrounding whitespace; inline timestamps stay inside them (the text is kept as is).
    """
    lines: list[tuple[int, str, Label | None]] = []
    offset = 0
    for line in text.split("\n"):
        stripped = line.strip()
        start = offset + len(line) - len(line.lstrip())
        lines.append((start, stripped, detect_label(stripped) if stripped else None))
        offset += len(line) + 1
    accepted = confirmed_speakers(
        (label for _, _, label in lines if label is not None), interviewer_labels
    )
    turns: list[TurnData] = []
    speaker: str | None = None
    stamp: float | None = None
    roles: dict[str, bool] = {}
    for start, stripped, label in lines:
        words_from = 0
        if label is not None and label.name.casefold() in accepted:
            speaker, words_from = label.name, label.start
            stamp = label.timestamp if label.timestamp is not None else stamp
        words = stripped[words_from:]
        if not words.strip():
            continue
        lead = len(words) - len(words.lstrip())
        begin = start + words_from + lead
        if speaker is not None and speaker not in roles:
            roles[speaker] = is_interviewer(speaker, interviewer_labels)
        role = roles.get(speaker, False) if speaker is not None else False
        turns.append(TurnData(begin, begin + len(words.strip()), speaker, stamp, role))
        stamp = None
    return turns
