"""Speaker labels and timestamps in one line, and which candidates a document confirms."""

from __future__ import annotations

import pytest

from qualcode.text.speakers import (
    Label,
    confirmed_speakers,
    detect_label,
    is_interviewer,
    parse_timestamp,
    plausible_name,
    strip_timestamps,
)


@pytest.mark.parametrize(
    ("line", "name", "words"),
    [
        (
            "Interviewer: So tell me about the stretch.",
            "Interviewer",
            "So tell me about the stretch.",
        ),
        ("INT: And the reward grant?", "INT", "And the reward grant?"),
        ("R1: It was a lottery.", "R1", "It was a lottery."),
        ("Q: Why?", "Q", "Why?"),
        ("A: Because.", "A", "Because."),
        ("Jane Smith: Well, yes.", "Jane Smith", "Well, yes."),
        ("Cllr O'Neill (Leader): We signed.", "Cllr O'Neill (Leader)", "We signed."),
        ("Anne-Marie Lewis-Hart: Yes.", "Anne-Marie Lewis-Hart", "Yes."),
        ("interviewer: lower case role", "interviewer", "lower case role"),
    ],
)
def test_speakers_colon_labels(line: str, name: str, words: str) -> None:
    label = detect_label(line)
    assert label is not None
    assert not label.weak
    assert not label.heading
    assert label.name == name
    assert line[label.start :] == words


@pytest.mark.parametrize("dash", ["–", "-", "—"])
def test_speakers_dash_labels_are_weak(dash: str) -> None:
    line = f"Cllr Smith {dash} We were set up to fail."
    label = detect_label(line)
    assert label == Label("Cllr Smith", len(f"Cllr Smith {dash} "), weak=True)


def test_speakers_rev_label_same_line_and_heading() -> None:
    same = detect_label("Speaker 1 (00:01): Hello there.")
    assert same is not None
    assert same.name == "Speaker 1"
    assert same.timestamp == 1.0
    assert "Speaker 1 (00:01): Hello there."[same.start :] == "Hello there."
    heading = detect_label("Speaker 2 (01:02:03):")
    assert heading is not None
    assert heading.heading
    assert heading.timestamp == 3723.0


@pytest.mark.parametrize(
    ("line", "name", "seconds"),
    [
        ("Jane Smith  00:13", "Jane Smith", 13.0),
        ("Interviewer   0:03", "Interviewer", 3.0),
        ("Unknown Speaker  1:02:03", "Unknown Speaker", 3723.0),
    ],
)
def test_speakers_otter_and_teams_headings(line: str, name: str, seconds: float) -> None:
    label = detect_label(" ".join(line.split()))
    assert label is not None
    assert label.heading
    assert (label.name, label.timestamp) == (name, seconds)


def test_speakers_leading_timestamp_before_label() -> None:
    for line, seconds in [
        ("[00:01:02] Interviewer: Next question.", 62.0),
        ("00:01:02 Interviewer: Next question.", 62.0),
        ("#00:01:02-5# Interviewer: Next question.", 62.5),
    ]:
        label = detect_label(line)
        assert label is not None
        assert label.name == "Interviewer"
        assert label.timestamp == seconds
        assert line[label.start :] == "Next question."


def test_speakers_bold_prefix_names_speaker_without_colon() -> None:
    line = "Jane Smith So I think it worked."
    label = detect_label(line, bold_prefix=len("Jane Smith"))
    assert label is not None
    assert label.weak
    assert label.name == "Jane Smith"
    assert line[label.start :] == "So I think it worked."
    assert detect_label(line) is None


@pytest.mark.parametrize(
    "line",
    [
        "The problem was this: we had no baseline.",
        "Well - I think so.",
        "I - I mean, yes.",
        "10:30 was when we met.",
        "http://example.org is the site",
        "So we met at 10:30",
        "We met the police (00:01) again",
        "",
    ],
)
def test_speakers_speech_is_not_a_label(line: str) -> None:
    label = detect_label(line)
    assert label is None or label.weak  # weak candidates still need confirming
    if label is not None:
        assert not confirmed_speakers([label, label])


def test_speakers_plausible_names() -> None:
    assert plausible_name("Jane Smith")
    assert plausible_name("Head of Community Safety")
    assert plausible_name("R12")
    assert not plausible_name("the problem")
    assert not plausible_name("2005")
    assert not plausible_name("Why?")
    assert not plausible_name("A very long name with far too many words in it")


def test_speakers_interviewer_roles() -> None:
    for name in [
        "Interviewer",
        "INT",
        "I",
        "Q",
        "Int",
        "Moderator",
        "Facilitator",
        "Interviewer 2",
        "INT (JS)",
        "Int.",
    ]:
        assert is_interviewer(name), name
    for name in ["Jane Smith", "R1", "A", "Respondent", None, ""]:
        assert not is_interviewer(name), name
    assert is_interviewer("Dr Evans", ["dr evans"])


def test_speakers_confirmed_rejects_notes_and_one_off_words() -> None:
    labels = [
        Label("Interviewer", 13),
        Label("Jane", 6),
        Label("Interviewer", 13),
        Label("Jane", 6),
        Label("Note", 6),
        Label("Background", 12),
        Label("Cllr Smith", 13, weak=True),
        Label("Well", 7, weak=True),
        Label("Well", 7, weak=True),
    ]
    assert confirmed_speakers(labels) == {"interviewer", "jane", "cllr smith"}


def test_speakers_confirmed_single_labels_when_nothing_recurs() -> None:
    assert confirmed_speakers([Label("Jane", 6), Label("Bob", 5)]) == {"jane", "bob"}
    assert confirmed_speakers([Label("Jane Smith", 12, weak=True)]) == frozenset()
    weak_twice = [Label("Jane Smith", 12, weak=True)] * 2
    assert confirmed_speakers(weak_twice) == {"jane smith"}


def test_speakers_project_labels_always_confirmed() -> None:
    assert confirmed_speakers([Label("Note", 6)], ["Note"]) == {"note"}


def test_speakers_parse_timestamp_forms() -> None:
    assert parse_timestamp("00:12:34") == 754.0
    assert parse_timestamp("12:34") == 754.0
    assert parse_timestamp("1:02:03.5") == 3723.5
    assert parse_timestamp("00:00:01,250") == 1.25
    assert parse_timestamp("00:12:34", "5") == 754.5
    assert parse_timestamp("noon") is None


def test_speakers_strip_timestamps_keeps_first_and_words() -> None:
    words, first = strip_timestamps("So [00:12:34] we went #00:13:00-2# on [00:14:00].")
    assert words == "So we went on ."
    assert first == 754.0
    assert strip_timestamps("No stamps [here] #1") == ("No stamps [here] #1", None)
