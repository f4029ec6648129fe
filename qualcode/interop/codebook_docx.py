"""The codebook as a Word document, circulated before a calibration meeting (export only).

Title and version, then a Heading 1 per top-level category and a heading per code beneath it
(Heading 2 and 3 for deeper codes). Under each heading, a line with a square in the code's colour,
its kind and path, then a two-column table: Definition, Include when, Exclude when, Typical
example, Atypical example, Keywords, Report section. The report outline closes the document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
from docx.shared import Pt, RGBColor

from qualcode.interop.codebook_spec import CodebookSpec, CodeSpec

ROW_LABELS = (
    "Definition",
    "Include when",
    "Exclude when",
    "Typical example",
    "Atypical example",
    "Keywords",
    "Report section",
)
SWATCH = "\u25a0 "  # black square, coloured per code
KIND_LABELS = {
    "barrier": "Barrier",
    "enabler": "Enabler",
    "process_outcome": "Process outcome",
    "outcome": "Outcome",
    "context": "Context",
    "other": "Other",
}


def write_docx(spec: CodebookSpec, path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = spec.name
    document.add_heading(spec.name, level=0)
    if spec.version:
        document.add_paragraph(f"Version {spec.version}")
    if spec.description:
        document.add_paragraph(spec.description)
    section_titles = {
        section.number: section.title for chapter in spec.chapters for section in chapter.sections
    }
    chapter_titles = {chapter.number: chapter.title for chapter in spec.chapters}

    for names, code in spec.walk():
        _add_code(document, names, code, section_titles, chapter_titles)

    if spec.chapters:
        document.add_heading("Report outline", level=1)
        for chapter in spec.chapters:
            document.add_heading(f"{chapter.number} {chapter.title}".strip(), level=2)
            for section in chapter.sections:
                line = document.add_paragraph(style="List Bullet")
                line.add_run(f"{section.number} {section.title}".strip()).bold = True
                if section.codes:
                    line.add_run(": " + ", ".join(section.codes))
    document.save(str(path))


def _add_code(
    document: Any,
    names: tuple[str, ...],
    code: CodeSpec,
    section_titles: dict[str, str],
    chapter_titles: dict[str, str],
) -> None:
    document.add_heading(code.name, level=min(len(names), 3))

    facts = [KIND_LABELS.get(code.kind, code.kind)]
    if len(names) > 1:
        facts.append("/".join(names))
    if not code.active:
        facts.append("inactive")
    if not code.codable:
        facts.append("folder only, not for coding")
    note = document.add_paragraph()
    if code.color:
        swatch = note.add_run(SWATCH)
        swatch.font.color.rgb = RGBColor.from_string(code.color[1:].upper())
    note.add_run(" \u00b7 ".join(facts)).italic = True

    values = (
        code.definition,
        code.inclusion,
        code.exclusion,
        code.typical_example,
        code.atypical_example,
        ", ".join(code.keywords),
        _report_section(code, section_titles, chapter_titles),
    )
    table = document.add_table(rows=len(ROW_LABELS), cols=2)
    table.style = "Table Grid"
    for row, label, value in zip(table.rows, ROW_LABELS, values, strict=True):
        label_cell, value_cell = row.cells
        label_cell.paragraphs[0].add_run(label).bold = True
        value_cell.text = value
        label_cell.paragraphs[0].runs[0].font.size = Pt(10)
    document.add_paragraph()


def _report_section(
    code: CodeSpec, section_titles: dict[str, str], chapter_titles: dict[str, str]
) -> str:
    if code.section and code.section in section_titles:
        return f"{code.section} {section_titles[code.section]}".strip()
    if code.section and code.section != code.chapter:
        return code.section
    if code.chapter:
        title = chapter_titles.get(code.chapter, "")
        return f"Chapter {code.chapter} {title}".strip()
    return ""
