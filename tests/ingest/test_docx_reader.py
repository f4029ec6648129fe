"""Word .docx transcripts built with python-docx, with the quirks real transcripts have."""

from __future__ import annotations

import copy
import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph

from qualcode.errors import InvalidImport
from qualcode.ingest import read_transcript
from qualcode.ingest.docx import read_docx
from qualcode.text.transcript import Transcript


def _save(document: docx.document.Document, tmp_path: Path, name: str = "t.docx") -> Path:
    path = tmp_path / name
    document.save(str(path))
    return path


def _spoken(transcript: Transcript) -> list[tuple[str | None, str]]:
    return [(t.speaker, transcript.text[t.start : t.end]) for t in transcript.turns]


def _labelled(document: docx.document.Document, label: str, words: str, *, bold: bool) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(label).bold = bold
    paragraph.add_run(words)


def test_docx_reader_bold_and_plain_labels(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Interview 3, Northshire County Council")
    _labelled(document, "Interviewer:", " So tell me about the stretch.", bold=True)
    _labelled(document, "R1:", " It was a lottery.", bold=False)
    _labelled(document, "INT:", " And the reward grant?", bold=True)
    _labelled(document, "Q:", " Who negotiated?", bold=False)
    _labelled(document, "A:", " The centre, mostly.", bold=False)
    _labelled(document, "Cllr Smith –", " We were set up to fail.", bold=False)
    _labelled(document, "Cllr Smith -", " Frankly.", bold=True)
    transcript = read_transcript(_save(document, tmp_path))
    assert transcript.source_type == "docx"
    assert transcript.title == "t"
    assert _spoken(transcript) == [
        (None, "Interview 3, Northshire County Council"),
        ("Interviewer", "So tell me about the stretch."),
        ("R1", "It was a lottery."),
        ("INT", "And the reward grant?"),
        ("Q", "Who negotiated?"),
        ("A", "The centre, mostly."),
        ("Cllr Smith", "We were set up to fail."),
        ("Cllr Smith", "Frankly."),
    ]
    assert [t.is_interviewer for t in transcript.turns] == [
        False,
        True,
        False,
        True,
        True,
        False,
        False,
        False,
    ]
    assert "Cllr Smith: We were set up to fail." in transcript.text.split("\n")


def test_docx_reader_bold_name_without_colon(tmp_path: Path) -> None:
    document = docx.Document()
    for name, words in [
        ("Jane Smith", "The baseline moved."),
        ("Interviewer", "Why?"),
        ("Jane Smith", "Nobody knows."),
    ]:
        _labelled(document, name, " " + words, bold=True)
    document.add_paragraph().add_run("Really important point").bold = True
    transcript = read_transcript(_save(document, tmp_path))
    assert _spoken(transcript) == [
        ("Jane Smith", "The baseline moved."),
        ("Interviewer", "Why?"),
        ("Jane Smith", "Nobody knows."),
        ("Jane Smith", "Really important point"),
    ]


def test_docx_reader_continuation_paragraphs_and_line_breaks(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Interviewer: What happened next?")
    document.add_paragraph("Jane Smith: We bought bins.")
    paragraph = document.add_paragraph("Then we ran a campaign.")
    paragraph.runs[0].add_break()
    paragraph.add_run("Interviewer: Did it work?")
    document.add_paragraph("")
    transcript = read_transcript(_save(document, tmp_path))
    assert transcript.text == (
        "Interviewer: What happened next?\nJane Smith: We bought bins.\n"
        "Then we ran a campaign.\nInterviewer: Did it work?"
    )
    assert [t.speaker for t in transcript.turns] == [
        "Interviewer",
        "Jane Smith",
        "Jane Smith",
        "Interviewer",
    ]


def test_docx_reader_two_and_three_column_tables(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Transcript A")
    table = document.add_table(rows=0, cols=2)
    for speaker, words in [
        ("Speaker", "Text"),
        ("Interviewer", "How was the LSP?"),
        ("Jane", "Supportive."),
        ("", "Mostly."),
        ("Interviewer", "Thanks."),
    ]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = speaker, words
    table3 = document.add_table(rows=0, cols=3)
    for speaker, time, words in [
        ("INT", "00:01:02", "And the police?"),
        ("R2", "[00:01:09]", "Very supportive from the start."),
    ]:
        cells = table3.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = speaker, time, words
    cells[2].add_paragraph("A second paragraph in the cell.")
    transcript = read_transcript(_save(document, tmp_path))
    assert _spoken(transcript) == [
        (None, "Transcript A"),
        ("Interviewer", "How was the LSP?"),
        ("Jane", "Supportive."),
        ("Jane", "Mostly."),
        ("Interviewer", "Thanks."),
        ("INT", "And the police?"),
        ("R2", "Very supportive from the start."),
        ("R2", "A second paragraph in the cell."),
    ]
    assert [t.timestamp for t in transcript.turns][5:] == [62.0, 69.0, None]
    assert "Speaker" not in transcript.text


def test_docx_reader_ordinary_table_is_read_cell_by_cell(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    for row, (key, value) in zip(
        table.rows, [("Date", "12 May 2005"), ("Place", "Kent")], strict=True
    ):
        row.cells[0].text, row.cells[1].text = key, value
    document.add_paragraph("Interviewer: Shall we start?")
    transcript = read_transcript(_save(document, tmp_path))
    assert transcript.text == "Date\n12 May 2005\nPlace\nKent\nInterviewer: Shall we start?"


def test_docx_reader_ignores_headers_footers_and_comments(tmp_path: Path) -> None:
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "CONFIDENTIAL Interviewer: header text"
    section.footer.paragraphs[0].text = "Page 1"
    paragraph = document.add_paragraph("Interviewer: Is the baseline right?")
    document.add_comment(paragraph.runs, text="check this", author="QA")
    document.add_paragraph("R1: Not really.")
    transcript = read_transcript(_save(document, tmp_path))
    assert transcript.text == "Interviewer: Is the baseline right?\nR1: Not really."


def _tracked(paragraph: DocxParagraph, kind: str, words: str, author: str = "QA") -> None:
    """Append a tracked insertion (``w:ins``) or deletion (``w:del``) to a paragraph."""
    wrapper = paragraph._p.makeelement(qn(f"w:{kind}"), {qn("w:id"): "1", qn("w:author"): author})
    run = paragraph._p.makeelement(qn("w:r"), {})
    text = run.makeelement(qn("w:t" if kind == "ins" else "w:delText"), {})
    text.text = words
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.append(text)
    wrapper.append(run)
    paragraph._p.append(wrapper)


def test_docx_reader_tracked_changes_read_as_accepted(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Jane Smith: The target was")
    _tracked(paragraph, "del", " never")
    _tracked(paragraph, "ins", " nearly")
    paragraph.add_run(" met.")
    gone = document.add_paragraph("Interviewer: A deleted paragraph mark ")
    mark = gone._p.get_or_add_pPr().makeelement(qn("w:rPr"), {})
    mark.append(mark.makeelement(qn("w:del"), {qn("w:id"): "2", qn("w:author"): "QA"}))
    gone._p.get_or_add_pPr().append(mark)
    document.add_paragraph("joins the next one.")
    hidden = document.add_paragraph("R1: Visible")
    hidden.add_run(" secret").font.hidden = True
    transcript = read_transcript(_save(document, tmp_path))
    assert transcript.text == (
        "Jane Smith: The target was nearly met.\n"
        "Interviewer: A deleted paragraph mark joins the next one.\n"
        "R1: Visible"
    )
    assert transcript.warnings == ["tracked changes were read as accepted"]


def test_docx_reader_teams_layout(tmp_path: Path) -> None:
    document = docx.Document()
    for line in [
        "Jane Smith   0:03",
        "Thanks for having me.",
        "It's been a busy year.",
        "Interviewer   0:15",
        "Let's begin with the LSP.",
    ]:
        document.add_paragraph(line)
    transcript = read_transcript(_save(document, tmp_path))
    assert transcript.text == (
        "Jane Smith: Thanks for having me.\nIt's been a busy year.\n"
        "Interviewer: Let's begin with the LSP."
    )
    assert [(t.speaker, t.timestamp) for t in transcript.turns] == [
        ("Jane Smith", 3.0),
        ("Jane Smith", None),
        ("Interviewer", 15.0),
    ]


def test_docx_reader_no_speakers_warns(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("The stretch was hard to achieve.")
    document.add_paragraph("Partners were supportive.")
    transcript = read_transcript(_save(document, tmp_path))
    assert [t.speaker for t in transcript.turns] == [None, None]
    assert transcript.warnings
    assert "no speaker labels" in transcript.warnings[0]


def test_docx_reader_unicode_is_nfc(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Interviewer: cafe\u0301 \U0001f600 naïve")
    transcript = read_transcript(_save(document, tmp_path))
    assert transcript.text == "Interviewer: café \U0001f600 naïve"


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (OLE, "not a Word .docx file (looks like an old .doc or an encrypted document)"),
        (b"", "the file is empty"),
        (b"PK\x03\x04" + b"\x00" * 40, "not a Word .docx file (the zip archive is damaged)"),
        (b"Interviewer: plain text", "not a Word .docx file (it holds plain text)"),
    ],
)
def test_docx_reader_refuses_broken_files(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(content)
    with pytest.raises(InvalidImport) as caught:
        read_transcript(path)
    assert caught.value.reason == reason
    assert str(caught.value) == f"{path}: {reason}"


def test_docx_reader_refuses_truncated_zip_and_zip_without_document(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Interviewer: hello")
    data = (_save(document, tmp_path)).read_bytes()
    truncated = tmp_path / "cut.docx"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(InvalidImport, match="the zip archive is damaged"):
        read_transcript(truncated)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    other = tmp_path / "other.docx"
    other.write_bytes(buffer.getvalue())
    with pytest.raises(InvalidImport, match="no word/document.xml"):
        read_transcript(other)


def test_docx_reader_refuses_malformed_xml() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document><w:body>")
    with pytest.raises(InvalidImport, match="not well-formed XML"):
        read_docx(buffer.getvalue())


def test_docx_reader_content_controls_are_read(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Interviewer: inside a content control")
    body = paragraph._p.getparent()
    sdt = body.makeelement(qn("w:sdt"), {})
    content = sdt.makeelement(qn("w:sdtContent"), {})
    sdt.append(content)
    content.append(copy.deepcopy(paragraph._p))
    body.replace(paragraph._p, sdt)
    transcript = read_transcript(_save(document, tmp_path))
    assert transcript.text == "Interviewer: inside a content control"
