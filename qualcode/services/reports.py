"""Gather a chapter evidence pack (``ReportData``) from the database.

For each section of the chosen chapters and each code mapped to it: the code's definition;
its evidence base over every coded segment (a code includes its sub-codes, except sub-codes
the section lists in their own right, so nothing is counted twice); the section's pinned
quotes of that code in the author's order; then a balanced selection of further quotes (at
most ``per_case`` per case, spread across interviewee roles, deterministic); the theme's
framework-matrix column; and its frequency by case. Interviewer turns are not evidence.

Quotes are the codings' text, which equals the transcript at their offsets (DESIGN.md).
With ``pseudonymise`` the project's pseudonym list is applied to every quote, note,
attribution and case label (:mod:`qualcode.reports.pseudonymise`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInput, NotFound
from qualcode.models import (
    Case,
    ChapterOutline,
    ChapterSection,
    Code,
    FrameworkCell,
    Project,
    User,
)
from qualcode.reports.evidence import Quote
from qualcode.reports.pack import (
    AgreementSummary,
    Attribution,
    ChapterPack,
    CodeEvidence,
    Cover,
    EvidenceBase,
    FrameworkLine,
    PackQuote,
    ReportData,
    SectionPack,
)
from qualcode.reports.pseudonymise import Pseudonymiser, parse_rules, pseudonymise_report
from qualcode.reports.selection import balanced, drop_overlaps
from qualcode.services import audit, codebook
from qualcode.services import chapters as chapter_service
from qualcode.services.agreement import CONSENSUS, MACHINE, Coder, candidate_coders
from qualcode.services.citations import ROLE_ATTRIBUTE, paragraphs
from qualcode.services.codebook_io import latest_version
from qualcode.services.quotes import Filters, QuoteQuery, find_quotes
from qualcode.services.report_agreement import pack_agreement

PSEUDONYMS = "pseudonyms"
NO_CASE = "(no case)"

Progress = Callable[[int, int], None]  # (codes gathered, codes in all)

__all__ = ["ReportData", "gather_report", "pseudonym_rules", "set_pseudonyms"]


def pseudonym_rules(project: Project) -> list[dict[str, str]]:
    return [
        {"find": r.find, "replace": r.replace}
        for r in parse_rules(project.settings.get(PSEUDONYMS))
    ]


def set_pseudonyms(
    session: Session, project: Project, rules: Sequence[dict[str, Any]], *, user_id: int | None
) -> list[dict[str, str]]:
    """Replace the project's pseudonym list (validated: every rule names what to find, once)."""
    parsed = parse_rules(
        [r for r in rules if str(r.get("find", "")).strip() or str(r.get("replace", "")).strip()]
    )
    stored = [{"find": r.find, "replace": r.replace} for r in parsed]
    project.settings = {**project.settings, PSEUDONYMS: stored}
    session.flush()
    audit.record(
        session,
        "pseudonyms.updated",
        project,
        project_id=project.id,
        user_id=user_id,
        detail={"rules": len(stored)},
    )
    return stored


