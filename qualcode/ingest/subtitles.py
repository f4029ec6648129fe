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

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_TAG = re.compile(r"<(/?)([a-zA-Z]*)((?:\.[^\s>]*)?)(?:\s+([^>]*))?>|<[^>]*>")
_ASS_OVERRIDE = re.compile(r"\{\\[^}]*\}")
PAUSE = 2.0  # seconds of silence that start a new paragraph in captions without speakers
LONG_PARAGRAPH = 80  # words after which a sentence end starts a new paragraph


@dataclass(slots=True)
class Cue:
    """The text one voice speaks in a cue (a cue with several voices gives several)."""

    start: float
    end: float
    text: str
    voice: str | None = None


def _seconds(hours: str | None, minutes: str, seconds: str, fraction: str) -> float:
    whole = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return whole + int(fraction) / 10 ** len(fraction)


def _voices(payload: str) -> Iterator[tuple[str | None, str]]:
    """Split a cue's payload by ``<v>`` voice spans and strip every other tag."""
    if "<" not in payload:
        yield None, payload
        return
    if payload.startswith("<v ") and payload.count("<") - payload.endswith("</v>") == 1:
        name, _, words = payload[3:].removesuffix("</v>").partition(">")
        yield " ".join(name.split()) or None, words  # the usual one-voice cue, quickly
        return
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


def _clean(text: str) -> str:
    if "{" in text:
        text = _ASS_OVERRIDE.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())


def _timing(line: str) -> tuple[float, float] | None:
    match = _TIMING.match(line) if "-->" in line else None
    if match is None:
        return None
    return _seconds(*match.group(1, 2, 3, 4)), _seconds(*match.group(5, 6, 7, 8))


def parse_cues(text: str) -> list[Cue]:
    """The cues of a WebVTT or SubRip file (``\\n`` line endings), in order."""
    cues: list[Cue] = []

    def add(timing: tuple[float, float], payload: list[str]) -> None:
        for voice, words in _voices("\n".join(payload)):
            if cleaned := _clean(words):
                cues.append(Cue(timing[0], timing[1], cleaned, voice))

    for block in text.split("\n\n"):  # blocks: the header, NOTE/STYLE/REGION blocks, cues
        if "-->" not in block:
            continue
        timing: tuple[float, float] | None = None
        payload: list[str] = []
        for line in block.split("\n"):
            next_timing = _timing(line)
            if next_timing is None:
                if timing is not None:
                    payload.append(line)
                continue
            if timing is not None:
                if len(payload) > 1 and payload[-1].strip().isdigit():
                    payload.pop()  # an SRT cue number with no blank line before it
                add(timing, payload)
            timing, payload = next_timing, []
        if timing is not None:
            add(timing, payload)
    return cues


def _labelled(cues: list[Cue], interviewer_labels: Collection[str]) -> list[Cue]:
    """Move ``Name:`` prefixes that are confirmed speakers into the cue's voice."""
    labels = {i: detect_label(cue.text) for i, cue in enumerate(cues) if cue.voice is None}
    accepted = confirmed_speakers(
        (lab for lab in labels.values() if lab is not None and not lab.weak), interviewer_labels
    )
    out: list[Cue] = []
    for index, cue in enumerate(cues):
        label = labels.get(index)
        if label is not None and not label.weak and label.name.casefold() in accepted:
            cue = Cue(cue.start, cue.end, cue.text[label.start :], label.name)
        out.append(cue)
    return out


def _turns(cues: list[Cue]) -> Iterator[TurnDraft]:
    speaker: str | None = None
    words: list[str] = []
    start: float | None = None
    for cue in cues:
        voice = cue.voice or speaker
        if words and voice != speaker:
            yield TurnDraft(" ".join(words), speaker, start)
            words = []
        if not words:
            start = cue.start
        speaker = voice
        if cue.text:
            words.append(cue.text)
    if words:
        yield TurnDraft(" ".join(words), speaker, start)


def _paragraphs(cues: list[Cue]) -> Iterator[TurnDraft]:
    words: list[str] = []
    count, start, last_end = 0, 0.0, 0.0
    for cue in cues:
        long_done = count >= LONG_PARAGRAPH and words[-1].endswith((".", "?", "!"))
        if words and (cue.start - last_end >= PAUSE or long_done):
            yield TurnDraft(" ".join(words), None, start)
            words, count = [], 0
        if not words:
            start = cue.start
        words.append(cue.text)
        count += len(cue.text.split())
        last_end = cue.end
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
