"""Assignments: progress per coder and document, and who may see whose codings (blind mode)."""

from __future__ import annotations

import pytest
from factories import make_document, make_project, make_user, member
from sqlalchemy import select

from qualcode.errors import NotFound
from qualcode.models import AssignmentStatus, Event, Purpose, Role
from qualcode.services import assignments


@pytest.fixture
def team(session):
    owner = make_user(session, "lead")
    project = make_project(session, "lpsa", owner=owner)
    ann = member(session, project, Role.CODER, "ann")
    bob = member(session, project, Role.CODER, "bob")
    carl = member(session, project, Role.CODER, "carl")
    document = make_document(session, project)
    session.flush()
    return owner, ann, bob, carl, document


def test_assignments_assign_then_change_keeps_one_row(session, team):
    owner, ann, _bob, _carl, document = team
    first = assignments.assign(session, document, ann, actor_id=owner.id)
    again = assignments.assign(
        session, document, ann, purpose=Purpose.DOUBLE_CODE, blind=True, actor_id=owner.id
    )
    assert again.id == first.id
    assert (again.purpose, again.blind) == (Purpose.DOUBLE_CODE, True)
    assert assignments.assignments_for_document(session, document.id) == [again]
    actions = session.scalars(
        select(Event.action).where(Event.entity_type == "assignment").order_by(Event.id)
    ).all()
    assert actions == ["assignment.created", "assignment.changed"]


def test_assignments_assign_refuses_non_members(session, team):
    *_, document = team
    stranger = make_user(session, "stranger")
    with pytest.raises(NotFound, match="not a member"):
        assignments.assign(session, document, stranger)


def test_assignments_progress_not_started_in_progress_done_and_reopen(session, team):
    _owner, ann, _bob, _carl, document = team
    assignments.assign(session, document, ann)
    assert (
        assignments.mark_in_progress(session, document, ann.id).status
        is AssignmentStatus.IN_PROGRESS
    )
    done = assignments.mark_done(session, document, ann.id)
    assert done.status is AssignmentStatus.DONE
    assert done.done_at is not None
    # coding again after done does not silently reopen it
    assert assignments.mark_in_progress(session, document, ann.id).status is AssignmentStatus.DONE
    reopened = assignments.mark_done(session, document, ann.id, done=False)
    assert reopened.status is AssignmentStatus.IN_PROGRESS
    assert reopened.done_at is None


def test_assignments_mark_done_creates_a_plain_assignment_when_missing(session, team):
    _owner, ann, _bob, _carl, document = team
    assert assignments.mark_in_progress(session, document, ann.id) is None
    done = assignments.mark_done(session, document, ann.id)
    assert (done.status, done.blind, done.purpose) == (AssignmentStatus.DONE, False, Purpose.CODE)


def test_assignments_blind_coders_see_only_their_own_until_all_are_done(session, team):
    owner, ann, bob, carl, document = team
    assignments.assign(session, document, ann, blind=True)
    assignments.assign(session, document, bob, blind=True)
    assert assignments.visible_coder_ids(session, document, ann) == {ann.id}
    assert assignments.visible_coder_ids(session, document, bob) == {bob.id}
    assert assignments.visible_coder_ids(session, document, owner) is None  # owners see all
    assert assignments.visible_coder_ids(session, document, carl) is None  # not blind-assigned
    assignments.mark_done(session, document, ann.id)
    assert assignments.visible_coder_ids(session, document, ann) == {ann.id}  # bob still coding
    assignments.mark_done(session, document, bob.id)
    assert assignments.visible_coder_ids(session, document, ann) is None
    assert assignments.visible_coder_ids(session, document, bob) is None


def test_assignments_leads_are_never_blind(session, team):
    _owner, ann, _bob, _carl, document = team
    project = document.project_id
    lead = member(session, _project(session, project), Role.LEAD, "lena")
    assignments.assign(session, document, lead, blind=True)
    assignments.assign(session, document, ann, blind=True)
    assert assignments.visible_coder_ids(session, document, lead) is None
    assert assignments.blind_documents(session, project, lead) == set()
    assert assignments.blind_documents(session, project, ann) == {document.id}


def test_assignments_hidden_counts_leave_out_only_other_coders_on_blind_documents(session, team):
    from factories import make_code, make_coding

    _owner, ann, bob, _carl, document = team
    project = _project(session, document.project_id)
    other_document = make_document(session, project)
    code = make_code(session, project, "Staff turnover")
    make_coding(session, document, code, ann, quote="staff turnover")
    make_coding(session, document, code, bob, quote="The champion left")
    make_coding(session, other_document, code, bob, quote="staff turnover")
    assignments.assign(session, document, ann, blind=True)
    hidden = assignments.hidden_coding_counts(
        session, ann, assignments.blind_documents(session, project.id, ann)
    )
    assert hidden == {code.id: 1}
    assert assignments.hidden_coding_counts(session, ann, []) == {}


def _project(session, project_id):
    from qualcode.models import Project

    return session.get(Project, project_id)
