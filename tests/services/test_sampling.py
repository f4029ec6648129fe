"""Double-coding samples: stratified by case, reproducible for a seed, assigned blind."""

from __future__ import annotations

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member
from sqlalchemy import select

from qualcode.errors import Conflict, InvalidInput, NotFound
from qualcode.models import Assignment, AssignmentStatus, Event, Purpose, Role
from qualcode.services import assignments as assignment_service
from qualcode.services import calibration, sampling

CASES = {"Northshire": 10, "Eastborough": 6, "Westvale": 4}


@pytest.fixture
def corpus(session):
    owner = make_user(session, "lead")
    project = make_project(session, "sampled", owner=owner)
    coders = [member(session, project, Role.CODER, name) for name in ("ann", "ben", "cat")]
    docs = {
        case: [make_document(session, project, case=case, title=f"{case} {i}") for i in range(n)]
        for case, n in CASES.items()
    }
    docs[None] = [make_document(session, project, title=f"Loose {i}") for i in range(2)]
    session.commit()
    return {"project": project, "coders": coders, "docs": docs, "owner": owner}


def test_allocate_is_proportional_and_exact():
    assert sampling.allocate([10, 6, 4], 4) == [2, 1, 1]
    assert sampling.allocate([10, 6, 4], 5) == [3, 1, 1]
    assert sum(sampling.allocate([3, 3, 3], 7)) == 7
    assert sampling.allocate([0, 0], 3) == [0, 0]


def test_sample_is_stratified_by_case_and_assigned_blind(session, corpus):
    ann, ben, _ = corpus["coders"]
    sample = sampling.draw_sample(
        session,
        corpus["project"],
        percent=20,
        coders=[ann, ben],
        label="calibration round 1",
        seed=7,
        actor_id=corpus["owner"].id,
    )
    by_case = {s.case: s for s in sample.strata}
    assert [s.case for s in sample.strata] == [
        "Eastborough",
        "Northshire",
        "Westvale",
        sampling.NO_CASE,
    ]
    assert len(sample.document_ids) == round(22 * 0.2)  # 4.4 -> 4
    assert len(by_case["Northshire"].drawn) == 2
    for case, stratum in by_case.items():
        ids = {d.id for d in corpus["docs"][None if case == sampling.NO_CASE else case]}
        assert set(stratum.drawn) <= ids
    rows = session.scalars(select(Assignment).order_by(Assignment.document_id)).all()
    assert len(rows) == 2 * len(sample.document_ids)
    assert {r.document_id for r in rows} == set(sample.document_ids)
    assert all(
        r.blind
        and r.purpose is Purpose.DOUBLE_CODE
        and r.sample == "calibration round 1"
        and r.status is AssignmentStatus.NOT_STARTED
        for r in rows
    )
    event = session.scalars(select(Event).where(Event.action == "sample.drawn")).one()
    assert event.detail["documents"] == sample.document_ids
    assert event.detail["seed"] == 7


def test_the_same_seed_draws_the_same_documents(session, corpus):
    ann, ben, cat = corpus["coders"]
    first = sampling.draw_sample(
        session, corpus["project"], percent=30, coders=[ann, ben], label="round a", seed=11
    )
    session.rollback()
    again = sampling.draw_sample(
        session, corpus["project"], percent=30, coders=[ann, ben], label="round a", seed=11
    )
    assert again.document_ids == first.document_ids
    session.rollback()
    other = sampling.draw_sample(
        session, corpus["project"], percent=30, coders=[ann, ben], label="round a", seed=12
    )
    assert other.document_ids != first.document_ids


def test_later_rounds_draw_fresh_documents(session, corpus):
    ann, ben, _ = corpus["coders"]
    first = sampling.draw_sample(
        session, corpus["project"], percent=50, coders=[ann, ben], label="round 1"
    )
    second = sampling.draw_sample(
        session, corpus["project"], percent=100, coders=[ann, ben], label="round 2"
    )
    assert not set(first.document_ids) & set(second.document_ids)
    assert len(first.document_ids) + len(second.document_ids) == 22
    with pytest.raises(InvalidInput, match="no documents left"):
        sampling.draw_sample(
            session, corpus["project"], percent=10, coders=[ann, ben], label="round 3"
        )


def test_documents_a_coder_already_coded_are_not_sampled(session, corpus):
    ann, ben, _ = corpus["coders"]
    coded = corpus["docs"]["Westvale"][0]
    make_coding(
        session, coded, make_code(session, corpus["project"], "Any"), ann, quote="staff turnover"
    )
    sample = sampling.draw_sample(
        session, corpus["project"], percent=100, coders=[ann, ben], label="all"
    )
    assert coded.id not in sample.document_ids
    assert len(sample.document_ids) == 21


def test_bad_requests_are_refused(session, corpus):
    ann, ben, _ = corpus["coders"]
    project = corpus["project"]
    with pytest.raises(InvalidInput):
        sampling.draw_sample(session, project, percent=0, coders=[ann, ben], label="x")
    with pytest.raises(InvalidInput):
        sampling.draw_sample(session, project, percent=120, coders=[ann, ben], label="x")
    with pytest.raises(InvalidInput):
        sampling.draw_sample(session, project, percent=20, coders=[ann, ann], label="x")
    with pytest.raises(InvalidInput):
        sampling.draw_sample(session, project, percent=20, coders=[ann, ben], label="  ")
    viewer = member(session, project, Role.VIEWER, "viv")
    with pytest.raises(NotFound):
        sampling.draw_sample(session, project, percent=20, coders=[ann, viewer], label="x")
    sampling.draw_sample(session, project, percent=20, coders=[ann, ben], label="taken")
    with pytest.raises(Conflict):
        sampling.draw_sample(session, project, percent=20, coders=[ann, ben], label="taken")


def test_agreement_by_calibration_round(session, corpus):
    ann, ben, _ = corpus["coders"]
    project = corpus["project"]
    code = make_code(session, project, "Staff turnover")
    first = sampling.draw_sample(session, project, percent=10, coders=[ann, ben], label="r1")
    second = sampling.draw_sample(session, project, percent=10, coders=[ann, ben], label="r2")
    docs = {d.id: d for group in corpus["docs"].values() for d in group}
    for doc_id in first.document_ids:  # round 1: they disagree on the boundaries
        make_coding(session, docs[doc_id], code, ann, quote="Honestly, staff turnover.")
        make_coding(session, docs[doc_id], code, ben, quote="The champion left")
    for doc_id in second.document_ids:  # round 2: they agree
        for coder in (ann, ben):
            make_coding(session, docs[doc_id], code, coder, quote="staff turnover")
    for doc_id in [*first.document_ids, *second.document_ids[:1]]:
        for coder in (ann, ben):
            assignment_service.mark_done(session, docs[doc_id], coder.id)
    session.flush()
    found = calibration.rounds(session, project)
    assert [r.label for r in found] == ["r1", "r2"]
    r1, r2 = found
    assert r1.coders == ("ann", "ben")
    assert r1.documents == r1.documents_done == 2
    assert r1.finished is not None
    assert r2.finished is None
    assert r2.documents == 2
    assert r2.documents_done == 1
    assert r1.report is not None
    assert r1.report.document_ids == tuple(first.document_ids)
    assert r2.report is not None
    assert r2.report.document_ids == (second.document_ids[0],)
    alpha1, alpha2 = r1.summary("krippendorff_alpha"), r2.summary("krippendorff_alpha")
    assert alpha1 is not None
    assert alpha2 == 1.0
    assert alpha1 < 0
    assert r2.to_dict()["krippendorff_alpha"] == 1.0
