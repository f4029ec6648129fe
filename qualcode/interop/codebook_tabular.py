"""Codebooks as tables: one row per code, in CSV or in an Excel workbook.

Columns: ``path`` (names joined by ``/``) then every field of a code; keywords are joined by
``"; "``. Rows may come in any order: the tree is built from the paths, and every parent must
have a row of its own. An Excel workbook has a ``Codebook`` sheet of that shape, a ``Chapters``
sheet with the report outline (one row per section and code) and the codebook's name,
description and version in its document properties. A CSV file carries the codes only.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import IllegalCharacterError, InvalidFileException

from qualcode.errors import InvalidImport, InvalidInput
from qualcode.interop.codebook_spec import ChapterSpec, CodebookSpec, CodeSpec, SectionSpec
from qualcode.interop.codebook_validation import ParsedCodebook

COLUMNS = (
    "path",
    "guid",
    "color",
    "kind",
    "definition",
    "inclusion",
    "exclusion",
    "typical_example",
    "atypical_example",
    "keywords",
    "chapter",
    "section",
    "active",
    "codable",
)
CHAPTER_COLUMNS = ("chapter", "chapter_title", "section", "section_title", "code")
KEYWORD_SEPARATOR = "; "
CODES_SHEET = "Codebook"
CHAPTERS_SHEET = "Chapters"

_ALIASES = {"colour": "color"}
_TRUE = {"", "true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


@dataclass
class _Row:
    where: str  # "line 7", "Codebook row 7"
    values: dict[str, str]


# ---------------------------------------------------------------- CSV


def read_csv(path: Path) -> ParsedCodebook:
    """Read a CSV codebook in UTF-8 (with or without BOM), UTF-16 or Windows-1252."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidImport(f"cannot read the file: {error.strerror}", path=str(path)) from None
    text, encoding = decode_text(data, source=str(path))
    parsed = ParsedCodebook(CodebookSpec(name=path.stem), encoding=encoding)
    parsed.spec.codes = _codes_from_rows(_csv_rows(text, str(path)), parsed, str(path))
    return parsed


def decode_text(data: bytes, *, source: str | None = None) -> tuple[str, str]:
    """Decode a text file, returning the text and the encoding it was read with."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InvalidImport("text is neither UTF-8 nor Windows-1252", path=source)


def _csv_rows(text: str, source: str) -> Iterator[_Row]:
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            raise InvalidImport("the file is empty", path=source, location="line 1")
        columns = _columns(header, COLUMNS, "line 1", source)
        end = reader.line_num
        for record in reader:
            start, end = end + 1, reader.line_num
            where = f"line {start}"
            extra = record[len(columns) :]
            if any(cell.strip() for cell in extra):
                raise InvalidImport(
                    f"row has {len(record)} cells but the header has {len(columns)} columns",
                    path=source,
                    location=where,
                )
            cells = record + [""] * (len(columns) - len(record))
            yield _Row(where, dict(zip(columns, cells, strict=False)))
    except csv.Error as error:
        raise InvalidImport(
            f"not valid CSV: {error}", path=source, location=f"line {reader.line_num}"
        ) from None


def write_csv(spec: CodebookSpec, path: Path) -> None:
    """Write UTF-8 with a BOM, so that Excel opens accented names correctly."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(_code_rows(spec))


# ---------------------------------------------------------------- Excel


def read_xlsx(path: Path) -> ParsedCodebook:
    source = str(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, InvalidFileException) as error:
        raise InvalidImport(f"not an Excel workbook ({error})", path=source) from None
    try:
        properties = workbook.properties
        spec = CodebookSpec(
            name=properties.title or path.stem,
            description=properties.description or "",
            version=properties.version,
        )
        parsed = ParsedCodebook(spec)
        names = workbook.sheetnames
        codes_sheet = workbook[CODES_SHEET if CODES_SHEET in names else names[0]]
        code_rows = _sheet_rows(codes_sheet, COLUMNS, source)
        spec.codes = _codes_from_rows(code_rows, parsed, source)
        if CHAPTERS_SHEET in names:
            rows = _sheet_rows(workbook[CHAPTERS_SHEET], CHAPTER_COLUMNS, source)
            spec.chapters = _chapters_from_rows(rows, parsed, source)
    finally:
        workbook.close()
    return parsed


