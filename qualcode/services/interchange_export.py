"""A project as a :class:`ProjectSnapshot`, ready for ``write_qdpx``.

Every GUID comes from a ``guid`` column, so the same object exports under the same GUID every
time. Selections have no table: a selection is one coder's codings of one span of a document,
and its GUID is derived from the document's and the coder's GUIDs and the span, so it is
stable too. A memo on a span becomes a selection with no codings that carries the memo.

Only the current version of each document is exported. What REFI-QDA has no place for is
listed in the snapshot's ``report`` (the standard's data-loss warning on export).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode import __version__
from qualcode.interop.refi_qda.xml import new_guid
from qualcode.interop.snapshot import (
    CaseRec,
    CodingRec,
    NoteRec,
    ProjectSnapshot,
    SelectionRec,
    SourceRec,
    UserRec,
    VariableRec,
)
from qualcode.models import (
    Assignment,
    AttributeDef,
    AttributeValue,
    Code,
    CodebookVersion,
    Coding,
    Document,
    Membership,
    Memo,
    PinnedQuote,
    Project,
    Suggestion,
    User,
)
from qualcode.services import documents as document_service
from qualcode.services.codebook_io import export_spec
from qualcode.services.interchange_import import DESCRIPTION_MEMO
from qualcode.services.interchange_values import exported_value, variable_for

_NOTE_NAME = 60  # a memo without a title is named after the start of its text


def export_snapshot(session: Session, project: Project) -> ProjectSnapshot:
    """The project's users, codebook, documents, codings, cases, attributes and memos."""
    return _Exporter(session, project).build()


