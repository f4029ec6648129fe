"""Word styles and small building blocks for the evidence pack.

Everything is written with named styles (Heading 1-3, Quote, and two of our own based on
Normal: "Quote Attribution" and "Author Note") and no direct formatting beyond bold labels,
so an author can restyle the whole pack from Word's style pane or paste it into the house
template.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import nsdecls
from docx.oxml.parser import OxmlElement, parse_xml
from docx.oxml.table import CT_Tbl
from docx.shared import Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

TITLE = "Title"
SUBTITLE = "Subtitle"
QUOTE = "Quote"
ATTRIBUTION = "Quote Attribution"
NOTE = "Author Note"
TABLE = "Table Grid"
CAPTION = "Caption"
_PLAIN = re.compile(r"[^\t\n\r]*")  # text python-docx would write as a single w:t
_BREAKS = re.compile(r"([\t\n\r])")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_QUOTE = {'"': "&quot;"}


def heading_style(level: int) -> str:
    return f"Heading {level}"


class Styler:
    """Appends styled paragraphs and tables to a document, fast enough for thousands.

    python-docx's ``add_paragraph(style=...)`` looks the style name up by scanning the style
    sheet, and appends each block by scanning the body for its section properties, so a pack
    of thousands of paragraphs takes quadratic time. Here each style id is looked up once, new
    blocks go straight in front of the body's ``w:sectPr``, and runs without tabs or line
    breaks are written as one ``w:t``; the XML is the same python-docx would write."""

    def __init__(self, document: DocxDocument) -> None:
        self.document = document
        self._ids: dict[str, str] = {}
        self._container = document._body
        self._end = document.element.body.sectPr

    def style_id(self, name: str) -> str:
        if name not in self._ids:
            self._ids[name] = self.document.styles[name].style_id
        return self._ids[name]

    def _append(self, element: Any) -> None:
        if self._end is not None:
            self._end.addprevious(element)
        else:
            self.document.element.body.append(element)

    def paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        p = OxmlElement("w:p")
        self._append(p)
        paragraph = Paragraph(p, self._container)
        if style is not None:
            p.style = self.style_id(style)
        if text:
            self.run(paragraph, text)
        return paragraph

    def paragraphs(self, items: Sequence[tuple[str, str]]) -> None:
        """Many plain paragraphs of ``(text, style)`` at once: written as one XML fragment and
        parsed in one go, which is several times faster than building them element by
        element (the bulk of a pack is its quotes and their attributions)."""
        if not items:
            return
        body = "".join(
            f'<w:p><w:pPr><w:pStyle w:val="{escape(self.style_id(style), _QUOTE)}"/></w:pPr>'
            f"{_runs_xml(text)}</w:p>"
            for text, style in items
        )
        fragment = parse_xml(f"<w:body {nsdecls('w')}>{body}</w:body>")
        for p in list(fragment):
            self._append(p)

    @staticmethod
    def run(paragraph: Paragraph, text: str, *, bold: bool = False) -> Run:
        r = paragraph._p.add_r()
        run = Run(r, paragraph)
        if bold:
            run.bold = True
        if _PLAIN.fullmatch(text):
            r.add_t(text)
        else:
            run.text = text  # tabs and line breaks become w:tab and w:br
        return run

    def heading(self, text: str, level: int) -> Paragraph:
        return self.paragraph(text, heading_style(level))

    def labelled(self, label: str, text: str, style: str | None = None) -> Paragraph:
        """A paragraph starting with a bold ``label`` ("Definition: ...")."""
        paragraph = self.paragraph(style=style)
        self.run(paragraph, f"{label}: ", bold=True)
        self.run(paragraph, text)
        return paragraph

    def table(self, header: Sequence[str] | None, rows: Sequence[Sequence[str]]) -> Table:
        """A grid table; the header row (if any) in bold."""
        columns = len(header) if header is not None else max((len(r) for r in rows), default=1)
        grid = self._grid(columns)
        if header is not None:
            for cell, text in zip(_new_row(grid), header, strict=True):
                self.run(cell.paragraphs[0], text, bold=True)
        for row in rows:
            for cell, text in zip(_new_row(grid), row, strict=True):
                self.run(cell.paragraphs[0], text)
        return grid

    def key_values(self, pairs: Sequence[tuple[str, str]]) -> Table:
        """A two-column table of bold labels and values (the cover, the evidence base)."""
        grid = self._grid(2)
        for label, value in pairs:
            cells = _new_row(grid)
            self.run(cells[0].paragraphs[0], label, bold=True)
            self.run(cells[1].paragraphs[0], value)
        return grid

    def _grid(self, columns: int) -> Table:
        tbl = CT_Tbl.new_tbl(0, columns, self.document._block_width)
        self._append(tbl)
        tbl.tblStyle_val = self.style_id(TABLE)
        return Table(tbl, self._container)


def _runs_xml(text: str) -> str:
    """``text`` as a run: ``w:t`` pieces, line breaks as ``w:br``, tabs as ``w:tab`` (what
    python-docx writes for ``run.text``); characters XML cannot hold are dropped."""
    if not text:
        return ""
    parts = []
    for piece in _BREAKS.split(_NOT_XML.sub("", text)):
        if piece in ("\n", "\r"):
            parts.append("<w:br/>")
        elif piece == "\t":
            parts.append("<w:tab/>")
        elif piece:
            parts.append(f'<w:t xml:space="preserve">{escape(piece)}</w:t>')
    return f"<w:r>{''.join(parts)}</w:r>"


def _new_row(grid: Table) -> list[_Cell]:
    cells: list[_Cell] = grid.add_row().cells  # type: ignore[no-untyped-call]
    return cells


def ensure_styles(document: DocxDocument) -> None:
    """Add the pack's own paragraph styles to ``document`` if its template lacks them."""
    names = {style.name for style in document.styles}
    if ATTRIBUTION not in names:
        style = document.styles.add_style(ATTRIBUTION, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        style.font.size = Pt(9)
        style.font.italic = True
        style.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        style.paragraph_format.left_indent = Pt(36)
        style.paragraph_format.space_after = Pt(10)
    if NOTE not in names:
        style = document.styles.add_style(NOTE, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        style.font.size = Pt(9)
        style.font.color.rgb = RGBColor(0x1F, 0x4E, 0x99)
        style.paragraph_format.left_indent = Pt(36)
        style.paragraph_format.space_after = Pt(6)
