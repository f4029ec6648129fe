"""File formats in and out (pure: plain dataclasses, no database, no Flask)."""
