"""Agreement from the database: the same numbers as the pure comparison on the same spans, the
right documents, the machine and consensus as coders, and blind review access."""

from __future__ import annotations

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member

from qualcode.errors import InvalidInput, NotFound, PermissionDenied
from qualcode.models import Origin, Purpose, Role, Suggestion
from qualcode.services import agreement as agreement_service
from qualcode.services import assignments as assignment_service
from qualcode.stats import DocumentLayers, compare
from qualcode.text.spans import Span

TURNS = [
    ("Interviewer", "What got in the way of the stretch targets?"),
    ("Jane", "Staff turnover was the big one. The champion left in the spring."),
    ("Interviewer", "And the reward grant?"),
    ("Jane", "The reward grant kept partners at the table. Pump priming helped too."),
]


@pytest.fixture
def study(session):
    """Two coders on three documents; alice finished all, bob finished two."""
    owner = make_user(session, "owner")
    project = make_project(session, "qa", owner=owner)
    alice = member(session, project, Role.CODER, "alice")
    bob = member(session, project, Role.CODER, "bob")
    turnover = make_code(session, project, "Staff turnover")
    grant = make_code(session, project, "Reward grant")
    docs = [make_document(session, project, turns=TURNS, title=f"Doc {i}") for i in range(3)]
    plan = {
        (0, "alice"): [(turnover, "Staff turnover was the big one"), (grant, "reward grant")],
        (0, "bob"): [(turnover, "Staff turnover"), (grant, "The reward grant kept partners")],
        (1, "alice"): [(turnover, "The champion left in the spring")],
        (1, "bob"): [(turnover, "The champion left"), (grant, "Pump priming helped too")],
        (2, "alice"): [(grant, "reward grant kept partners at the table")],
        (2, "bob"): [(grant, "partners at the table")],
    }
    users = {"alice": alice, "bob": bob}
    for (i, name), codings in plan.items():
        for code, quote in codings:
            make_coding(session, docs[i], code, users[name], quote=quote)
    # doc 2: bob is still double-coding it blind, so it is not finished for him
    assignment_service.assign(session, docs[2], bob, purpose=Purpose.DOUBLE_CODE, blind=True)
    session.commit()
    return {
        "project": project,
        "docs": docs,
        "codes": [turnover, grant],
        "users": users,
        "owner": owner,
        "plan": plan,
    }


def _expected_layers(study, doc_indexes):
    layers = []
    for i in doc_indexes:
        doc = study["docs"][i]
        by_coder = {}
        for name in ("alice", "bob"):
            spans: dict[str, list[Span]] = {}
            for code, quote in study["plan"].get((i, name), []):
                start = doc.text.index(quote)
                spans.setdefault(str(code.id), []).append(Span(start, start + len(quote)))
            by_coder[name] = spans
        turns = [Span(t.start, t.end) for t in doc.turns]
        layers.append(DocumentLayers(doc.id, len(doc.text), turns, by_coder))
    return layers


@pytest.mark.parametrize("unit", ["character", "paragraph"])
def test_agreement_from_the_database_equals_the_pure_comparison(session, study, unit):
    result = agreement_service.agreement(session, study["project"], ["alice", "bob"], unit=unit)
    keys = sorted(
        (str(c.id) for c in study["codes"]), key=lambda k: result.corpus.labels[k][0].lower()
    )
    expected = compare(
        _expected_layers(study, [0, 1]),
        ["alice", "bob"],
        keys,
        unit=unit,
        labels=result.corpus.labels,
    )
    assert result.report.to_dict() == expected.to_dict()
    assert result.report.document_ids == (study["docs"][0].id, study["docs"][1].id)
    turnover = next(c for c in result.report.codes if c.code == "Staff turnover")
    assert turnover.code_guid == study["codes"][0].guid
    if unit == "character":  # boundaries differ within the same turns
        assert turnover.cohen_kappa is not None
        assert 0 < turnover.cohen_kappa < 1
    else:
        assert turnover.cohen_kappa == 1.0


def test_documents_not_finished_by_every_coder_are_excluded(session, study):
    result = agreement_service.agreement(session, study["project"], ["alice", "bob"])
    assert study["docs"][2].id not in result.report.document_ids
    assert result.corpus.excluded == 1
    assert result.to_dict()["excluded_documents"] == 1
    assignment_service.mark_done(session, study["docs"][2], study["users"]["bob"].id)
    session.commit()
    result = agreement_service.agreement(session, study["project"], ["alice", "bob"])
    assert study["docs"][2].id in result.report.document_ids
    assert result.corpus.excluded == 0


def test_a_done_document_without_codings_counts_as_coded_nothing(session, study):
    carol = member(session, study["project"], Role.CODER, "carol")
    assignment_service.mark_done(session, study["docs"][0], carol.id)
    session.commit()
    result = agreement_service.agreement(session, study["project"], ["alice", "carol"])
    assert result.report.document_ids == (study["docs"][0].id,)
    turnover = next(c for c in result.report.codes if c.code == "Staff turnover")
    assert turnover.cohen_kappa == 0.0  # carol coded nothing, alice something: NVivo's K = 0
    assert turnover.krippendorff_alpha is not None
    assert turnover.krippendorff_alpha < 0.1


