"""WebVTT and SubRip captions: voices, merging, markup, blocks that are not cues."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.errors import InvalidImport
from qualcode.ingest import read_transcript
from qualcode.ingest.subtitles import parse_cues, seconds
from qualcode.text.transcript import Transcript

VTT = """WEBVTT - Teams meeting transcript
Kind: captions

NOTE
This is a note with a <v Fake>voice</v>.

STYLE
::cue { color: yellow }

intro-1
00:00:01.000 --> 00:00:04.000 align:start
<v Interviewer>So, tell me about the
<v Interviewer>stretch targets.</v>

00:00:04.500 --> 00:00:06.000
<v.loud Interviewer>Were they fair?</v>

00:00:06.200 --> 00:00:09.000
<v Jane Smith><i>Not</i> really &amp; <c.yellow>not</c> <00:00:07.000>at all.</v>

00:01:10.000 --> 00:01:12.000
<v Interviewer>Why?</v> <v Jane Smith>Because.</v>

00:01:12.500 --> 00:01:13.000
<v Interviewer>
Right.
"""

SRT = """1
00:00:01,000 --> 00:00:03,000
Interviewer: What about
the reward grant?

2
00:00:03,500 --> 00:00:05,000
It was paid late.

3
00:00:05,500 --> 00:00:08,250
R1: {\\an8}Very late, <b>two</b> years.
4
00:00:09,000 --> 00:00:10,000
R1: Honestly.
"""


def _spoken(transcript: Transcript) -> list[tuple[str | None, str]]:
    return [(t.speaker, transcript.text[t.start : t.end]) for t in transcript.turns]


def _write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_subtitles_vtt_voices_merge_and_markup(tmp_path: Path) -> None:
    transcript = read_transcript(_write(tmp_path, VTT, "meeting.vtt"))
    assert transcript.source_type == "vtt"
    assert transcript.encoding == "utf-8"
    assert _spoken(transcript) == [
        ("Interviewer", "So, tell me about the stretch targets. Were they fair?"),
        ("Jane Smith", "Not really & not at all."),
        ("Interviewer", "Why?"),
        ("Jane Smith", "Because."),
        ("Interviewer", "Right."),
    ]
    assert [t.timestamp for t in transcript.turns] == [1.0, 6.2, 70.0, 70.0, 72.5]
    assert transcript.turns[0].is_interviewer
    assert "Fake" not in transcript.text
    assert "cue" not in transcript.text
    assert transcript.text.startswith("Interviewer: So, tell me")


def test_subtitles_srt_name_prefixes_and_continuations(tmp_path: Path) -> None:
    transcript = read_transcript(_write(tmp_path, SRT, "call.srt"))
    assert transcript.source_type == "srt"
    assert _spoken(transcript) == [
        ("Interviewer", "What about the reward grant? It was paid late."),
        ("R1", "Very late, two years. Honestly."),
    ]
    assert [t.timestamp for t in transcript.turns] == [1.0, 5.5]
    assert "4" not in transcript.text.split()


def test_subtitles_without_speakers_become_paragraphs(tmp_path: Path) -> None:
    cues = ["WEBVTT", ""]
    clock = 0.0
    for sentence in ["The target was met.", "Nobody expected it.", "After a pause, more."]:
        cues += [f"00:00:{clock:06.3f} --> 00:00:{clock + 1:06.3f}", sentence, ""]
        clock += 1.2 if sentence != "Nobody expected it." else 5
    transcript = read_transcript(_write(tmp_path, "\n".join(cues), "plain.vtt"))
    assert _spoken(transcript) == [
        (None, "The target was met. Nobody expected it."),
        (None, "After a pause, more."),
    ]
    assert [t.timestamp for t in transcript.turns] == [0.0, 6.2]
    assert "no speaker labels found" in transcript.warnings[0]


def test_subtitles_vtt_content_in_a_txt_file_is_read_as_captions(tmp_path: Path) -> None:
    transcript = read_transcript(_write(tmp_path, VTT, "meeting.txt"))
    assert transcript.source_type == "vtt"
    assert transcript.warnings[0] == (
        "the file is named .txt but holds WebVTT captions; read as .vtt"
    )


def test_subtitles_no_cues_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidImport, match="no subtitle cues found"):
        read_transcript(_write(tmp_path, "WEBVTT\n\nNOTE nothing here\n", "empty.vtt"))


def test_subtitles_parse_cues_and_seconds() -> None:
    cues = parse_cues(
        "1\n00:00:01,500 --> 00:00:02,000\nHello\n2\n01:02:03.250 --> 01:02:04.000\nBye\n"
    )
    assert [(c.start, c.text) for c in cues] == [("00:00:01,500", "Hello"), ("01:02:03.250", "Bye")]
    assert seconds("00:00:01,500") == 1.5
    assert seconds("01:02:03.250") == 3723.25
    assert seconds("02:03.5") == 123.5
