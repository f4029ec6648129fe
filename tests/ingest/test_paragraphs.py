"""Paragraphs to turns: the rules every reader shares, and properties of the speaker parser."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.ingest.paragraphs import (
    NO_SPEAKERS_WARNING,
    Paragraph,
    paragraphs_from_runs,
    transcript_from_paragraphs,
)
from qualcode.ingest.plaintext import read_plaintext
from qualcode.text.normalize import normalize_text
from qualcode.text.transcript import Transcript


def _read(*lines: str) -> Transcript:
    return transcript_from_paragraphs([Paragraph(line) for line in lines], source_type="txt")


def _spoken(transcript: Transcript) -> list[str]:
    return [transcript.text[t.start : t.end] for t in transcript.turns]


def test_paragraphs_unlabelled_paragraph_is_a_new_turn_of_the_same_speaker() -> None:
    transcript = _read("Interviewer: First?", "Jane Smith: One.", "Two.", "Interviewer: Next?")
    assert transcript.text == "Interviewer: First?\nJane Smith: One.\nTwo.\nInterviewer: Next?"
    assert [t.speaker for t in transcript.turns] == [
        "Interviewer",
        "Jane Smith",
        "Jane Smith",
        "Interviewer",
    ]


def test_paragraphs_heading_names_the_speaker_of_the_lines_below() -> None:
    transcript = _read(
        "Jane Smith  00:13", "So I think it worked.", "Mostly.", "Interviewer  1:02", "Why?"
    )
    assert transcript.text == "Jane Smith: So I think it worked.\nMostly.\nInterviewer: Why?"
    assert [(t.speaker, t.timestamp) for t in transcript.turns] == [
        ("Jane Smith", 13.0),
        ("Jane Smith", None),
        ("Interviewer", 62.0),
    ]


def test_paragraphs_rev_label_with_words_on_the_next_line() -> None:
    transcript = _read("Speaker 1 (00:01):", "Hello.", "Speaker 2 (00:04): Hi.")
    assert transcript.text == "Speaker 1: Hello.\nSpeaker 2: Hi."
    assert [t.timestamp for t in transcript.turns] == [1.0, 4.0]


def test_paragraphs_inline_timestamps_removed_and_kept() -> None:
    transcript = _read("Interviewer: [00:00:05] So [00:00:07] why?", "#00:01:00-5#", "R1: Because.")
    assert _spoken(transcript) == ["So why?", "Because."]
    assert [t.timestamp for t in transcript.turns] == [5.0, 60.5]


def test_paragraphs_without_speakers_are_one_speaker_with_a_warning() -> None:
    transcript = _read("The stretch was hard.", "", "Nobody knew the baseline.")
    assert [t.speaker for t in transcript.turns] == [None, None]
    assert _spoken(transcript) == ["The stretch was hard.", "Nobody knew the baseline."]
    assert transcript.warnings == [NO_SPEAKERS_WARNING]


def test_paragraphs_one_spelling_per_speaker() -> None:
    transcript = _read(
        "Interviewer: Hi.", "INTERVIEWER: Hello?", "JANE SMITH: Yes.", "Jane Smith: No."
    )
    assert transcript.text.split("\n") == [
        "Interviewer: Hi.",
        "Interviewer: Hello?",
        "JANE SMITH: Yes.",
        "JANE SMITH: No.",
    ]
    assert transcript.speakers == ["Interviewer", "JANE SMITH"]


def test_paragraphs_one_off_label_before_the_dialogue_is_a_header() -> None:
    transcript = _read(
        "LPSA Evaluation: Interview Transcript",
        "Interviewer: Hi.",
        "R1: Hello.",
        "Interviewer: Go on.",
        "Jane Smith: May I add something?",
        "R1: Yes.",
    )
    assert [t.speaker for t in transcript.turns] == [
        None,
        "Interviewer",
        "R1",
        "Interviewer",
        "Jane Smith",
        "R1",
    ]
    assert transcript.text.startswith("LPSA Evaluation: Interview Transcript\n")


def test_paragraphs_rejected_labels_stay_in_the_words() -> None:
    transcript = _read(
        "Interviewer: Hi.",
        "Jane Smith: Well.",
        "Note: tape changed.",
        "Interviewer: Go on.",
        "Jane Smith: Yes.",
    )
    assert _spoken(transcript)[2] == "Note: tape changed."
    assert transcript.turns[2].speaker == "Jane Smith"


def test_paragraphs_structural_speakers_are_not_parsed() -> None:
    transcript = transcript_from_paragraphs(
        [
            Paragraph("Note: it is fine", speaker="Interviewer", timestamp=3.0),
            Paragraph("Jane: more", continues=True),
        ],
        source_type="docx",
    )
    assert transcript.text == "Interviewer: Note: it is fine\nJane: more"
    assert [(t.speaker, t.timestamp) for t in transcript.turns] == [
        ("Interviewer", 3.0),
        ("Interviewer", None),
    ]


def test_paragraphs_from_runs_splits_lines_and_measures_bold() -> None:
    runs = [("  ", False), ("Jane", True), (" ", False), ("Smith", True), (" So\nnext", False)]
    assert list(paragraphs_from_runs(runs)) == [
        Paragraph("  Jane Smith So", bold_prefix=12),
        Paragraph("next", bold_prefix=0),
    ]


NAMES = ["Interviewer", "R1", "Respondent 3", "Speaker 2", "INT", "Q"]  # roles: always speakers
WORDS = st.sampled_from(
    [
        "the",
        "stretch",
        "was",
        "a",
        "lottery,",
        "we",
        "argued",
        "(about)",
        "baselines.",
        "£5m",
        "café",
        "don't",
        "well-being",
        "2005",
        "–",
    ]
)
STAMP = st.sampled_from(["[00:00:05]", "[1:02:03]", "#00:12:34-5#", "[12:34.5]"])


@st.composite
def _paragraph(draw: st.DrawFn) -> tuple[str | None, list[str], str]:
    name = draw(st.none() | st.sampled_from(NAMES))
    words = draw(st.lists(WORDS, min_size=1, max_size=12))
    stamps = draw(st.lists(st.tuples(st.integers(0, len(words)), STAMP), max_size=2))
    tokens = list(words)
    for position, stamp in sorted(stamps, reverse=True):
        tokens.insert(position, stamp)
    line = " ".join(tokens)
    if name is not None:
        line = f"{name}:{draw(st.sampled_from([' ', '  ', chr(9)]))}{line}"
    return name, words, draw(st.sampled_from(["", " ", "\t"])) + line


@settings(deadline=None, max_examples=60)
@given(st.lists(_paragraph(), min_size=1, max_size=25))
def test_paragraphs_speaker_parser_properties(
    paragraphs: list[tuple[str | None, list[str], str]],
) -> None:
    transcript = transcript_from_paragraphs(
        [Paragraph(line) for _, _, line in paragraphs], source_type="txt"
    )
    text, turns = transcript.text, transcript.turns
    assert normalize_text(text) == text
    previous_end = 0
    for turn in turns:  # inside the text, ordered, not overlapping, trimmed
        assert previous_end <= turn.start < turn.end <= len(text)
        assert text[turn.start : turn.end] == text[turn.start : turn.end].strip()
        previous_end = turn.end
    expected = [word for _, words, _ in paragraphs for word in words]
    assert " ".join(text[t.start : t.end] for t in turns).split() == expected
    speakers: list[str | None] = []
    current: str | None = None
    for name, _, _ in paragraphs:
        current = name or current
        speakers.append(current)
    if any(name for name, _, _ in paragraphs):
        assert [t.speaker for t in turns] == speakers


@settings(deadline=None)
@given(st.text(max_size=400))
def test_paragraphs_any_text_gives_valid_turns(raw: str) -> None:
    transcript = read_plaintext(raw)
    text = transcript.text
    assert normalize_text(text) == text
    previous_end = 0
    for turn in transcript.turns:
        assert previous_end <= turn.start < turn.end <= len(text)
        previous_end = turn.end
    covered = "".join(text[t.start : t.end] for t in transcript.turns)
    assert len(covered.split()) <= len(text.split())
