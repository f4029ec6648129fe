"""Render a chapter evidence pack (``ReportData``) as a Word document.

Layout: a cover (project, codebook version, date, coders, agreement, how quotes were chosen),
then per chapter a Heading 1, per section a Heading 2, and per code a Heading 3 followed by
the code's definition, its evidence base, a chart of its frequency by case, the pinned
quotes with the author's notes, a balanced selection of further quotes, and the theme's
framework-matrix column. Quotes use the Quote style, attributions "Quote Attribution".
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import IO

import docx
from docx.document import Document as DocxDocument
from docx.enum.text import WD_BREAK
from docx.shared import Inches

from qualcode.reports import docx_styles as st
from qualcode.reports.charts import FrequencyChart
from qualcode.reports.pack import ChapterPack, CodeEvidence, PackQuote, ReportData, SectionPack

Progress = Callable[[int, int], None]  # (codes done, codes in all)


def write_report(
    data: ReportData, target: str | Path | IO[bytes], *, progress: Progress | None = None
) -> None:
    """Write the pack to a path or binary stream."""
    build_document(data, progress=progress).save(
        str(target) if isinstance(target, Path) else target
    )


def render_bytes(data: ReportData, *, progress: Progress | None = None) -> bytes:
    buffer = io.BytesIO()
    write_report(data, buffer, progress=progress)
    return buffer.getvalue()


def build_document(data: ReportData, *, progress: Progress | None = None) -> DocxDocument:
    document = docx.Document()
    st.ensure_styles(document)
    styler = st.Styler(document)
    _cover(styler, data)
    writer = _Writer(
        styler, progress, sum(len(s.codes) for ch in data.chapters for s in ch.sections)
    )
    for chapter in data.chapters:
        writer.chapter(chapter)
    return document


def _cover(styler: st.Styler, data: ReportData) -> None:
    cover = data.cover
    styler.paragraph("Evidence pack", st.TITLE)
    chapters = "; ".join(f"Chapter {ch.number}: {ch.title}" for ch in data.chapters)
    styler.paragraph(chapters or "No chapters in the outline", st.SUBTITLE)
    pairs = [
        ("Project", cover.project),
        ("Codebook version", cover.codebook_version or "not frozen (current codebook)"),
        ("Date", cover.date),
        ("Coders", ", ".join(cover.coders) or "none"),
    ]
    if cover.agreement is not None:
        pairs.append(("Agreement", cover.agreement.line()))
    pairs.append(
        (
            "Quotes",
            "the lead author's pinned quotes, then at most "
            f"{cover.per_case} per case, spread across interviewee roles",
        )
    )
    pairs.append(
        ("Pseudonymised", "yes: names and places replaced" if cover.pseudonymised else "no")
    )
    pairs.append(("Quotes in this pack", str(len(data.quotes))))
    styler.key_values(pairs)
    styler.paragraph().add_run().add_break(WD_BREAK.PAGE)


class _Writer:
    def __init__(self, styler: st.Styler, progress: Progress | None, total: int) -> None:
        self.st = styler
        self.document = styler.document
        self.progress = progress
        self.total = total
        self.done = 0
        self._chart: FrequencyChart | None = None

    @property
    def chart(self) -> FrequencyChart:
        if self._chart is None:
            self._chart = FrequencyChart()
        return self._chart

    def chapter(self, chapter: ChapterPack) -> None:
        self.st.heading(f"{chapter.number} {chapter.title}", 1)
        for section in chapter.sections:
            self.section(section)

    def section(self, section: SectionPack) -> None:
        self.st.heading(f"{section.number} {section.title}", 2)
        if not section.codes and not section.other_pins:
            self.st.paragraph("No codes are mapped to this section yet.")
        for code in section.codes:
            self.code(code)
            self.done += 1
            if self.progress is not None:
                self.progress(self.done, self.total)
        if section.other_pins:
            self.st.heading("Further pinned quotes", 3)
            self.quotes(section.other_pins)

    def code(self, code: CodeEvidence) -> None:
        out = self.st
        out.heading(code.name, 3)
        if code.path != code.name:
            out.labelled("Code", code.path)
        out.labelled("Definition", code.definition or "(no definition in the codebook)")
        if code.inclusion:
            out.labelled("Include", code.inclusion)
        if code.exclusion:
            out.labelled("Exclude", code.exclusion)
        self.evidence_base(code)
        if code.base.segments and code.frequency:
            self.document.add_picture(
                io.BytesIO(self.chart.png(code.path, code.frequency)), width=Inches(5.5)
            )
            out.paragraph(f"Coded segments of {code.name} by case.", st.CAPTION)
        if code.pinned:
            out.heading("Pinned quotes", 4)
            self.quotes(code.pinned)
        if code.selection:
            out.heading("Selected quotes" if code.pinned else "Quotes", 4)
            self.quotes(code.selection)
        self.framework(code)

    def evidence_base(self, code: CodeEvidence) -> None:
        base = code.base
        in_scope = base.case_count + len(base.cases_without)
        pairs = [
            ("Coded segments", str(base.segments)),
            ("Documents", str(base.documents)),
            (
                "Cases",
                f"{base.case_count} of {in_scope}"
                + (f": {', '.join(base.cases)}" if base.cases else ""),
            ),
            ("Cases without", ", ".join(base.cases_without) or "none"),
        ]
        if code.agreement:
            pairs.append(("Agreement", code.agreement))
        self.st.key_values(pairs)
        if not base.segments:
            self.st.paragraph("No coded segments of this code itself yet.")

    def quotes(self, quotes: list[PackQuote]) -> None:
        items: list[tuple[str, str]] = []
        for quote in quotes:
            items.append((quote.text, st.QUOTE))
            items.append((f"— {quote.attribution.line()}", st.ATTRIBUTION))
            if quote.flag:
                items.append((f"Check: {quote.flag}", st.NOTE))
            if quote.note:
                items.append((f"Note: {quote.note}", st.NOTE))
        self.st.paragraphs(items)

    def framework(self, code: CodeEvidence) -> None:
        lines = [f for f in code.framework if f.summary]
        if not lines:
            return
        self.st.heading("Framework matrix", 4)
        self.st.table(
            ("Case", "Summary", "Segments"), [(f.case, f.summary, str(f.evidence)) for f in lines]
        )
