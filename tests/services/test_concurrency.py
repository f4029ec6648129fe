"""Several coders writing at once lose nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from factories import make_code, make_document, make_project, make_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from qualcode.db.engine import make_sessionmaker, read_only_transactions
from qualcode.errors import Conflict
from qualcode.models import Code, Coding, Event
from qualcode.services import codebook as codebook_service
from qualcode.services import coding as coding_service
from qualcode.text.spans import Span

CODERS, PER_CODER = 6, 25


def test_concurrency_coders_coding_one_document_at_once_lose_nothing(engine, session):
    project = make_project(session)
    doc = make_document(session, project, turns=[("Jane", " ".join(["word"] * 400))])
    codes = [make_code(session, project, f"C{i}") for i in range(3)]
    coders = [make_user(session) for _ in range(CODERS)]
    session.commit()
    factory = make_sessionmaker(engine)
    errors: list[BaseException] = []
    barrier = threading.Barrier(CODERS)

    def work(coder_id: int, n: int) -> None:
        try:
            barrier.wait()
            for i in range(PER_CODER):
                with factory.begin() as s:
                    start = 6 + (i * 10 + n) % 1500
                    coding_service.apply_code(
                        s,
                        document_id=doc.id,
                        code_id=codes[i % 3].id,
                        span=Span(start, start + 4),
                        coder_id=coder_id,
                    )
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c.id, n)) for n, c in enumerate(coders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Coding)) == CODERS * PER_CODER
        assert (
            s.scalar(select(func.count()).select_from(Event).where(Event.action == "coding.added"))
            == CODERS * PER_CODER
        )


def test_concurrency_two_leads_editing_one_code_get_a_conflict(engine, session):
    """Both leads open the code's form (reading its version), A saves, then B saves: B is told
    the code changed meanwhile instead of silently overwriting A's wording."""
    project = make_project(session)
    code = make_code(session, project, "Staff turnover", definition="v1")
    session.commit()
    factory = make_sessionmaker(engine)
    with read_only_transactions(), factory() as a_form, factory() as b_form:
        seen_by_a = a_form.get(Code, code.id).lock_version
        seen_by_b = b_form.get(Code, code.id).lock_version
    with factory.begin() as a:
        codebook_service.update_code(
            a,
            a.get(Code, code.id),
            user_id=None,
            lock_version=seen_by_a,
            definition="lead A's wording",
        )
    with pytest.raises(Conflict, match="changed by someone else"), factory.begin() as b:
        codebook_service.update_code(
            b,
            b.get(Code, code.id),
            user_id=None,
            lock_version=seen_by_b,
            definition="lead B's wording",
        )
    with Session(engine) as s:
        assert s.get(Code, code.id).definition == "lead A's wording"


def test_concurrency_flush_of_a_stale_row_is_refused(engine, session):
    """Two sessions holding the same row: the second flush fails instead of overwriting."""
    project = make_project(session)
    code = make_code(session, project, "Poor data")
    session.commit()
    factory = make_sessionmaker(engine)
    with read_only_transactions(), factory() as stale:
        row = stale.get(Code, code.id)
        stale.expunge(row)  # keep the row as loaded (with its version) after the session ends
    with factory.begin() as fresh:
        codebook_service.update_code(
            fresh, fresh.get(Code, code.id), user_id=None, definition="fresh"
        )
    row.definition = "stale"
    with pytest.raises(StaleDataError), factory.begin() as again:
        again.add(row)
