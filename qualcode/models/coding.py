"""Codings: one coder's code on one span of one document; each coder's codings are a layer."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qualcode.db.base import Base, GuidMixin, utcnow
from qualcode.models.codebook import Code
from qualcode.models.document import Document
from qualcode.models.user import User


class Origin(enum.Enum):
    MANUAL = "manual"
    SUGGESTION = "suggestion"
    IMPORT = "import"
    ADJUDICATION = "adjudication"


class Coding(GuidMixin, Base):
    __tablename__ = "coding"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"))
    coder_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    start: Mapped[int]
    end: Mapped[int]
    quote: Mapped[str] = mapped_column(Text)
    origin: Mapped[Origin] = mapped_column(default=Origin.MANUAL)
    suggestion_id: Mapped[int | None] = mapped_column(
        ForeignKey("suggestion.id", ondelete="SET NULL"), index=True
    )
    model_version: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship()
    code: Mapped[Code] = relationship()
    coder: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint('start >= 0 AND "end" > start', name="span_valid"),
        Index("ix_coding_code", "code_id", "document_id"),
        Index("ix_coding_document_coder", "document_id", "coder_id"),
    )
