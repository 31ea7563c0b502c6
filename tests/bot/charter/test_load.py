"""The packaged NRC charter, and refusing malformed charter files with a useful message."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from bot.charter import (
    DEFAULT_CHARTER,
    Cadence,
    Calendar,
    Charter,
    CharterError,
    MemberSpec,
    load_charter,
    parse_duration,
)
from bot.lookup import find_one

MEMBERS = [
    "Belgium", "Canada", "Czech Republic", "Denmark", "France", "Germany", "Greece",
    "Hungary", "Iceland", "Italy", "Luxembourg", "Netherlands", "Norway", "Poland",
    "Portugal", "Spain", "Turkey", "United Kingdom", "United States", "Russian Federation",
]

D7, H24, H1 = timedelta(days=7), timedelta(hours=24), timedelta(hours=1)


@pytest.fixture(scope="module")
def nrc() -> Charter:
    return load_charter()


# --- the packaged charter -------------------------------------------------------------


def test_council(nrc: Charter) -> None:
    assert nrc.name == "NATO-Russia Council"
    assert nrc.short_name == "NRC"
    assert nrc.chair_title == "Secretary General"
    assert nrc.timezone == "Europe/Brussels"
    assert nrc.zone().key == "Europe/Brussels"
    assert nrc.founded == date(2002, 5, 28)
    assert nrc.source == "Rome Declaration, 28 May 2002"
    assert nrc.source_path == DEFAULT_CHARTER
    assert Path(DEFAULT_CHARTER).name == "nrc-2002.toml"
    assert Path(DEFAULT_CHARTER).is_file()


def test_default_path_loads_the_same(nrc: Charter) -> None:
    assert load_charter(DEFAULT_CHARTER) == nrc
    assert load_charter(Path(DEFAULT_CHARTER)) == nrc


def test_twenty_members_in_order(nrc: Charter) -> None:
    assert [m.name for m in nrc.members] == MEMBERS


def test_iso_codes(nrc: Charter) -> None:
    codes = {m.name: (m.alpha2, m.alpha3) for m in nrc.members}
    assert codes["United Kingdom"] == ("GB", "GBR")
    assert codes["United States"] == ("US", "USA")
    assert codes["Russian Federation"] == ("RU", "RUS")
    assert codes["Germany"] == ("DE", "DEU")
    assert codes["Portugal"] == ("PT", "PRT")
    for alpha2, alpha3 in codes.values():
        assert len(alpha2) == 2 and alpha2.isupper()
        assert len(alpha3) == 3 and alpha3.isupper()


def test_aliases(nrc: Charter) -> None:
    aliases = {m.name: m.aliases for m in nrc.members}
    assert aliases["Russian Federation"] == ("Russia",)
    assert set(aliases["United Kingdom"]) >= {"UK", "Britain", "Great Britain"}
    assert set(aliases["United States"]) >= {"America", "United States of America"}
    assert "Czechia" in aliases["Czech Republic"]
    assert {"Holland", "The Netherlands"} <= set(aliases["Netherlands"])
    assert {"Türkiye", "Turkiye"} <= set(aliases["Turkey"])


def test_names_order() -> None:
    spec = MemberSpec("Russian Federation", "RU", "RUS", ("Russia",))
    assert spec.every_name() == ("Russian Federation", "RU", "RUS", "Russia")


def _every_name(nrc: Charter) -> list[tuple[str, str]]:
    return [(m.name, n) for m in nrc.members for n in m.every_name()]


def test_every_member_found_by_every_name_in_any_case(nrc: Charter) -> None:
    for expected, name in _every_name(nrc):
        for typed in (name, name.lower(), name.upper(), name.swapcase()):
            found = find_one(typed, nrc.members, MemberSpec.every_name, lambda m: m.name)
            assert found.name == expected, typed


def test_eight_bodies_with_their_cadences(nrc: Charter) -> None:
    cadences = {b.key: b.cadence for b in nrc.bodies}
    assert cadences == {
        "council-hosg": None,
        "council-fm": Cadence(2, "year"),
        "council-dm": Cadence(2, "year"),
        "council-amb": Cadence(1, "month"),
        "prepcom": Cadence(2, "month"),
        "chiefs": Cadence(2, "year"),
        "milreps": Cadence(1, "month"),
        "experts": None,
    }
    assert list(cadences) == ["council-hosg", "council-fm", "council-dm", "council-amb",
                              "prepcom", "chiefs", "milreps", "experts"]


def test_body_levels_and_defaults(nrc: Charter) -> None:
    levels = {b.key: b.level for b in nrc.bodies}
    assert levels == {
        "council-hosg": "summit", "council-fm": "ministerial", "council-dm": "ministerial",
        "council-amb": "ambassadorial", "prepcom": "committee", "chiefs": "military",
        "milreps": "military", "experts": "expert",
    }
    amb = nrc.body("council-amb")
    assert amb is not None
    assert amb.extraordinary
    assert [b.key for b in nrc.bodies if b.extraordinary] == ["council-amb"]
    assert amb.reminders == (H24, H1)
    assert amb.at_risk_days == 10
    assert "at least once a month" in amb.mandate
    hosg = nrc.body("COUNCIL-HOSG")
    assert hosg is not None
    assert hosg.reminders == (D7, H24, H1)
    assert hosg.at_risk_days is None
    fm = nrc.body("council-fm")
    assert fm is not None and fm.reminders == (D7, H24, H1) and fm.at_risk_days == 60
    assert nrc.body("nope") is None
    assert all(b.mandate for b in nrc.bodies)


def test_nine_areas(nrc: Charter) -> None:
    assert [a.key for a in nrc.areas] == [
        "terrorism", "crisis-management", "non-proliferation", "arms-control", "tmd", "sar",
        "mil-to-mil", "civil-emergencies", "new-threats",
    ]
    tmd = nrc.area("tmd")
    assert tmd is not None and tmd.name == "Theatre missile defence"
    assert nrc.area("missing") is None


# --- cadence and durations ------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "per", "text"),
    [(1, "month", "at least once a month"), (2, "month", "at least twice a month"),
     (2, "year", "at least twice a year"), (3, "year", "at least 3 times a year"),
     (12, "year", "at least 12 times a year")],
)
def test_describe(count: int, per: str, text: str) -> None:
    assert Cadence(count, per).describe() == text


@pytest.mark.parametrize(("count", "per"), [(0, "month"), (-1, "year"), (1, "week")])
def test_cadence_refuses_nonsense(count: int, per: str) -> None:
    with pytest.raises(ValueError):
        Cadence(count, per)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("48h", timedelta(hours=48)), ("3d", timedelta(days=3)), ("90m", timedelta(minutes=90)),
     ("1w", timedelta(weeks=1)), ("1d12h", timedelta(days=1, hours=12)),
     ("1D12H", timedelta(days=1, hours=12)), (" 2h 30m ", timedelta(hours=2, minutes=30)),
     ("3650d", timedelta(days=3650)), ("007h", timedelta(hours=7))],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [("", "empty"), ("  ", "empty"), ("abc", "not a duration"), ("48", "not a duration"),
     ("h", "not a duration"), ("1.5h", "not a duration"), ("2s", "not a duration"),
     ("0h", "zero"), ("0d0m", "zero"), ("-1h", "negative"), ("-3d", "negative"),
     ("3651d", "longer than ten years"), ("522w", "longer than ten years"),
     ("99999999999999999999w", "longer than ten years"), ("1h1h", "twice")],
)
def test_parse_duration_refuses(text: str, problem: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(text)
    message = str(caught.value)
    assert problem in message
    assert message.endswith(".")


# --- malformed charter files ----------------------------------------------------------

VALID = """\
[council]
name = "Test Council"
short_name = "TC"
chair_title = "Chair"
timezone = "Europe/Brussels"

