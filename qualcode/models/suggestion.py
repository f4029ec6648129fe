"""Machine suggestions; decisions on them are training data."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qualcode.db.base import Base, utcnow
from qualcode.models.codebook import Code
from qualcode.models.document import Document


class SuggestionStatus(enum.Enum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Suggestion(Base):
    __tablename__ = "suggestion"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"), index=True)
    start: Mapped[int]
    end: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    score: Mapped[float]
    confidence: Mapped[str] = mapped_column(String(16), default="")
    method: Mapped[str] = mapped_column(String(32))
    model_version: Mapped[str] = mapped_column(String(64), default="")
    rationale: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[SuggestionStatus] = mapped_column(default=SuggestionStatus.OPEN)
    for_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship()
    code: Mapped[Code] = relationship()

    __table_args__ = (
        CheckConstraint('start >= 0 AND "end" > start', name="span_valid"),
        Index("ix_suggestion_document_status", "document_id", "status"),
    )
