"""The database itself refuses impossible rows (named constraints, on both back ends)."""

from __future__ import annotations

import pytest
from factories import make_code, make_document, make_project, make_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from qualcode.errors import InvalidInput
from qualcode.models import AttributeValue, Coding, Membership, Role
from qualcode.services import coding as coding_service
from qualcode.text.spans import Span


def test_constraints_coding_span_must_be_non_empty_and_forward(session):
    project = make_project(session)
    doc = make_document(session, project)
    code = make_code(session, project)
    coder = make_user(session)
    session.add(
        Coding(document_id=doc.id, code_id=code.id, coder_id=coder.id, start=5, end=5, quote="")
    )
    with pytest.raises(IntegrityError, match="span_valid"):
        session.flush()


def test_constraints_coding_outside_document_text_is_refused_by_service(session):
    project = make_project(session)
    doc = make_document(session, project)
    code = make_code(session, project)
    coder = make_user(session)
    with pytest.raises(InvalidInput, match="outside the text"):
        coding_service.apply_code(
            session,
            document_id=doc.id,
            code_id=code.id,
            span=Span(len(doc.text) - 3, len(doc.text) + 10),
            coder_id=coder.id,
        )
    assert session.scalars(select(Coding)).all() == []


def test_constraints_membership_is_unique_per_user_and_project(session):
    project = make_project(session)
    user = make_user(session)
    session.add_all(
        [
            Membership(project_id=project.id, user_id=user.id, role=Role.CODER),
            Membership(project_id=project.id, user_id=user.id, role=Role.LEAD),
        ]
    )
    with pytest.raises(IntegrityError, match="UNIQUE|unique|uq_membership"):
        session.flush()


def test_constraints_attribute_value_needs_exactly_one_owner(session):
    from qualcode.models import AttributeDef, AttributeScope

    project = make_project(session)
    attr = AttributeDef(project_id=project.id, name="region", scope=AttributeScope.CASE)
    session.add(attr)
    session.flush()
    session.add(AttributeValue(attribute_id=attr.id, value="x"))
    with pytest.raises(IntegrityError, match="one_owner"):
        session.flush()


def test_constraints_enum_is_stored_by_value(session, engine):
    project = make_project(session)
    user = make_user(session)
    session.add(Membership(project_id=project.id, user_id=user.id, role=Role.LEAD))
    session.commit()
    with engine.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT role FROM membership")).scalar() == "lead"
