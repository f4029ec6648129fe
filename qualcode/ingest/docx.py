"""Word ``.docx`` transcripts, read from ``word/document.xml`` with lxml.

python-docx is the reference, but its object model costs ~12 ms for a 5,000-word document; a
single lxml pass costs well under 1 ms, which bulk imports need. What is read:

- body paragraphs and tables in document order (content controls included); headers,
  footers, footnotes, comments and text boxes are other parts and are ignored;
- tracked changes as if accepted: inserted text kept, deleted text (``w:del``, ``w:moveFrom``)
  dropped, a deleted paragraph mark joins its paragraph to the next, deleted rows skipped;
- hidden text (``w:vanish``) is skipped; a line break (``w:br``) splits a paragraph;
- leading bold text, which may name the speaker without a colon;
- tables laid out as transcripts (speaker | [time] | text), see :mod:`qualcode.ingest.tables`.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Collection, Iterator

from lxml import etree

from qualcode.errors import InvalidImport
from qualcode.ingest.paragraphs import (
    Paragraph,
    paragraphs_from_runs,
    transcript_from_paragraphs,
)
from qualcode.ingest.tables import Row, table_paragraphs
from qualcode.text.transcript import Transcript

NOT_DOCX = "not a Word .docx file"
MAX_XML_BYTES = 512 * 1024 * 1024  # refuse zip bombs before inflating them

_MAIN_NS = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # ISO strict
)
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "/officeDocument"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
_FALSE = {"0", "false", "off"}


class _Tags:
    """Clark-notation tag names for one WordprocessingML namespace."""

    def __init__(self, ns: str) -> None:
        w = "{" + ns + "}"
        self.body, self.p, self.r, self.t, self.tbl = (
            w + x for x in ("body", "p", "r", "t", "tbl")
        )
        self.tr, self.tc, self.sdt, self.sdt_content = (
            w + x for x in ("tr", "tc", "sdt", "sdtContent")
        )
        self.custom_xml, self.ppr, self.rpr, self.trpr = (
            w + x for x in ("customXml", "pPr", "rPr", "trPr")
        )
        self.b, self.vanish, self.val = w + "b", w + "vanish", w + "val"
        self.tab, self.ptab, self.br, self.cr = (w + x for x in ("tab", "ptab", "br", "cr"))
        self.ins, self.delete, self.move_from, self.move_to = (
            w + x for x in ("ins", "del", "moveFrom", "moveTo")
        )
        self.textbox = w + "txbxContent"
        # run content other than w:t that stands for text (a soft hyphen stands for nothing)
        self.run_chars = {self.tab: " ", self.ptab: " ", w + "noBreakHyphen": "-"}


def _main_part(archive: zipfile.ZipFile) -> str:
    """The main document part named by the package relationships (usually word/document.xml)."""
    names = set(archive.namelist())
    if "_rels/.rels" in names:
        try:
            rels = etree.fromstring(archive.read("_rels/.rels"), _PARSER)
        except etree.XMLSyntaxError:
            rels = None
        for rel in rels.iter(_REL_NS + "Relationship") if rels is not None else ():
            if rel.get("Type", "").endswith(_OFFICE_DOCUMENT):
                target = str(rel.get("Target", "")).lstrip("/")
                if target in names:
                    return target
    if "word/document.xml" in names:
        return "word/document.xml"
    raise InvalidImport(f"{NOT_DOCX} (the zip archive has no word/document.xml)")


def _load(data: bytes) -> etree._Element:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            name = _main_part(archive)
            if archive.getinfo(name).file_size > MAX_XML_BYTES:
                raise InvalidImport(f"{NOT_DOCX} ({name} is too large once unzipped)")
            xml = archive.read(name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError):
        raise InvalidImport(f"{NOT_DOCX} (the zip archive is damaged)") from None
    except NotImplementedError:
        raise InvalidImport(f"{NOT_DOCX} (unsupported zip compression)") from None
    except RuntimeError:  # zipfile's "File is encrypted, password required"
        raise InvalidImport(f"{NOT_DOCX} (the zip archive is encrypted)") from None
    try:
        return etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as error:
        raise InvalidImport(f"{NOT_DOCX} ({name} is not well-formed XML: {error})") from None


def _prune(root: etree._Element, tags: _Tags) -> bool:
    """Drop deleted text, alternative content and text boxes; True if there were revisions."""
    doomed = list(root.iter(tags.delete, tags.move_from, _MC + "Fallback", tags.textbox))
    revised = bool(doomed and any(el.tag in (tags.delete, tags.move_from) for el in doomed))
    for element in doomed:
        parent = element.getparent()
        # a deleted paragraph mark or row is a marker inside pPr/rPr/trPr, kept for _blocks
        if parent is not None and parent.tag not in (tags.rpr, tags.trpr):
            parent.remove(element)
    if not revised:
        revised = next(root.iter(tags.ins, tags.move_to), None) is not None
    return revised


def _switched_on(element: etree._Element, tags: _Tags) -> bool:
    return element.get(tags.val, "1").lower() not in _FALSE


def _chunks(paragraph: etree._Element, tags: _Tags) -> list[tuple[str, bool]]:
    """(text, bold) pieces of a paragraph, in order; ``"\\n"`` marks a line break."""
    chunks: list[tuple[str, bool]] = []
    t, rpr, breaks, run_chars = tags.t, tags.rpr, (tags.br, tags.cr), tags.run_chars
    for run in paragraph.iter(tags.r):
        parts: list[str] = []
        bold = hidden = False
        for child in run:
            tag = child.tag
            if tag == t:
                parts.append(child.text or "")
            elif tag == rpr:
                for prop in child:
                    if prop.tag == tags.b:
                        bold = _switched_on(prop, tags)
                    elif prop.tag == tags.vanish:
                        hidden = _switched_on(prop, tags)
            elif tag in run_chars:
                parts.append(run_chars[tag])
            elif tag in breaks:
                parts.append("\n")
        if parts and not hidden:
            chunks.append(("".join(parts), bold))
    return chunks


def _marked_deleted(element: etree._Element, props_tag: str, tags: _Tags) -> bool:
    props = element.find(props_tag)
    if props is None:
        return False
    if props_tag == tags.ppr:
        props = props.find(tags.rpr)
        if props is None:
            return False
    return props.find(tags.delete) is not None or props.find(tags.move_from) is not None


def _children(container: etree._Element, tag: str, tags: _Tags) -> Iterator[etree._Element]:
    """Children with ``tag``, looking through content controls and custom XML wrappers."""
    for child in container:
        if child.tag == tag:
            yield child
        elif child.tag == tags.sdt:
            content = child.find(tags.sdt_content)
            if content is not None:
                yield from _children(content, tag, tags)
        elif child.tag == tags.custom_xml:
            yield from _children(child, tag, tags)


def _rows(table: etree._Element, tags: _Tags) -> list[Row]:
    return [
        [list(_blocks(cell, tags)) for cell in _children(row, tags.tc, tags)]
        for row in _children(table, tags.tr, tags)
        if not _marked_deleted(row, tags.trpr, tags)
    ]


def _blocks(container: etree._Element, tags: _Tags) -> Iterator[Paragraph]:
    """Paragraphs of a body, cell or content control, in reading order."""
    carried: list[tuple[str, bool]] = []
    for child in container:
        tag = child.tag
        if tag == tags.p:
            chunks = carried + _chunks(child, tags)
            if _marked_deleted(child, tags.ppr, tags):
                carried = chunks  # accepted deletion of the mark joins it to the next paragraph
                continue
            carried = []
            yield from paragraphs_from_runs(chunks)
        elif tag == tags.tbl:
            yield from table_paragraphs(_rows(child, tags))
        elif tag in (tags.sdt, tags.custom_xml, tags.ins, tags.move_to):
            content = child.find(tags.sdt_content) if tag == tags.sdt else child
            if content is not None:
                yield from _blocks(content, tags)
    if carried:
        yield from paragraphs_from_runs(carried)


def read_docx(data: bytes, *, interviewer_labels: Collection[str] = ()) -> Transcript:
    """Read a ``.docx`` file's bytes into a :class:`Transcript`."""
    root = _load(data)
    namespace = etree.QName(root).namespace
    if namespace not in _MAIN_NS:
        raise InvalidImport(f"{NOT_DOCX} (the main part is not a WordprocessingML document)")
    tags = _Tags(namespace)
    body = root.find(tags.body)
    if body is None:
        raise InvalidImport(f"{NOT_DOCX} (the document has no body)")
    revised = _prune(body, tags)
    warnings = ["tracked changes were read as accepted"] if revised else []
    return transcript_from_paragraphs(
        _blocks(body, tags),
        source_type="docx",
        interviewer_labels=interviewer_labels,
        warnings=warnings,
    )
