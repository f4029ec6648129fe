"""Reviewing two coders' disagreements on a code and deciding them into the consensus layer.

The review unit is an **item**: a stretch of a document where coders A and B disagree on a
code, widened to cover both coders' codings that touch it (so "A coded the whole answer, B only
its second sentence" is one item, not two). For an item the lead takes A's codings, B's, both
(their union), neither (nothing coded), or an edited span, and gives a reason. That decides the
consensus layer within the item's window: the consensus pseudo-coder's codings of the code there
become exactly the decision (origin ``adjudication``), consensus coding outside the window is
kept, and an ``agreement.adjudicated`` audit event keeps the decision and its reason.

A disagreement can also become a proposal to change the code's definition: a memo of kind
``definition_proposal`` on the code, anchored to the disputed passage, which the codebook editor
shows next to the code.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInput
from qualcode.models import Code, Coding, Document, Event, Memo, Origin, Project, Role, User
from qualcode.services import agreement as agreement_service
from qualcode.services import audit, memos
from qualcode.services import coding as coding_service
from qualcode.services import projects as project_service
from qualcode.services import users as user_service
from qualcode.stats import Disagreement, DocumentLayers, disagreements
from qualcode.text.spans import Span, merge, trim

ADJUDICATED = "agreement.adjudicated"
PROPOSAL = "definition_proposal"
MAX_REASON = 2000


class Decision(enum.Enum):
    TAKE_A = "take_a"
    TAKE_B = "take_b"
    BOTH = "both"
    NEITHER = "neither"
    EDIT = "edit"

    @classmethod
    def parse(cls, value: str | Decision) -> Decision:
        try:
            return cls(value)
        except ValueError:
            choices = ", ".join(d.value for d in cls)
            raise InvalidInput(f"unknown decision {value!r}: use one of {choices}") from None


@dataclass(frozen=True)
class Item:
    """One disagreement to adjudicate: the window ``[start, end)`` and what each layer has there."""

    start: int
    end: int
    regions: tuple[Disagreement, ...]
    spans_a: tuple[Span, ...]
    spans_b: tuple[Span, ...]
    consensus: tuple[Span, ...]
    decision: dict[str, Any] | None = None  # the latest adjudication of this window

    @property
    def window(self) -> Span:
        return Span(self.start, self.end)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "regions": [region.to_dict() for region in self.regions],
            "spans_a": [[s.start, s.end] for s in self.spans_a],
            "spans_b": [[s.start, s.end] for s in self.spans_b],
            "consensus": [[s.start, s.end] for s in self.consensus],
            "decision": self.decision,
        }


@dataclass(frozen=True)
class Adjudication:
    """The outcome: the consensus spans now in the window, and the audit event."""

    window: Span
    decision: Decision
    consensus: tuple[Span, ...]
    added: int
    removed: int
    event: Event


def _touching(spans: Sequence[Span], window: Span) -> tuple[Span, ...]:
    return tuple(sorted(s for s in spans if s.start <= window.end and s.end >= window.start))


def review_items(
    layers: DocumentLayers,
    code_key: str,
    coder_a: str,
    coder_b: str,
    consensus: str | None = agreement_service.CONSENSUS,
) -> list[Item]:
    """The document's disagreements of the two coders on the code, grouped into items."""
    spans_a = layers.layers.get(coder_a, {}).get(code_key, [])
    spans_b = layers.layers.get(coder_b, {}).get(code_key, [])
    windows: list[tuple[Span, list[Disagreement]]] = []
    for region in disagreements(layers, code_key, coder_a, coder_b):
        near = [Span(region.start, region.end), *region.spans_a, *region.spans_b]
        window = Span(min(s.start for s in near), max(s.end for s in near))
        if windows and window.start <= windows[-1][0].end:
            previous, grouped = windows[-1]
            windows[-1] = (Span(previous.start, max(previous.end, window.end)), grouped)
            grouped.append(region)
        else:
            windows.append((window, [region]))
    agreed = layers.layers.get(consensus, {}).get(code_key, []) if consensus else []
    return [
        Item(
            window.start,
            window.end,
            tuple(regions),
            _touching(spans_a, window),
            _touching(spans_b, window),
            _touching(agreed, window),
        )
        for window, regions in windows
    ]


def adjudication_events(
    session: Session, project: Project, document_id: int, code_id: int
) -> list[dict[str, Any]]:
    """The adjudications of a code in a document, oldest first (event details with who/when)."""
    events = session.scalars(
        select(Event)
        .where(
            Event.project_id == project.id,
            Event.action == ADJUDICATED,
            Event.entity_type == "document",
            Event.entity_id == document_id,
        )
        .order_by(Event.id)
    ).all()
    return [
        {**event.detail, "event_id": event.id, "at": event.at.isoformat(), "user_id": event.user_id}
        for event in events
        if event.detail.get("code_id") == code_id
    ]


def with_decisions(items: Sequence[Item], events: Sequence[dict[str, Any]]) -> list[Item]:
    """Attach to each item the latest adjudication whose window overlaps it."""
    out = []
    for item in items:
        latest = None
        for detail in events:
            start, end = detail.get("window", (0, 0))
            if start < item.end and item.start < end:
                latest = detail
        out.append(
            Item(
                item.start,
                item.end,
                item.regions,
                item.spans_a,
                item.spans_b,
                item.consensus,
                latest,
            )
        )
    return out


def _clip(spans: Sequence[Span], window: Span) -> list[Span]:
    return [part for s in spans if (part := s.intersection(window)) is not None]


