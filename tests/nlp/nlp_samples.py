"""Hand-built codebook and passages shared by the NLP tests."""

from __future__ import annotations

from qualcode.nlp import CodeInfo, Example, TextUnit

TURNOVER, GRANT, PARTNERS, DATA = 1, 2, 3, 4


def codebook() -> list[CodeInfo]:
    return [
        CodeInfo(
            TURNOVER,
            "Barriers/Staff turnover",
            "Staff turnover",
            definition="Staff leaving their posts, vacancies and the loss of key people.",
            keywords=["turnover", "vacancy"],
        ),
        CodeInfo(
            GRANT,
            "Enablers/Pump priming",
            "Pump priming grant",
            definition="Up-front grant money invested to achieve the stretch targets.",
            keywords=["pump priming"],
        ),
        CodeInfo(
            PARTNERS,
            "Process/Partnership working",
            "Partnership working",
            definition="Working with partners such as the police, the PCT or the LSP.",
        ),
        CodeInfo(
            DATA,
            "Barriers/Data problems",
            "Data problems",
            definition="Indicators, baselines and monitoring data that were wrong or late.",
        ),
    ]


PASSAGES = {
    TURNOVER: [
        "We lost three key officers in a single year.",
        "The coordinator left and the post stayed vacant for months.",
        "Staff kept leaving, so nobody owned the target for long.",
        "Our champion retired halfway through the agreement.",
        "Recruitment was impossible and posts sat empty.",
        "When the manager moved on we lost all the knowledge.",
    ],
    GRANT: [
        "The pump-priming money paid for two extra workers.",
        "We used the grant up front to buy equipment.",
        "The PPG funded a new outreach team in the first year.",
        "Without that early money nothing would have started.",
        "The up-front grant was spent on a new database.",
        "The grant arrived late, after the first year.",
    ],
    PARTNERS: [
        "The police were really engaged through the LSP.",
        "Partners in the PCT signed up to the smoking target.",
        "The fire service worked alongside our officers.",
        "We met the probation service every month.",
        "Colleges and voluntary groups joined the steering group.",
        "Joint working with the health trust improved a lot.",
    ],
    DATA: [
        "The baseline figures turned out to be wrong.",
        "The indicator definition changed halfway through.",
        "Monitoring data arrived a year late from the department.",
        "Nobody could measure the target with the data we had.",
        "The survey used for the indicator was discontinued.",
        "We argued for months about how to count the cases.",
    ],
}


def coded_examples() -> list[Example]:
    return [
        Example(text, code_id, True, document_id=10 + code_id)
        for code_id, texts in PASSAGES.items()
        for text in texts
    ]


def unit(text: str, document_id: int = 99, start: int = 0, context: str = "") -> TextUnit:
    return TextUnit(document_id, start, start + len(text), text, "sentence", context=context)
