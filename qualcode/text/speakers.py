"""Speaker labels and timestamps in transcript lines, shared by every reader.

One paragraph (or subtitle cue) at a time, :func:`detect_label` recognises the ways transcripts
name who speaks:

- ``Interviewer: So tell me...``, ``INT: ...``, ``R1: ...``, ``Q: ...`` (a colon label);
- ``Cllr Smith – Well...`` or ``Cllr Smith - Well...`` (a dash label);
- ``Speaker 1 (00:01): ...`` (Rev), the words on the same or the following lines;
- ``Jane Smith  00:13`` alone on a line (Otter.ai, Microsoft Teams), the words below it;
- a bold run at the start of a Word paragraph (``**Interviewer** So...``);
- any of those after a leading timestamp (``[00:01:02] Interviewer: ...``).

A label seen once is only a candidate. :func:`confirmed_speakers` decides, over a whole
document, which candidates are speakers: ``Note:`` or ``Date:`` never are; a dash or bold label
must be a role (``Interviewer``, ``R1``), a title and name (``Cllr Smith``), or a name of two
words or more that recurs (``Well - I think`` is speech). When some speakers recur, a colon
label used once is kept only if it is a role or a name of two words or more, and then only
after the dialogue has started (before it, ``LPSA Evaluation: Transcript`` is a header).

Inline timestamps (``[00:12:34]``, ``#00:12:34-5#``) are taken out of the spoken words by
:func:`strip_timestamps` and kept as the turn's timestamp.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache

TIMESTAMP = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"

INTERVIEWER_ROLES = frozenset(
    {"interviewer", "int", "i", "q", "question", "moderator", "mod", "facilitator"}
)
OTHER_ROLES = frozenset(
    {
        "a", "answer", "r", "resp", "respondent", "interviewee", "ie", "participant", "p",
        "speaker", "unknown speaker", "chair", "observer",
    }
)  # fmt: skip
TITLES = frozenset(
    {
        "cllr", "councillor", "dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor",
        "sir", "dame", "lord", "lady", "rev", "revd", "insp", "supt", "sgt", "pc", "dc", "dci",
    }
)  # fmt: skip
# Words that end in a colon in transcript headers and notes but never name a speaker.
NOT_SPEAKERS = frozenset(
    {
        "note", "notes", "nb", "ps", "date", "time", "duration", "length", "location", "place",
        "venue", "present", "attendees", "participants", "apologies", "subject", "re", "title",
        "project", "transcript", "transcription", "transcribed by", "transcriber", "interview",
        "interview date", "interview with", "case", "case study", "file", "filename",
        "recording", "audio", "source", "tel", "telephone", "email", "e-mail", "web",
        "website", "fax", "page", "example", "examples", "key", "action", "actions", "agenda",
        "minutes", "summary", "background", "warning", "important", "update", "comment",
        "comments", "aside", "inaudible", "crosstalk", "end", "start", "pause", "topic",
        "theme", "section", "part", "chapter", "figure", "table", "appendix", "http", "https",
        "ref", "reference", "see", "organisation", "organization", "role", "job title",
        "position", "date of interview", "name of interviewee", "yes", "no", "so", "well",
        "and", "but", "ok", "okay", "right", "now", "then", "also", "plus", "however",
    }
)  # fmt: skip
_CONNECTORS = frozenset({"de", "del", "der", "van", "von", "la", "le", "da", "di", "of", "and"})
_NAME_CHARS = frozenset(".'’-&/")

_TS_TEXT = re.compile(r"^(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$")
_INLINE_TS = re.compile(
    rf"\[(?P<bracket>{TIMESTAMP})\]|#(?P<f4>\d{{1,2}}:\d{{2}}:\d{{2}})(?:-(?P<tenths>\d+))?#"
)
_LEADING_TS = re.compile(
    rf"^(?:\[({TIMESTAMP})\]|#(\d{{1,2}}:\d{{2}}:\d{{2}})(?:-(\d+))?#|({TIMESTAMP}))\s+"
)
_REV = re.compile(rf"^(?P<name>[^():]{{1,60}}?)\s*\((?P<ts>{TIMESTAMP})\)\s*:?(?:\s+|$)")
_HEADING = re.compile(rf"^(?P<name>[^:]{{1,60}}?)\s+(?P<ts>{TIMESTAMP})$")
_COLON = re.compile(r"^(?P<name>[^:]{1,60}?)\s*:(?:\s+|$|(?=[^\d/\s]))")
_DASH = re.compile(r"^(?P<name>.{1,60}?)\s+[-–—]+(?:\s+|$)")
_PARENTHETICAL = re.compile(r"\s*\([^()]*\)$")
_NUMBERED_ROLE = re.compile(
    r"^(?:r|p|i|s|q|a|int|speaker|participant|respondent|interviewee|interviewer|person)"
    r"\s*\d{1,3}$",
    re.IGNORECASE,
)


_HEAD = 80  # labels (with a timestamp) fit in this many characters
_TIMESTAMP_STARTS = frozenset("[#0123456789")


@dataclass(slots=True)
class Label:
    """A speaker-label candidate at the start of a line."""

    name: str
    start: int  # index in the line where the spoken words begin
    timestamp: float | None = None
    weak: bool = False  # a dash or bold label: needs more evidence to be taken as a speaker
    heading: bool = False  # the line holds only the label; the words are on the next lines


def parse_timestamp(value: str, tenths: str | None = None) -> float | None:
    """Seconds from ``hh:mm:ss``, ``mm:ss`` or ``h:mm:ss.fff``; ``tenths`` adds f4's ``-5``."""
    match = _TS_TEXT.match(value.strip())
    if match is None:
        return None
    hours, minutes, seconds, fraction = match.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    if fraction:
        total += int(fraction) / 10 ** len(fraction)
    if tenths:
        total += int(tenths) / 10 ** len(tenths)
    return float(total)


