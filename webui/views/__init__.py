"""One blueprint per area of the UI; ``register_views`` adds those that exist."""

from __future__ import annotations

import importlib

from flask import Flask

AREAS = (
    "projects",
    "documents",
    "attributes",
    "coding",
    "codebook",
    "suggestions",
    "evidence",
    "matrices",
    "chapters",
    "agreement",
    "exchange",
    "api_docs",
    "audit",
)


def register_views(app: Flask) -> None:
    for name in AREAS:
        try:
            module = importlib.import_module(f"webui.views.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"webui.views.{name}":
                raise
            continue
        app.register_blueprint(module.bp)
