"""Agreement from the database: each compared coder's layer gathered as ``DocumentLayers``,
then measured by the pure ``qualcode.stats.compare``.

Which documents are compared: those every compared coder has finished. A coder has finished a
document when their assignment on it is marked done, or when they coded it (any coding; an
imported one counts) and are not still working on it for a double-coding sample (a blind or
double-code assignment not yet done). A finished document with no coding of a code by a coder
is an explicit "not coded" for them.

Coders are named by user name. Besides people, two pseudo-coders can be compared: the
``consensus`` layer that adjudication writes, and the ``machine``: the suggestions (open and
decided alike) of the project's current model that score at or above the decision threshold
(``Project.settings["suggestion_threshold"]``, 0.5 when unset). The machine has "coded" every
document the current model made any suggestion on.

Codes are keyed by their id (as text) in the stats layer and labelled with their path and
guid, so the report's ``key`` links back to the code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInput, NotFound, PermissionDenied
from qualcode.models import (
    Assignment,
    AssignmentStatus,
    Code,
    Coding,
    Document,
    Origin,
    Project,
    Purpose,
    Role,
    Suggestion,
    Turn,
    User,
)
from qualcode.services import assignments as assignment_service
from qualcode.services import codebook as codebook_service
from qualcode.services import documents as document_service
from qualcode.services import projects as project_service
from qualcode.services import users as user_service
from qualcode.stats import AgreementReport, CodeAgreement, DocumentLayers, compare
from qualcode.text.spans import Span

MACHINE = user_service.MACHINE
CONSENSUS = user_service.CONSENSUS
THRESHOLD_SETTING = "suggestion_threshold"
DEFAULT_THRESHOLD = 0.5

SpanMap = dict[tuple[int, str], dict[str, list[Span]]]  # (document id, coder) -> code -> spans


@dataclass(frozen=True)
class Coder:
    """A compared coder: a person, the consensus pseudo-coder, or the machine (no user id)."""

    name: str
    label: str
    user_id: int | None


@dataclass(frozen=True)
class MachineModel:
    """The model whose suggestions stand in for the machine coder."""

    version: str
    threshold: float


@dataclass
class Corpus:
    """What the comparison runs on: the finished documents' layers and the compared codes."""

    coders: tuple[Coder, ...]
    documents: list[DocumentLayers]
    titles: dict[int, str]
    codes: list[Code]
    labels: dict[str, tuple[str, str | None]]
    excluded: int = 0
    machine: MachineModel | None = None
    code_paths: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Comparison:
    """An agreement report with the data it was computed from."""

    report: AgreementReport
    corpus: Corpus

    def to_dict(self) -> dict[str, Any]:
        """The ``agreement --json`` shape (DESIGN.md), plus coder labels and exclusions."""
        data = self.report.to_dict()
        data["coder_labels"] = {c.name: c.label for c in self.corpus.coders}
        data["excluded_documents"] = self.corpus.excluded
        machine = self.corpus.machine
        data["machine"] = (
            {"model_version": machine.version, "threshold": machine.threshold} if machine else None
        )
        return data


def machine_model(session: Session, project: Project) -> MachineModel | None:
    """The project's current suggestion model (the newest suggestion's) and its threshold."""
    version = session.scalar(
        select(Suggestion.model_version)
        .join(Document, Document.id == Suggestion.document_id)
        .where(Document.project_id == project.id, Suggestion.for_user_id.is_(None))
        .order_by(Suggestion.created_at.desc(), Suggestion.id.desc())
        .limit(1)
    )
    if version is None:
        return None
    threshold = project.settings.get(THRESHOLD_SETTING, DEFAULT_THRESHOLD)
    return MachineModel(version, float(threshold))


