"""Domain exceptions. Mapped to HTTP in ``webui/errors.py`` and to exit status 1 in the CLI."""

from __future__ import annotations


class QualcodeError(Exception):
    """Base of every error a user can cause; ``str(error)`` is a one-line message for them."""


class NotFound(QualcodeError):
    """An object named by the user does not exist (or is not visible to them)."""


class Conflict(QualcodeError):
    """The change clashes with the current state (duplicate name, stale edit, ...)."""


class PermissionDenied(QualcodeError):
    """The user's role on the project does not allow this."""


class InvalidInput(QualcodeError):
    """A value supplied by the user is malformed."""


class InvalidImport(QualcodeError):
    """A file cannot be imported; the message names the file or element and the reason."""

    def __init__(self, message: str, *, path: str | None = None, location: str | None = None):
        self.path = path
        self.location = location
        prefix = f"{path}: " if path else ""
        where = f" ({location})" if location else ""
        super().__init__(f"{prefix}{message}{where}")
        self.reason = message


class SchemaOutdated(QualcodeError):
    """The database schema is older than the code: run ``qualcode db upgrade``."""
