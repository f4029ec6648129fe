"""``GET /api/docs``: the JSON API documented for people writing scripts against it.

Every route under ``/api/`` is listed, straight from the URL map, with its methods and the role
it needs, so the page cannot fall behind the code. The workbench's routes have curated
examples (request and answer); a test runs each example against a real app. Other routes are
described by their view's docstring.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

bp = Blueprint("api_docs", __name__)

# Illustrative ids the page shows; the docs test substitutes real ones and runs the examples.
SAMPLE_IDS = {
    "slug": "lpsa",
    "document_id": 12,
    "code_id": 5,
    "other_code_id": 6,
    "coding_id": 301,
    "memo_id": 7,
    "after": 1500,
}


@dataclass(frozen=True)
class Example:
    """One curated call: the route, what it does, and a body and answer to show."""

    endpoint: str
    method: str
    summary: str
    query: str = ""
    body: dict[str, Any] | None = None
    answer: Any = None


CODING = {
    "id": "{coding_id}",
    "document_id": "{document_id}",
    "code_id": "{code_id}",
    "coder_id": 3,
    "coder": "Ruth Okafor",
    "start": 120,
    "end": 164,
    "origin": "manual",
    "suggestion_id": None,
    "created": "2024-05-02T10:14:03Z",
    "quote": "the champion left and nobody handed over",
}
MEMO = {
    "id": "{memo_id}",
    "title": "",
    "text": "Handover theme: check other authorities.",
    "kind": "memo",
    "author_id": 3,
    "author": "Ruth Okafor",
    "document_id": "{document_id}",
    "code_id": None,
    "coding_id": None,
    "case_id": None,
    "start": 120,
    "end": 164,
    "quote": "the champion left and nobody handed over",
    "created": "2024-05-02T10:15:40Z",
    "updated": "2024-05-02T10:15:40Z",
}

EXAMPLES = [
    Example(
        "coding.document_api",
        "GET",
        "The document: its text and speaker turns, your "
        "assignment, and whether you are coding it blind. Add text=0 to leave the text out.",
        answer={
            "id": "{document_id}",
            "title": "Wexborough LPSA coordinator",
            "case": "Wexborough",
            "words": 2435,
            "sha256": "9f2c…",
            "version": 1,
            "text": "Interviewer: …",
            "turns": [
                {
                    "index": 0,
                    "start": 13,
                    "end": 77,
                    "speaker": "Interviewer",
                    "timestamp": None,
                    "is_interviewer": True,
                }
            ],
            "assignment": None,
            "blind": False,
        },
    ),
    Example(
        "coding.list_codings",
        "GET",
        "The document's codings you may see (all coders', or "
        "only yours while you code it blind), ordered by start. coder=me, all or a user id.",
        query="?coder=all",
        answer={
            "codings": [CODING],
            "blind": False,
            "last_event_id": 1500,
            "coders": [{"id": 3, "username": "rokafor", "name": "Ruth Okafor"}],
        },
    ),
    Example(
        "coding.create_coding",
        "POST",
        "Code a span. Send code points (start, end) or, "
        "from a browser, UTF-16 units (start16, end16). White space at either end is "
        "trimmed; a span may cross speaker turns. The same code on the same span twice "
        "gives back the existing coding. origin may be manual (default), suggestion or "
        "import.",
        body={"code_id": "{code_id}", "start": 120, "end": 164},
        answer=CODING,
    ),
    Example("coding.get_coding", "GET", "One coding.", answer=CODING),
    Example(
        "coding.update_coding",
        "PATCH",
        "Widen or narrow a coding (a new span) and/or "
        "recode it (code_id). Coders change their own codings; leads any.",
        body={"code_id": "{other_code_id}", "start": 118, "end": 164},
        answer={**CODING, "code_id": "{other_code_id}", "start": 118},
    ),
    Example(
        "coding.delete_coding",
        "DELETE",
        "Uncode. The answer holds what was removed, so a "
        "script can put it back with POST (that is how the workbench undoes).",
        answer={
            "removed": "{coding_id}",
            "document_id": "{document_id}",
            "code_id": "{code_id}",
            "coder_id": 3,
            "start": 120,
            "end": 164,
            "origin": "manual",
            "quote": "the champion left and nobody handed over",
        },
    ),
    Example(
        "coding.codebook",
        "GET",
        "The codebook in tree order with each code's definition, "
        "criteria, examples and number of codings in the project.",
        answer={
            "codes": [
                {
                    "id": "{code_id}",
                    "parent_id": 2,
                    "name": "Staff turnover",
                    "path": "Barriers/Staff turnover",
                    "color": "#D97706",
                    "kind": "barrier",
                    "definition": "Key people leaving…",
                    "inclusion": "…",
                    "exclusion": "…",
                    "typical_example": "…",
                    "atypical_example": "",
                    "active": True,
                    "codable": True,
                    "position": 0,
                    "count": 41,
                }
            ]
        },
    ),
    Example(
        "coding.mark_done",
        "POST",
        "Mark your work on the document done (done: false "
        "reopens it). When every blind coder is done, the blind lifts.",
        body={"done": True},
        answer={
            "id": 4,
            "document_id": "{document_id}",
            "coder_id": 3,
            "purpose": "code",
            "blind": False,
            "status": "done",
            "done_at": "2024-05-02T16:02:11Z",
        },
    ),
    Example(
        "coding.list_assignments",
        "GET",
        "Who is assigned to the document, and how far they are.",
        answer={
            "assignments": [
                {
                    "id": 4,
                    "document_id": "{document_id}",
                    "coder_id": 3,
                    "coder": "Ruth Okafor",
                    "purpose": "double-code",
                    "blind": True,
                    "status": "in_progress",
                    "done_at": None,
                }
            ]
        },
    ),
    Example(
        "coding.create_assignment",
        "POST",
        "Leads: assign a coder, for coding or blind double-coding (purpose code or double-code).",
        body={"coder": "rokafor", "purpose": "double-code", "blind": True},
        answer={
            "id": 4,
            "document_id": "{document_id}",
            "coder_id": 3,
            "purpose": "double-code",
            "blind": True,
            "status": "not_started",
            "done_at": None,
        },
    ),
    Example(
        "coding.list_memos",
        "GET",
        "Memos, newest first: of a document (document_id), of a "
        "code (code_id), or matching words (q) across the project.",
        query="?document_id={document_id}",
        answer={"memos": [MEMO]},
    ),
    Example(
        "coding.create_memo",
        "POST",
        "Write a memo on a span (document_id with start/end "
        "or start16/end16), a document, a code (code_id), a coding (coding_id) or the "
        "project (none of those).",
        body={
            "document_id": "{document_id}",
            "start": 120,
            "end": 164,
            "text": "Handover theme: check other authorities.",
        },
        answer=MEMO,
    ),
    Example("coding.get_memo", "GET", "One memo.", answer=MEMO),
    Example(
        "coding.update_memo",
        "PATCH",
        "Change a memo's text or title (its author, or a lead).",
        body={"title": "Handover"},
        answer={**MEMO, "title": "Handover"},
    ),
    Example(
        "coding.delete_memo",
        "DELETE",
        "Delete a memo (its author, or a lead).",
        answer={"removed": "{memo_id}"},
    ),
    Example(
        "coding.events",
        "GET",
        "Changes since an event id, for live updates: codings "
        "added, changed or removed, memos, codebook edits and assignment changes, limited "
        "to one document with document_id. Ask again from last_id; more: true means ask "
        "at once.",
        query="?after={after}&document_id={document_id}",
        answer={
            "events": [
                {
                    "id": 1501,
                    "action": "coding.added",
                    "type": "coding",
                    "at": "2024-05-02T10:14:03Z",
                    "user_id": 3,
                    "user": "Ruth Okafor",
                    "document_id": "{document_id}",
                    "coder_id": 3,
                    "coding": CODING,
                }
            ],
            "last_id": 1501,
            "more": False,
        },
    ),
]


def fill(template: str, ids: dict[str, Any]) -> str:
    for key, value in ids.items():
        template = template.replace("{" + key + "}", str(value))
    return template


def filled(value: Any, ids: dict[str, Any]) -> Any:
    """An example's body or answer with placeholders replaced (numbers stay numbers)."""
    if isinstance(value, dict):
        return {k: filled(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, ids) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


def example_path(rule: str, example: Example, ids: dict[str, Any]) -> str:
    path = rule.replace("<slug>", "{slug}")
    for arg in ("document_id", "coding_id", "memo_id", "code_id"):
        path = path.replace(f"<int:{arg}>", "{" + arg + "}")
    return fill(path + example.query, ids)


def curl(base: str, method: str, path: str, body: dict[str, Any] | None) -> str:
    parts = ["curl -s"]
    if method != "GET":
        parts.append(f"-X {method}")
    parts.append('-H "Authorization: Bearer $QUALCODE_TOKEN"')
    if body is not None:
        parts.append("-H 'Content-Type: application/json'")
        parts.append(f"-d '{json.dumps(body)}'")
    parts.append(f"'{base}{path}'")
    return " \\\n  ".join(parts)


def _routes() -> list[dict[str, Any]]:
    examples = {(e.endpoint, e.method): e for e in EXAMPLES}
    base = request.host_url.rstrip("/")
    rows = []
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if not rule.rule.startswith("/api/") or rule.endpoint == "api_docs.index":
            continue
        view = current_app.view_functions[rule.endpoint]
        role = getattr(view, "required_role", None)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            example = examples.get((rule.endpoint, method))
            doc = (view.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
            row: dict[str, Any] = {
                "method": method,
                "rule": rule.rule,
                "endpoint": rule.endpoint,
                "area": rule.endpoint.split(".")[0],
                "role": role.value if role else "signed in",
                "summary": example.summary if example else doc,
            }
            if example is not None:
                body = filled(example.body, SAMPLE_IDS)
                row["curl"] = curl(base, method, example_path(rule.rule, example, SAMPLE_IDS), body)
                row["answer"] = json.dumps(
                    filled(example.answer, SAMPLE_IDS), indent=2, ensure_ascii=False
                )
            rows.append(row)
    return rows


@bp.get("/api/docs")
def index() -> ResponseReturnValue:
    if g.user is None:  # a page for people: send them to sign in rather than answer 401
        return redirect(url_for("auth.login", next=request.path))
    return render_template(
        "api_docs/index.html", routes=_routes(), base=request.host_url.rstrip("/")
    )
