"""What went wrong with the database, in words a user can act on.

SQLite and PostgreSQL report a read-only database, a full disk or a busy lock in their own
words; the CLI and the web app both show the one sentence :func:`describe` gives instead of the
driver's message (or a traceback).
"""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

READ_ONLY = "read-only"
FULL = "full"
BUSY = "busy"


def kind(exc: OperationalError) -> str | None:
    """``read-only``, ``full``, ``busy`` or None (anything else: unreachable, ...)."""
    reason = str(exc.orig or exc).lower()
    if "readonly" in reason or "read-only" in reason or "read only" in reason:
        return READ_ONLY
    if "disk is full" in reason or "no space left" in reason or "disk full" in reason:
        return FULL
    if "database is locked" in reason or "database is busy" in reason:
        return BUSY
    return None


def describe(exc: OperationalError, where: str = "the database") -> str | None:
    """One sentence for the faults users can do something about; None for the others."""
    found = kind(exc)
    if found == READ_ONLY:
        return f"{where} is read-only: changes cannot be saved"
    if found == FULL:
        return f"the disk holding {where} is full: nothing was saved; free some space and retry"
    if found == BUSY:
        return f"{where} is busy; please try again"
    return None