def write_xlsx(spec: CodebookSpec, path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.properties.title = spec.name
    workbook.properties.description = spec.description or None
    workbook.properties.version = spec.version
    codes = workbook.active
    codes.title = CODES_SHEET
    _append_table(codes, COLUMNS, _code_rows(spec))
    for row_cells, (_, code) in zip(codes.iter_rows(min_row=2), spec.walk(), strict=True):
        if code.color:
            row_cells[COLUMNS.index("color")].fill = PatternFill("solid", fgColor=code.color[1:])
    chapters = workbook.create_sheet(CHAPTERS_SHEET)
    _append_table(chapters, CHAPTER_COLUMNS, _chapter_rows(spec))
    workbook.save(path)


def _append_table(sheet: Any, header: tuple[str, ...], rows: Iterable[list[str]]) -> None:
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            try:
                cell = sheet.cell(row=number, column=column, value=value)
            except IllegalCharacterError:
                raise InvalidInput(
                    f"{header[column - 1]} of row {number} ({row[0]!r}) contains a control "
                    "character that Excel cannot store"
                ) from None
            cell.data_type = "s"  # text starting with "=" is text, not a formula
    sheet.freeze_panes = "B2"


def _sheet_rows(sheet: Any, expected: tuple[str, ...], source: str) -> Iterator[_Row]:
    title = sheet.title
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise InvalidImport(f"sheet {title!r} is empty", path=source, location=f"{title} row 1")
    columns = _columns([_cell_text(v) for v in header], expected, f"{title} row 1", source)
    for number, values in enumerate(rows, start=2):
        cells = [_cell_text(value) for value in values]
        cells += [""] * (len(columns) - len(cells))
        yield _Row(f"{title} row {number}", dict(zip(columns, cells, strict=False)))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------- rows <-> spec


def _columns(header: list[str], expected: tuple[str, ...], where: str, source: str) -> list[str]:
    columns = [_ALIASES.get(name.strip().lower(), name.strip().lower()) for name in header]
    while columns and not columns[-1]:
        columns.pop()
    for name in columns:
        if name not in expected:
            raise InvalidImport(
                f"unknown column {name!r} (expected: {', '.join(expected)})",
                path=source,
                location=where,
            )
        if columns.count(name) > 1:
            raise InvalidImport(f"column {name!r} appears twice", path=source, location=where)
    if expected[0] not in columns:
        raise InvalidImport(f"no {expected[0]!r} column", path=source, location=where)
    return columns


def _codes_from_rows(rows: Iterable[_Row], parsed: ParsedCodebook, source: str) -> list[CodeSpec]:
    by_path: dict[tuple[str, ...], tuple[CodeSpec, _Row]] = {}
    for row in rows:
        raw = row.values.get("path", "").strip()
        if not raw:
            if any(value.strip() for value in row.values.values()):
                raise InvalidImport("row has no code path", path=source, location=row.where)
            continue
        names = tuple(name.strip() for name in raw.split("/"))
        if not all(names):
            raise InvalidImport(f"empty code name in path {raw!r}", path=source, location=row.where)
        if names in by_path:
            first = by_path[names][1].where
            raise InvalidImport(
                f"code path {raw!r} repeated (first on {first})", path=source, location=row.where
            )
        code = _code_from_row(names[-1], row, source)
        parsed.locations[id(code)] = row.where
        by_path[names] = (code, row)

    roots: list[CodeSpec] = []
    for names, (code, row) in by_path.items():
        if len(names) == 1:
            roots.append(code)
            continue
        parent = by_path.get(names[:-1])
        if parent is None:
            raise InvalidImport(
                f"parent {'/'.join(names[:-1])!r} of {'/'.join(names)!r} has no row of its own",
                path=source,
                location=row.where,
            )
        parent[0].children.append(code)
    return roots


def _code_from_row(name: str, row: _Row, source: str) -> CodeSpec:
    values = row.values
    kind = values.get("kind", "").strip().lower().replace(" ", "_").replace("-", "_")
    return CodeSpec(
        name=name,
        guid=values.get("guid", "").strip() or None,
        color=values.get("color", "").strip() or None,
        kind=kind or "other",
        definition=values.get("definition", ""),
        inclusion=values.get("inclusion", ""),
        exclusion=values.get("exclusion", ""),
        typical_example=values.get("typical_example", ""),
        atypical_example=values.get("atypical_example", ""),
        keywords=[k.strip() for k in values.get("keywords", "").split(";") if k.strip()],
        chapter=values.get("chapter", "").strip(),
        section=values.get("section", "").strip(),
        active=_flag(values.get("active", ""), "active", row.where, source),
        codable=_flag(values.get("codable", ""), "codable", row.where, source),
    )


def _flag(value: str, column: str, where: str, source: str) -> bool:
    folded = value.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise InvalidImport(
        f"{column} must be true or false, not {value!r}", path=source, location=where
    )


def _code_rows(spec: CodebookSpec) -> Iterator[list[str]]:
    for names, code in spec.walk():
        path = "/".join(names)
        if any("/" in name for name in names):
            raise InvalidInput(f"code name in {path!r} contains '/', which a path cannot carry")
        if any(";" in keyword for keyword in code.keywords):
            raise InvalidInput(f"a keyword of code {path!r} contains ';', the keyword separator")
        yield [
            path,
            code.guid or "",
            code.color or "",
            code.kind,
            code.definition,
            code.inclusion,
            code.exclusion,
            code.typical_example,
            code.atypical_example,
            KEYWORD_SEPARATOR.join(code.keywords),
            code.chapter,
            code.section,
            "true" if code.active else "false",
            "true" if code.codable else "false",
        ]


def _chapters_from_rows(
    rows: Iterable[_Row], parsed: ParsedCodebook, source: str
) -> list[ChapterSpec]:
    chapters: dict[str, ChapterSpec] = {}
    sections: dict[tuple[str, str], SectionSpec] = {}
    for row in rows:
        values = {key: value.strip() for key, value in row.values.items()}
        if not any(values.values()):
            continue
        number = values.get("chapter", "")
        if not number:
            raise InvalidImport("row has no chapter number", path=source, location=row.where)
        chapter = chapters.setdefault(number, ChapterSpec(number, values.get("chapter_title", "")))
        section_number, code = values.get("section", ""), values.get("code", "")
        if not section_number:
            if code:
                raise InvalidImport(
                    f"code {code!r} has no section number", path=source, location=row.where
                )
            continue
        section = sections.get((number, section_number))
        if section is None:
            section = SectionSpec(section_number, values.get("section_title", ""))
            sections[(number, section_number)] = section
            chapter.sections.append(section)
            parsed.locations[id(section)] = row.where
        if code:
            parsed.locations[(id(section), len(section.codes))] = row.where
            section.codes.append(code)
    return list(chapters.values())


def _chapter_rows(spec: CodebookSpec) -> Iterator[list[str]]:
    for chapter in spec.chapters:
        head = [chapter.number, chapter.title]
        if not chapter.sections:
            yield [*head, "", "", ""]
        for section in chapter.sections:
            for code in section.codes or [""]:
                yield [*head, section.number, section.title, code]
