"""WebVTT (``.vtt``) and SubRip (``.srt``) captions, as exported by Teams, Zoom and Otter.

Cue numbers, timing lines and the header, ``NOTE``, ``STYLE`` and ``REGION`` blocks (any
block without a timing line) are dropped; markup
(``<c>``, ``<i>``, ``<b>``, ``<font>``, karaoke timestamps, ``{\\an8}``) is stripped and HTML
entities decoded. The speaker comes from a ``<v Name>`` voice tag or a ``Name:`` prefix; a
cue without one continues the previous speaker. Consecutive cues of one speaker become one
turn, dated by its first cue. Captions without any speaker are grouped into paragraphs at
pauses of two seconds or more, or at a sentence end once a paragraph is long.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from qualcode.errors import InvalidImport
from qualcode.ingest.paragraphs import NO_SPEAKERS_WARNING
from qualcode.text.normalize import normalize_text
from qualcode.text.speakers import confirmed_speakers, detect_label
from qualcode.text.transcript import Transcript, TurnDraft, build_transcript

_TIME = r"(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}"
_TIMING = re.compile(rf"^[ \t]*({_TIME})[ \t]*-->[ \t]*({_TIME})")
# a timing line, an optional leading voice tag, then the payload: the lines up to a blank one
_CUE = re.compile(
    rf"^[ \t]*({_TIME})[ \t]*-->[ \t]*({_TIME})[^\n]*\n?"
    r"(?:<v(?:\.[^\s>]*)?[ \t]+([^>\n]*)>(?:[ \t]*\n(?=[ \t]*\S))?)?"
    r"((?:[^\n]*\S[^\n]*(?:\n|$))*)",
    re.MULTILINE,
)
_TAG = re.compile(r"<(/?)([a-zA-Z]*)((?:\.[^\s>]*)?)(?:\s+([^>]*))?>|<[^>]*>")
_ASS_OVERRIDE = re.compile(r"\{\\[^}]*\}")
PAUSE = 2.0  # seconds of silence that start a new paragraph in captions without speakers
LONG_PARAGRAPH = 80  # words after which a sentence end starts a new paragraph


@dataclass(slots=True)
class Cue:
    """What one voice says in a cue (a cue with several voices gives several).

    ``start`` and ``end`` are as written (``00:01:02.500``), converted by :func:`seconds`
    only where needed; ``text`` is free of markup, on one line (not yet single-spaced).
    """

    start: str
    end: str
    text: str
    voice: str | None = None


def seconds(value: str) -> float:
    """Seconds from a cue time: ``01:02:03.500``, ``02:03,500`` (SubRip uses a comma)."""
    clock, _, fraction = value.replace(",", ".").partition(".")
    parts = clock.split(":")
    whole = int(parts[-1]) + 60 * int(parts[-2]) + (3600 * int(parts[0]) if len(parts) > 2 else 0)
    return whole + (int(fraction) / 10 ** len(fraction) if fraction else 0.0)


def _voices(payload: str) -> Iterator[tuple[str | None, str]]:
    """Split a cue's payload by ``<v>`` voice spans and strip every other tag."""
    voice: str | None = None
    text: list[str] = []
    position = 0
    for match in _TAG.finditer(payload):
        text.append(payload[position : match.start()])
        position = match.end()
        closing, name, annotation = match[1], match[2], match[4]
        if name == "v" and not closing:
            if "".join(text).strip():
                yield voice, "".join(text)
            text, voice = [], " ".join((annotation or "").split()) or None
    text.append(payload[position:])
    if "".join(text).strip():
        yield voice, "".join(text)


def _careful(start: str, end: str, payload: str) -> Iterator[Cue]:
    """Cues from a payload with markup, entities, or further cues run in without a blank line."""
    lines = payload.split("\n")
    bounds: list[tuple[str, str, int]] = [(start, end, 0)]  # (start, end, first payload line)
    marks: list[int] = []  # indexes of timing lines inside the payload
    for index, line in enumerate(lines):
        match = _TIMING.match(line) if "-->" in line else None
        if match:
            marks.append(index)
            bounds.append((match[1], match[2], index + 1))
    for k, (first, last, begin) in enumerate(bounds):
        chunk = lines[begin : marks[k] if k < len(marks) else len(lines)]
        if k < len(marks) and len(chunk) > 1 and chunk[-1].strip().isdigit():
            chunk.pop()  # an SRT cue number with no blank line before it
        for voice, words in _voices("\n".join(chunk)):
            if "{" in words:
                words = _ASS_OVERRIDE.sub("", words)
            words = html.unescape(words)
            if words.strip():
                yield Cue(first, last, " ".join(words.split()), voice)


