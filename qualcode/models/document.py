"""Documents (normalised transcript text, stored once) and their speaker turns."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qualcode.db.base import Base, GuidMixin, utcnow
from qualcode.db.types import CompressedText
from qualcode.models.project import Case


class Document(GuidMixin, Base):
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("case.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    source_filename: Mapped[str] = mapped_column(String(500), default="")
    source_type: Mapped[str] = mapped_column(String(16), default="txt")
    encoding: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(CompressedText)
    sha256: Mapped[str] = mapped_column(String(64))
    word_count: Mapped[int] = mapped_column(default=0)
    turn_count: Mapped[int] = mapped_column(default=0)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    previous_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL")
    )
    is_current: Mapped[bool] = mapped_column(default=True, index=True)

    case: Mapped[Case | None] = relationship()
    turns: Mapped[list[Turn]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Turn.index"
    )

    __table_args__ = (
        CheckConstraint("title <> ''", name="title_not_empty"),
        Index("ix_document_project_title", "project_id", "title"),
        Index("ix_document_project_sha256", "project_id", "sha256"),
    )


class Turn(Base):
    """A speaker turn: ``document.text[start:end]`` are the spoken words, label excluded."""

    __tablename__ = "turn"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    index: Mapped[int]
    start: Mapped[int]
    end: Mapped[int]
    speaker: Mapped[str | None] = mapped_column(String(200))
    timestamp: Mapped[float | None]
    is_interviewer: Mapped[bool] = mapped_column(default=False)

    document: Mapped[Document] = relationship(back_populates="turns")

    __table_args__ = (
        UniqueConstraint("document_id", "index"),
        CheckConstraint('start >= 0 AND "end" >= start', name="span_valid"),
        Index("ix_turn_document_start", "document_id", "start"),
    )