class _Exporter:
    def __init__(self, session: Session, project: Project) -> None:
        self.session = session
        self.project = project
        self.snap = ProjectSnapshot(
            name=project.title,
            description=project.description,
            origin=f"qualcode {__version__}",
        )
        self.report = self.snap.report
        self.docs = list(document_service.list_documents(session, project))
        self.doc_by_id = {doc.id: doc for doc in self.docs}
        self.user_ids: set[int] = set()
        self.guid_of_user: dict[int, str] = {}
        self.case_guids: dict[int, str] = {}
        self.coding_guids: dict[int, str] = {}  # exported codings only

    def build(self) -> ProjectSnapshot:
        self.snap.codebook = export_spec(self.session, self.project)
        self.snap.codebook.version = None  # frozen versions are qualcode's own
        self._users_of_project()
        self._variables_and_cases()
        self._codings()
        self._memos()
        self._users()
        self._left_out()
        return self.snap

    def _users_of_project(self) -> None:
        self.user_ids.update(
            self.session.scalars(
                select(Membership.user_id).where(Membership.project_id == self.project.id)
            )
        )
        rows = self.session.execute(select(User.id, User.guid)).all()
        self.guid_of_user = {user_id: guid for user_id, guid in rows}

    def _user_guid(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        self.user_ids.add(user_id)
        return self.guid_of_user[user_id]

    def _users(self) -> None:
        users = self.session.scalars(
            select(User).where(User.id.in_(self.user_ids)).order_by(User.id)
        )
        self.snap.users = [UserRec(user.guid, user.label) for user in users]

    # -- attributes, cases, documents -------------------------------------------------------

    def _variables_and_cases(self) -> None:
        attrs = document_service.list_attributes(self.session, self.project)
        rows = self.session.execute(
            select(
                AttributeValue.attribute_id,
                AttributeValue.case_id,
                AttributeValue.document_id,
                AttributeValue.value,
            )
            .join(AttributeDef, AttributeValue.attribute_id == AttributeDef.id)
            .where(AttributeDef.project_id == self.project.id)
            .order_by(AttributeValue.id)
        ).all()
        variables: dict[int, VariableRec] = {}
        for attr in attrs:
            values = [value for attr_id, _, _, value in rows if attr_id == attr.id]
            variables[attr.id] = variable_for(attr, values)
        self.snap.variables = [variables[attr.id] for attr in attrs]
        cases = document_service.list_cases(self.session, self.project)
        case_recs = {case.id: CaseRec(case.guid, case.name, case.description) for case in cases}
        self.case_guids = {case.id: case.guid for case in cases}
        self.snap.cases = list(case_recs.values())
        descriptions = self._descriptions()
        sources = {
            doc.id: SourceRec(
                doc.guid, doc.title, doc.text, description=descriptions.get(doc.id, "")
            )
            for doc in self.docs
        }
        self.snap.sources = list(sources.values())
        for doc in self.docs:
            if doc.case_id is not None and doc.case_id in case_recs:
                case_recs[doc.case_id].source_guids.append(doc.guid)
        for attr_id, case_id, doc_id, stored in rows:
            var = variables[attr_id]
            owner: CaseRec | SourceRec | None = (
                case_recs.get(case_id) if case_id is not None else sources.get(doc_id or 0)
            )
            if owner is None:
                continue  # a value on an older version of a document
            value = exported_value(var, stored)
            if value is not None:
                owner.variables[var.guid] = value
            elif stored.strip():
                item = f"{owner.name}: {var.name}"
                kind = "number" if var.type in ("Integer", "Float") else var.type.lower()
                self.report.skip("variable value", item, f"{stored!r} is not a {kind}")

    def _descriptions(self) -> dict[int, str]:
        memos = self.session.scalars(
            select(Memo)
            .where(Memo.project_id == self.project.id, Memo.kind == DESCRIPTION_MEMO)
            .order_by(Memo.id)
        )
        out: dict[int, str] = {}
        for memo in memos:
            if memo.document_id is not None:
                out[memo.document_id] = "\n\n".join(
                    filter(None, [out.get(memo.document_id), memo.text])
                )
        return out

    # -- codings ----------------------------------------------------------------------------

    def _codings(self) -> None:
        rows = self.session.execute(
            select(Coding, Code.guid)
            .join(Code, Coding.code_id == Code.id)
            .where(Coding.document_id.in_(self.doc_by_id))
            .order_by(Coding.document_id, Coding.start, Coding.end, Coding.coder_id, Coding.id)
        ).all()
        current: SelectionRec | None = None
        key: tuple[int, int, int, int] | None = None
        for coding, code_guid in rows:
            doc = self.doc_by_id[coding.document_id]
            coder = self._user_guid(coding.coder_id)
            here = (coding.document_id, coding.start, coding.end, coding.coder_id)
            if current is None or here != key:
                key = here
                current = SelectionRec(
                    guid=new_guid("selection", doc.guid, str(coding.start), str(coding.end),
                                  coder or ""),
                    source_guid=doc.guid, start=coding.start, end=coding.end,
                    text=coding.quote, creating_user=coder,
                )  # fmt: skip
                self.snap.selections.append(current)
            current.codings.append(CodingRec(coding.guid, code_guid, coder))
            self.coding_guids[coding.id] = coding.guid

    # -- memos ------------------------------------------------------------------------------

    def _memos(self) -> None:
        memos = self.session.scalars(
            select(Memo).where(Memo.project_id == self.project.id).order_by(Memo.id)
        )
        rows = self.session.execute(
            select(Code.id, Code.guid).where(Code.project_id == self.project.id)
        )
        code_guids = {code_id: guid for code_id, guid in rows}
        for memo in memos:
            if memo.kind == DESCRIPTION_MEMO and memo.document_id is not None:
                continue  # exported as the document's description
            label = memo.title or _first_words(memo.text)
            if memo.kind != "memo":
                kind = memo.kind.replace("_", " ")
                self.report.skip("memo", label, f"{kind} memos are not exported")
                continue
            target = self._target(memo, code_guids)
            if target is None:
                self.report.skip("memo", label, "it is on an older version of a document")
                continue
            note = NoteRec(memo.guid, label, memo.text, self._user_guid(memo.author_id))
            if target:
                note.targets.append(target)
            self.snap.notes.append(note)

    def _target(self, memo: Memo, code_guids: dict[int, str]) -> str | None:
        """The GUID of what the memo is on: "" for the project, None if it is not exported."""
        if memo.document_id is not None and memo.document_id not in self.doc_by_id:
            return None
        if memo.coding_id is not None:
            return self.coding_guids.get(memo.coding_id)
        if memo.start is not None and memo.end is not None:
            return self._span_selection(memo)
        if memo.code_id is not None:
            return code_guids[memo.code_id]
        if memo.case_id is not None:
            return self.case_guids[memo.case_id]
        if memo.document_id is not None:
            return self.doc_by_id[memo.document_id].guid
        return ""

    def _span_selection(self, memo: Memo) -> str:
        assert memo.document_id is not None
        assert memo.start is not None
        assert memo.end is not None
        doc = self.doc_by_id[memo.document_id]
        selection = SelectionRec(
            guid=new_guid("memo", memo.guid), source_guid=doc.guid, start=memo.start,
            end=memo.end, text=doc.text[memo.start : memo.end],
            creating_user=self._user_guid(memo.author_id), notes=[memo.guid],
        )  # fmt: skip
        self.snap.selections.append(selection)
        return selection.guid

    # -- the data-loss warning --------------------------------------------------------------

    def _left_out(self) -> None:
        older = self.session.scalars(
            select(Document).where(
                Document.project_id == self.project.id, Document.is_current.is_(False)
            )
        )
        for doc in older:
            self.report.skip(
                "document version", f"{doc.title} (version {doc.version})",
                "only the current version of a document is exported",
            )  # fmt: skip
        doc_ids = select(Document.id).where(Document.project_id == self.project.id)
        counts = {
            "suggestion": (Suggestion, Suggestion.document_id.in_(doc_ids)),
            "assignment": (Assignment, Assignment.document_id.in_(doc_ids)),
            "codebook version": (CodebookVersion, CodebookVersion.project_id == self.project.id),
        }
        for kind, (model, where) in counts.items():
            n = self.session.scalar(select(func.count()).select_from(model).where(where)) or 0
            if n:
                self.report.skip(kind, f"{n} {kind}s", "REFI-QDA has no place for them")
        pins = (
            self.session.scalar(
                select(func.count())
                .select_from(PinnedQuote)
                .join(Coding, PinnedQuote.coding_id == Coding.id)
                .where(Coding.document_id.in_(doc_ids))
            )
            or 0
        )
        if pins:
            self.report.skip(
                "pinned quote", f"{pins} pinned quotes", "REFI-QDA has no place for them"
            )


def _first_words(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= _NOTE_NAME else line[:_NOTE_NAME].rstrip() + "…"