[[members]]
name = "Alpha"
alpha2 = "AA"
alpha3 = "AAA"
aliases = ["Alfa"]

[[members]]
name = "Bravo"
alpha2 = "BB"
alpha3 = "BBB"

[[bodies]]
key = "plenary"
name = "Plenary"
level = "ambassadorial"
mandate = "monthly"
cadence = { count = 1, per = "month" }
area = "peace"

[[areas]]
key = "peace"
name = "Peace"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad-charter.toml"
    path.write_text(text, encoding="utf-8")
    return path


def edit(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


def refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(CharterError) as caught:
        load_charter(write(tmp_path, text))
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "bad-charter.toml") + ": ")
    return message


def test_valid_test_charter_loads(tmp_path: Path) -> None:
    charter = load_charter(write(tmp_path, VALID))
    assert [m.name for m in charter.members] == ["Alpha", "Bravo"]
    body = charter.body("plenary")
    assert body is not None and body.area == "peace" and body.reminders == (H24, H1)
    assert charter.founded is None and charter.source is None


def test_optional_keys_and_explicit_values(tmp_path: Path) -> None:
    text = edit('timezone = "Europe/Brussels"\n', "").replace(
        'area = "peace"', 'area = "peace"\nreminders = ["1h", "2d", "30m"]\nat_risk_days = 5'
    )
    charter = load_charter(write(tmp_path, text))
    assert charter.timezone == "Europe/Brussels"
    body = charter.body("plenary")
    assert body is not None
    assert body.reminders == (timedelta(days=2), H1, timedelta(minutes=30))
    assert body.at_risk_days == 5
    no_reminders = load_charter(write(tmp_path, edit('area = "peace"', "reminders = []")))
    plenary = no_reminders.body("plenary")
    assert plenary is not None and plenary.reminders == ()


