"""build_transcript lays out canonical text; find_turns reads turns from text kept as is."""

from __future__ import annotations

from qualcode.text.normalize import normalize_text
from qualcode.text.transcript import TurnDraft, build_transcript, find_turns


def test_transcript_builder_lays_out_labels_and_spans() -> None:
    transcript = build_transcript(
        [
            TurnDraft("Date: 12 May 2005", None),
            TurnDraft("So, tell me  about\nthe stretch?", "Interviewer", 12.5),
            TurnDraft("It was a lottery.", "Jane Smith"),
            TurnDraft("A shot in the dark.", "Jane Smith", labelled=False),
            TurnDraft("   ", "Jane Smith"),
        ],
        source_type="txt",
        encoding="utf-8",
        title="Kent 1",
    )
    assert transcript.text == (
        "Date: 12 May 2005\n"
        "Interviewer: So, tell me about the stretch?\n"
        "Jane Smith: It was a lottery.\n"
        "A shot in the dark."
    )
    spoken = [transcript.text[t.start : t.end] for t in transcript.turns]
    assert spoken == [
        "Date: 12 May 2005",
        "So, tell me about the stretch?",
        "It was a lottery.",
        "A shot in the dark.",
    ]
    assert [t.speaker for t in transcript.turns] == [
        None,
        "Interviewer",
        "Jane Smith",
        "Jane Smith",
    ]
    assert [t.is_interviewer for t in transcript.turns] == [False, True, False, False]
    assert transcript.turns[1].timestamp == 12.5
    assert transcript.speakers == ["Interviewer", "Jane Smith"]
    assert (transcript.source_type, transcript.encoding, transcript.title) == (
        "txt",
        "utf-8",
        "Kent 1",
    )


def test_transcript_builder_output_is_canonical() -> None:
    transcript = build_transcript(
        [TurnDraft("cafe\u0301\x00 au\tlait\r\n", "Interviewer\u00a0 2")], source_type="txt"
    )
    assert transcript.text == "Interviewer 2: café au lait"
    assert normalize_text(transcript.text) == transcript.text
    assert transcript.turns[0].is_interviewer


def test_transcript_builder_project_interviewer_labels() -> None:
    transcript = build_transcript(
        [TurnDraft("Hello.", "Dr Evans"), TurnDraft("Hi.", "Jane")],
        source_type="txt",
        interviewer_labels=["Dr Evans"],
    )
    assert [t.is_interviewer for t in transcript.turns] == [True, False]


def test_transcript_find_turns_keeps_text_as_is() -> None:
    text = (
        "Project: LPSA\n"
        "Interviewer:  So tell me [00:00:05] more.\n"
        "  Jane Smith: It was hard.\n"
        "And slow.\n"
        "\n"
        "Interviewer  01:02\n"
        "Next question?\n"
    )
    turns = find_turns(text)
    spoken = [text[t.start : t.end] for t in turns]
    assert spoken == [
        "Project: LPSA",
        "So tell me [00:00:05] more.",
        "It was hard.",
        "And slow.",
        "Next question?",
    ]
    assert [t.speaker for t in turns] == [
        None,
        "Interviewer",
        "Jane Smith",
        "Jane Smith",
        "Interviewer",
    ]
    assert turns[4].timestamp == 62.0
    assert turns[4].is_interviewer