def _decided(
    decision: Decision, spans_a: Sequence[Span], spans_b: Sequence[Span], window: Span
) -> list[Span]:
    if decision is Decision.TAKE_A:
        return merge(_clip(spans_a, window))
    if decision is Decision.TAKE_B:
        return merge(_clip(spans_b, window))
    if decision is Decision.BOTH:
        return merge(_clip([*spans_a, *spans_b], window))
    return []


def _check_window(document: Document, window: Span, what: str) -> None:
    if window.end > len(document.text) or len(window) == 0:
        raise InvalidInput(
            f"the {what} [{window.start}, {window.end}) is empty or outside {document.title} "
            f"({len(document.text)} characters)"
        )


def adjudicate(
    session: Session,
    project: Project,
    *,
    document: Document,
    code: Code,
    coder_a: agreement_service.Coder,
    coder_b: agreement_service.Coder,
    window: Span,
    decision: Decision | str,
    reason: str,
    actor: User,
    edited: Span | None = None,
) -> Adjudication:
    """Decide the disagreement in ``window`` into the consensus layer (see module doc)."""
    project_service.require_role(session, project, actor, Role.LEAD)
    if document.project_id != project.id or code.project_id != project.id:
        raise InvalidInput("the document and code must belong to this project")
    decision = Decision.parse(decision)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("give a reason for the decision (it is kept in the audit log)")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"the reason is too long (at most {MAX_REASON} characters)")
    _check_window(document, window, "window")
    if decision is Decision.EDIT:
        if edited is None:
            raise InvalidInput("an edited decision needs the span to code")
        _check_window(document, edited, "edited span")
        window = Span(min(window.start, edited.start), max(window.end, edited.end))
    layers = agreement_service.document_layers(session, project, document, code, [coder_a, coder_b])
    key = str(code.id)
    spans_a = layers.layers[coder_a.name].get(key, [])
    spans_b = layers.layers[coder_b.name].get(key, [])
    if decision is Decision.EDIT and edited is not None:
        inside = [edited]
    else:
        inside = _decided(decision, spans_a, spans_b, window)

    consensus = user_service.system_user(session, user_service.CONSENSUS)
    existing = [
        c
        for c in coding_service.codings_for_document(session, document.id, coder_ids=[consensus.id])
        if c.code_id == code.id and c.start <= window.end and c.end >= window.start
    ]
    outside = []
    for coding in existing:
        if coding.start < window.start:
            outside.append(Span(coding.start, window.start))
        if coding.end > window.end:
            outside.append(Span(window.end, coding.end))
    target = {t for s in merge([*outside, *inside]) if len(t := trim(document.text, s)) > 0}

    removed = 0
    for coding in existing:
        if Span(coding.start, coding.end) in target:
            target.discard(Span(coding.start, coding.end))
        else:
            coding_service.remove_coding(
                session, coding.id, actor_id=actor.id, may_edit_others=True, project_id=project.id
            )
            removed += 1
    for span in sorted(target):
        coding_service.apply_code(
            session,
            document_id=document.id,
            code_id=code.id,
            span=span,
            coder_id=consensus.id,
            origin=Origin.ADJUDICATION,
            actor_id=actor.id,
        )
    now = _touching(
        [
            Span(c.start, c.end)
            for c in coding_service.codings_for_document(
                session, document.id, coder_ids=[consensus.id]
            )
            if c.code_id == code.id
        ],
        window,
    )
    event = audit.record(
        session,
        ADJUDICATED,
        document,
        project_id=project.id,
        user_id=actor.id,
        entity_type="document",
        detail={
            "document_id": document.id,
            "code_id": code.id,
            "code_guid": code.guid,
            "coders": [coder_a.name, coder_b.name],
            "window": [window.start, window.end],
            "decision": decision.value,
            "reason": reason,
            "edited": [edited.start, edited.end] if edited else None,
            "consensus": [[s.start, s.end] for s in now],
            "consensus_coder_id": consensus.id,
        },
    )
    session.flush()
    return Adjudication(window, decision, now, len(target), removed, event)


def propose_definition_change(
    session: Session,
    project: Project,
    *,
    code: Code,
    text: str,
    actor: User,
    why: str = "",
    document: Document | None = None,
    window: Span | None = None,
) -> Memo:
    """A memo of kind ``definition_proposal`` on ``code``: ``text`` is the proposed definition
    (what the codebook editor copies into the code on accepting), ``why`` its title, and the
    memo is anchored to the disputed passage when one is given."""
    project_service.require_role(session, project, actor, Role.LEAD)
    if not text.strip():
        raise InvalidInput("write the definition you propose")
    if window is not None and document is not None:
        _check_window(document, window, "passage")
    title = why.strip() or (
        f"From a disagreement in {document.title}" if document else "From the agreement review"
    )
    return memos.create_memo(
        session,
        project,
        author_id=actor.id,
        text=text.strip(),
        title=title,
        kind=PROPOSAL,
        code_id=code.id,
        document_id=document.id if document else None,
        span=window if document is not None else None,
    )


def definition_proposals(session: Session, project: Project, code: Code) -> Sequence[Memo]:
    """The code's definition-change proposals, newest first (what the codebook editor shows)."""
    return memos.list_memos(session, project, code_id=code.id, kind=PROPOSAL)


def consensus_codings(session: Session, project: Project, code: Code) -> Sequence[Coding]:
    """Every adjudicated (consensus) coding of the code in the project."""
    consensus = user_service.get_user(session, user_service.CONSENSUS, missing_ok=True)
    if consensus is None:
        return []
    return session.scalars(
        select(Coding)
        .join(Document, Document.id == Coding.document_id)
        .where(
            Document.project_id == project.id,
            Coding.code_id == code.id,
            Coding.coder_id == consensus.id,
        )
        .order_by(Coding.document_id, Coding.start)
    ).all()
