"""Words, names and sentence templates of the LPSA evaluation, for the synthetic corpus.

The facts follow ``/work/shared/notes/lpsa-domain.md``; the people and authorities are
fictional. A template's ``{slot}`` is filled from :data:`SLOTS`.
"""

from __future__ import annotations

FIRST_NAMES = (
    "Jane", "David", "Sarah", "Mohammed", "Helen", "Peter", "Aisha", "Graham", "Ruth",
    "Andrew", "Priya", "Stephen", "Margaret", "Chris", "Fiona", "Tom", "Bernadette", "Kwame",
    "Linda", "Ian", "Siobhan", "Gareth", "Anne-Marie", "Rajesh",
)  # fmt: skip
SURNAMES = (
    "Smith", "Patel", "Jones", "O'Neill", "Williams", "Khan", "Brown", "Taylor", "Davies",
    "Evans", "Thomas", "Roberts", "Walker", "Wright", "Hughes", "Green", "Hall", "Clarke",
    "Okafor", "MacLeod", "Lewis-Hart", "Young",
)  # fmt: skip
AUTHORITIES = (
    "Northshire County Council", "Eastbury Metropolitan Borough Council",
    "Westmere Unitary Authority", "Kingsford London Borough", "Southdale County Council",
    "Harbourton City Council", "Millbridge Borough Council", "Fenwick County Council",
)  # fmt: skip
ROLES = (
    "corporate LPSA coordinator", "head of policy and performance", "chief executive",
    "target owner for road safety", "head of waste services", "finance manager",
    "cabinet member for community safety", "LSP manager", "primary care trust lead",
    "police divisional commander", "head of adult learning", "scrutiny chair",
    "ODPM LPSA team member", "Government Office relationship manager",
)  # fmt: skip
INTERJECTIONS = (
    "Mm-hm.", "Right.", "Yes.", "Okay, that's helpful.", "Can you say a bit more about that?",
    "Interesting. Why was that?", "So what happened next?", "Sure.",
)  # fmt: skip

SLOTS: dict[str, tuple[str, ...]] = {
    "topic": (
        "the stretch", "the reward grant", "the pump-priming grant", "the freedoms and flexibilities",
        "the indicator definitions", "the baseline", "the negotiation", "the LSP",
        "partnership working", "performance management", "the target owners",
        "the second-generation agreement", "the Local Area Agreement", "the CPA",
        "the unsupported credit approvals", "the monitoring returns",
    ),
    "target": (
        "domestic burglary", "road casualties", "household waste recycling",
        "key stage three results", "school attendance", "delayed discharges",
        "smoking quitters", "bus patronage", "fly-tipping", "youth offending",
        "adult learning", "library use", "benefit take-up", "teenage pregnancy",
        "older people helped to live at home", "the efficiency target",
        "looked-after children's attainment", "vehicle crime",
    ),
    "partner": (
        "the police", "the primary care trust", "the fire service", "probation",
        "the voluntary sector", "the college", "the district councils", "Government Office",
        "the department", "ODPM", "the centre", "the schools",
    ),
    "judgement": (
        "a real help", "a bit of a lottery", "a shot in the dark", "more trouble than it was worth",
        "genuinely useful", "too ambitious", "about right", "set up to fail",
        "a quick win", "harder than we expected", "a good discipline",
    ),
    "action": (
        "put a lot of effort in", "appointed a project officer", "changed the way we worked",
        "brought the partners round the table", "bought in extra capacity",
        "ran a publicity campaign", "set up a monthly performance clinic",
        "reorganised the service", "pooled budgets with the partners",
    ),
    "caveat": (
        "the data came through too late to manage it", "the baseline kept moving",
        "it would probably have happened anyway", "the staff turnover hurt us",
        "the department never really engaged", "nobody was sure how the reward would be paid",
        "the indicator didn't measure what we were doing", "the partners had other priorities",
    ),
    "problem": (
        "the indicator definition changed halfway through",
        "we were negotiating in the last batch and everything was rushed",
        "the freedoms we asked for were refused or never answered",
        "the pump-priming money arrived after the start",
        "we didn't have a proper baseline for the local target",
        "the target owners were never really given ownership",
        "members lost interest once the agreement was signed",
    ),
    "use": (
        "pay for a dedicated officer", "fund a pilot in two wards",
        "buy new recycling bins", "support the youth offending team",
        "commission the voluntary sector", "improve our data systems",
        "run extra classes in the libraries",
    ),
    "attitude": (
        "very supportive", "quite sceptical", "happy to sign up", "reluctant at first",
        "hard to pin down", "really committed", "more interested in their own targets",
    ),
    "reflection": (
        "we would choose fewer targets", "the stretch was too much on the national ones",
        "the local targets worked better", "it made us much more focused on outcomes",
        "the partnership working is the lasting benefit",
        "the reward should have been paid for progress as well",
        "we learned a lot about performance management",
    ),
    "hedge": (
        "to be honest", "I suppose", "if I'm being frank", "in fairness", "you know",
        "I think", "looking back",
    ),
}

SENTENCES = (
    "I think {topic} was {judgement}, {hedge}.",
    "With {target} we {action}, but {caveat}.",
    "The problem was that {problem}.",
    "We used the pump-priming money to {use}.",
    "{partner} were {attitude} from the start.",
    "If you look at {target}, {caveat}.",
    "Looking back, {reflection}.",
    "So, {hedge}, {topic} was {judgement}.",
    "On {target} we {action} and that made a difference.",
    "There was a feeling that {caveat}, {hedge}.",
    "Our view was that {topic} was {judgement} for {target}.",
    "{partner} helped with {target} because we {action}.",
    "And that's where {topic} came in, because {problem}.",
    "I would say {reflection}, {hedge}.",
    "We argued with {partner} about {topic} for months.",
    "The honest answer is that {caveat}.",
    "For {target} the stretch was {judgement}.",
    "Well, {partner} were {attitude}, so we {action}.",
)
QUESTIONS = (
    "Could you start by describing your role in the LPSA?",
    "How did the negotiation with {partner} go?",
    "What difference do you think {topic} made?",
    "And {target}, was that a target you chose locally?",
    "Were there any barriers to delivering on {target}?",
    "Who was involved in setting {topic}?",
    "How would you describe {topic} overall?",
    "Did {partner} understand what the agreement was trying to do?",
    "What would you do differently next time?",
    "How did you decide how to spend the pump-priming grant?",
    "Would {target} have improved anyway, without the agreement?",
    "How far was {topic} linked to the LSP's priorities?",
)
