"""Word styles and small building blocks for the evidence pack.

Everything is written with named styles (Heading 1-3, Quote, and two of our own based on
Normal: "Quote Attribution" and "Author Note") and no direct formatting beyond bold labels,
so an author can restyle the whole pack from Word's style pane or paste it into the house
template.
"""

from __future__ import annotations

from collections.abc import Sequence

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

TITLE = "Title"
SUBTITLE = "Subtitle"
QUOTE = "Quote"
ATTRIBUTION = "Quote Attribution"
NOTE = "Author Note"
TABLE = "Table Grid"
CAPTION = "Caption"


def heading_style(level: int) -> str:
    return f"Heading {level}"


class Styler:
    """Adds paragraphs and tables with named styles, looking each style's id up once.

    python-docx resolves a style name on every ``add_paragraph(style=...)`` by scanning the
    whole style sheet (milliseconds each); a pack has thousands of paragraphs, so the id is
    cached and written straight into the paragraph or table properties."""

    def __init__(self, document: DocxDocument) -> None:
        self.document = document
        self._ids: dict[str, str] = {}

    def style_id(self, name: str) -> str:
        if name not in self._ids:
            self._ids[name] = self.document.styles[name].style_id
        return self._ids[name]

    def paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        paragraph = self.document.add_paragraph(text)
        if style is not None:
            paragraph._p.style = self.style_id(style)
        return paragraph

    def heading(self, text: str, level: int) -> Paragraph:
        return self.paragraph(text, heading_style(level))

    def labelled(self, label: str, text: str, style: str | None = None) -> Paragraph:
        """A paragraph starting with a bold ``label`` ("Definition: ...")."""
        paragraph = self.paragraph(style=style)
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(text)
        return paragraph

    def table(self, header: Sequence[str] | None, rows: Sequence[Sequence[str]]) -> Table:
        """A grid table; the header row (if any) in bold. Cells are filled row by row, which
        python-docx does in linear time (``table.cell(r, c)`` would be quadratic)."""
        columns = len(header) if header is not None else max((len(r) for r in rows), default=1)
        grid = self._grid(columns)
        if header is not None:
            for cell, text in zip(_new_row(grid), header, strict=True):
                cell.paragraphs[0].add_run(text).bold = True
        for row in rows:
            for cell, text in zip(_new_row(grid), row, strict=True):
                cell.paragraphs[0].add_run(text)
        return grid

    def key_values(self, pairs: Sequence[tuple[str, str]]) -> Table:
        """A two-column table of bold labels and values (the cover, the evidence base)."""
        grid = self._grid(2)
        for label, value in pairs:
            cells = _new_row(grid)
            cells[0].paragraphs[0].add_run(label).bold = True
            cells[1].paragraphs[0].add_run(value)
        return grid

    def _grid(self, columns: int) -> Table:
        grid: Table = self.document.add_table(rows=0, cols=columns)
        grid._tbl.tblStyle_val = self.style_id(TABLE)
        return grid


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
