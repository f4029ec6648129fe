"""Case and document attribute sheets (``.csv`` or ``.xlsx``), with column types inferred.

The first non-empty row is the header. One column names what each row describes: ``case``
(a case sheet) or ``document`` / ``file`` / ``title`` (a document sheet, which may also have
a ``case`` column assigning each document to its case). Every other column is an attribute,
typed from its values:

- ``number`` when every value is a number (``12``, ``-3.5``, ``1,250``; ``007`` is not);
- ``date`` when every value is a date (ISO ``2005-05-12``, ``12/05/2005`` day first, or an
  Excel date);
- ``choice`` when at most 12 distinct values are repeated across rows;
- ``text`` otherwise.

Structural problems raise :class:`InvalidImport` naming the row (as numbered in the sheet).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from qualcode.errors import InvalidImport
from qualcode.ingest.sniff import decode_text

AttributeType = Literal["number", "date", "choice", "text"]
Value = int | float | dt.date | str
Scope = Literal["case", "document"]

MAX_CHOICES = 12
CASE_HEADERS = frozenset({"case", "case name", "case id"})
DOCUMENT_HEADERS = frozenset(
    {"document", "document name", "file", "filename", "file name", "title"}
)

_NUMBER = re.compile(r"^[-+]?(?:0|[1-9]\d*|[1-9]\d{0,2}(?:,\d{3})+)(?:\.\d+)?$|^[-+]?0?\.\d+$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass(frozen=True)
class AttributeColumn:
    name: str
    type: AttributeType
    choices: tuple[str, ...] = ()  # the distinct values of a choice column, first seen first


@dataclass(frozen=True)
class AttributeRow:
    row: int  # the row's number in the sheet (1 is the first line), for messages
    key: str  # the case or document this row describes
    values: dict[str, Value | None]
    case: str | None = None  # a document sheet's case column


@dataclass
class AttributeSheet:
    scope: Scope
    key_column: str
    columns: list[AttributeColumn]
    rows: list[AttributeRow]
    case_column: str | None = None
    encoding: str | None = None  # of a CSV file
    warnings: list[str] = field(default_factory=list)


Cell = str | int | float | dt.date | None


def _csv_rows(path: Path) -> tuple[list[tuple[int, list[Cell]]], str]:
    text, encoding = decode_text(path.read_bytes())
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Cell]]] = []
    try:
        for cells in reader:
            rows.append((reader.line_num, list(cells)))
    except csv.Error as error:
        where = f"row {reader.line_num}"
        raise InvalidImport(f"not a readable CSV file ({error})", location=where) from None
    return rows, encoding


def _xlsx_rows(path: Path) -> list[tuple[int, list[Cell]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise InvalidImport("not a readable Excel .xlsx file") from None
    try:
        sheet = book.worksheets[0]
        return [
            (n, [_xlsx_cell(v) for v in r])
            for n, r in enumerate(sheet.iter_rows(values_only=True), 1)
        ]
    finally:
        book.close()


def _xlsx_cell(value: object) -> Cell:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date()
    if value is None or isinstance(value, str | int | float | dt.date):
        return value
    return str(value)


def _is_blank(cell: Cell) -> bool:
    return cell is None or isinstance(cell, str) and not cell.strip()


def _number(cell: Cell) -> int | float | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return int(cell) if float(cell).is_integer() else cell
    if isinstance(cell, str) and _NUMBER.match(cell.strip()):
        value = float(cell.strip().replace(",", ""))
        return int(value) if value.is_integer() and "." not in cell else value
    return None


def _date(cell: Cell) -> dt.date | None:
    if isinstance(cell, dt.date):
        return cell
    if not isinstance(cell, str):
        return None
    text = cell.strip()
    iso, uk = _ISO_DATE.match(text), _UK_DATE.match(text)
    try:
        if iso:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        if uk:
            return dt.date(int(uk[3]), int(uk[2]), int(uk[1]))
    except ValueError:
        return None
    return None


def _text(cell: Cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return " ".join(str(cell).split())


def infer_type(name: str, cells: Sequence[Cell]) -> AttributeColumn:
    """The column ``name`` typed from its non-blank cells."""
    values = [c for c in cells if not _is_blank(c)]
    if values and all(_number(c) is not None for c in values):
        return AttributeColumn(name, "number")
    if values and all(_date(c) is not None for c in values):
        return AttributeColumn(name, "date")
    texts = [_text(c) for c in values]
    distinct = list(dict.fromkeys(texts))
    if texts and len(distinct) <= MAX_CHOICES and len(distinct) < len(texts):
        return AttributeColumn(name, "choice", tuple(distinct))
    return AttributeColumn(name, "text")


def _typed(cell: Cell, kind: AttributeType) -> Value | None:
    if _is_blank(cell):
        return None
    if kind == "number":
        return _number(cell)
    if kind == "date":
        return _date(cell)
    return _text(cell)


def _cell(cells: list[Cell], index: int | None) -> Cell:
    return cells[index] if index is not None and index < len(cells) else None


@dataclass(frozen=True)
class _Layout:
    """Where things are in a sheet: header row, column names, key and case columns."""

    header_row: int
    names: list[str]
    key: int
    case: int | None  # a document sheet's case column
    attributes: list[int]


def _layout(rows: list[tuple[int, list[Cell]]]) -> _Layout:
    header = next(((n, cells) for n, cells in rows if not all(map(_is_blank, cells))), None)
    if header is None:
        raise InvalidImport("the sheet is empty")
    header_row, cells = header
    names = [_text(c) if not _is_blank(c) else "" for c in cells]
    while names and not names[-1]:
        names.pop()
    where = f"row {header_row}"
    folded = [n.casefold() for n in names]
    for index, name in enumerate(folded):
        if name and name in folded[:index]:
            raise InvalidImport(f"two columns are named '{names[index]}'", location=where)
    document = next((i for i, n in enumerate(folded) if n in DOCUMENT_HEADERS), None)
    case = next((i for i, n in enumerate(folded) if n in CASE_HEADERS), None)
    key = document if document is not None else case
    if key is None:
        raise InvalidImport("no column named case, document, file or title", location=where)
    case = case if document is not None else None
    attributes = [i for i in range(len(names)) if i not in (key, case)]
    return _Layout(header_row, names, key, case, attributes)


def _check_cells(layout: _Layout, body: list[tuple[int, list[Cell]]]) -> None:
    width = len(layout.names)
    for number, cells in body:
        extra = next((i for i, c in enumerate(cells[width:], width) if not _is_blank(c)), None)
        if extra is not None:
            raise InvalidImport(
                f"a value in column {extra + 1}, which has no header", location=f"row {number}"
            )
    for i in layout.attributes:
        if not layout.names[i] and any(not _is_blank(_cell(cells, i)) for _, cells in body):
            raise InvalidImport(
                f"column {i + 1} has values but no name", location=f"row {layout.header_row}"
            )


def _sheet(rows: list[tuple[int, list[Cell]]]) -> AttributeSheet:
    layout = _layout(rows)
    body = [(n, c) for n, c in rows if n > layout.header_row and not all(map(_is_blank, c))]
    if not body:
        raise InvalidImport(
            "the sheet has no rows below the header", location=f"row {layout.header_row}"
        )
    _check_cells(layout, body)
    indexes = [i for i in layout.attributes if layout.names[i]]
    columns = [infer_type(layout.names[i], [_cell(c, i) for _, c in body]) for i in indexes]
    key_name = layout.names[layout.key]
    out: list[AttributeRow] = []
    first_seen: dict[str, int] = {}
    for number, cells in body:
        key = _cell(cells, layout.key)
        name = "" if _is_blank(key) else _text(key)
        if not name:
            raise InvalidImport(f"no {key_name} named in this row", location=f"row {number}")
        if name.casefold() in first_seen:
            first = first_seen[name.casefold()]
            raise InvalidImport(
                f"'{name}' appears twice (first in row {first})", location=f"row {number}"
            )
        first_seen[name.casefold()] = number
        values = {
            column.name: _typed(_cell(cells, i), column.type)
            for i, column in zip(indexes, columns, strict=True)
        }
        case = _cell(cells, layout.case)
        out.append(AttributeRow(number, name, values, None if _is_blank(case) else _text(case)))
    return AttributeSheet(
        scope="case" if key_name.casefold() in CASE_HEADERS else "document",
        key_column=key_name,
        columns=columns,
        rows=out,
        case_column=layout.names[layout.case] if layout.case is not None else None,
    )


def read_attribute_sheet(path: Path) -> AttributeSheet:
    """Read a ``.csv`` or ``.xlsx`` attribute sheet; problems raise ``InvalidImport``."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            rows, encoding = _csv_rows(path)
            sheet = _sheet(rows)
            sheet.encoding = encoding
            return sheet
        if suffix == ".xlsx":
            return _sheet(_xlsx_rows(path))
    except InvalidImport as error:
        raise InvalidImport(error.reason, path=str(path), location=error.location) from None
    except OSError as error:
        raise InvalidImport(f"cannot be read ({error.strerror})", path=str(path)) from None
    raise InvalidImport(
        f"unsupported attribute sheet '{suffix}' (use .csv or .xlsx)", path=str(path)
    )
