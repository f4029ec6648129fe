"""Every model, imported so ``Base.metadata`` is complete."""

from qualcode.db.base import Base
from qualcode.models.assignment import Assignment, AssignmentStatus, Purpose
from qualcode.models.chapter import (
    ChapterOutline,
    ChapterSection,
    FrameworkCell,
    PinnedQuote,
    section_code,
)
from qualcode.models.codebook import Code, CodebookVersion, CodeKind
from qualcode.models.coding import Coding, Origin
from qualcode.models.document import Document, Turn
from qualcode.models.event import Event, ImportJob
from qualcode.models.memo import Memo
from qualcode.models.project import (
    AttributeDef,
    AttributeScope,
    AttributeType,
    AttributeValue,
    Case,
    Membership,
    Project,
    Role,
)
from qualcode.models.suggestion import Suggestion, SuggestionStatus
from qualcode.models.user import ApiToken, User

__all__ = [
    "ApiToken",
    "Assignment",
    "AssignmentStatus",
    "AttributeDef",
    "AttributeScope",
    "AttributeType",
    "AttributeValue",
    "Base",
    "Case",
    "ChapterOutline",
    "ChapterSection",
    "Code",
    "CodeKind",
    "CodebookVersion",
    "Coding",
    "Document",
    "Event",
    "FrameworkCell",
    "ImportJob",
    "Membership",
    "Memo",
    "Origin",
    "PinnedQuote",
    "Project",
    "Purpose",
    "Role",
    "Suggestion",
    "SuggestionStatus",
    "Turn",
    "User",
    "section_code",
]
