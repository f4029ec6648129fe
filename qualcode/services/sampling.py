"""Drawing a double-coding sample: a share of the documents, stratified by case, coded blind.

The documents eligible for a sample are the project's current documents that none of the
chosen coders has been assigned or has coded (a calibration round needs fresh, independent
codings). ``percent`` of them is drawn (rounded half up, at least one), allocated to the cases
in proportion to their eligible documents by largest remainder, so every case with documents
is represented about as often as it occurs; documents without a case form their own stratum.
Within a stratum documents are drawn with ``random.Random(seed)`` from the list ordered by id,
strata in case-name order, so the same seed on the same project draws the same sample.

Each drawn document is assigned to every chosen coder for double-coding, blind, under the
sample's label ("calibration round 2"); agreement by round groups on that label.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import Conflict, InvalidInput, NotFound
from qualcode.models import Assignment, Case, Coding, Document, Project, Purpose, Role, User
from qualcode.services import assignments as assignment_service
from qualcode.services import audit
from qualcode.services import projects as project_service

MAX_LABEL = 100
NO_CASE = "(no case)"


@dataclass(frozen=True)
class Stratum:
    """One case's share of the sample."""

    case: str
    eligible: int
    drawn: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"case": self.case, "eligible": self.eligible, "drawn": list(self.drawn)}


@dataclass(frozen=True)
class Sample:
    """A drawn sample: its documents by case, and the blind assignments made for it."""

    label: str
    percent: float
    seed: int
    coders: tuple[str, ...]
    strata: tuple[Stratum, ...]
    assignments: tuple[Assignment, ...]

    @property
    def document_ids(self) -> list[int]:
        return sorted(doc_id for stratum in self.strata for doc_id in stratum.drawn)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "percent": self.percent,
            "seed": self.seed,
            "coders": list(self.coders),
            "documents": self.document_ids,
            "strata": [stratum.to_dict() for stratum in self.strata],
            "assignments": len(self.assignments),
        }


def allocate(sizes: Sequence[int], total: int) -> list[int]:
    """Split ``total`` over strata of ``sizes`` proportionally, by largest remainder."""
    population = sum(sizes)
    if population == 0:
        return [0] * len(sizes)
    quotas = [total * size / population for size in sizes]
    counts = [math.floor(q) for q in quotas]
    by_remainder = sorted(range(len(sizes)), key=lambda i: (counts[i] - quotas[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _check(
    session: Session, project: Project, coders: Sequence[User], label: str, pct: float
) -> None:
    if not 0 < pct <= 100:
        raise InvalidInput(f"the sample must be a percentage above 0 and at most 100, got {pct}")
    if len(coders) < 2 or len({c.id for c in coders}) != len(coders):
        raise InvalidInput("double coding needs at least two different coders")
    if not label.strip() or len(label) > MAX_LABEL:
        raise InvalidInput(f"give the sample a label of 1 to {MAX_LABEL} characters")
    for coder in coders:
        role = project_service.role_of(session, project, coder)
        if role is None or not role.at_least(Role.CODER):
            raise NotFound(f"{coder.username} is not a coder on {project.slug}")
    used = session.scalar(
        select(Assignment.id)
        .join(Document, Document.id == Assignment.document_id)
        .where(Document.project_id == project.id, Assignment.sample == label.strip())
        .limit(1)
    )
    if used is not None:
        raise Conflict(f"the sample label {label.strip()!r} is already used; choose a new one")


def eligible_documents(
    session: Session, project: Project, coders: Sequence[User]
) -> dict[str, list[int]]:
    """Case name -> ids of the current documents none of ``coders`` is assigned or has coded."""
    coder_ids = [c.id for c in coders]
    taken = set(
        session.scalars(select(Assignment.document_id).where(Assignment.coder_id.in_(coder_ids)))
    ) | set(session.scalars(select(Coding.document_id).where(Coding.coder_id.in_(coder_ids))))
    strata: dict[str, list[int]] = {}
    for doc_id, case_name in session.execute(
        select(Document.id, Case.name)
        .outerjoin(Case, Case.id == Document.case_id)
        .where(Document.project_id == project.id, Document.is_current.is_(True))
        .order_by(Document.id)
    ):
        if doc_id not in taken:
            strata.setdefault(case_name or NO_CASE, []).append(doc_id)
    return strata


def draw_sample(
    session: Session,
    project: Project,
    *,
    percent: float,
    coders: Sequence[User],
    label: str,
    seed: int = 0,
    actor_id: int | None = None,
) -> Sample:
    """Draw ``percent`` of the eligible documents by case and assign each to every coder, blind."""
    _check(session, project, coders, label, percent)
    label = label.strip()
    strata = eligible_documents(session, project, coders)
    names = sorted(strata, key=lambda name: (name == NO_CASE, name.lower()))
    population = sum(len(ids) for ids in strata.values())
    if population == 0:
        raise InvalidInput(
            "no documents left to sample: every document is already assigned to or coded by "
            "one of these coders"
        )
    total = max(1, math.floor(population * percent / 100 + 0.5))
    counts = allocate([len(strata[name]) for name in names], total)
    rng = random.Random(seed)
    drawn = [
        Stratum(name, len(strata[name]), tuple(sorted(rng.sample(strata[name], count))))
        for name, count in zip(names, counts, strict=True)
    ]
    documents = {
        doc.id: doc
        for doc in session.scalars(
            select(Document).where(Document.id.in_([i for s in drawn for i in s.drawn]))
        )
    }
    assignments = tuple(
        assignment_service.assign(
            session,
            documents[doc_id],
            coder,
            purpose=Purpose.DOUBLE_CODE,
            blind=True,
            sample=label,
            actor_id=actor_id,
        )
        for stratum in drawn
        for doc_id in stratum.drawn
        for coder in coders
    )
    sample = Sample(
        label, percent, seed, tuple(c.username for c in coders), tuple(drawn), assignments
    )
    audit.record(
        session,
        "sample.drawn",
        project,
        project_id=project.id,
        user_id=actor_id,
        detail=sample.to_dict(),
    )
    session.flush()
    return sample
