"""Resolving typed names to one member, body or area, and refusing clearly otherwise."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.charter import Charter, MemberSpec, load_charter
from bot.lookup import LookupFailed, find_one, normalise


@pytest.fixture(scope="module")
def charter() -> Charter:
    return load_charter()


def member(charter: Charter, query: str) -> str:
    found = find_one(query, charter.members, MemberSpec.every_name, lambda m: m.name)
    return found.name


def failure(charter: Charter, query: str) -> LookupFailed:
    with pytest.raises(LookupFailed) as caught:
        find_one(query, charter.members, MemberSpec.every_name, lambda m: m.name)
    return caught.value


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Russia", "Russian Federation"),
        ("RU", "Russian Federation"),
        ("RUS", "Russian Federation"),
        ("russian federation", "Russian Federation"),
        ("uk", "United Kingdom"),
        ("U.K.", "United Kingdom"),
        ("GBR", "United Kingdom"),
        ("gb", "United Kingdom"),
        ("united-kingdom", "United Kingdom"),
        ("Great  Britain", "United Kingdom"),
        ("usa", "United States"),
        ("us", "United States"),
        ("U.S.A.", "United States"),
        ("United States of America", "United States"),
        ("Türkiye", "Turkey"),
        ("turkiye", "Turkey"),
        ("TÜRKIYE", "Turkey"),
        ("czechia", "Czech Republic"),
        ("the netherlands", "Netherlands"),
        ("holland", "Netherlands"),
        ("  Germany  ", "Germany"),
    ],
)
def test_common_names_resolve(charter: Charter, query: str, expected: str) -> None:
    assert member(charter, query) == expected


def test_unique_prefix_of_three_or_more_characters(charter: Charter) -> None:
    assert member(charter, "Ger") == "Germany"
    assert member(charter, "luxem") == "Luxembourg"
    assert member(charter, "united s") == "United States"
    assert member(charter, "Hellenic") == "Greece"


def test_exact_match_beats_prefix(charter: Charter) -> None:
    # "Russia" is also a prefix of "Russian Federation": same member, no ambiguity,
    # and "ita" is Italy's code even though no other name starts with it.
    assert member(charter, "ita") == "Italy"
    assert member(charter, "russia") == "Russian Federation"


def test_ambiguous_prefix_lists_labels_sorted(charter: Charter) -> None:
    error = failure(charter, "Gre")
    assert str(error) == '"Gre" is ambiguous: Greece or United Kingdom.'
    assert error.options == ("Greece", "United Kingdom")
    assert str(failure(charter, "united")) == (
        '"united" is ambiguous: United Kingdom or United States.'
    )


def test_short_prefix_is_not_enough_but_is_suggested(charter: Charter) -> None:
    assert str(failure(charter, "ge")) == 'No member matches "ge". Did you mean Germany?'
    assert str(failure(charter, "g")) == (
        'No member matches "g". Did you mean Germany, Greece or United Kingdom?'
    )


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [("Germny", "Germany"), ("Potugal", "Portugal"), ("Hollnd", "Netherlands"),
     ("Russa", "Russian Federation"), ("untied states", "United States")],
)
def test_typos_get_one_suggestion(charter: Charter, query: str, suggestion: str) -> None:
    error = failure(charter, query)
    assert str(error) == f'No member matches "{query}". Did you mean {suggestion}?'
    assert error.options == (suggestion,)


def test_nothing_close(charter: Charter) -> None:
    assert str(failure(charter, "xyz")) == 'No member matches "xyz".'
    assert str(failure(charter, "...")) == 'No member matches "...".'


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_empty_query(charter: Charter, query: str) -> None:
    assert str(failure(charter, query)) == "Name a member."


def test_is_a_value_error(charter: Charter) -> None:
    assert isinstance(failure(charter, "xyz"), ValueError)


def test_long_query_is_shortened_in_the_message(charter: Charter) -> None:
    message = str(failure(charter, "q" * 500))
    assert len(message) < 120
    assert message.endswith('…".')


@dataclass(frozen=True)
class Thing:
    key: str
    title: str


THINGS = [Thing("council-amb", "Council, Ambassadors"), Thing("council-fm", "Foreign Ministers"),
          Thing("prepcom", "Preparatory Committee")]


def find_thing(query: str, kind: str = "body") -> Thing:
    return find_one(query, THINGS, lambda t: (t.key, t.title), lambda t: t.key, kind=kind)


def test_generic_candidates_and_kind() -> None:
    assert find_thing("Council-AMB").key == "council-amb"
    assert find_thing("prep").key == "prepcom"
    assert find_thing("foreign").key == "council-fm"
    with pytest.raises(LookupFailed, match=r'^"council" is ambiguous: council-amb or council-fm\.$'):
        find_thing("council")
    with pytest.raises(LookupFailed, match=r"^Name a body\.$"):
        find_thing(" ")
    with pytest.raises(LookupFailed, match=r"^Name an area\.$"):
        find_thing("", kind="area")
    with pytest.raises(LookupFailed, match=r'^No body matches "prepcon"\. Did you mean prepcom\?$'):
        find_thing("prepcon")


def test_several_exact_matches_are_ambiguous() -> None:
    twins = [Thing("a", "Same"), Thing("b", "same")]
    with pytest.raises(LookupFailed, match=r'^"SAME" is ambiguous: a or b\.$'):
        find_one("SAME", twins, lambda t: (t.title,), lambda t: t.key)


def test_long_ambiguity_lists_are_cut() -> None:
    many = [Thing(f"wg-{n}", f"Working group {n}") for n in range(10)]
    error = find_error("working", many)
    assert str(error) == (
        '"working" is ambiguous: wg-0, wg-1, wg-2, wg-3, wg-4 or 5 more.'
    )
    assert len(error.options) == 10


def find_error(query: str, things: list[Thing]) -> LookupFailed:
    with pytest.raises(LookupFailed) as caught:
        find_one(query, things, lambda t: (t.key, t.title), lambda t: t.key, kind="group")
    return caught.value


def test_no_candidates() -> None:
    assert str(find_error("anything", [])) == 'No group matches "anything".'


def test_normalise() -> None:
    assert normalise("U.K.") == normalise("uk") == "uk"
    assert normalise("United-Kingdom") == normalise("united  kingdom")
    assert normalise("Türkiye") == "turkiye"
    assert normalise("Straße") == "strasse"
    assert normalise(" - . ") == ""
