"""The agreement lines of a chapter pack, from ``services.agreement`` and ``stats.compare``.

QA "has run" when the two human coders with the most codings have both finished some
documents (double-coding, as :func:`services.agreement.finished_documents` decides). Then each
code of the pack gets its Krippendorff's alpha and Cohen's kappa over those documents, and the
cover a summary over the pack's codes. Only the pack's codes are read and compared, so a pack
of one chapter does not pay for the agreement of the whole codebook.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import fmean

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import QualcodeError
from qualcode.models import Code, Coding, Document, Project
from qualcode.reports.pack import AgreementSummary
from qualcode.services import agreement as qa
from qualcode.services import documents as document_service
from qualcode.stats import CodeAgreement, DocumentLayers, compare
from qualcode.text.spans import Span


@dataclass
class PackAgreement:
    summary: AgreementSummary | None = None
    by_code: dict[int, str] = field(default_factory=dict)  # code id -> the line for its table


def pack_agreement(
    session: Session, project: Project, codes: Sequence[Code], candidates: Sequence[qa.Coder]
) -> PackAgreement:
    """Per-code agreement of the two most active coders among ``candidates`` (from
    ``services.agreement.candidate_coders``) on the documents both finished; empty when no
    document was double-coded (or fewer than two people coded)."""
    people = [c for c in candidates if c.name not in (qa.MACHINE, qa.CONSENSUS)][:2]
    codes = list(dict.fromkeys(codes))
    if len(people) < 2 or not codes:
        return PackAgreement()
    try:
        coders = qa.resolve_coders(session, project, [c.name for c in people])
    except QualcodeError:
        return PackAgreement()
    ids = {c.user_id: c.name for c in coders if c.user_id is not None}
    finished = qa.finished_documents(session, project, ids)
    both = set.intersection(*(finished[name] for name in ids.values()))
    if not both:
        return PackAgreement()
    layers = _layers(session, project, ids, {c.id for c in codes}, both)
    report = compare(layers, list(ids.values()), [str(c.id) for c in codes])
    rows = {int(row.key): row for row in report.codes}
    return PackAgreement(
        _summary(tuple(c.label for c in coders), len(both), rows),
        {code_id: _line(row, len(both)) for code_id, row in rows.items()},
    )


def _layers(
    session: Session,
    project: Project,
    people: dict[int, str],
    code_ids: set[int],
    documents: set[int],
) -> list[DocumentLayers]:
    """Each compared document's length and each coder's spans of the pack's codes."""
    in_project = session.scalars(
        select(Document.id).where(
            Document.project_id == project.id, Document.id.in_(sorted(documents))
        )
    )
    lengths = document_service.text_lengths(session, in_project)
    spans: dict[int, dict[str, dict[str, list[Span]]]] = {
        doc: {name: {} for name in people.values()} for doc in lengths
    }
    for doc_id, coder_id, code_id, start, end in session.execute(
        select(Coding.document_id, Coding.coder_id, Coding.code_id, Coding.start, Coding.end).where(
            Coding.code_id.in_(sorted(code_ids)), Coding.coder_id.in_(sorted(people))
        )
    ):
        if doc_id in spans:
            spans[doc_id][people[coder_id]].setdefault(str(code_id), []).append(Span(start, end))
    return [DocumentLayers(doc, lengths[doc], None, spans[doc]) for doc in sorted(lengths)]


def _summary(
    coders: tuple[str, ...], documents: int, rows: dict[int, CodeAgreement]
) -> AgreementSummary:
    terms = [r.alpha_disagreements for r in rows.values() if r.alpha_disagreements is not None]
    expected = sum(d_e for _, d_e in terms)
    kappas = [r.cohen_kappa for r in rows.values() if r.cohen_kappa is not None]
    percents = [r.percent_agreement for r in rows.values() if r.percent_agreement is not None]
    return AgreementSummary(
        coders=coders,
        documents=documents,
        codes=len(rows),
        pooled_alpha=1 - sum(d_o for d_o, _ in terms) / expected if expected else None,
        mean_kappa=fmean(kappas) if kappas else None,
        mean_percent=fmean(percents) if percents else None,
    )


def _number(value: float | None) -> str:
    return "not computable" if value is None else f"{value:.2f}"


def _line(row: CodeAgreement, documents: int) -> str:
    return (
        f"Krippendorff's alpha {_number(row.krippendorff_alpha)}, Cohen's kappa "
        f"{_number(row.cohen_kappa)} ({documents} double-coded documents)"
    )
