"""Benchmark support: a synthetic corpus generator (pure, no database)."""