def test_aliases_repeating_own_codes_are_kept_once(tmp_path: Path) -> None:
    charter = load_charter(write(tmp_path, edit('aliases = ["Alfa"]',
                                                'aliases = ["AA", "aaa", "Alfa", "ALFA"]')))
    assert charter.members[0].aliases == ("Alfa",)


def test_founded_date_forms(tmp_path: Path) -> None:
    text = edit('chair_title = "Chair"', 'chair_title = "Chair"\nfounded = 2002-05-28')
    assert load_charter(write(tmp_path, text)).founded == date(2002, 5, 28)
    text = edit('chair_title = "Chair"', 'chair_title = "Chair"\nfounded = "2002-05-28"')
    assert load_charter(write(tmp_path, text)).founded == date(2002, 5, 28)


MALFORMED: list[tuple[str, str, str, str]] = [
    # (case id, TOML text, key path expected in the message, problem expected in the message)
    ("syntax", edit('short_name = "TC"', "short_name = TC"), "line 3, column",
     "TOML syntax error"),
    ("syntax-unterminated", VALID + 'oops = "', "end of file", "TOML syntax error"),
    ("duplicate-table", VALID + "[council]\n", "line", "TOML syntax error"),
    # missing required keys
    ("missing-council", "[[members]]" + VALID.split("[[members]]", 1)[1], ": council:",
     "required key is missing"),
    ("missing-council-name", edit('name = "Test Council"\n', ""), "council.name",
     "required key is missing"),
    ("missing-alpha3", edit('alpha3 = "BBB"\n', ""), "members[1].alpha3",
     'required key is missing (in member "Bravo")'),
    ("missing-level", edit('level = "ambassadorial"\n', ""), "bodies[0].level",
     "required key is missing"),
    ("missing-bodies", VALID.split("[[bodies]]")[0], ": bodies:", "required key is missing"),
    ("missing-cadence-per", edit(', per = "month"', ""), "bodies[0].cadence.per",
     "required key is missing"),
    ("missing-area-name", edit('name = "Peace"\n', ""), "areas[0].name",
     "required key is missing"),
    # wrong types
    ("council-name-number", edit('name = "Test Council"', "name = 5"), "council.name",
     "must be text, not the number 5"),
    ("council-not-table", 'council = "x"\n' + VALID.split("\n", 5)[5], "council",
     "must be a table"),
    ("members-not-a-list", "members = 3\n" + re.sub(r"\[\[members\]\]\n(?:.+\n)*", "", VALID),
     ": members:", "must be a list of [[members]] tables, not the number 3"),
    ("aliases-text", edit('aliases = ["Alfa"]', 'aliases = "Alfa"'), "members[0].aliases",
     'must be a list of text, not the text "Alfa"'),
    ("alias-number", edit('aliases = ["Alfa"]', 'aliases = ["Alfa", 7]'),
     "members[0].aliases[1]", "must be text, not the number 7"),
    ("alias-empty", edit('aliases = ["Alfa"]', 'aliases = [" "]'), "members[0].aliases[0]",
     "must not be empty"),
    ("alias-punctuation", edit('aliases = ["Alfa"]', 'aliases = ["--"]'),
     "members[0].aliases[0]", "no letters or digits"),
    ("name-empty", edit('name = "Bravo"', 'name = ""'), "members[1].name", "must not be empty"),
    ("count-text", edit("count = 1", 'count = "two"'), "bodies[0].cadence.count",
     'must be a whole number, not the text "two"'),
    ("count-bool", edit("count = 1", "count = true"), "bodies[0].cadence.count",
     "must be a whole number, not true"),
    ("count-float", edit("count = 1", "count = 1.5"), "bodies[0].cadence.count",
     "must be a whole number, not the number 1.5"),
    ("cadence-text", edit('cadence = { count = 1, per = "month" }', 'cadence = "monthly"'),
     "bodies[0].cadence", 'must be a table, not the text "monthly"'),
    ("extraordinary-text", edit('area = "peace"', 'area = "peace"\nextraordinary = "yes"'),
     "bodies[0].extraordinary", "must be true or false"),
    ("at-risk-text", edit('area = "peace"', 'area = "peace"\nat_risk_days = "10"'),
     "bodies[0].at_risk_days", "must be a whole number"),
    ("at-risk-too-long", edit('area = "peace"', 'area = "peace"\nat_risk_days = 40'),
     "bodies[0].at_risk_days", "must be at most 28"),
    ("at-risk-without-cadence", edit('cadence = { count = 1, per = "month" }',
                                     "at_risk_days = 5"),
     "bodies[0].at_risk_days", "without a cadence"),
    ("founded-bad", edit('chair_title = "Chair"', 'chair_title = "Chair"\nfounded = "May 2002"'),
     "council.founded", "is not a date"),
    ("alpha2-length", edit('alpha2 = "AA"', 'alpha2 = "AAA"'), "members[0].alpha2",
     "is not a 2-letter ISO 3166-1 code"),
    ("alpha3-digits", edit('alpha3 = "BBB"', 'alpha3 = "B12"'), "members[1].alpha3",
     "is not a 3-letter ISO 3166-1 code"),
    ("body-key-spaces", edit('key = "plenary"', 'key = "Plenary Session"'), "bodies[0].key",
     "is not a key"),
    # unknown values
    ("unknown-level", edit('level = "ambassadorial"', 'level = "ambassador"'),
     "bodies[0].level", '"ambassador" is not one of: summit, ministerial'),
    ("unknown-per", edit('per = "month"', 'per = "week"'), "bodies[0].cadence.per",
     '"week" is not one of: month, year'),
    ("count-zero", edit("count = 1", "count = 0"), "bodies[0].cadence.count",
     "must be at least 1, not 0"),
    ("count-negative", edit("count = 1", "count = -2"), "bodies[0].cadence.count",
     "must be at least 1"),
    # duplicates across members, compared as lookups compare names
    ("duplicate-member-name", edit('name = "Bravo"', 'name = "ALPHA"'), "members[1].name",
     'is already used by members[0] ("Alpha")'),
    ("duplicate-alpha2", edit('alpha2 = "BB"', 'alpha2 = "aa"'), "members[1].alpha2",
     'already used by members[0] ("Alpha")'),
    ("duplicate-alpha3", edit('alpha3 = "BBB"', 'alpha3 = "AAA"'), "members[1].alpha3",
     "already used by members[0]"),
    ("alias-is-other-code", edit('alpha3 = "BBB"', 'alpha3 = "BBB"\naliases = ["aa"]'),
     "members[1].aliases[0]", "already used by members[0]"),
    ("alias-is-other-alias", edit('alpha3 = "BBB"', 'alpha3 = "BBB"\naliases = ["Al-fa"]'),
     "members[1].aliases[0]", '"Al-fa" is already used by members[0]'),
    ("alias-is-other-name", edit('alpha3 = "BBB"', 'alpha3 = "BBB"\naliases = ["alpha"]'),
     "members[1].aliases[0]", "already used by members[0]"),
    ("duplicate-body-key", VALID + VALID[VALID.index("[[bodies]]"):VALID.index("[[areas]]")]
     .replace('name = "Plenary"', 'name = "Other"'), "bodies[1].key", "already used by bodies[0]"),
    ("duplicate-area-key", VALID + '\n[[areas]]\nkey = "peace"\nname = "Calm"\n',
     "areas[1].key", "already used by areas[0]"),
    ("two-extraordinary-bodies",
     edit('area = "peace"', 'area = "peace"\nextraordinary = true') +
     '[[bodies]]\nkey = "b"\nname = "B"\nlevel = "expert"\nmandate = "m"\nextraordinary = true\n',
     "bodies[1].extraordinary", "only one body"),
    # time zone, reminders, size, areas
    ("bad-timezone", edit('timezone = "Europe/Brussels"', 'timezone = "Europe/Brussel"'),
     "council.timezone", '"Europe/Brussel" is not a known time zone; did you mean Europe/Brussels?'),
    ("timezone-path", edit('timezone = "Europe/Brussels"', 'timezone = "../etc/passwd"'),
     "council.timezone", "is not a known time zone"),
    ("timezone-empty", edit('timezone = "Europe/Brussels"', 'timezone = ""'),
     "council.timezone", "must not be empty"),
    ("reminder-bad", edit('area = "peace"', 'area = "peace"\nreminders = ["24h", "soon"]'),
     "bodies[0].reminders[1]", '"soon" is not a duration'),
    ("reminder-zero", edit('area = "peace"', 'area = "peace"\nreminders = ["0h"]'),
     "bodies[0].reminders[0]", "must be longer than zero"),
    ("reminder-number", edit('area = "peace"', 'area = "peace"\nreminders = [24]'),
     "bodies[0].reminders[0]", "must be text, not the number 24"),
    ("reminder-repeated", edit('area = "peace"', 'area = "peace"\nreminders = ["24h", "1d"]'),
     "bodies[0].reminders[1]", '"1d" repeats "24h"'),
    ("one-member", VALID.replace('[[members]]\nname = "Bravo"\nalpha2 = "BB"\nalpha3 = "BBB"\n',
                                 ""), ": members:", "at least 2 members; this file has 1"),
    ("unknown-area", edit('area = "peace"', 'area = "war"'), "bodies[0].area",
     'unknown area "war" (areas: peace)'),
    # unknown keys: typos must not pass silently
    ("unknown-top-key", "extra = 1\n" + VALID, ": extra:", "unknown key"),
    ("unknown-council-key", edit('short_name = "TC"', 'short_name = "TC"\nchair = "X"'),
     "council.chair", 'unknown key; did you mean "chair_title"?'),
    ("typo-member-key", edit('name = "Bravo"', 'nmae = "Bravo"'), "members[1].nmae",
     'unknown key; did you mean "name"?'),
    ("unknown-body-key", edit('area = "peace"', 'area = "peace"\nreminder = ["1h"]'),
     "bodies[0].reminder", 'did you mean "reminders"?'),
    ("unknown-cadence-key", edit('per = "month"', 'per = "month", every = 2'),
     "bodies[0].cadence.every", "unknown key"),
    ("unknown-area-entry-key", edit('name = "Peace"', 'name = "Peace"\ncolour = "blue"'),
     "areas[0].colour", "unknown key"),
]


