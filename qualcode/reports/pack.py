"""The chapter evidence pack as plain data: what ``services.reports`` gathers and
``reports.docx_report`` renders.

A pack covers one or more chapters of the outline. Each section lists its codes; for each
code the pack carries the definition, the evidence base (how many coded segments, documents
and cases, and which cases), the lead author's pinned quotes, a balanced selection of further
quotes, the framework-matrix row of the theme and its frequency by case. A quote's ``text``
is exactly the transcript's text at ``[start, end)`` (or its pseudonymised form).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attribution:
    """Who said it and where: the citation printed under a quote."""

    case: str | None
    role: str | None
    document: str
    paragraph: int | None  # 1-based paragraph (line) of the document's text
    speaker: str | None = None
    coder: str | None = None

    def line(self) -> str:
        """``Avonbury County Council, LPSA coordinator (avonbury-lpsa-coordinator, para. 12)``"""
        who = ", ".join(part for part in (self.case, self.role) if part) or "No case"
        where = (
            self.document if self.paragraph is None else f"{self.document}, para. {self.paragraph}"
        )
        return f"{who} ({where})"


@dataclass(frozen=True)
class PackQuote:
    text: str
    attribution: Attribution
    coding_id: int | None = None
    document_id: int | None = None
    start: int | None = None
    end: int | None = None
    note: str = ""
    flag: str | None = None  # why a pinned quote no longer matches the current transcript


@dataclass(frozen=True)
class EvidenceBase:
    """Counts over every coded segment of the theme, not only the quotes shown."""

    segments: int
    documents: int
    cases: tuple[str, ...]  # cases with evidence, by name
    cases_without: tuple[str, ...]  # cases in scope with none

    @property
    def case_count(self) -> int:
        return len(self.cases)


@dataclass(frozen=True)
class FrameworkLine:
    """One case's cell of the theme's framework-matrix column."""

    case: str
    summary: str
    evidence: int


@dataclass
class CodeEvidence:
    path: str
    name: str
    definition: str
    inclusion: str
    exclusion: str
    base: EvidenceBase
    pinned: list[PackQuote] = field(default_factory=list)
    selection: list[PackQuote] = field(default_factory=list)
    framework: list[FrameworkLine] = field(default_factory=list)
    frequency: list[tuple[str, int]] = field(default_factory=list)  # (case, segments)
    agreement: str | None = None

    @property
    def quotes(self) -> list[PackQuote]:
        return [*self.pinned, *self.selection]


@dataclass
class SectionPack:
    number: str
    title: str
    codes: list[CodeEvidence] = field(default_factory=list)
    other_pins: list[PackQuote] = field(default_factory=list)  # pins of codes not listed

    @property
    def quotes(self) -> list[PackQuote]:
        return [q for code in self.codes for q in code.quotes] + self.other_pins


@dataclass
class ChapterPack:
    number: str
    title: str
    sections: list[SectionPack] = field(default_factory=list)

    @property
    def quotes(self) -> list[PackQuote]:
        return [q for section in self.sections for q in section.quotes]


@dataclass(frozen=True)
class AgreementSummary:
    coders: tuple[str, ...]
    documents: int
    codes: int
    pooled_alpha: float | None
    mean_kappa: float | None
    mean_percent: float | None

    def line(self) -> str:
        def fmt(value: float | None, pattern: str) -> str:
            return "not computable" if value is None else pattern.format(value)

        return (
            f"{' and '.join(self.coders)} double-coded {self.documents} documents: "
            f"pooled Krippendorff's alpha {fmt(self.pooled_alpha, '{:.2f}')}, "
            f"mean Cohen's kappa {fmt(self.mean_kappa, '{:.2f}')}, "
            f"mean agreement {fmt(self.mean_percent, '{:.1%}')} over the {self.codes} codes "
            "of this pack"
        )


@dataclass(frozen=True)
class Cover:
    project: str
    codebook_version: str | None
    date: str  # ISO date the pack was made
    coders: tuple[str, ...]
    agreement: AgreementSummary | None
    per_case: int
    pseudonymised: bool = False


@dataclass
class ReportData:
    cover: Cover
    chapters: list[ChapterPack] = field(default_factory=list)

    @property
    def quotes(self) -> list[PackQuote]:
        return [q for chapter in self.chapters for q in chapter.quotes]
