"""Quotes and matrices written to ``.csv`` and ``.xlsx``, and quotes as a simple ``.docx`` list.

Pure writers: :class:`~qualcode.reports.evidence.QuoteResult`, :class:`Matrix` and
:class:`FrameworkMatrix` in, a file (a path or a binary stream) out. Quote text is written
exactly as in the transcript. CSV files are UTF-8 with a byte-order mark (so Excel reads the
accents) and a cell that a spreadsheet would run as a formula gets a leading apostrophe; in
``.xlsx`` such a cell is stored as text instead, unchanged. The Word list uses the built-in
styles Heading 1, Heading 2 and Quote, so authors can restyle it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from qualcode.errors import InvalidInput
from qualcode.reports.evidence import FrameworkMatrix, Matrix, Quote, QuoteResult

Target = Path | IO[bytes]
QUOTE_COLUMNS = (
    "case",
    "document",
    "speaker",
    "coder",
    "codes",
    "text",
    "start",
    "end",
    "document_id",
    "coding_id",
    "origin",
    "turn",
)
FORMULA_START = ("=", "+", "@", "\t", "\r")
SHADE = "2F6DB5"  # the darkest matrix cell; others blend towards white


# --- quotes -----------------------------------------------------------------------------------


def quote_rows(result: QuoteResult) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the quotes table: fixed columns, then one per attribute."""
    attributes = sorted({name for q in result.quotes for name in q.attributes})
    header = [*QUOTE_COLUMNS, *attributes]
    rows = [
        [
            q.case or "",
            q.document,
            q.speaker or "",
            q.coder or "",
            "; ".join(q.codes),
            q.text,
            q.start,
            q.end,
            q.document_id,
            q.coding_id,
            q.origin or "",
            q.turn_index if q.turn_index is not None else "",
            *(q.attributes.get(name, "") for name in attributes),
        ]
        for q in result.quotes
    ]
    return header, rows


def summary_lines(result: QuoteResult) -> list[str]:
    lines = [
        f"{_count(result.segments, 'segment')} in {_count(result.documents, 'document')} "
        f"from {_count(result.cases, 'case')}."
    ]
    if result.cases_without:
        lines.append("No quotes from: " + ", ".join(c.name for c in result.cases_without) + ".")
    return lines


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def quotes_csv(result: QuoteResult, target: Target) -> None:
    header, rows = quote_rows(result)
    _write_csv(target, [header, *rows])


def quotes_xlsx(result: QuoteResult, target: Target) -> None:
    from openpyxl import Workbook

    header, rows = quote_rows(result)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Quotes"
    _table(sheet, header, rows)
    widths = {"case": 24, "document": 30, "speaker": 18, "coder": 14, "codes": 30, "text": 80}
    for i, name in enumerate(header, start=1):
        sheet.column_dimensions[_letter(i)].width = widths.get(name, 12)
    from openpyxl.styles import Alignment

    text_col = header.index("text") + 1
    for row in sheet.iter_rows(min_row=2, min_col=text_col, max_col=text_col):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    summary = book.create_sheet("Summary")
    _table(
        summary,
        ["query", "segments", "documents", "cases", "cases without quotes"],
        [
            [
                result.label,
                result.segments,
                result.documents,
                result.cases,
                ", ".join(c.name for c in result.cases_without),
            ]
        ],
    )
    _save(book, target)


def quotes_docx(result: QuoteResult, target: Target, *, title: str | None = None) -> None:
    """Heading 1 with the query and counts; per case a Heading 2 and its quotes (style Quote),
    each followed by its attribution."""
    from docx import Document

    doc = Document()
    doc.add_heading(title or result.label, level=1)
    for line in summary_lines(result):
        doc.add_paragraph(line)
    current: object = object()
    for quote in result.quotes:
        if quote.case != current:
            current = quote.case
            doc.add_heading(quote.case or "No case", level=2)
        doc.add_paragraph(quote.text, style="Quote")
        doc.add_paragraph(attribution(quote))
    _save(doc, target)


def attribution(quote: Quote) -> str:
    """``— Jane Smith, Eastwick coordinator (coded by Alice; Barriers/Poor data)``"""
    who = quote.speaker or "Unknown speaker"
    coded = f"coded by {quote.coder}; " if quote.coder else ""
    codes = "; ".join(quote.codes) or "no code"
    return f"— {who}, {quote.document} ({coded}{codes})"


QUOTE_WRITERS: dict[str, Callable[[QuoteResult, Target], None]] = {
    ".csv": quotes_csv,
    ".xlsx": quotes_xlsx,
    ".docx": quotes_docx,
}


