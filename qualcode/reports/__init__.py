"""Rendering only, pure: plain dataclasses in, files out (no database, no web framework)."""
