"""Plain-text and Markdown transcripts: encodings, service exports, wrapping, Markdown labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.errors import InvalidImport
from qualcode.ingest import read_transcript
from qualcode.text.transcript import Transcript

SAMPLE = "Interviewer: Was the café’s “stretch” fair?\r\nJane Smith: Not à la carte, no – £5m.\r\n"


def _spoken(transcript: Transcript) -> list[tuple[str | None, str]]:
    return [(t.speaker, transcript.text[t.start : t.end]) for t in transcript.turns]


def _write(tmp_path: Path, content: bytes, name: str = "t.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (b"\xff\xfe" + SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + SAMPLE.encode("utf-16-be"), "utf-16-be"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (SAMPLE.encode("cp1252"), "windows-1252"),
    ],
)
def test_plaintext_encodings(tmp_path: Path, data: bytes, encoding: str) -> None:
    transcript = read_transcript(_write(tmp_path, data))
    assert transcript.encoding == encoding
    assert transcript.text == (
        "Interviewer: Was the café’s “stretch” fair?\nJane Smith: Not à la carte, no – £5m."
    )
    assert _spoken(transcript)[1] == ("Jane Smith", "Not à la carte, no – £5m.")


def test_plaintext_refuses_binary(tmp_path: Path) -> None:
    with pytest.raises(InvalidImport) as caught:
        read_transcript(_write(tmp_path, bytes(range(256)) * 4))
    assert caught.value.reason == "binary data, not text"
    with pytest.raises(InvalidImport, match="binary data, not text"):
        read_transcript(_write(tmp_path, b"PK\x03\x04" + b"\x01" * 100, "z.md"))


def test_plaintext_otter_export(tmp_path: Path) -> None:
    otter = (
        "Jane Smith  00:13\nSo the targets were agreed in the last batch.\n\n"
        "Interviewer  01:02\nAnd the pump priming?\n\n"
        "Jane Smith  01:10\nSpent on a project officer.\nAnd bins.\n"
    )
    transcript = read_transcript(_write(tmp_path, otter.encode()))
    assert transcript.text == (
        "Jane Smith: So the targets were agreed in the last batch.\n"
        "Interviewer: And the pump priming?\n"
        "Jane Smith: Spent on a project officer.\nAnd bins."
    )
    assert [t.timestamp for t in transcript.turns] == [13.0, 62.0, 70.0, None]


def test_plaintext_teams_and_rev_exports(tmp_path: Path) -> None:
    teams = "Interviewer   0:03\nWelcome.\nJane Smith   0:09\nThank you.\n"
    transcript = read_transcript(_write(tmp_path, teams.encode()))
    assert _spoken(transcript) == [("Interviewer", "Welcome."), ("Jane Smith", "Thank you.")]
    assert [t.timestamp for t in transcript.turns] == [3.0, 9.0]
    rev = "Speaker 1 (00:01):\nHello there.\n\nSpeaker 2 (00:05): Hi, thanks.\n"
    transcript = read_transcript(_write(tmp_path, rev.encode(), "rev.txt"))
    assert transcript.text == "Speaker 1: Hello there.\nSpeaker 2: Hi, thanks."
    assert [t.timestamp for t in transcript.turns] == [1.0, 5.0]


def test_plaintext_inline_timestamps(tmp_path: Path) -> None:
    text = "[00:12:34] Interviewer: So [00:12:40] what next?\nR1: #00:13:01-5# We waited.\n"
    transcript = read_transcript(_write(tmp_path, text.encode()))
    assert transcript.text == "Interviewer: So what next?\nR1: We waited."
    assert [t.timestamp for t in transcript.turns] == [754.0, 781.5]


def test_plaintext_no_speakers_is_one_speaker_with_warning(tmp_path: Path) -> None:
    text = "The evaluation found mixed results.\n\nPartnership working improved.\n"
    transcript = read_transcript(_write(tmp_path, text.encode()))
    assert _spoken(transcript) == [
        (None, "The evaluation found mixed results."),
        (None, "Partnership working improved."),
    ]
    assert "no speaker labels found" in transcript.warnings[0]


def test_plaintext_hard_wrapped_paragraphs_are_joined(tmp_path: Path) -> None:
    text = (
        "Interviewer: Could you describe how the negotiation with the department\n"
        "went, and who was involved on your side?\n"
        "\n"
        "Jane Smith: It was long. We were in the last batch, so everything was\n"
        "rushed, and the indicator definitions kept changing under our feet, so\n"
        "we never had a settled baseline to work from.\n"
        "Interviewer: Right.\n"
    )
    transcript = read_transcript(_write(tmp_path, text.encode()))
    assert transcript.text.split("\n") == [
        "Interviewer: Could you describe how the negotiation with the department went, and who "
        "was involved on your side?",
        "Jane Smith: It was long. We were in the last batch, so everything was rushed, and the "
        "indicator definitions kept changing under our feet, so we never had a settled baseline "
        "to work from.",
        "Interviewer: Right.",
    ]


def test_plaintext_markdown_labels(tmp_path: Path) -> None:
    text = "# Interview 4\n\n**Interviewer:** Why?\n\n**Jane Smith**: Because.\n\n__R1__ Agreed.\n"
    transcript = read_transcript(_write(tmp_path, text.encode(), "t.md"))
    assert transcript.source_type == "md"
    assert transcript.text == "# Interview 4\nInterviewer: Why?\nJane Smith: Because.\nR1: Agreed."
    assert [t.speaker for t in transcript.turns] == [None, "Interviewer", "Jane Smith", "R1"]


def test_plaintext_interviewer_labels_argument(tmp_path: Path) -> None:
    text = "DE: What was the stretch?\nJane: Big.\nDE: And?\nJane: Bigger.\n"
    path = _write(tmp_path, text.encode())
    assert not any(t.is_interviewer for t in read_transcript(path).turns)
    turns = read_transcript(path, interviewer_labels=["de"]).turns
    assert [t.is_interviewer for t in turns] == [True, False, True, False]
