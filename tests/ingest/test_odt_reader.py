"""OpenDocument .odt transcripts built with odfpy."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from odf.office import Annotation
from odf.opendocument import OpenDocumentText
from odf.style import Style, TextProperties
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import (
    ChangedRegion,
    Deletion,
    LineBreak,
    List,
    ListItem,
    Note,
    NoteBody,
    NoteCitation,
    P,
    S,
    Span,
    TrackedChanges,
)

from qualcode.errors import InvalidImport
from qualcode.ingest import read_transcript
from qualcode.ingest.odt import read_odt

XML_NS = "http://www.w3.org/XML/1998/namespace"


def _save(document: OpenDocumentText, tmp_path: Path) -> Path:
    path = tmp_path / "t.odt"
    document.save(str(path))
    return path


def _bold_style(document: OpenDocumentText) -> Style:
    style = Style(name="Bold", family="text")
    style.addElement(TextProperties(fontweight="bold"))
    document.automaticstyles.addElement(style)
    return style


def test_odt_reader_paragraphs_bold_labels_lists_and_spaces(tmp_path: Path) -> None:
    document = OpenDocumentText()
    bold = _bold_style(document)
    document.text.addElement(P(text="Interviewer: How was the negotiation?"))
    for words in ["Long.", "Very long."]:
        paragraph = P()
        paragraph.addElement(Span(stylename=bold, text="Jane Smith"))
        paragraph.addText(" " + words)
        document.text.addElement(paragraph)
    spaced = P(text="Interviewer: And")
    spaced.addElement(S(c=3))
    spaced.addText("then?")
    spaced.addElement(LineBreak())
    spaced.addText("R1: Then nothing.")
    document.text.addElement(spaced)
    items = List()
    item = ListItem()
    item.addElement(P(text="R1: A listed point."))
    items.addElement(item)
    document.text.addElement(items)
    transcript = read_transcript(_save(document, tmp_path))
    assert transcript.source_type == "odt"
    assert transcript.text.split("\n") == [
        "Interviewer: How was the negotiation?",
        "Jane Smith: Long.",
        "Jane Smith: Very long.",
        "Interviewer: And then?",
        "R1: Then nothing.",
        "R1: A listed point.",
    ]
    assert [t.speaker for t in transcript.turns] == [
        "Interviewer",
        "Jane Smith",
        "Jane Smith",
        "Interviewer",
        "R1",
        "R1",
    ]


def test_odt_reader_transcript_table(tmp_path: Path) -> None:
    document = OpenDocumentText()
    table = Table(name="T")
    table.addElement(TableColumn(numbercolumnsrepeated=3))
    for speaker, time, words in [
        ("Speaker", "Time", "Text"),
        ("INT", "00:00:10", "Why?"),
        ("R1", "00:00:12", "Because."),
        ("INT", "00:00:20", "Sure?"),
    ]:
        row = TableRow()
        for value in (speaker, time, words):
            cell = TableCell()
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    document.text.addElement(table)
    transcript = read_transcript(_save(document, tmp_path))
    assert transcript.text == "INT: Why?\nR1: Because.\nINT: Sure?"
    assert [t.timestamp for t in transcript.turns] == [10.0, 12.0, 20.0]


def test_odt_reader_skips_deletions_comments_and_footnotes(tmp_path: Path) -> None:
    document = OpenDocumentText()
    changes = TrackedChanges()
    region = ChangedRegion(qattributes={(XML_NS, "id"): "ct1"})
    deletion = Deletion()
    deletion.addElement(P(text="Interviewer: deleted question"))
    region.addElement(deletion)
    changes.addElement(region)
    document.text.addElement(changes)
    paragraph = P(text="Interviewer: Kept question?")
    comment = Annotation()
    comment.addElement(P(text="QA: check this"))
    paragraph.addElement(comment)
    note = Note(noteclass="footnote", id="n1")
    note.addElement(NoteCitation(text="1"))
    body = NoteBody()
    body.addElement(P(text="A footnote"))
    note.addElement(body)
    paragraph.addElement(note)
    document.text.addElement(paragraph)
    document.text.addElement(P(text="R1: Kept answer."))
    transcript = read_transcript(_save(document, tmp_path))
    assert transcript.text == "Interviewer: Kept question?\nR1: Kept answer."
    assert transcript.warnings == ["tracked changes were read as accepted"]


def test_odt_reader_refuses_broken_files(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content")
    with pytest.raises(InvalidImport, match="content.xml is not well-formed XML"):
        read_odt(buffer.getvalue())
    encrypted = io.BytesIO()
    with zipfile.ZipFile(encrypted, "w") as archive:
        archive.writestr("content.xml", b"\x00\x01garbage")
        archive.writestr("META-INF/manifest.xml", "<manifest:encryption-data/>")
    with pytest.raises(InvalidImport, match="password-protected"):
        read_odt(encrypted.getvalue())
    path = tmp_path / "old.odt"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(InvalidImport, match="not an OpenDocument .odt file \\(looks like an old"):
        read_transcript(path)