def test_imported_codings_count_as_coded_even_while_double_coding(session, study):
    dave = member(session, study["project"], Role.CODER, "dave")
    doc = study["docs"][1]
    assignment_service.assign(session, doc, dave, purpose=Purpose.DOUBLE_CODE, blind=True)
    make_coding(
        session, doc, study["codes"][0], dave, quote="The champion left", origin=Origin.MANUAL
    )
    session.commit()
    assert (
        agreement_service.agreement(
            session, study["project"], ["alice", "dave"]
        ).report.document_ids
        == ()
    )
    make_coding(session, doc, study["codes"][1], dave, quote="Pump priming", origin=Origin.IMPORT)
    session.commit()
    assert agreement_service.agreement(
        session, study["project"], ["alice", "dave"]
    ).report.document_ids == (doc.id,)


def test_one_code_and_bootstrap(session, study):
    result = agreement_service.agreement(
        session, study["project"], ["alice", "bob"], code=study["codes"][1], bootstrap=50, seed=3
    )
    assert [c.key for c in result.report.codes] == [str(study["codes"][1].id)]
    assert result.report.overall["bootstrap"]["replicates"] == 50
    assert result.report.codes[0].alpha_ci is not None


def test_the_machine_is_compared_as_a_coder(session, study):
    doc = study["docs"][0]
    turnover, grant = study["codes"]
    start = doc.text.index("Staff turnover was the big one")

    def suggest(code, span, score, version, status="open"):
        session.add(
            Suggestion(
                document_id=doc.id,
                code_id=code.id,
                start=span.start,
                end=span.end,
                text=doc.text[span.start : span.end],
                score=score,
                method="classifier",
                model_version=version,
                status=status,
            )
        )

    suggest(turnover, Span(start, start + 30), 0.9, "v1")
    suggest(turnover, Span(start, start + 30), 0.9, "v2", status="accepted")
    suggest(grant, Span(0, 20), 0.2, "v2")  # below the threshold: not the machine's coding
    session.flush()
    result = agreement_service.agreement(session, study["project"], ["alice", "machine"])
    assert result.report.document_ids == (doc.id,)  # the model only ran on doc 0
    assert result.to_dict()["machine"] == {"model_version": "v2", "threshold": 0.5}
    rows = {c.code: c for c in result.report.codes}
    assert rows["Staff turnover"].percent_agreement == 1.0  # same span as alice's
    assert rows["Reward grant"].coded_by_any is not None
    layers = result.corpus.documents[0].layers["machine"]
    assert str(grant.id) not in layers
    study["project"].settings = {"suggestion_threshold": 0.1}
    session.flush()
    result = agreement_service.agreement(session, study["project"], ["alice", "machine"])
    assert str(grant.id) in result.corpus.documents[0].layers["machine"]


def test_coders_are_checked(session, study):
    project = study["project"]
    with pytest.raises(InvalidInput):
        agreement_service.agreement(session, project, ["alice"])
    with pytest.raises(InvalidInput):
        agreement_service.agreement(session, project, ["alice", "Alice"])
    with pytest.raises(NotFound):
        agreement_service.agreement(session, project, ["alice", "nobody"])
    make_user(session, "outsider")
    with pytest.raises(NotFound):
        agreement_service.agreement(session, project, ["alice", "outsider"])
    with pytest.raises(NotFound, match="no suggestions"):
        agreement_service.agreement(session, project, ["alice", "machine"])


def test_worst_first_puts_not_computable_last(session, study):
    make_code(session, study["project"], "Unused")
    result = agreement_service.agreement(session, study["project"], ["alice", "bob"])
    ordered = agreement_service.worst_first(result.report.codes)
    alphas = [c.krippendorff_alpha for c in ordered]
    assert alphas[-1] is None
    assert ordered[-1].code == "Unused"
    defined = [a for a in alphas if a is not None]
    assert defined == sorted(defined)
    assert "no coder used this code" in agreement_service.not_computable_reason(ordered[-1])


def test_review_access_is_blind_for_coders_until_everyone_is_done(session, study):
    project, doc = study["project"], study["docs"][2]
    alice, bob = study["users"]["alice"], study["users"]["bob"]
    assert agreement_service.require_review_access(session, project, study["owner"], doc)
    with pytest.raises(PermissionDenied, match="blind"):
        agreement_service.require_review_access(session, project, alice, doc)
    assert agreement_service.reviewable_documents(
        session, project, alice, [d.id for d in study["docs"]]
    ) == {study["docs"][0].id, study["docs"][1].id}
    assignment_service.mark_done(session, doc, bob.id)
    session.flush()
    assert agreement_service.require_review_access(session, project, alice, doc) is Role.CODER
    viewer = member(session, project, Role.VIEWER, "vera")
    with pytest.raises(PermissionDenied):
        agreement_service.require_review_access(session, project, viewer, study["docs"][0])


def test_the_agreement_bench_times_the_table_from_a_real_database(tmp_path):
    from qualcode.bench.agreement import run_agreement_bench

    figures = run_agreement_bench(documents=4, codings=120, codes=5, repeats=1, directory=tmp_path)
    assert figures["documents"] == figures["documents_compared"] == 4
    assert figures["codings"] == 120
    assert figures["codes"] == 5
    assert figures["characters"] == 4 * 50_000
    assert set(figures["seconds"]) == {"character", "paragraph"}
    assert figures["within_target"] is (figures["seconds"]["character"] < 2.0)
    assert list(tmp_path.iterdir()) == []  # the scratch database is removed