def write_quotes(result: QuoteResult, path: Path) -> None:
    """Write by the file's extension: ``.docx``, ``.csv`` or ``.xlsx``."""
    _writer(QUOTE_WRITERS, path)(result, path)


# --- matrices ---------------------------------------------------------------------------------


def matrix_rows(matrix: Matrix) -> tuple[list[str], list[list[Any]]]:
    header = ["code", *(h.label for h in matrix.cols), "Total"]
    rows: list[list[Any]] = [
        [h.label, *(cell.value for cell in row), matrix.row_totals[i]]
        for i, (h, row) in enumerate(zip(matrix.rows, matrix.cells, strict=True))
    ]
    rows.append(["Total", *matrix.col_totals, ""])
    return header, rows


def matrix_csv(matrix: Matrix, target: Target) -> None:
    header, rows = matrix_rows(matrix)
    _write_csv(target, [header, *rows])


def matrix_xlsx(matrix: Matrix, target: Target) -> None:
    """The counts, shaded from white (0) to blue (the largest cell), with a note saying what
    is counted."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    header, rows = matrix_rows(matrix)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Matrix"
    _table(sheet, header, rows)
    sheet.column_dimensions["A"].width = 40
    top = matrix.max_value
    for r, row in enumerate(matrix.cells, start=2):
        for c, cell in enumerate(row, start=2):
            if top and cell.value:
                colour = shade_hex(cell.value / top)
                sheet.cell(r, c).fill = PatternFill("solid", start_color=colour, end_color=colour)
                if cell.value / top > 0.6:
                    sheet.cell(r, c).font = Font(color="FFFFFF")
    sheet.cell(
        len(rows) + 3,
        1,
        f"Cells count {matrix.count}; rows are codes "
        f"(with their sub-codes), columns are {matrix.kind}.",
    )
    _save(book, target)


def shade_hex(fraction: float) -> str:
    """RGB hex blending white towards :data:`SHADE` by ``fraction`` (0..1)."""
    fraction = min(1.0, max(0.0, fraction))
    channels = [int(SHADE[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(255 - (255 - ch) * fraction):02X}" for ch in channels)


MATRIX_WRITERS: dict[str, Callable[[Matrix, Target], None]] = {
    ".csv": matrix_csv,
    ".xlsx": matrix_xlsx,
}


def write_matrix(matrix: Matrix, path: Path) -> None:
    _writer(MATRIX_WRITERS, path)(matrix, path)


# --- framework matrix -------------------------------------------------------------------------


def framework_rows(framework: FrameworkMatrix) -> tuple[list[str], list[list[str]]]:
    """Cases × themes; each cell the summary, then the linked quotes, then the evidence count."""
    header = ["case", *(t.label for t in framework.themes)]
    rows = []
    for case, entries in zip(framework.cases, framework.cells, strict=True):
        cells = []
        for entry in entries:
            parts = [entry.summary] if entry.summary else []
            parts += [f"“{q.text}” ({q.speaker or 'unknown'}, {q.document})" for q in entry.quotes]
            parts.append(f"[{entry.evidence} coded segments]")
            cells.append("\n".join(parts))
        rows.append([case.label, *cells])
    return header, rows


def framework_csv(framework: FrameworkMatrix, target: Target) -> None:
    header, rows = framework_rows(framework)
    _write_csv(target, [header, *rows])


def framework_xlsx(framework: FrameworkMatrix, target: Target) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    header, rows = framework_rows(framework)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Framework"
    _table(sheet, header, rows)
    sheet.column_dimensions["A"].width = 28
    for i in range(2, len(header) + 1):
        sheet.column_dimensions[_letter(i)].width = 45
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    _save(book, target)


FRAMEWORK_WRITERS: dict[str, Callable[[FrameworkMatrix, Target], None]] = {
    ".csv": framework_csv,
    ".xlsx": framework_xlsx,
}


# --- shared -----------------------------------------------------------------------------------


def _writer(writers: dict[str, Any], path: Path) -> Any:
    suffix = path.suffix.lower()
    if suffix not in writers:
        raise InvalidInput(
            f"{path.name}: cannot write {suffix or 'files without an extension'}"
            f"; use {', '.join(sorted(writers))}"
        )
    return writers[suffix]


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str) and (
        value[:1] in FORMULA_START or (value[:1] == "-" and value[1:2] not in ("", " "))
    ):
        return "'" + value
    return value


def _write_csv(target: Target, rows: Sequence[Sequence[Any]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    data = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if isinstance(target, Path):
        target.write_bytes(data)
    else:
        target.write(data)


def _table(sheet: Any, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from openpyxl.styles import Font

    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, not a formula
    sheet.freeze_panes = "B2"


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def _save(document: Any, target: Target) -> None:
    document.save(str(target) if isinstance(target, Path) else target)