def resolve_coders(session: Session, project: Project, names: Sequence[str]) -> list[Coder]:
    """The coders to compare, by user name (``machine`` and ``consensus`` included)."""
    cleaned = [name.strip() for name in names if name.strip()]
    if len({name.lower() for name in cleaned}) != len(cleaned):
        raise InvalidInput("each coder may be compared only once")
    if len(cleaned) < 2:
        raise InvalidInput("agreement needs at least two coders, e.g. --coders alice,bob")
    coders = []
    for name in cleaned:
        if name.lower() == MACHINE:
            if machine_model(session, project) is None:
                raise NotFound(f"{project.slug} has no suggestions: the machine cannot be compared")
            coders.append(Coder(MACHINE, "Machine", None))
            continue
        user = user_service.get_user(session, name, missing_ok=True)
        if user is None or (
            not user.is_system and project_service.role_of(session, project, user) is None
        ):
            raise NotFound(f"no coder {name} in {project.slug}")
        coders.append(Coder(user.username, user.label, user.id))
    return coders


def candidate_coders(session: Session, project: Project) -> list[Coder]:
    """People (and the consensus) with codings in the project, most codings first."""
    rows = session.execute(
        select(User, func.count(Coding.id))
        .join(Coding, Coding.coder_id == User.id)
        .join(Document, Document.id == Coding.document_id)
        .where(Document.project_id == project.id, Document.is_current.is_(True))
        .group_by(User.id)
        .order_by(func.count(Coding.id).desc(), User.username)
    ).all()
    coders = [Coder(user.username, user.label, user.id) for user, _ in rows]
    if machine_model(session, project) is not None:
        coders.append(Coder(MACHINE, "Machine", None))
    return coders


def _current_documents(project: Project) -> Any:
    return (Document.project_id == project.id) & Document.is_current.is_(True)


def _coding_spans(
    session: Session,
    project: Project,
    people: dict[int, str],
    code_ids: set[int] | None,
    document_ids: set[int] | None,
) -> SpanMap:
    spans: SpanMap = defaultdict(dict)
    if not people:
        return spans
    stmt = (
        select(Coding.document_id, Coding.coder_id, Coding.code_id, Coding.start, Coding.end)
        .join(Document, Document.id == Coding.document_id)
        .where(_current_documents(project), Coding.coder_id.in_(people))
    )
    if code_ids is not None:
        stmt = stmt.where(Coding.code_id.in_(code_ids))
    for doc_id, coder_id, code_id, start, end in session.execute(stmt):
        if document_ids is None or doc_id in document_ids:
            layer = spans[doc_id, people[coder_id]]
            layer.setdefault(str(code_id), []).append(Span(start, end))
    return spans


def _machine_spans(
    session: Session,
    project: Project,
    model: MachineModel,
    code_ids: set[int] | None,
    document_ids: set[int] | None,
) -> tuple[SpanMap, set[int]]:
    spans: SpanMap = defaultdict(dict)
    stmt = (
        select(Suggestion.document_id, Suggestion.code_id, Suggestion.start, Suggestion.end)
        .join(Document, Document.id == Suggestion.document_id)
        .where(
            _current_documents(project),
            Suggestion.model_version == model.version,
            Suggestion.score >= model.threshold,
            Suggestion.for_user_id.is_(None),  # the machine's own layer, not a coder's queue
        )
    )
    if code_ids is not None:
        stmt = stmt.where(Suggestion.code_id.in_(code_ids))
    for doc_id, code_id, start, end in session.execute(stmt):
        if document_ids is None or doc_id in document_ids:
            spans[doc_id, MACHINE].setdefault(str(code_id), []).append(Span(start, end))
    ran_on = set(
        session.scalars(
            select(Suggestion.document_id)
            .distinct()
            .join(Document, Document.id == Suggestion.document_id)
            .where(_current_documents(project), Suggestion.model_version == model.version)
        )
    )
    return spans, ran_on