def strip_timestamps(line: str) -> tuple[str, float | None]:
    """Remove inline timestamps from a single-spaced line; return it and the first timestamp."""
    first: float | None = None

    def remove(match: re.Match[str]) -> str:
        nonlocal first
        if first is None:
            if match["bracket"]:
                first = parse_timestamp(match["bracket"])
            else:
                first = parse_timestamp(match["f4"], match["tenths"])
        return " "

    if ("[" in line or "#" in line) and _INLINE_TS.search(line):
        line = " ".join(_INLINE_TS.sub(remove, line).split())
    return line, first


@lru_cache(maxsize=4096)
def role_of(name: str) -> str:
    """The role word of a label: ``"Interviewer 2"`` and ``"INT (JS)"`` give their first word."""
    core = _PARENTHETICAL.sub("", name).strip().rstrip(".").casefold()
    if core in INTERVIEWER_ROLES or core in OTHER_ROLES:
        return core
    if _NUMBERED_ROLE.match(core):
        return core.rstrip("0123456789").strip()
    return ""


def is_interviewer(name: str | None, interviewer_labels: Collection[str] = ()) -> bool:
    """True for Interviewer, INT, I, Q, Moderator, Facilitator... or a project's own labels."""
    if not name:
        return False
    if interviewer_labels and name.casefold() in {x.casefold() for x in interviewer_labels}:
        return True
    return role_of(name) in INTERVIEWER_ROLES


@lru_cache(maxsize=4096)
def plausible_name(name: str) -> bool:
    """Does ``name`` read like a speaker (``Jane Smith``, ``R1``, ``Cllr O'Neil (Leader)``)?"""
    if not name or len(name) > 40:
        return False
    if role_of(name):
        return True
    tokens = _PARENTHETICAL.sub("", name).split()
    if not 1 <= len(tokens) <= 5 or not tokens[0][0].isalpha():
        return False
    for index, token in enumerate(tokens):
        head = token[0]
        if head.isupper() or head.isdigit():
            if not all(ch.isalnum() or ch in _NAME_CHARS for ch in token):
                return False
        elif index == 0 or token not in _CONNECTORS:
            return False
    return True


