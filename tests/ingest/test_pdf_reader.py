"""PDF transcripts: a hand-written PDF with a text layer, one without (a scan), broken ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.errors import InvalidImport
from qualcode.ingest import read_transcript
from qualcode.ingest.pdf import NO_TEXT_LAYER


def _pdf(pages: list[list[str]], *, text: bool = True) -> bytes:
    """A minimal PDF: each page's lines in Helvetica (or, with ``text=False``, only a box)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    contents = []
    for lines in pages:
        ops = [b"BT /F1 11 Tf 72 770 Td 14 TL"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(b"(" + escaped.encode("latin-1") + b") Tj T*")
        ops.append(b"ET")
        stream = b"\n".join(ops) if text else b"0 0 0 rg 72 400 300 200 re f"
        contents.append(add(b"<< /Length %d >>\nstream\n%b\nendstream" % (len(stream), stream)))
    parent = len(objects) + len(pages) + 1
    kids = [
        add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (parent, font, c)
        )
        for c in contents
    ]
    refs = b" ".join(b"%d 0 R" % kid for kid in kids)
    add(b"<< /Type /Pages /Kids [%b] /Count %d >>" % (refs, len(kids)))
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % parent)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        xref,
    )
    return bytes(out)


def _write(tmp_path: Path, data: bytes, name: str = "t.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_pdf_reader_joins_wrapped_lines_and_finds_speakers(tmp_path: Path) -> None:
    pages = [
        [
            "Interview with the LPSA coordinator, Westmere",
            "",
            "Interviewer: So tell me about the stretch targets and how the negotiation",
            "went with the department.",
            "Jane Smith: Not well.",
            "Page 1 of 2",
        ],
        ["Interviewer: Why?", "Jane Smith: The baseline moved twice.", "2"],
    ]
    transcript = read_transcript(_write(tmp_path, _pdf(pages)))
    assert transcript.source_type == "pdf"
    assert transcript.text.split("\n") == [
        "Interview with the LPSA coordinator, Westmere",
        "Interviewer: So tell me about the stretch targets and how the negotiation went with "
        "the department.",
        "Jane Smith: Not well.",
        "Interviewer: Why?",
        "Jane Smith: The baseline moved twice.",
    ]
    assert [t.speaker for t in transcript.turns] == [
        None,
        "Interviewer",
        "Jane Smith",
        "Interviewer",
        "Jane Smith",
    ]


def test_pdf_reader_refuses_a_scan_without_text_layer(tmp_path: Path) -> None:
    with pytest.raises(InvalidImport) as caught:
        read_transcript(_write(tmp_path, _pdf([[""]], text=False)))
    assert caught.value.reason == NO_TEXT_LAYER
    assert NO_TEXT_LAYER == "the PDF has no text layer (a scanned document?); run OCR first"


def test_pdf_reader_refuses_damaged_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidImport, match="not a readable PDF file"):
        read_transcript(_write(tmp_path, b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog"))
    with pytest.raises(InvalidImport, match="not a PDF file \\(it holds plain text\\)"):
        read_transcript(_write(tmp_path, b"Interviewer: hello", "fake.pdf"))


def test_pdf_content_in_a_txt_file_is_read_as_pdf(tmp_path: Path) -> None:
    transcript = read_transcript(_write(tmp_path, _pdf([["R1: Yes.", "Q: Why?"]]), "x.txt"))
    assert transcript.source_type == "pdf"
    assert transcript.text == "R1: Yes.\nQ: Why?"
    assert transcript.warnings == ["the file is named .txt but holds a PDF; read as .pdf"]