def finished_documents(
    session: Session, project: Project, people: dict[int, str]
) -> dict[str, set[int]]:
    """Coder name -> ids of the current documents that coder has finished (see module doc)."""
    coded: dict[tuple[int, int], bool] = {}
    if people:
        imported = func.max(case((Coding.origin == Origin.IMPORT, 1), else_=0))
        for doc_id, coder_id, any_imported in session.execute(
            select(Coding.document_id, Coding.coder_id, imported)
            .join(Document, Document.id == Coding.document_id)
            .where(_current_documents(project), Coding.coder_id.in_(people))
            .group_by(Coding.document_id, Coding.coder_id)
        ):
            coded[doc_id, coder_id] = bool(any_imported)
    open_double: set[tuple[int, int]] = set()
    finished: dict[str, set[int]] = {name: set() for name in people.values()}
    if people:
        for doc_id, coder_id, status, purpose, blind in session.execute(
            select(
                Assignment.document_id,
                Assignment.coder_id,
                Assignment.status,
                Assignment.purpose,
                Assignment.blind,
            )
            .join(Document, Document.id == Assignment.document_id)
            .where(_current_documents(project), Assignment.coder_id.in_(people))
        ):
            if status is AssignmentStatus.DONE:
                finished[people[coder_id]].add(doc_id)
            elif blind or purpose is Purpose.DOUBLE_CODE:
                open_double.add((doc_id, coder_id))
    for (doc_id, coder_id), any_imported in coded.items():
        if any_imported or (doc_id, coder_id) not in open_double:
            finished[people[coder_id]].add(doc_id)
    return finished


def _compared_codes(
    session: Session, project: Project, code: Code | None, used: Iterable[str]
) -> tuple[list[Code], dict[int, str]]:
    codes = list(codebook_service.all_codes(session, project.id))
    code_paths = codebook_service.paths(codes)
    if code is not None:
        if code.project_id != project.id:
            raise NotFound(f"no code with id {code.id}")
        return [code], code_paths
    used_ids = {int(key) for key in used}
    compared = [c for c in codes if c.codable or c.id in used_ids]
    compared.sort(key=lambda c: code_paths[c.id].lower())
    return compared, code_paths


def gather(
    session: Session,
    project: Project,
    coders: Sequence[Coder],
    *,
    unit: str = "character",
    code: Code | None = None,
    document_ids: Iterable[int] | None = None,
) -> Corpus:
    """The finished documents' layers of ``coders`` (optionally only ``document_ids``)."""
    if len(coders) < 2:
        raise InvalidInput("agreement needs at least two coders")
    wanted = set(document_ids) if document_ids is not None else None
    code_ids = {code.id} if code is not None else None
    people = {c.user_id: c.name for c in coders if c.user_id is not None}
    spans = _coding_spans(session, project, people, code_ids, wanted)
    finished = finished_documents(session, project, people)
    machine = None
    if any(c.name == MACHINE for c in coders):
        machine = machine_model(session, project)
        if machine is None:
            raise NotFound(f"{project.slug} has no suggestions: the machine cannot be compared")
        machine_spans, finished[MACHINE] = _machine_spans(
            session, project, machine, code_ids, wanted
        )
        spans.update(machine_spans)
    candidates = set.union(*(finished[c.name] for c in coders))
    if wanted is not None:
        candidates &= wanted
    included = set.intersection(*(finished[c.name] for c in coders)) & candidates
    titles = {
        doc_id: title
        for doc_id, title in session.execute(
            select(Document.id, Document.title).where(_current_documents(project))
        )
        if doc_id in included
    }
    lengths = document_service.text_lengths(session, titles)
    info = {doc_id: (title, lengths[doc_id]) for doc_id, title in titles.items()}
    turns: dict[int, list[Span]] = defaultdict(list)
    if unit != "character":
        for doc_id, start, end in session.execute(
            select(Turn.document_id, Turn.start, Turn.end)
            .join(Document, Document.id == Turn.document_id)
            .where(_current_documents(project))
        ):
            if doc_id in included:
                turns[doc_id].append(Span(start, end))
    documents = [
        DocumentLayers(
            doc_id,
            info[doc_id][1],
            turns.get(doc_id, []),
            {c.name: spans.get((doc_id, c.name), {}) for c in coders},
        )
        for doc_id in sorted(included)
    ]
    used = {key for document in documents for layer in document.layers.values() for key in layer}
    codes, code_paths = _compared_codes(session, project, code, used)
    labels: dict[str, tuple[str, str | None]] = {
        str(c.id): (code_paths[c.id], c.guid) for c in codes
    }
    return Corpus(
        coders=tuple(coders),
        documents=documents,
        titles={doc_id: info[doc_id][0] for doc_id in included},
        codes=codes,
        labels=labels,
        excluded=len(candidates - included),
        machine=machine,
        code_paths=code_paths,
    )