@pytest.mark.parametrize(("text", "key", "problem"), [case[1:] for case in MALFORMED],
                         ids=[case[0] for case in MALFORMED])
def test_malformed_charter(tmp_path: Path, text: str, key: str, problem: str) -> None:
    message = refused(tmp_path, text)
    assert "bad-charter.toml" in message
    assert key in message
    assert problem in message


def test_error_has_parts(tmp_path: Path) -> None:
    with pytest.raises(CharterError) as caught:
        load_charter(write(tmp_path, edit('alpha3 = "BBB"', 'alpha3 = "B"')))
    error = caught.value
    assert error.file == str(tmp_path / "bad-charter.toml")
    assert error.key == "members[1].alpha3"
    assert error.problem == '"B" is not a 3-letter ISO 3166-1 code (in member "Bravo")'
    assert str(error) == f"{error.file}: {error.key}: {error.problem}"


def test_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    message = refused(tmp_path, edit('short_name = "TC"', "short_name = TC"))
    assert message == (f"{tmp_path / 'bad-charter.toml'}: line 3, column 14: "
                       "TOML syntax error: Invalid value")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CharterError, match=r"nowhere\.toml: no such file$"):
        load_charter(tmp_path / "nowhere.toml")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(CharterError, match="is a directory"):
        load_charter(tmp_path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(VALID.replace("Alfa", "Alfà").encode("latin-1"))
    with pytest.raises(CharterError, match=r"latin1\.toml: is not UTF-8 text"):
        load_charter(path)


# --- the silence procedure and the working calendar -------------------------------------


def test_nrc_minimum_silence_and_calendar(nrc: Charter) -> None:
    assert nrc.min_silence == timedelta(hours=24)
    assert nrc.calendar == Calendar(working_days=(0, 1, 2, 3, 4), start=time(9), end=time(18))


def test_consensus_and_calendar_are_optional(tmp_path: Path) -> None:
    charter = load_charter(write(tmp_path, VALID))
    assert charter.min_silence == timedelta(0) and charter.calendar is None


def test_calendar_of_another_council(tmp_path: Path) -> None:
    text = VALID + ('\n[consensus]\nmin_silence = "2d"\n\n[calendar]\n'
                    'working_days = ["sun", "mon", "tue", "wed", "thu"]\n'
                    'working_hours = "8:30-16:00"\n')
    charter = load_charter(write(tmp_path, text))
    assert charter.min_silence == timedelta(days=2)
    assert charter.calendar == Calendar(working_days=(0, 1, 2, 3, 6), start=time(8, 30),
                                        end=time(16))


CALENDAR = '\n[calendar]\nworking_days = ["mon", "fri"]\nworking_hours = "09:00-18:00"\n'


@pytest.mark.parametrize(("text", "key", "problem"), [
    (VALID + '\n[consensus]\nmin_silence = "soon"\n', "consensus.min_silence",
     '"soon" is not a duration'),
    (VALID + '\n[consensus]\nmin_silence = 24\n', "consensus.min_silence", "the number 24"),
    (VALID + '\n[consensus]\nminimum = "24h"\n', "consensus.minimum", "unknown key"),
    (VALID + CALENDAR.replace('"fri"', '"friday"'), "calendar.working_days[1]",
     '"friday" is not one of: mon, tue'),
    (VALID + CALENDAR.replace('["mon", "fri"]', "[]"), "calendar.working_days", ""),
    (VALID + CALENDAR.replace("09:00-18:00", "9 to 5"), "calendar.working_hours",
     'write it like "09:00-18:00"'),
    (VALID + CALENDAR.replace("09:00-18:00", "18:00-09:00"), "calendar.working_hours",
     "ends before it starts"),
    (VALID + CALENDAR.replace("09:00-18:00", "09:00-25:00"), "calendar.working_hours",
     "is not a span of hours"),
], ids=["silence-bad", "silence-number", "consensus-typo", "day-bad", "no-days",
        "hours-bad", "hours-reversed", "hours-out-of-range"])
def test_malformed_consensus_and_calendar(tmp_path: Path, text: str, key: str,
                                          problem: str) -> None:
    message = refused(tmp_path, text)
    assert key in message
    assert problem in message
