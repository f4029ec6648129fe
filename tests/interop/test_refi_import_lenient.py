"""Lenient ``.qdpx`` import: odd but legal files read, the unsupported is reported, not fatal."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from qualcode.interop.refi_qda import read_qdpx, write_qdpx

PDF, DOCX, DOCX_ONLY = (
    "d0000000-0000-4000-8000-0000000000f1",
    "d0000000-0000-4000-8000-0000000000f2",
    "d0000000-0000-4000-8000-0000000000f3",
)
PDF_TEXT = "Annual report 2005.\nThe stretch target on recycling was met.\n"
DOCX_TEXT = "Cabinet member: We signed in April.\n"
INLINE_TEXT = "Inline: short note about café culture."


def make_qdpx(path: Path, qde: str, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde.encode("utf-8"))
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def pos(text: str, quote: str) -> str:
    start = text.index(quote)
    return f'startPosition="{start}" endPosition="{start + len(quote)}"'


QDE = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Mixed">
  <CodeBook><Codes>
    <Code guid="c001" name="Targets" isCodable="true"/>
    <Code guid="c002" name="Targets" isCodable="true">
      <Description>Same name, other code.</Description>
    </Code>
  </Codes></CodeBook>
  <Cases>
    <Case guid="ca5e0000-0000-4000-8000-000000000001" name="Authority D">
      <SourceRef targetGUID="{PDF}"/>
      <SourceRef targetGUID="{DOCX_ONLY}"/>
      <SelectionRef targetGUID="5e000000-0000-4000-8000-000000000001"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="d0000000-0000-4000-8000-0000000000f0" name="Inline">
      <PlainTextContent>{INLINE_TEXT}</PlainTextContent>
      <PlainTextSelection guid="5e000000-0000-4000-8000-000000000001"
          {pos(INLINE_TEXT, "café culture")}
          creatingUser="0e000000-0000-4000-8000-000000000009">
        <Coding guid="c0d10000-0000-4000-8000-000000000001"><CodeRef targetGUID="c002"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="5e000000-0000-4000-8000-000000000002"
          startPosition="30" endPosition="99">
        <Coding guid="c0d10000-0000-4000-8000-000000000002"><CodeRef targetGUID="c001"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="5e000000-0000-4000-8000-000000000003"
          startPosition="0" endPosition="6">
        <Coding guid="c0d10000-0000-4000-8000-000000000003"><CodeRef targetGUID="c999"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="5e000000-0000-4000-8000-000000000004"
          startPosition="8" endPosition="8">
        <Description>Point memo.</Description>
        <Coding guid="c0d10000-0000-4000-8000-000000000004"><CodeRef targetGUID="c001"/></Coding>
      </PlainTextSelection>
      <Coding guid="c0d10000-0000-4000-8000-000000000005"><CodeRef targetGUID="c001"/></Coding>
    </TextSource>
    <TextSource guid="{DOCX}" name="Cabinet member" richTextPath="internal://{DOCX}.docx"
        plainTextPath="internal://{DOCX}.txt">
      <PlainTextSelection guid="5e000000-0000-4000-8000-000000000005"
          {pos(DOCX_TEXT, "signed in April")}>
        <Coding guid="c0d10000-0000-4000-8000-000000000006"><CodeRef targetGUID="c001"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="{DOCX_ONLY}" name="Word only" richTextPath="internal://{DOCX_ONLY}.docx"/>
    <TextSource guid="d0000000-0000-4000-8000-0000000000f4" name="Missing" plainTextPath="internal://nope.txt"/>
    <TextSource guid="d0000000-0000-4000-8000-0000000000f5" name="Elsewhere" plainTextPath="relative://x.txt"/>
    <PDFSource guid="{PDF}" name="Annual report.pdf" path="internal://{PDF}.pdf">
      <PDFSelection guid="5e000000-0000-4000-8000-000000000006" page="0"
          firstX="1" firstY="1" secondX="9" secondY="9">
        <Coding guid="c0d10000-0000-4000-8000-000000000007"><CodeRef targetGUID="c001"/></Coding>
      </PDFSelection>
      <Representation guid="d0000000-0000-4000-8000-0000000000fa" plainTextPath="internal://rep.txt">
        <PlainTextSelection guid="5e000000-0000-4000-8000-000000000007"
          {pos(PDF_TEXT, "recycling was met")}>
          <Coding guid="c0d10000-0000-4000-8000-000000000008"><CodeRef targetGUID="c001"/></Coding>
        </PlainTextSelection>
      </Representation>
    </PDFSource>
    <PDFSource guid="d0000000-0000-4000-8000-0000000000f6" name="Scan.pdf" path="internal://scan.pdf"/>
    <PictureSource guid="d0000000-0000-4000-8000-0000000000f7" name="Board photo.jpg" path="internal://p.jpg">
      <PictureSelection guid="5e000000-0000-4000-8000-000000000008"
          firstX="0" firstY="0" secondX="5" secondY="5">
        <Coding guid="c0d10000-0000-4000-8000-000000000009"><CodeRef targetGUID="c001"/></Coding>
      </PictureSelection>
    </PictureSource>
    <AudioSource guid="d0000000-0000-4000-8000-0000000000f8" name="Interview.m4a" path="internal://a.m4a"/>
    <VideoSource guid="d0000000-0000-4000-8000-0000000000f9" name="Workshop.mp4" path="internal://v.mp4"/>
  </Sources>
  <Notes>
    <Note guid="9e000000-0000-4000-8000-000000000001" name="Orphan">
      <PlainTextContent>x</PlainTextContent>
    </Note>
  </Notes>
  <Graphs><Graph guid="6a000000-0000-4000-8000-000000000001" name="Network"/></Graphs>
  <NoteRef targetGUID="9e000000-0000-4000-8000-0000000000ff"/>
</Project>
"""


