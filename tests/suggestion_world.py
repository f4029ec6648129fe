"""A small hand-built project for the suggestion tests (services, CLI, web, browser).

Three codes with codebook keywords, interviews in which a coder coded passages by hand, and a
fresh interview (``target``) whose answers echo them, so a fitted model has something to
suggest there.
"""

from __future__ import annotations

from dataclasses import dataclass

from factories import make_code, make_coding, make_document, make_project, make_user, member
from sqlalchemy.orm import Session

from qualcode.models import Code, Document, Project, Role, User

TURNOVER = "Staff turnover"
GRANT = "Pump-priming grant"
LEADERSHIP = "Political leadership"

TRAINING = [
    [
        ("Interviewer", "What got in the way of delivering the targets?"),
        (
            "Jane Smith",
            "Staff turnover was the big one. The coordinator left and nobody handed "
            "over the work, so we lost a year.",
        ),
        ("Interviewer", "How was the early work paid for?"),
        (
            "Jane Smith",
            "The pump priming grant paid for the first year of the scheme. Without "
            "that money we could not have started.",
        ),
    ],
    [
        ("Interviewer", "What helped most?"),
        (
            "Tom Reid",
            "Our leader made the agreement a personal priority and the cabinet member "
            "chaired every review.",
        ),
        ("Interviewer", "And the difficulties?"),
        (
            "Tom Reid",
            "We had real turnover in the team. Three project managers left in two "
            "years and each time the handover was poor.",
        ),
    ],
    [
        ("Interviewer", "Where did the money come from?"),
        (
            "Ann Lee",
            "The pump-priming money from government let us employ two officers straight away.",
        ),
        ("Interviewer", "Who drove it?"),
        (
            "Ann Lee",
            "Political leadership from the leader of the council kept everyone "
            "focused on the targets.",
        ),
    ],
]

TARGET = [
    ("Interviewer", "What were the main problems?"),
    (
        "Sam Ode",
        "Staff turnover hurt us badly. Our lead officer left and there was no handover at all.",
    ),
    ("Interviewer", "How did you fund the start?"),
    (
        "Sam Ode",
        "The pump priming grant meant we could start early. The grant money paid "
        "for a coordinator.",
    ),
]

CODED = [  # (training document, quote, code)
    (0, "Staff turnover was the big one.", TURNOVER),
    (0, "The coordinator left and nobody handed over the work, so we lost a year.", TURNOVER),
    (0, "The pump priming grant paid for the first year of the scheme.", GRANT),
    (0, "Without that money we could not have started.", GRANT),
    (
        1,
        "Our leader made the agreement a personal priority and the cabinet member chaired "
        "every review.",
        LEADERSHIP,
    ),
    (1, "We had real turnover in the team.", TURNOVER),
    (1, "Three project managers left in two years and each time the handover was poor.", TURNOVER),
    (2, "The pump-priming money from government let us employ two officers straight away.", GRANT),
    (
        2,
        "Political leadership from the leader of the council kept everyone focused on the targets.",
        LEADERSHIP,
    ),
]


@dataclass
class World:
    project: Project
    owner: User
    coder: User
    other: User
    viewer: User
    codes: dict[str, Code]
    training: list[Document]
    target: Document


def build_world(session: Session, *, slug: str = "lpsa") -> World:
    owner = make_user(session, "olive")
    project = make_project(session, slug, owner=owner)
    coder = member(session, project, Role.CODER, "cora")
    other = member(session, project, Role.CODER, "bob")
    viewer = member(session, project, Role.VIEWER, "vic")
    barriers = make_code(session, project, "Barriers", codable=False)
    enablers = make_code(session, project, "Enablers", codable=False)
    codes = {
        TURNOVER: make_code(
            session,
            project,
            TURNOVER,
            parent=barriers,
            definition="Key people leaving posts, with knowledge lost.",
            keywords=["staff turnover", "handover", "left"],
        ),
        GRANT: make_code(
            session,
            project,
            GRANT,
            parent=enablers,
            definition="Up-front money from government that let work start.",
            keywords=["pump priming", "grant"],
        ),
        LEADERSHIP: make_code(
            session,
            project,
            LEADERSHIP,
            parent=enablers,
            definition="Elected members or leaders driving the agreement.",
            keywords=["leader", "cabinet member"],
        ),
    }
    training = [
        make_document(session, project, title=f"Training {i + 1}", turns=turns)
        for i, turns in enumerate(TRAINING)
    ]
    for index, quote, code in CODED:
        make_coding(session, training[index], codes[code], coder, quote=quote)
    target = make_document(session, project, title="Target", turns=TARGET)
    session.flush()
    return World(project, owner, coder, other, viewer, codes, training, target)
