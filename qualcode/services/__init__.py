"""The service layer: plain functions taking a Session first; they flush, callers commit."""
