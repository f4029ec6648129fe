"""Document text is stored compressed on SQLite and read back exactly; old rows stored as plain
text still read; PostgreSQL keeps it as text (TOAST compresses it there)."""

from __future__ import annotations

from factories import make_document, make_project
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from qualcode.models import Document
from qualcode.services.documents import text_lengths

TURNS = [
    ("Interviewer", "Wie lief die Partnerschaft? — “quoted”, naïve café ☕ and 𝄞 outside the BMP."),
    ("Cllr Smith", ("The stretch target made the partners talk. " * 200).strip()),
]


def test_text_round_trips_exactly_and_is_compressed_on_sqlite(session: Session) -> None:
    project = make_project(session)
    doc = make_document(session, project, turns=TURNS)
    session.commit()
    original = doc.text
    session.expire_all()

    assert session.scalar(select(Document.text).where(Document.id == doc.id)) == original
    assert text_lengths(session, [doc.id]) == {doc.id: len(original)}
    stored_type, stored_size = session.execute(
        text("SELECT typeof(text), length(CAST(text AS BLOB)) FROM document WHERE id = :id")
        if session.get_bind().dialect.name == "sqlite"
        else text("SELECT 'text', octet_length(text) FROM document WHERE id = :id"),
        {"id": doc.id},
    ).one()
    if session.get_bind().dialect.name == "sqlite":
        assert stored_type == "blob"
        assert stored_size < len(original.encode("utf-8")) / 4  # the repeated answer packs well
    else:
        assert stored_size == len(original.encode("utf-8"))


def test_a_text_stored_uncompressed_still_reads(session: Session) -> None:
    project = make_project(session)
    doc = make_document(session, project, turns=TURNS)
    session.commit()
    plain = "Interviewer: A row written before compression.\nCllr Smith: Still readable."
    session.execute(
        text("UPDATE document SET text = :plain WHERE id = :id"), {"plain": plain, "id": doc.id}
    )
    session.commit()
    session.expire_all()

    assert session.get(Document, doc.id).text == plain  # type: ignore[union-attr]
    assert text_lengths(session, [doc.id]) == {doc.id: len(plain)}
    session.execute(update(Document).where(Document.id == doc.id).values(text=plain + "!"))
    session.commit()
    session.expire_all()
    assert session.scalar(select(Document.text).where(Document.id == doc.id)) == plain + "!"
