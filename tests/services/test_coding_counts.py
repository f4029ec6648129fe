"""Codebook counts are remembered until the project changes, and follow every change."""

from __future__ import annotations

from factories import make_code, make_coding, make_document, make_project, make_user

from qualcode.services import coding as coding_service
from qualcode.services import coding_counts


def test_counts_follow_additions_and_removals(session):
    user = make_user(session)
    project = make_project(session, owner=user)
    doc = make_document(session, project)
    a, b = make_code(session, project, "A"), make_code(session, project, "B")
    first = make_coding(session, doc, a, user, start=0, end=5)
    make_coding(session, doc, a, user, start=6, end=9)
    session.commit()
    assert coding_counts.counts(session, project.id) == {a.id: 2}

    make_coding(session, doc, b, user, start=0, end=4)
    session.commit()
    assert coding_counts.counts(session, project.id) == {a.id: 2, b.id: 1}

    coding_service.remove_coding(session, first.id, actor_id=user.id)
    session.commit()
    assert coding_counts.counts(session, project.id) == {a.id: 1, b.id: 1}
    assert coding_counts.counts(session, project.id) == coding_counts.count_codings(
        session, project.id
    )


def test_counts_are_not_recounted_while_nothing_changes(session, monkeypatch):
    user = make_user(session)
    project = make_project(session, owner=user)
    other = make_project(session, owner=user)
    doc = make_document(session, project)
    code = make_code(session, project, "A")
    make_coding(session, doc, code, user, start=0, end=5)
    session.commit()
    calls: list[int] = []
    real = coding_counts.count_codings

    def counting(s, project_id):  # type: ignore[no-untyped-def]
        calls.append(project_id)
        return real(s, project_id)

    monkeypatch.setattr(coding_counts, "count_codings", counting)
    first = coding_counts.counts(session, project.id)
    first[code.id] = 99  # the caller's copy: the remembered counts are not touched
    assert coding_counts.counts(session, project.id) == {code.id: 1}
    assert calls == [project.id]

    make_code(session, other, "Elsewhere")  # another project's change: still remembered
    session.commit()
    assert coding_counts.counts(session, project.id) == {code.id: 1}
    assert calls == [project.id]

    make_coding(session, doc, code, user, start=6, end=9)  # a change: counted again
    session.commit()
    assert coding_counts.counts(session, project.id) == {code.id: 2}
    assert calls == [project.id, project.id]
