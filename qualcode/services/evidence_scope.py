"""Which codings count as evidence: the filters quotes and matrices share, resolved to SQL.

:class:`Filters` is what a user chooses (cases, attribute values, coders, origins, the
consensus layer, the interviewer's turns); :func:`resolve_scope` turns it into SQL conditions
on ``Coding`` alone, the documents and cases in scope, and each document's title and
attribute values. Only current documents (not superseded versions) are evidence: services
keep a coding only when its document is in ``Scope.document_cases``, which spares the join
to ``document`` (the big matrices read the ``coding(code_id, document_id)`` index alone).

Blind mode: given a ``viewer``, codings by other coders of a document the viewer is still
blind-coding are left out (``assignments.blind_documents``; leads and owners see all).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, false, not_, select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInput
from qualcode.models import Case, Coding, Document, Origin, Project, User
from qualcode.reports.evidence import CaseRef
from qualcode.services import assignments
from qualcode.services import documents as document_service
from qualcode.services import users as user_service

ORIGIN_ALIASES = {
    "adjudicated": Origin.ADJUDICATION,
    "suggested": Origin.SUGGESTION,
    "imported": Origin.IMPORT,
}


@dataclass(frozen=True)
class Filters:
    """Filters on evidence. Empty tuples mean "no restriction".

    ``where`` holds (attribute name, value) pairs; a document matches an attribute when its
    own value, or else its case's, equals the value. Pairs naming the same attribute are
    alternatives (OR), different attributes must all match (AND). ``consensus`` adds the
    adjudicated layer (the system user ``consensus``) to ``coder_ids``; alone, it selects
    only that layer. ``exclude_interviewer`` drops quotes attributed to an interviewer turn.
    """

    case_ids: tuple[int, ...] = ()
    where: tuple[tuple[str, str], ...] = ()
    coder_ids: tuple[int, ...] = ()
    origins: tuple[str, ...] = ()
    consensus: bool = False
    exclude_interviewer: bool = False


@dataclass
class Scope:
    """Filters resolved for one project: SQL conditions on ``Coding``, the documents in scope
    (current ones passing the filters), plus what services need to attribute quotes."""

    clauses: list[ColumnElement[bool]]
    document_cases: dict[int, int | None]  # document id → case id, for documents in scope
    titles: dict[int, str]  # document id → title, for documents in scope
    cases: list[CaseRef]  # cases with at least one document in scope, by name
    case_names: dict[int, str]
    attributes: Mapping[int, dict[str, str]] = field(default_factory=dict)  # by document id
    exclude_interviewer: bool = False


class DocumentAttributes(Mapping[int, dict[str, str]]):
    """Each document's attribute values (its own over its case's), merged when first asked
    for: a page of quotes needs a hundred documents' of a project's ten thousand."""

    def __init__(
        self,
        documents: dict[int, int | None],
        by_case: dict[int, dict[str, str]],
        by_doc: dict[int, dict[str, str]],
    ) -> None:
        self._documents, self._by_case, self._by_doc = documents, by_case, by_doc
        self._merged: dict[int, dict[str, str]] = {}

    def __getitem__(self, doc_id: int) -> dict[str, str]:
        merged = self._merged.get(doc_id)
        if merged is None:
            case_id = self._documents[doc_id]  # KeyError: not a document in scope
            merged = _merged(self._by_case, self._by_doc, doc_id, case_id)
            self._merged[doc_id] = merged
        return merged

    def __iter__(self) -> Iterator[int]:
        return iter(self._documents)

    def __len__(self) -> int:
        return len(self._documents)


def _merged(
    by_case: dict[int, dict[str, str]],
    by_doc: dict[int, dict[str, str]],
    doc_id: int,
    case_id: int | None,
) -> dict[str, str]:
    if case_id:
        return {**by_case.get(case_id, {}), **by_doc.get(doc_id, {})}
    return dict(by_doc.get(doc_id, {}))


def parse_origin(value: str) -> Origin:
    value = value.strip().lower()
    if value in ORIGIN_ALIASES:
        return ORIGIN_ALIASES[value]
    try:
        return Origin(value)
    except ValueError:
        names = ", ".join(o.value for o in Origin)
        raise InvalidInput(f"unknown origin {value!r}: use one of {names}") from None


def resolve_scope(
    session: Session, project: Project, filters: Filters, *, viewer: User | None = None
) -> Scope:
    by_case, by_doc = document_service.attribute_map(session, project)
    names = {name for name, _ in filters.where}
    if names:
        defined = {a.name for a in document_service.list_attributes(session, project)}
        unknown = sorted(names - defined)
        if unknown:
            raise InvalidInput(f"no attribute named {unknown[0]} in {project.slug}")

    documents: dict[int, int | None] = {}
    titles: dict[int, str] = {}
    wanted = {name: {v for n, v in filters.where if n == name} for name in names}
    rows = session.execute(
        select(Document.id, Document.case_id, Document.title).where(
            Document.project_id == project.id, Document.is_current.is_(True)
        )
    )
    for doc_id, case_id, title in rows:
        if filters.case_ids and case_id not in filters.case_ids:
            continue
        if wanted:
            attrs = _merged(by_case, by_doc, doc_id, case_id)
            if not all(attrs.get(name) in values for name, values in wanted.items()):
                continue
        documents[doc_id] = case_id
        titles[doc_id] = title
    attributes = DocumentAttributes(documents, by_case, by_doc)

    clauses: list[ColumnElement[bool]] = []
    if filters.case_ids or filters.where:
        clauses.append(Coding.document_id.in_(sorted(documents)) if documents else false())
    coders = set(filters.coder_ids)
    if filters.consensus:
        consensus = user_service.get_user(session, user_service.CONSENSUS, missing_ok=True)
        coders.add(consensus.id if consensus is not None else -1)
    if coders:
        clauses.append(Coding.coder_id.in_(sorted(coders)))
    if filters.origins:
        clauses.append(
            Coding.origin.in_(
                sorted({parse_origin(o) for o in filters.origins}, key=lambda o: o.value)
            )
        )
    if viewer is not None:
        blind = assignments.blind_documents(session, project.id, viewer)
        if blind:
            clauses.append(
                not_(and_(Coding.document_id.in_(sorted(blind)), Coding.coder_id != viewer.id))
            )

    all_cases: dict[int, str] = {
        case_id: name
        for case_id, name in session.execute(
            select(Case.id, Case.name).where(Case.project_id == project.id)
        )
    }
    in_scope = {case_id for case_id in documents.values() if case_id is not None}
    cases = sorted(
        (CaseRef(cid, all_cases[cid]) for cid in in_scope if cid in all_cases),
        key=lambda c: c.name.lower(),
    )
    return Scope(
        clauses, documents, titles, cases, all_cases, attributes, filters.exclude_interviewer
    )
