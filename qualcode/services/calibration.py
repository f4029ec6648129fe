"""Agreement by calibration round: each double-coding sample's agreement, in the order drawn.

A round is the set of assignments sharing a sample label (``Assignment.sample``). Its coders
are everyone assigned in it; its agreement is computed on the round's documents every one of
them has finished, so a round in progress shows the documents done so far. Read in order, the
rounds show whether coding converges as the definitions are tightened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.models import Assignment, AssignmentStatus, Document, Project, User
from qualcode.services import agreement as agreement_service
from qualcode.stats import AgreementReport


@dataclass(frozen=True)
class Round:
    """One calibration round and, once two coders have finished a document, its agreement."""

    label: str
    started: datetime
    finished: datetime | None
    coders: tuple[str, ...]
    documents: int
    documents_done: int
    report: AgreementReport | None

    def summary(self, name: str) -> float | None:
        """The mean over codes of coefficient ``name`` (``None`` when no code has one)."""
        if self.report is None:
            return None
        value = self.report.overall.get(name, {}).get("mean")
        return float(value) if value is not None else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat() if self.finished else None,
            "coders": list(self.coders),
            "documents": self.documents,
            "documents_done": self.documents_done,
            "krippendorff_alpha": self.summary("krippendorff_alpha"),
            "cohen_kappa": self.summary("cohen_kappa"),
            "gwet_ac1": self.summary("gwet_ac1"),
            "pooled_krippendorff_alpha": self.report.overall.get("pooled_krippendorff_alpha")
            if self.report
            else None,
        }


def _round(
    session: Session, project: Project, label: str, rows: Sequence[Assignment], unit: str
) -> Round:
    coders = sorted({row.coder for row in rows}, key=lambda user: user.username)
    by_document: dict[int, list[Assignment]] = {}
    for row in rows:
        by_document.setdefault(row.document_id, []).append(row)
    done = [
        doc_id
        for doc_id, assigned in by_document.items()
        if all(a.status is AssignmentStatus.DONE for a in assigned)
    ]
    finished_at = [row.done_at for row in rows if row.done_at is not None]
    report = None
    if len(coders) >= 2 and done:
        report = agreement_service.agreement(
            session, project, [c.username for c in coders], unit=unit, document_ids=done
        ).report
    return Round(
        label=label,
        started=min(row.created_at for row in rows),
        finished=max(finished_at) if len(done) == len(by_document) and finished_at else None,
        coders=tuple(c.username for c in coders),
        documents=len(by_document),
        documents_done=len(done),
        report=report,
    )


def sample_documents(session: Session, project: Project, label: str) -> list[int]:
    """The documents of the sample ``label`` that every coder assigned in it has marked done."""
    rows = session.execute(
        select(Assignment.document_id, Assignment.status)
        .join(Document, Document.id == Assignment.document_id)
        .where(Document.project_id == project.id, Assignment.sample == label)
    ).all()
    pending = {doc_id for doc_id, status in rows if status is not AssignmentStatus.DONE}
    return sorted({doc_id for doc_id, _ in rows} - pending)


def rounds(session: Session, project: Project, *, unit: str = "character") -> list[Round]:
    """Every labelled double-coding sample of the project, oldest first, with its agreement."""
    rows = session.scalars(
        select(Assignment)
        .join(Document, Document.id == Assignment.document_id)
        .join(User, User.id == Assignment.coder_id)
        .where(
            Document.project_id == project.id,
            Document.is_current.is_(True),
            Assignment.sample != "",
        )
        .order_by(Assignment.id)
    ).all()
    by_label: dict[str, list[Assignment]] = {}
    for row in rows:
        by_label.setdefault(row.sample, []).append(row)
    found = [_round(session, project, label, group, unit) for label, group in by_label.items()]
    return sorted(found, key=lambda r: (r.started, r.label))