def parse_cues(text: str) -> list[Cue]:
    """The cues of a WebVTT or SubRip file (``\\n`` line endings), in order.

    The header, ``NOTE``, ``STYLE`` and ``REGION`` blocks and cue numbers are not cues (only
    a timing line starts one), so they are skipped without being looked at.
    """
    cues: list[Cue] = []
    voices: dict[str, str | None] = {"": None}
    for start, end, voice, payload in _CUE.findall(text):
        if "<" in payload or "&" in payload or "{" in payload or "-->" in payload:
            tag = f"<v {voice}>" if voice else ""
            cues.extend(_careful(start, end, tag + payload))
            continue
        if voice not in voices:
            voices[voice] = " ".join(voice.split()) or None
        if payload or voice:
            cues.append(Cue(start, end, payload.rstrip("\n").replace("\n", " "), voices[voice]))
    return cues


def _labelled(cues: list[Cue], interviewer_labels: Collection[str]) -> list[Cue]:
    """Move ``Name:`` prefixes that are confirmed speakers into the cue's voice."""
    lines = {i: " ".join(cue.text.split()) for i, cue in enumerate(cues) if cue.voice is None}
    labels = {i: label for i, line in lines.items() if (label := detect_label(line))}
    accepted = confirmed_speakers(
        (label for label in labels.values() if not label.weak), interviewer_labels
    )
    out: list[Cue] = []
    for index, cue in enumerate(cues):
        label = labels.get(index)
        if label is not None and not label.weak and label.name.casefold() in accepted:
            cue = Cue(cue.start, cue.end, lines[index][label.start :], label.name)
        out.append(cue)
    return out


def _turns(cues: list[Cue]) -> Iterator[TurnDraft]:
    """Consecutive cues of one speaker as one turn; a cue without a voice continues."""
    speaker: str | None = None
    words: list[str] = []
    start = ""
    for cue in cues:
        voice = cue.voice or speaker
        if words and voice != speaker:
            yield TurnDraft(" ".join(words), speaker, seconds(start))
            words = []
        if not words:
            start = cue.start
        speaker = voice
        if cue.text:
            words.append(cue.text)
    if words:
        yield TurnDraft(" ".join(words), speaker, seconds(start))


def _paragraphs(cues: list[Cue]) -> Iterator[TurnDraft]:
    """Captions without speakers: a paragraph ends at a pause, or at a sentence end if long."""
    words: list[str] = []
    count, start, last_end = 0, 0.0, 0.0
    for cue in cues:
        begins = seconds(cue.start)
        long_done = count >= LONG_PARAGRAPH and words[-1].rstrip().endswith((".", "?", "!"))
        if words and (begins - last_end >= PAUSE or long_done):
            yield TurnDraft(" ".join(words), None, start)
            words, count = [], 0
        if not words:
            start = begins
        words.append(cue.text)
        count += len(cue.text.split())
        last_end = seconds(cue.end)
    if words:
        yield TurnDraft(" ".join(words), None, start)


def read_subtitles(
    text: str,
    *,
    encoding: str | None = None,
    source_type: str = "vtt",
    interviewer_labels: Collection[str] = (),
) -> Transcript:
    """Read decoded WebVTT or SubRip text into a :class:`Transcript`."""
    cues = parse_cues(normalize_text(text))
    if not cues:
        raise InvalidImport(
            "no subtitle cues found (expected timing lines like '00:00:01.000 --> 00:00:04.000')"
        )
    cues = _labelled(cues, interviewer_labels)
    has_speakers = any(cue.voice for cue in cues)
    drafts = list(_turns(cues) if has_speakers else _paragraphs(cues))
    return build_transcript(
        drafts,
        source_type=source_type,
        interviewer_labels=interviewer_labels,
        encoding=encoding,
        warnings=[] if has_speakers else [NO_SPEAKERS_WARNING],
    )
