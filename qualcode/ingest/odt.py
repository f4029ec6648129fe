"""OpenDocument text (``.odt``) transcripts, read from ``content.xml`` with lxml.

Paragraphs, headings, lists, sections and tables are read in document order (a table laid
out as a transcript is attributed by row, as in Word). Tracked changes are read as accepted:
the ``text:tracked-changes`` block that holds deleted text is skipped. Footnotes, comments
(``office:annotation``), frames and the table of contents are ignored. Bold comes from the
document's automatic styles, so a speaker named in bold is recognised as in Word.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Collection, Iterator

from lxml import etree

from qualcode.errors import InvalidImport
from qualcode.ingest.paragraphs import Paragraph, paragraphs_from_runs, transcript_from_paragraphs
from qualcode.ingest.tables import Row, table_paragraphs
from qualcode.text.transcript import Transcript

NOT_ODT = "not an OpenDocument .odt file"
MAX_XML_BYTES = 512 * 1024 * 1024

_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_FO = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)

_P, _H, _SPAN = _TEXT + "p", _TEXT + "h", _TEXT + "span"
_SPACE, _TAB, _BREAK = _TEXT + "s", _TEXT + "tab", _TEXT + "line-break"
_LIST, _SECTION = _TEXT + "list", _TEXT + "section"
_LIST_ITEMS = (_TEXT + "list-item", _TEXT + "list-header")
_SKIPPED_INLINE = frozenset(
    {
        _TEXT + "note",
        _OFFICE + "annotation",
        "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}frame",
    }
)
_ROW_GROUPS = frozenset(_TABLE + x for x in ("table-header-rows", "table-rows", "table-row-group"))
_BOLD_WEIGHTS = frozenset({"bold", "600", "700", "800", "900"})


def _load(data: bytes) -> etree._Element:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "content.xml" not in names:
                raise InvalidImport(f"{NOT_ODT} (the zip archive has no content.xml)")
            manifest = (
                archive.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
            )
            if b"encryption-data" in manifest:
                raise InvalidImport("the OpenDocument file is password-protected")
            if archive.getinfo("content.xml").file_size > MAX_XML_BYTES:
                raise InvalidImport(f"{NOT_ODT} (content.xml is too large once unzipped)")
            xml = archive.read("content.xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError):
        raise InvalidImport(f"{NOT_ODT} (the zip archive is damaged)") from None
    except NotImplementedError:
        raise InvalidImport(f"{NOT_ODT} (unsupported zip compression)") from None
    except RuntimeError:  # zipfile's "File is encrypted, password required"
        raise InvalidImport(f"{NOT_ODT} (the zip archive is encrypted)") from None
    try:
        return etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as error:
        raise InvalidImport(f"{NOT_ODT} (content.xml is not well-formed XML: {error})") from None


def _bold_styles(root: etree._Element) -> frozenset[str]:
    """Names of the automatic text and paragraph styles that set a bold weight."""
    names: set[str] = set()
    styles = root.find(_OFFICE + "automatic-styles")
    for style in styles.iter(_STYLE + "style") if styles is not None else ():
        props = style.find(_STYLE + "text-properties")
        if props is not None and props.get(_FO + "font-weight") in _BOLD_WEIGHTS:
            names.add(style.get(_STYLE + "name", ""))
    return frozenset(names)


class _Reader:
    def __init__(self, bold_styles: frozenset[str]) -> None:
        self.bold_styles = bold_styles

    def _bold(self, element: etree._Element, inherited: bool) -> bool:
        name = element.get(_TEXT + "style-name")
        return inherited if name is None else name in self.bold_styles or inherited

    def runs(self, element: etree._Element, bold: bool, out: list[tuple[str, bool]]) -> None:
        """Append the ``(text, bold)`` runs of a paragraph's inline content to ``out``."""
        if element.text:
            out.append((element.text, bold))
        for child in element:
            tag = child.tag
            if tag == _SPACE:
                out.append((" " * int(child.get(_TEXT + "c", "1") or 1), bold))
            elif tag == _TAB:
                out.append((" ", bold))
            elif tag == _BREAK:
                out.append(("\n", bold))
            elif tag not in _SKIPPED_INLINE and isinstance(tag, str):
                self.runs(child, self._bold(child, bold) if tag == _SPAN else bold, out)
            if child.tail:
                out.append((child.tail, bold))

    def rows(self, table: etree._Element) -> Iterator[Row]:
        for child in table:
            if child.tag in _ROW_GROUPS:
                yield from self.rows(child)
            elif child.tag == _TABLE + "table-row":
                yield [
                    list(self.blocks(cell)) for cell in child.iterchildren(_TABLE + "table-cell")
                ]

    def blocks(self, container: etree._Element) -> Iterator[Paragraph]:
        for child in container:
            tag = child.tag
            if tag in (_P, _H):
                out: list[tuple[str, bool]] = []
                self.runs(child, self._bold(child, False), out)
                yield from paragraphs_from_runs(out)
            elif tag == _LIST:
                for item in child:
                    if item.tag in _LIST_ITEMS:
                        yield from self.blocks(item)
            elif tag == _TABLE + "table":
                yield from table_paragraphs(list(self.rows(child)))
            elif tag == _SECTION:
                yield from self.blocks(child)


def read_odt(data: bytes, *, interviewer_labels: Collection[str] = ()) -> Transcript:
    """Read an ``.odt`` file's bytes into a :class:`Transcript`."""
    root = _load(data)
    body = root.find(f"{_OFFICE}body/{_OFFICE}text")
    if body is None:
        raise InvalidImport(f"{NOT_ODT} (no text body: a spreadsheet or presentation?)")
    revised = body.find(_TEXT + "tracked-changes") is not None
    return transcript_from_paragraphs(
        _Reader(_bold_styles(root)).blocks(body),
        source_type="odt",
        interviewer_labels=interviewer_labels,
        warnings=["tracked changes were read as accepted"] if revised else [],
    )