FILES = {
    f"sources/{DOCX}.txt": DOCX_TEXT.encode("utf-8"),
    f"sources/{DOCX}.docx": b"PK...",
    "sources/rep.txt": PDF_TEXT.encode("utf-8"),
    f"sources/{PDF}.pdf": b"%PDF-1.4",
}


def test_refi_import_lenient_reads_what_it_can_and_reports_the_rest(tmp_path: Path):
    snapshot = read_qdpx(make_qdpx(tmp_path / "mixed.qdpx", QDE, FILES))
    assert snapshot.origin == ""
    assert [s.name for s in snapshot.sources] == ["Inline", "Cabinet member", "Annual report.pdf"]
    texts = {s.guid: s.text for s in snapshot.sources}
    coded = [
        (texts[s.source_guid][s.start : s.end], [c.code_guid for c in s.codings])
        for s in snapshot.selections
    ]
    assert coded == [
        ("café culture", ["c002"]),  # a non-GUID code id, and the second of two "Targets"
        ("", []),  # zero-length: its coding dropped, its memo kept
        ("signed in April", ["c001"]),  # a Word source read through its plain-text representation
        ("recycling was met", ["c001"]),  # a PDF read through its text representation
    ]
    assert snapshot.selections[1].description == "Point memo."
    assert snapshot.selections[3].source_guid == PDF
    # the case keeps the PDF; the Word-only source was not imported
    assert snapshot.cases[0].source_guids == [PDF]
    # a coder missing from <Users> is added so the coding keeps its author
    assert [u.name for u in snapshot.users] == ["Unknown user 0e000000"]

    reasons = {(item.kind, item.item): item.reason for item in snapshot.report.skipped}
    assert reasons[("source", "Word only")] == "a Word source without its plain-text representation"
    assert (
        reasons[("source", "Missing")]
        == "its text file is missing from the archive (internal://nope.txt)"
    )
    assert reasons[("source", "Elsewhere")] == "its text is outside the archive (relative://x.txt)"
    assert reasons[("source", "Scan.pdf")] == "a PDF without a text representation"
    assert (
        reasons[("source", "Board photo.jpg")]
        == "pictures are not supported (1 selections not imported)"
    )
    assert reasons[("source", "Interview.m4a")] == "audio sources are not supported"
    assert reasons[("source", "Workshop.mp4")] == "video sources are not supported"
    assert reasons[("selection", "Inline [30, 99)")].startswith("position 99 is outside the text")
    assert reasons[("coding", "Inline [0, 6)")] == "it refers to an unknown code c999"
    assert reasons[("coding", "Inline [8, 8)")] == "a zero-length selection"
    assert reasons[("coding", "Inline")] == "codes applied to a whole source are not supported (1)"
    assert reasons[("selection", "Annual report.pdf page 0")] == "an area of a PDF page"
    assert reasons[("graph", "Network")] == "graphs are not supported"
    assert (
        reasons[("note reference", "project")]
        == "unknown note 9e000000-0000-4000-8000-0000000000ff"
    )
    assert (
        "cases made of selections are not supported" in reasons[("case reference", "Authority D")]
    )
    assert (
        "it has no codes and no memo"
        in reasons[("selection", "5e000000-0000-4000-8000-000000000003 [0, 6)")]
    )
    assert snapshot.report.counts["source"] == 3
    assert snapshot.report.counts["selection"] == 4
    assert snapshot.report.counts["coding"] == 3
    assert snapshot.report.skipped_counts()["source"] == 7


def test_refi_import_lenient_non_utf8_text_is_read_and_reported(tmp_path: Path):
    qde = """<Project xmlns="urn:QDA-XML:project:1.0" name="Legacy">
      <Sources><TextSource guid="d0000000-0000-4000-8000-000000000001" name="Old"
          plainTextPath="old.txt"/></Sources></Project>"""
    path = make_qdpx(
        tmp_path / "legacy.qdpx",
        qde,
        {"sources/old.txt": "Café “society”".encode("cp1252")},
    )
    snapshot = read_qdpx(path)
    assert snapshot.sources[0].text == "Café “society”"
    assert snapshot.report.messages == ["Old: text is not UTF-8; read as Windows-1252"]


def test_refi_import_lenient_reexport_is_strict_and_keeps_every_quote(tmp_path: Path):
    imported = read_qdpx(make_qdpx(tmp_path / "mixed.qdpx", QDE, FILES))
    write_qdpx(imported, tmp_path / "clean.qdpx")
    with zipfile.ZipFile(tmp_path / "clean.qdpx") as archive:
        tree = etree.ElementTree(etree.fromstring(archive.read("project.qde")))
    xsd = Path(__file__).parent.parent / "data" / "refi" / "Project.xsd"
    etree.XMLSchema(etree.parse(str(xsd))).assertValid(tree)
    again = read_qdpx(tmp_path / "clean.qdpx")
    assert [s.text for s in again.selections] == [s.text for s in imported.selections]
    assert again.report.skipped == []