def _has_dash(text: str) -> bool:
    return "-" in text or "–" in text or "—" in text


def _titled(name: str) -> bool:
    tokens = name.split()
    return len(tokens) >= 2 and tokens[0].rstrip(".").casefold() in TITLES


def _candidate(line: str, *, bold_prefix: int) -> Label | None:
    head = line[:_HEAD]  # every label ends within the first characters: cheap tests first
    match = _REV.match(line) if "(" in head else None
    if match and plausible_name(match["name"]):
        end = match.end()
        return Label(match["name"], end, parse_timestamp(match["ts"]), heading=end >= len(line))
    match = _HEADING.match(line) if line[-1].isdigit() and len(line) <= _HEAD else None
    if match and plausible_name(match["name"]):
        return Label(match["name"], len(line), parse_timestamp(match["ts"]), heading=True)
    match = _COLON.match(line) if ":" in head else None
    if match and plausible_name(match["name"]):
        return Label(match["name"], match.end(), heading=match.end() >= len(line))
    match = _DASH.match(line) if _has_dash(head) else None
    if match and plausible_name(match["name"]) and len(match["name"]) > 1:
        return Label(match["name"], match.end(), weak=True, heading=match.end() >= len(line))
    if bold_prefix:
        name = line[:bold_prefix].rstrip(" :-–—")
        if plausible_name(name):
            start = len(line) - len(line[bold_prefix:].lstrip(" :-–—"))
            return Label(name, start, weak=True, heading=start >= len(line))
    return None


def detect_label(line: str, *, bold_prefix: int = 0) -> Label | None:
    """The label candidate at the start of a single-spaced, stripped line, if any.

    ``bold_prefix`` is the length of the line's leading bold text (Word documents), which may
    name the speaker without a colon.
    """
    if not line:
        return None
    match = _LEADING_TS.match(line) if line[0] in _TIMESTAMP_STARTS else None
    if match is None:
        return _candidate(line, bold_prefix=bold_prefix)
    bracket, f4, tenths, bare = match.groups()
    offset = match.end()
    label = _candidate(line[offset:], bold_prefix=max(0, bold_prefix - offset))
    if label is None:
        return None
    stamp = parse_timestamp(bracket or bare or "") if not f4 else parse_timestamp(f4, tenths)
    return Label(
        label.name,
        label.start + offset,
        label.timestamp if label.timestamp is not None else stamp,
        weak=label.weak,
        heading=label.heading,
    )


def confirmed_speakers(
    labels: Iterable[Label], interviewer_labels: Collection[str] = ()
) -> frozenset[str]:
    """The casefolded names, among one document's label candidates, taken as speakers."""
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}  # casefolded name -> as first written
    first: dict[str, int] = {}  # casefolded name -> position of its first use
    strong: set[str] = set()  # names used at least once with a colon (or as a heading)
    for index, label in enumerate(labels):
        key = label.name.casefold()
        counts[key] += 1
        names.setdefault(key, label.name)
        first.setdefault(key, index)
        if not label.weak:
            strong.add(key)
    known = {x.casefold() for x in interviewer_labels}
    # the dialogue starts where a recurring speaker first speaks; one-off labels before it
    # are header lines ("LPSA Evaluation: Interview Transcript")
    dialogue = min((first[key] for key in strong if counts[key] >= 2), default=None)
    accepted: set[str] = set()
    for key, name in names.items():
        if key in known:
            accepted.add(key)
            continue
        if key in NOT_SPEAKERS:
            continue
        multi = len(name.split()) >= 2
        if key in strong:
            once_in_dialogue = multi and (dialogue is None or first[key] > dialogue)
            ok = bool(role_of(key)) or counts[key] >= 2 or once_in_dialogue or dialogue is None
        else:
            role = len(key) > 1 and bool(role_of(key))  # "I - I think" is speech
            ok = _titled(name) or role or counts[key] >= 2 and multi
        if ok:
            accepted.add(key)
    return frozenset(accepted)