def gather_report(
    session: Session,
    project: Project,
    *,
    chapter: str | None = None,
    per_case: int = 3,
    pseudonymise: bool = False,
    viewer: User | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> ReportData:
    """The pack for one chapter (by number) or, without ``chapter``, for the whole outline."""
    if per_case < 0:
        raise InvalidInput("--per-case must be zero or more")
    chapters = chapter_service.outline(session, project)
    if chapter is not None:
        chapters = [c for c in chapters if c.number == chapter.strip()]
        if not chapters:
            raise NotFound(f"no chapter {chapter} in the outline of {project.slug}")
    # the people who coded, most codings first (not the consensus layer or the machine)
    people = [c for c in candidate_coders(session, project) if c.name not in (MACHINE, CONSENSUS)]
    gatherer = _Gatherer(session, project, per_case, viewer, progress, chapters, people)
    data = ReportData(
        _cover(session, project, per_case, today, gatherer.agreement, people),
        [gatherer.chapter(ch) for ch in chapters],
    )
    gatherer.attribute()
    if pseudonymise:
        data = pseudonymise_report(
            data, Pseudonymiser(parse_rules(project.settings.get(PSEUDONYMS)))
        )
    return data


def _cover(
    session: Session,
    project: Project,
    per_case: int,
    today: date | None,
    agreement: AgreementSummary | None,
    people: Sequence[Coder],
) -> Cover:
    version = latest_version(session, project)
    coders = tuple(c.label for c in people)
    return Cover(
        project=project.title,
        codebook_version=version.name if version else None,
        date=(today or date.today()).isoformat(),
        coders=coders,
        agreement=agreement,
        per_case=per_case,
    )


@dataclass
class _Pending:
    """A quote waiting for its paragraph number (counted in one query at the end)."""

    evidence: CodeEvidence
    pinned: bool
    quote: Quote | None = None
    ready: PackQuote | None = None


class _Gatherer:
    def __init__(
        self,
        session: Session,
        project: Project,
        per_case: int,
        viewer: User | None,
        progress: Progress | None,
        chapters: list[ChapterOutline],
        people: Sequence[Coder],
    ) -> None:
        self.session, self.project, self.per_case = session, project, per_case
        self.viewer, self.progress = viewer, progress
        self.codes = codebook.all_codes(session, project.id)
        self.paths = codebook.paths(self.codes)
        self.children: dict[int | None, list[int]] = {}
        for c in self.codes:
            self.children.setdefault(c.parent_id, []).append(c.id)
        self.total = sum(len(s.codes) for ch in chapters for s in ch.sections)
        self.done = 0
        self.pending: list[_Pending] = []
        qa = pack_agreement(
            session, project, [c for ch in chapters for s in ch.sections for c in s.codes], people
        )
        self.agreement, self.code_agreement = qa.summary, qa.by_code
        self.framework = self._framework(chapters)

    def _framework(self, chapters: list[ChapterOutline]) -> dict[int, list[tuple[str, str]]]:
        """Code id → [(case, summary)] of the framework matrix for the chapters' codes. Only
        the authors' summaries are needed (counts come from the pack's own evidence), so the
        ``FrameworkCell`` rows are read directly rather than building the whole matrix."""
        ids = sorted({c.id for ch in chapters for s in ch.sections for c in s.codes})
        out: dict[int, list[tuple[str, str]]] = {}
        for code_id, case, summary in self.session.execute(
            select(FrameworkCell.code_id, Case.name, FrameworkCell.summary)
            .join(Case, Case.id == FrameworkCell.case_id)
            .where(
                FrameworkCell.project_id == self.project.id,
                FrameworkCell.code_id.in_(ids),
                FrameworkCell.summary != "",
            )
            .order_by(func.lower(Case.name))
        ):
            out.setdefault(code_id, []).append((case, summary))
        return out

    def chapter(self, chapter: ChapterOutline) -> ChapterPack:
        return ChapterPack(
            chapter.number, chapter.title, [self.section(s) for s in chapter.sections]
        )

    def section(self, section: ChapterSection) -> SectionPack:
        listed = {c.id for c in section.codes}
        members = {c.id: self._members(c, listed) for c in section.codes}
        pins = chapter_service.resolve_pins(self.session, section.pins)
        pack = SectionPack(section.number, section.title)
        placed: set[int] = set()
        for code in section.codes:
            evidence, quotes = self._code(code, members[code.id])
            mine = [
                p for p in pins if p.pin.id not in placed and self._pin_code(p) in members[code.id]
            ]
            placed.update(p.pin.id for p in mine)
            for resolved in mine:
                self.pending.append(_Pending(evidence, True, ready=_pin_quote(resolved)))
            pinned = [p.pin.coding for p in mine if p.live and p.pin.coding is not None]
            rest = [
                q
                for q in quotes
                if not any(
                    c.id == q.coding_id
                    or (c.document_id == q.document_id and c.start < q.end and q.start < c.end)
                    for c in pinned
                )
            ]
            chosen = balanced(
                rest,
                self.per_case,
                case=lambda q: q.case,
                role=lambda q: q.attributes.get(ROLE_ATTRIBUTE),
                words=lambda q: len(q.text.split()),
            )
            self.pending.extend(_Pending(evidence, False, quote=q) for q in chosen)
            pack.codes.append(evidence)
            self.done += 1
            if self.progress is not None:
                self.progress(self.done, self.total)
        pack.other_pins = [_pin_quote(p) for p in pins if p.pin.id not in placed]
        return pack

    def _members(self, code: Code, listed: set[int]) -> set[int]:
        """The code and its sub-codes, without sub-trees the section lists separately."""
        out: set[int] = set()
        stack = [code.id]
        while stack:
            current = stack.pop()
            out.add(current)
            stack.extend(c for c in self.children.get(current, []) if c not in listed)
        return out

    def _pin_code(self, resolved: chapter_service.ResolvedPin) -> int | None:
        coding = resolved.pin.coding
        if coding is not None:
            return coding.code_id
        path = str(resolved.citation.get("code", "")).lower()
        return next((cid for cid, p in self.paths.items() if p.lower() == path), None)

    def _code(self, code: Code, members: set[int]) -> tuple[CodeEvidence, list[Quote]]:
        result = find_quotes(
            self.session,
            self.project,
            QuoteQuery(
                code_ids=(code.id,), descendants=True, filters=Filters(exclude_interviewer=True)
            ),
            viewer=self.viewer,
        )
        quotes = [q for q in result.quotes if q.code_id in members]
        in_scope = {c.name for c in result.cases_without} | {
            q.case for q in result.quotes if q.case is not None
        }
        with_quotes = {q.case for q in quotes if q.case is not None}
        counts: dict[str, int] = dict.fromkeys(sorted(in_scope, key=str.lower), 0)
        for quote in quotes:
            key = quote.case or NO_CASE
            counts[key] = counts.get(key, 0) + 1
        base = EvidenceBase(
            segments=len(quotes),
            documents=len({q.document_id for q in quotes}),
            cases=tuple(sorted(with_quotes, key=str.lower)),
            cases_without=tuple(sorted(in_scope - with_quotes, key=str.lower)),
        )
        evidence = CodeEvidence(
            path=self.paths[code.id],
            name=code.name,
            definition=code.definition,
            inclusion=code.inclusion,
            exclusion=code.exclusion,
            base=base,
            frequency=list(counts.items()),
            agreement=self.code_agreement.get(code.id),
            framework=[
                FrameworkLine(case, summary, counts.get(case, 0))
                for case, summary in self.framework.get(code.id, [])
            ],
        )
        unique = drop_overlaps(
            quotes, document=lambda q: q.document_id, span=lambda q: (q.start, q.end)
        )
        return evidence, unique

    def attribute(self) -> None:
        """Number every selected quote's paragraph (one query) and put the quotes in place."""
        numbers = paragraphs(
            self.session,
            [p.quote.coding_id for p in self.pending if p.quote is not None and p.quote.coding_id],
        )
        for item in self.pending:
            if item.ready is not None:
                item.evidence.pinned.append(item.ready)
            elif item.quote is not None:
                item.evidence.selection.append(_selected(item.quote, numbers))
        self.pending.clear()


def _selected(quote: Quote, numbers: dict[int, int]) -> PackQuote:
    return PackQuote(
        text=quote.text,
        attribution=Attribution(
            case=quote.case,
            role=quote.attributes.get(ROLE_ATTRIBUTE),
            document=quote.document,
            paragraph=numbers.get(quote.coding_id) if quote.coding_id else None,
            speaker=quote.speaker,
            coder=quote.coder,
        ),
        coding_id=quote.coding_id,
        document_id=quote.document_id,
        start=quote.start,
        end=quote.end,
    )


def _pin_quote(resolved: chapter_service.ResolvedPin) -> PackQuote:
    c = resolved.citation
    return PackQuote(
        text=resolved.text,
        attribution=Attribution(
            case=c.get("case"),
            role=c.get("role"),
            document=str(c.get("document", "")),
            paragraph=c.get("paragraph"),
            speaker=c.get("speaker"),
            coder=c.get("coder"),
        ),
        coding_id=resolved.coding_id,
        document_id=c.get("document_id"),
        start=c.get("start"),
        end=c.get("end"),
        note=resolved.pin.note,
        flag=resolved.flag,
    )
