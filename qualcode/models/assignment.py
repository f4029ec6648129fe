"""Who codes which document, for what purpose, and whether blind."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qualcode.db.base import Base, utcnow
from qualcode.models.document import Document
from qualcode.models.user import User


class Purpose(enum.Enum):
    CODE = "code"
    DOUBLE_CODE = "double-code"


class AssignmentStatus(enum.Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class Assignment(Base):
    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    coder_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[Purpose] = mapped_column(default=Purpose.CODE)
    blind: Mapped[bool] = mapped_column(default=False)
    status: Mapped[AssignmentStatus] = mapped_column(default=AssignmentStatus.NOT_STARTED)
    sample: Mapped[str] = mapped_column(String(100), default="")  # e.g. "calibration round 2"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]

    document: Mapped[Document] = relationship()
    coder: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("document_id", "coder_id"),)
