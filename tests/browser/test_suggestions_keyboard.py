"""Suggestions in the workbench, in headless Chromium: ↓ moves to a suggestion, A accepts it
(after Shift+arrows narrowed it), R rejects one, and the review queue triages with keys."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from suggestion_world import build_world

from qualcode.models import Coding, Origin, Suggestion, SuggestionStatus
from qualcode.services import suggestion_models

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def world(live_server, tmp_path, monkeypatch) -> dict[str, Any]:
    monkeypatch.setenv("QUALCODE_DATA_DIR", str(tmp_path / "data"))
    with live_server.session() as session:
        world = build_world(session)
        suggestion_models.train(session, world.project)
        ids = {"target": world.target.id, "coder": world.coder.id}
    return ids


def _active(page) -> dict[str, Any]:
    return page.evaluate("""() => {
        const panel = window.qualcode.suggestions;
        const s = panel.active;
        return s && {id: s.id, start: s.start, end: s.end, code_id: s.code_id, text: s.text};
    }""")


def _wait_gone(page, suggestion_id: int) -> None:
    page.wait_for_function(
        "(id) => !window.qualcode.suggestions.items.some((s) => s.id === id)", arg=suggestion_id
    )


def test_keyboard_accepts_and_rejects_suggestions(live_server, page, world):
    live_server.sign_in(page, "cora")
    page.goto(live_server.url(f"/p/lpsa/documents/{world['target']}"))
    page.wait_for_selector("#suggestions-panel li.sugg")
    assert page.locator(".sugg-mark").count() > 0

    page.keyboard.press("ArrowDown")
    first = _active(page)
    assert first is not None
    assert page.evaluate("window.getSelection().toString()").strip() == first["text"].strip()
    assert page.locator(".sugg-detail .why li").count() > 0  # the rationale is shown
    page.keyboard.press("a")
    _wait_gone(page, first["id"])
    page.wait_for_function(
        "(id) => [...window.qualcode.workbench.store.codings.values()]"
        ".some((c) => c.suggestion_id === id)",
        arg=first["id"],
    )

    second = _active(page)  # the panel moved on to the next suggestion
    assert second is not None
    assert second["id"] != first["id"]
    page.keyboard.press("r")
    _wait_gone(page, second["id"])

    page.keyboard.press("ArrowDown")
    third = _active(page)
    for _ in range(3):
        page.keyboard.press("Shift+ArrowLeft")  # narrow the selection from its end
    page.keyboard.press("a")
    _wait_gone(page, third["id"])

    with live_server.session() as session:
        accepted = session.scalar(select(Coding).where(Coding.suggestion_id == first["id"]))
        assert accepted.origin is Origin.SUGGESTION
        assert accepted.model_version
        assert (accepted.start, accepted.end) == (first["start"], first["end"])
        assert accepted.coder_id == world["coder"]
        rejected = session.get(Suggestion, second["id"])
        assert rejected.status is SuggestionStatus.REJECTED
        narrowed = session.scalar(select(Coding).where(Coding.suggestion_id == third["id"]))
        assert narrowed.start == third["start"]
        assert narrowed.end < third["end"]


def test_review_queue_triage_with_keys(live_server, page, world):
    live_server.sign_in(page, "cora")
    page.goto(live_server.url(f"/p/lpsa/documents/{world['target']}"))
    page.wait_for_selector("#suggestions-panel li.sugg")
    page.goto(live_server.url("/p/lpsa/suggestions"))
    items = page.locator("li.queue-item")
    assert items.count() > 2
    first_id = int(items.nth(0).get_attribute("data-id"))
    second_id = int(items.nth(1).get_attribute("data-id"))
    page.keyboard.press("a")
    page.wait_for_selector(f"li.queue-item.decided[data-id='{first_id}']")
    assert page.locator(f"li.queue-item.active[data-id='{second_id}']").count() == 1
    page.keyboard.press("r")
    page.wait_for_selector(f"li.queue-item.decided[data-id='{second_id}']")
    with live_server.session() as session:
        assert session.get(Suggestion, first_id).status is SuggestionStatus.ACCEPTED
        assert session.get(Suggestion, second_id).status is SuggestionStatus.REJECTED
