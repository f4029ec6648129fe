"""Property-based tests of the transcript readers: captions and Word documents with random
speakers and words round-trip into valid turns, and any bytes at all under any supported
suffix give a valid transcript or an ``InvalidImport``, never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode.bench.corpus import write_docx
from qualcode.errors import InvalidImport
from qualcode.ingest import SUPPORTED_SUFFIXES, read_transcript_bytes
from qualcode.text.normalize import normalize_text
from qualcode.text.transcript import Transcript

SPEAKERS = ["Interviewer", "Jane Smith", "Dr Ó Briain", "Partner"]
# words with accents, CJK and astral characters; no markup characters (<, &) or colons
WORDS = st.lists(
    st.sampled_from(
        [
            "the",
            "stretch",
            "target",
            "café",
            "naïve",
            "über",
            "中文",
            "😀",
            "𝄞",
            "reward",
            "grant",
            "1,2",
            "it’s",
            "—",
            "👍🏽",
        ]
    ),
    min_size=1,
    max_size=10,
).map(" ".join)
TURNS = st.lists(st.tuples(st.sampled_from(SPEAKERS), WORDS), min_size=1, max_size=12)
# a "Name:" label is taken for a speaker once it recurs (a one-off "Note:" line is not one)
RECURRING = TURNS.map(lambda turns: turns * 2)


def check_turns(transcript: Transcript) -> None:
    """The invariants every reader's output keeps."""
    text = transcript.text
    assert normalize_text(text) == text
    end = 0
    for turn in transcript.turns:
        assert end <= turn.start < turn.end <= len(text)
        assert text[turn.start : turn.end] == text[turn.start : turn.end].strip()
        end = turn.end


def runs(turns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Consecutive lines of one speaker are one turn."""
    out: list[tuple[str, str]] = []
    for speaker, words in turns:
        if out and out[-1][0] == speaker:
            out[-1] = (speaker, f"{out[-1][1]} {words}")
        else:
            out.append((speaker, words))
    return out


def clock(seconds: float) -> str:
    minutes, secs = divmod(seconds, 60)
    return f"00:{int(minutes):02d}:{secs:06.3f}"


@given(TURNS)
def test_webvtt_voices_become_turns_with_every_word_in_order(turns: list[tuple[str, str]]):
    cues = ["WEBVTT", ""]
    for i, (speaker, words) in enumerate(turns):
        cues += [clock(i * 3), f"{clock(i * 3)} --> {clock(i * 3 + 2)}"]
        cues[-2] = str(i + 1)
        cues += [f"<v {speaker}>{words}", ""]
    transcript = read_transcript_bytes("call.vtt", "\n".join(cues).encode())
    check_turns(transcript)
    expected = runs(turns)
    assert [t.speaker for t in transcript.turns] == [s for s, _ in expected]
    spoken = [transcript.text[t.start : t.end] for t in transcript.turns]
    assert spoken == [normalize_text(w) for _, w in expected]


@given(RECURRING, st.sampled_from(["\n", "\r\n"]))
def test_subrip_name_prefixes_become_turns(turns: list[tuple[str, str]], newline: str):
    blocks = [
        f"{i + 1}{newline}{clock(i * 3).replace('.', ',')} --> "
        f"{clock(i * 3 + 2).replace('.', ',')}{newline}{speaker}: {words}{newline}"
        for i, (speaker, words) in enumerate(turns)
    ]
    transcript = read_transcript_bytes("call.srt", newline.join(blocks).encode("utf-8"))
    check_turns(transcript)
    words = " ".join(w for _, w in turns).split()
    assert " ".join(transcript.text[t.start : t.end] for t in transcript.turns).split() == words
    if len({s for s, _ in turns}) > 1:  # one voice alone may not be taken for speaker labels
        assert [t.speaker for t in transcript.turns] == [s for s, _ in runs(turns)]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(RECURRING)
def test_word_paragraphs_become_one_line_per_turn(tmp_path, turns: list[tuple[str, str]]):
    path = tmp_path / "interview.docx"
    write_docx(path, "\n".join(f"{speaker}: {words}" for speaker, words in turns))
    transcript = read_transcript_bytes(path.name, path.read_bytes())
    check_turns(transcript)
    words = " ".join(w for _, w in turns).split()
    assert " ".join(transcript.text[t.start : t.end] for t in transcript.turns).split() == words
    if len({s for s, _ in turns}) > 1:
        assert {t.speaker for t in transcript.turns} == {s for s, _ in turns}


def _read_or_refuse(name: str, data: bytes) -> None:
    """A valid transcript, or an ``InvalidImport`` naming the file with a reason."""
    refusal: InvalidImport | None = None
    try:
        transcript = read_transcript_bytes(name, data, max_bytes=64 * 1024)
    except InvalidImport as error:
        refusal = error
    if refusal is None:
        check_turns(transcript)
        return
    assert name in str(refusal)
    assert refusal.reason


@settings(deadline=None, max_examples=300)
@given(st.sampled_from(SUPPORTED_SUFFIXES), st.binary(max_size=2000))
def test_any_bytes_give_a_transcript_or_a_clear_refusal(suffix: str, data: bytes):
    _read_or_refuse(f"upload{suffix}", data)


def _docx_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "valid.docx"
        write_docx(path, "Interviewer: Why?\nJane: Staff turnover 😀.")
        return path.read_bytes()


VALID = {
    ".docx": _docx_bytes(),
    ".vtt": b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\n<v Jane>Staff turnover\n",
    ".srt": b"1\n00:00:01,000 --> 00:00:02,000\nJane: Staff turnover\n",
    ".txt": "Interviewer: Why?\nJane: Staff turnover 😀.\n".encode(),
}


@settings(deadline=None, max_examples=300)
@given(st.sampled_from(sorted(VALID)), st.data())
def test_damaged_files_give_a_transcript_or_a_clear_refusal(suffix: str, data):
    original = bytearray(VALID[suffix])
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(original) - 1))
        original[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(original)))
    _read_or_refuse(f"damaged{suffix}", bytes(original[:cut]))
