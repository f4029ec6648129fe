"""RTF transcripts, written as RTF source the way word processors save them."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.errors import InvalidImport
from qualcode.ingest import read_transcript

RTF = (
    r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Calibri;}}"
    r"{\info{\title Interview 7}{\author QA}}"
    r"\pard\plain\b Interviewer:\b0  Was the caf\'e9 scheme part of the stretch?\par"
    r"\pard R1: Yes \u8211? the \u8220?quick win\u8221?.\line It paid off.\par"
    r"\pard\par"
    r"\pard Cllr Smith \endash  We disagreed.\par"
    r"\pard Cllr Smith \endash  Strongly.\par}"
)


def _write(tmp_path: Path, data: bytes, name: str = "t.rtf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_rtf_reader_paragraphs_escapes_and_labels(tmp_path: Path) -> None:
    transcript = read_transcript(_write(tmp_path, RTF.encode("ascii")))
    assert transcript.source_type == "rtf"
    assert transcript.encoding == "cp1252"
    assert [(t.speaker, transcript.text[t.start : t.end]) for t in transcript.turns] == [
        ("Interviewer", "Was the café scheme part of the stretch?"),
        ("R1", "Yes – the “quick win”."),
        ("R1", "It paid off."),
        ("Cllr Smith", "We disagreed."),
        ("Cllr Smith", "Strongly."),
    ]
    assert "Interview 7" not in transcript.text
    assert "Calibri" not in transcript.text


def test_rtf_reader_declared_code_page(tmp_path: Path) -> None:
    source = r"{\rtf1\ansi\ansicpg1251 Interviewer: \'cf\'f0\'e8\'e2\'e5\'f2\par}"
    transcript = read_transcript(_write(tmp_path, source.encode("ascii")))
    assert transcript.encoding == "cp1251"
    assert transcript.text == "Interviewer: Привет"


def test_rtf_reader_refuses_empty_and_misnamed(tmp_path: Path) -> None:
    with pytest.raises(InvalidImport) as caught:
        read_transcript(_write(tmp_path, rb"{\rtf1\ansi{\fonttbl{\f0 Arial;}}\pard\par}"))
    assert caught.value.reason == "the RTF file holds no text"
    with pytest.raises(InvalidImport, match="not an RTF file \\(it holds plain text\\)"):
        read_transcript(_write(tmp_path, b"Interviewer: hi", "plain.rtf"))


def test_rtf_content_named_docx_is_read_as_rtf(tmp_path: Path) -> None:
    transcript = read_transcript(_write(tmp_path, RTF.encode("ascii"), "saved-as.docx"))
    assert transcript.source_type == "rtf"
    assert transcript.warnings[0] == (
        "the file is named .docx but holds an RTF document; read as .rtf"
    )
