"""Pure text model: spans, normalisation and transcripts (no database, no Flask)."""
