"""Every service change writes an audit event; services flush but never commit."""

from __future__ import annotations

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import Conflict, NotFound, PermissionDenied
from qualcode.models import Coding, Event, Project, Role
from qualcode.services import coding as coding_service
from qualcode.services import memos as memo_service
from qualcode.services import projects as project_service
from qualcode.text.spans import Span


def actions(session):
    return [e.action for e in session.scalars(select(Event).order_by(Event.id))]


def test_audit_each_change_records_an_event(session):
    owner = make_user(session, "owner")
    project = make_project(session, "lpsa", owner=owner)
    doc = make_document(session, project)
    code = make_code(session, project, "Barriers")
    coding = make_coding(session, doc, code, owner, quote="staff turnover")
    coding_service.update_coding(
        session, coding.id, actor_id=owner.id, span=Span(coding.start, coding.end + 4)
    )
    memo_service.create_memo(
        session,
        project,
        author_id=owner.id,
        text="turnover again",
        document_id=doc.id,
        span=Span(coding.start, coding.end),
    )
    coding_service.remove_coding(session, coding.id, actor_id=owner.id)
    assert actions(session) == [
        "user.created",
        "project.created",
        "member.set",
        "document.imported",
        "code.created",
        "coding.added",
        "coding.changed",
        "memo.created",
        "coding.removed",
    ]
    removed = session.scalars(select(Event).where(Event.action == "coding.removed")).one()
    assert removed.user_id == owner.id
    assert removed.detail["quote"] == "staff turnover. Th"


def test_audit_services_do_not_commit(engine, session):
    make_project(session, "uncommitted")
    with Session(engine) as other:
        assert other.scalars(select(Project)).all() == []
    session.rollback()
    assert session.scalars(select(Project)).all() == []


def test_coding_is_trimmed_and_idempotent(session):
    project = make_project(session)
    doc = make_document(session, project)
    code = make_code(session, project)
    coder = make_user(session)
    start = doc.text.index("staff turnover")
    first = coding_service.apply_code(
        session,
        document_id=doc.id,
        code_id=code.id,
        span=Span(start - 1, start + 14),
        coder_id=coder.id,
    )
    assert first.quote == "staff turnover"
    again = coding_service.apply_code(
        session,
        document_id=doc.id,
        code_id=code.id,
        span=Span(start, start + 14),
        coder_id=coder.id,
    )
    assert again.id == first.id
    assert len(session.scalars(select(Coding)).all()) == 1


def test_coding_only_own_layer_unless_allowed(session):
    project = make_project(session)
    doc = make_document(session, project)
    code = make_code(session, project)
    a, b = make_user(session), make_user(session)
    coding = make_coding(session, doc, code, a, quote="staff turnover")
    with pytest.raises(PermissionDenied):
        coding_service.remove_coding(session, coding.id, actor_id=b.id)
    coding_service.remove_coding(session, coding.id, actor_id=b.id, may_edit_others=True)


def test_coding_code_of_other_project_is_refused(session):
    p1, p2 = make_project(session), make_project(session)
    doc = make_document(session, p1)
    code = make_code(session, p2)
    with pytest.raises(Conflict, match="different projects"):
        make_coding(session, doc, code, make_user(session), quote="staff turnover")


def test_roles_non_member_sees_not_found_and_low_role_is_denied(session):
    owner, viewer, stranger = make_user(session), make_user(session), make_user(session)
    project = make_project(session, owner=owner)
    project_service.add_member(session, project, viewer, Role.VIEWER)
    assert project_service.require_role(session, project, owner, Role.LEAD) is Role.OWNER
    with pytest.raises(PermissionDenied):
        project_service.require_role(session, project, viewer, Role.CODER)
    with pytest.raises(NotFound):
        project_service.require_role(session, project, stranger, Role.VIEWER)
    with pytest.raises(Conflict, match="at least one owner"):
        project_service.remove_member(session, project, owner, actor_id=owner.id)