def agreement(
    session: Session,
    project: Project,
    coder_names: Sequence[str],
    *,
    unit: str = "character",
    code: Code | None = None,
    bootstrap: int = 0,
    seed: int = 0,
    document_ids: Iterable[int] | None = None,
) -> Comparison:
    """Per-code agreement of the named coders on the documents they have all finished."""
    coders = resolve_coders(session, project, coder_names)
    corpus = gather(session, project, coders, unit=unit, code=code, document_ids=document_ids)
    report = compare(
        corpus.documents,
        [c.name for c in coders],
        list(corpus.labels),
        unit=unit,
        bootstrap=bootstrap,
        seed=seed,
        labels=corpus.labels,
    )
    return Comparison(report, corpus)


def worst_first(codes: Iterable[CodeAgreement]) -> list[CodeAgreement]:
    """Codes by Krippendorff's alpha (then kappa), lowest first; not computable ones last."""

    def key(row: CodeAgreement) -> tuple[int, float, str]:
        value = row.krippendorff_alpha if row.krippendorff_alpha is not None else row.cohen_kappa
        return (1, 0.0, row.code.lower()) if value is None else (0, value, row.code.lower())

    return sorted(codes, key=key)


def not_computable_reason(row: CodeAgreement) -> str:
    """Why a code's coefficients are missing, in words for the table."""
    return row.flags[0] if row.flags else "only one value occurs"


def document_layers(
    session: Session, project: Project, document: Document, code: Code, coders: Sequence[Coder]
) -> DocumentLayers:
    """One document's layers of one code for ``coders``, finished or not (for review pages)."""
    if document.project_id != project.id or code.project_id != project.id:
        raise NotFound(f"no document with id {document.id}")
    people = {c.user_id: c.name for c in coders if c.user_id is not None}
    spans = _coding_spans(session, project, people, {code.id}, {document.id})
    if any(c.name == MACHINE for c in coders):
        model = machine_model(session, project)
        if model is not None:
            spans.update(_machine_spans(session, project, model, {code.id}, {document.id})[0])
    turns = [Span(t.start, t.end) for t in document.turns]
    return DocumentLayers(
        document.id,
        len(document.text),
        turns,
        {c.name: spans.get((document.id, c.name), {}) for c in coders},
    )


def require_review_access(
    session: Session, project: Project, user: User | None, document: Document
) -> Role:
    """May ``user`` see coders' work on ``document`` side by side? Leads always; coders only
    once every blind assignment on it is done (blind double-coding stays blind)."""
    role = project_service.require_role(session, project, user, Role.CODER)
    if role.at_least(Role.LEAD):
        return role
    if assignment_service.blind_pending(session, document.id):
        raise PermissionDenied(
            f"{document.title} is being double-coded blind: coders see the comparison once "
            "every coder has marked it done"
        )
    return role


def reviewable_documents(
    session: Session, project: Project, user: User | None, document_ids: Iterable[int]
) -> set[int]:
    """The documents among ``document_ids`` whose comparison ``user`` may see."""
    role = project_service.require_role(session, project, user, Role.CODER)
    ids = set(document_ids)
    if role.at_least(Role.LEAD):
        return ids
    return {doc_id for doc_id in ids if not assignment_service.blind_pending(session, doc_id)}
