"""A document's rows, written with SQLAlchemy Core: the one place a transcript becomes a
``Document`` with its ``Turn`` rows and its audit event.

Every way in (the web upload, ``qualcode import``, a REFI-QDA project) goes through
:func:`insert_document`. It checks what every offset in the project depends on — normalised
text, turns inside it, a title — before it writes anything, then inserts the document, its
turns (one multi-row statement: an interview has hundreds) and the ``document.imported``
event. Core rather than the ORM, because a bulk import stores hundreds of documents a second
and the unit of work would cost more than the database does. It runs on whatever connection it
is given and never commits: the caller's transaction decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, update

from qualcode.db.base import utcnow
from qualcode.errors import InvalidInput
from qualcode.models import Document, Event, Turn
from qualcode.text.normalize import normalize_text, text_hash
from qualcode.text.transcript import Transcript

__all__ = ["NewDocument", "checked_title", "insert_document"]

_DOCUMENTS = Document.metadata.tables[Document.__tablename__]
_TURNS = Turn.metadata.tables[Turn.__tablename__]
_EVENTS = Event.metadata.tables[Event.__tablename__]
TITLE_MAX = 300
FILENAME_MAX = 500


@dataclass(frozen=True)
class NewDocument:
    """What :func:`insert_document` wrote."""

    id: int
    title: str
    version: int
    word_count: int
    turn_count: int


_TURN_COLUMNS = ("document_id", "index", "start", "end", "speaker", "timestamp", "is_interviewer")


def _turn_insert(connection: Connection) -> str:
    """``INSERT INTO turn (...) VALUES (?, ...)`` in the driver's own parameter style."""
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    columns = ", ".join(quote(c) for c in _TURN_COLUMNS)
    markers = ", ".join([marker] * len(_TURN_COLUMNS))
    return f"INSERT INTO {quote(_TURNS.name)} ({columns}) VALUES ({markers})"


def checked_title(title: str) -> str:
    """The title as stored (stripped, at most 300 characters); an empty one is refused."""
    title = title.strip()[:TITLE_MAX]
    if not title:
        raise InvalidInput("a document needs a title")
    return title


def insert_document(
    connection: Connection,
    project_id: int,
    transcript: Transcript,
    *,
    title: str,
    filename: str = "",
    case_id: int | None = None,
    user_id: int | None = None,
    previous: tuple[int, int] | None = None,
    sha256: str | None = None,
) -> NewDocument:
    """Insert ``transcript`` as a document of the project, with its turns and audit event.

    ``previous`` is the (id, version) of the document this one corrects: it stops being
    current and the new one is its next version. ``sha256`` saves hashing the text again when
    the caller has already done it. Refuses text that is not normalised, turns outside the text
    and an empty title, before writing anything.
    """
    text = transcript.text
    title = checked_title(title)
    if normalize_text(text) != text:
        raise InvalidInput(f"{title}: text is not normalised (NFC, \\n line endings)")
    length = len(text)
    for turn in transcript.turns:
        if not 0 <= turn.start <= turn.end <= length:
            raise InvalidInput(f"{title}: a turn [{turn.start}, {turn.end}) lies outside the text")
    words = transcript.word_count
    version = previous[1] + 1 if previous else 1
    doc_id = connection.execute(
        insert(_DOCUMENTS).returning(_DOCUMENTS.c.id),
        {
            "project_id": project_id, "case_id": case_id, "title": title,
            "source_filename": filename[:FILENAME_MAX], "source_type": transcript.source_type,
            "encoding": transcript.encoding, "text": text, "sha256": sha256 or text_hash(text),
            "word_count": words, "turn_count": len(transcript.turns),
            "imported_by_id": user_id, "version": version,
            "previous_version_id": previous[0] if previous else None,
        },
    ).scalar_one()  # fmt: skip
    if transcript.turns:
        # straight to the driver's executemany: the columns are plain numbers and strings, and
        # SQLAlchemy's per-row parameter handling would cost more than the insert itself
        connection.exec_driver_sql(
            _turn_insert(connection),
            [
                (doc_id, i, t.start, t.end, t.speaker, t.timestamp, t.is_interviewer)
                for i, t in enumerate(transcript.turns)
            ],
        )
    if previous:
        connection.execute(
            update(_DOCUMENTS).where(_DOCUMENTS.c.id == previous[0]).values(is_current=False)
        )
    connection.execute(
        insert(_EVENTS),
        {
            "project_id": project_id, "user_id": user_id, "at": utcnow(),
            "action": "document.imported", "entity_type": Document.__tablename__,
            "entity_id": doc_id,
            "detail": {"title": title, "filename": filename, "words": words,
                       "version": version},
        },
    )  # fmt: skip
    return NewDocument(doc_id, title, version, words, len(transcript.turns))
