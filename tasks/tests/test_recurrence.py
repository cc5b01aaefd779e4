"""Recurrence rules: what is accepted (dateutil parses, these bounds refuse), the next occurrence,
and a bound on the work computing it takes for any rule."""

from datetime import UTC, datetime, timedelta

import pytest
from dateutil import rrule as dateutil_rrule
from django.core.exceptions import ValidationError

from tasks.recurrence import Messages, next_occurrence, parse_rule

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # a Monday
FRIDAY = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)


def _refusal(rule: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parse_rule(rule)
    return caught.value.messages


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY",
        "FREQ=WEEKLY;BYDAY=FR",
        "freq=weekly;byday=mo,we",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;WKST=SU",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=MONTHLY;BYMONTHDAY=1,15;COUNT=10",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO",
        "FREQ=YEARLY;BYYEARDAY=100;INTERVAL=10",
        "FREQ=DAILY;UNTIL=20271231",
        "FREQ=DAILY;UNTIL=20271231T235959Z",
        "FREQ=DAILY;INTERVAL=100;COUNT=1000",
    ],
)
def test_rules_people_write_are_accepted(rule):
    assert parse_rule(rule)._freq in (
        dateutil_rrule.DAILY,
        dateutil_rrule.WEEKLY,
        dateutil_rrule.MONTHLY,
        dateutil_rrule.YEARLY,
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("RRULE:FREQ=DAILY", Messages.PREFIX),
        ("rrule:FREQ=DAILY", Messages.PREFIX),
        ("FREQ=HOURLY", Messages.FREQ),
        ("FREQ=MINUTELY", Messages.FREQ),
        ("FREQ=SECONDLY", Messages.FREQ),
        ("FREQ=FORTNIGHTLY", Messages.FREQ),
        ("INTERVAL=2", Messages.FREQ),
        ("FREQ=DAILY;BYHOUR=9", Messages.TIME_PARTS),
        ("FREQ=DAILY;BYSECOND=0,1,2", Messages.TIME_PARTS),
        ("FREQ=DAILY;INTERVAL=0", Messages.INTERVAL),
        ("FREQ=DAILY;INTERVAL=-1", Messages.INTERVAL),
        ("FREQ=DAILY;INTERVAL=101", Messages.INTERVAL),
        ("FREQ=YEARLY;INTERVAL=11", Messages.INTERVAL),
        ("FREQ=DAILY;COUNT=0", Messages.COUNT),
        ("FREQ=DAILY;COUNT=1000001", Messages.COUNT),
        ("FREQ=DAILY;COUNT=99999999999999999999", Messages.COUNT),
        ("FREQ=DAILY;COUNT=3;UNTIL=20271231", Messages.COUNT_AND_UNTIL),
        ("FREQ=DAILY;FREQ=WEEKLY", Messages.REPEATED.format(name="FREQ")),
        ("FREQ=DAILY;BYEASTER=0", Messages.UNKNOWN.format(name="BYEASTER")),
        ("FREQ=DAILY;DTSTART=20260101", Messages.UNKNOWN.format(name="DTSTART")),
        ("FREQ=DAILY;BYMONTHDAY=31", Messages.NOT_WITH.format(name="BYMONTHDAY", freq="DAILY")),
        (
            "FREQ=WEEKLY;BYSETPOS=1;BYDAY=MO",
            Messages.NOT_WITH.format(name="BYSETPOS", freq="WEEKLY"),
        ),
        ("FREQ=MONTHLY;BYWEEKNO=1", Messages.NOT_WITH.format(name="BYWEEKNO", freq="MONTHLY")),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", Messages.SAME_WEEKDAY),
        ("FREQ=MONTHLY;BYMONTH=13", Messages.MONTH_RANGE),
        ("FREQ=MONTHLY;BYMONTH=0", Messages.MONTH_RANGE),
        ("FREQ=MONTHLY;BYMONTHDAY=32", Messages.RANGE.format(name="BYMONTHDAY", limit=31)),
        ("FREQ=YEARLY;BYYEARDAY=367", Messages.RANGE.format(name="BYYEARDAY", limit=366)),
        ("FREQ=YEARLY;BYWEEKNO=-54", Messages.RANGE.format(name="BYWEEKNO", limit=53)),
        ("FREQ=WEEKLY;BYDAY=1MO", Messages.ORDINAL.format(freq="WEEKLY")),
        ("FREQ=MONTHLY;BYDAY=6MO", Messages.ORDINAL_RANGE.format(limit=5)),
        ("FREQ=DAILY;", Messages.SYNTAX),
        ("FREQ=DAILY\nDTSTART:20260101T000000", Messages.SYNTAX),
        ("FREQ = DAILY", Messages.SYNTAX),
        ("", Messages.SYNTAX),
        ("' OR 1=1 --", Messages.SYNTAX),
        ("FREQ=DAILY;" + "BYMONTH=1;" * 60, Messages.TOO_LONG),
    ],
)
def test_rules_outside_the_accepted_set_are_refused_with_a_reason(rule, message):
    assert _refusal(rule) == [message]


@pytest.mark.parametrize(
    "rule",
    ["FREQ=MONTHLY;BYDAY=MO;BYSETPOS=400", "FREQ=DAILY;UNTIL=tomorrow", "FREQ=DAILY;BYDAY=XX"],
)
def test_values_dateutil_refuses_are_refused_with_its_reason(rule):
    [message] = _refusal(rule)

    assert message.startswith("Recurrence has an invalid value: ")


# --- next occurrence --------------------------------------------------------------------------


def test_the_next_occurrence_is_the_rules_next_after_the_due_date():
    found = next_occurrence("FREQ=WEEKLY;BYDAY=FR", due_at=FRIDAY, now=NOW)

    assert found.due_at == FRIDAY + timedelta(weeks=1)
    assert found.position == 1


def test_missed_occurrences_are_skipped_up_to_the_first_in_the_future():
    three_weeks_ago = FRIDAY - timedelta(weeks=3)  # 13 November

    found = next_occurrence("FREQ=WEEKLY;BYDAY=FR", due_at=three_weeks_ago, now=NOW)

    assert found.due_at == FRIDAY  # 20 and 27 November are past


def test_an_occurrence_is_strictly_after_now_and_keeps_the_time_of_day():
    due = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

    found = next_occurrence("FREQ=DAILY", due_at=due, now=NOW)  # NOW is 30 Nov, 12:00

    assert found.due_at == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_the_due_time_is_its_own_start_so_a_moved_due_date_carries_over():
    moved = FRIDAY + timedelta(hours=2)  # the user moved this occurrence to 18:00

    assert next_occurrence("FREQ=WEEKLY", due_at=moved, now=NOW).due_at == moved + timedelta(
        weeks=1
    )


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("FREQ=MONTHLY;BYMONTHDAY=31", datetime(2026, 12, 31, 16, tzinfo=UTC)),
        ("FREQ=MONTHLY;BYDAY=-1FR", datetime(2026, 12, 25, 16, tzinfo=UTC)),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", datetime(2028, 2, 29, 16, tzinfo=UTC)),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", datetime(2026, 12, 14, 16, tzinfo=UTC)),
        ("FREQ=YEARLY;INTERVAL=10", datetime(2036, 12, 4, 16, tzinfo=UTC)),
        ("FREQ=MONTHLY", datetime(2027, 1, 4, 16, tzinfo=UTC)),
    ],
)
def test_calendar_rules(rule, expected):
    assert next_occurrence(rule, due_at=FRIDAY, now=NOW).due_at == expected


def test_a_long_overdue_task_jumps_to_the_present_with_the_same_phase():
    # Every other Monday since 1990: the next one is on the same two-week beat.
    start = datetime(1990, 1, 1, 9, 0, tzinfo=UTC)  # a Monday

    found = next_occurrence("FREQ=WEEKLY;INTERVAL=2", due_at=start, now=NOW)

    assert found.due_at > NOW
    assert found.due_at - NOW < timedelta(weeks=2)
    assert (found.due_at - start).days % 14 == 0
    assert found.due_at.hour == 9


def test_count_counts_along_the_chain_of_occurrences():
    due, position, chain = FRIDAY, 1, [FRIDAY]
    while found := next_occurrence("FREQ=WEEKLY;COUNT=3", due_at=due, now=NOW, position=position):
        due, position = found.due_at, found.position
        chain.append(due)

    assert chain == [FRIDAY + timedelta(weeks=n) for n in range(3)]
    assert position == 3


def test_missed_occurrences_count_towards_count():
    three_weeks_ago = FRIDAY - timedelta(weeks=3)

    assert next_occurrence("FREQ=WEEKLY;COUNT=3", due_at=three_weeks_ago, now=NOW) is None
    found = next_occurrence("FREQ=WEEKLY;COUNT=4", due_at=three_weeks_ago, now=NOW)
    assert (found.due_at, found.position) == (FRIDAY, 4)


def test_until_ends_the_series():
    assert next_occurrence("FREQ=WEEKLY;UNTIL=20261210", due_at=FRIDAY, now=NOW) is None
    found = next_occurrence("FREQ=WEEKLY;UNTIL=20261211T160000Z", due_at=FRIDAY, now=NOW)
    assert found.due_at == FRIDAY + timedelta(weeks=1)


def test_a_rule_with_no_further_occurrence_gives_none():
    assert next_occurrence("FREQ=DAILY;COUNT=1", due_at=FRIDAY, now=NOW) is None
    assert next_occurrence("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", due_at=FRIDAY, now=NOW) is None


def test_an_occurrence_beyond_the_horizon_counts_as_none():
    # 29 February on a Monday: next in 2044, more than ten years away.
    assert (
        next_occurrence("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", due_at=FRIDAY, now=NOW)
        is None
    )


def test_due_dates_at_the_edges_of_the_calendar():
    assert next_occurrence("FREQ=DAILY", due_at=datetime(9999, 12, 31, tzinfo=UTC), now=NOW) is None
    ancient = next_occurrence("FREQ=YEARLY", due_at=datetime(1, 1, 1, tzinfo=UTC), now=NOW)
    assert ancient.due_at == datetime(2027, 1, 1, tzinfo=UTC)


# --- bounded work ---------------------------------------------------------------------------------


@pytest.fixture
def periods(monkeypatch):
    """How many periods (days, weeks, months, years) dateutil examines: one day set each."""
    seen = {"n": 0}
    for name in ("ydayset", "mdayset", "wdayset", "ddayset"):
        original = getattr(dateutil_rrule._iterinfo, name)

        def counted(self, *args, _original=original):
            seen["n"] += 1
            return _original(self, *args)

        monkeypatch.setattr(dateutil_rrule._iterinfo, name, counted)
    return seen


# Rules that never (or only after the horizon) produce another occurrence: without a bound,
# dateutil would walk every period up to the year 9999 looking for one. With it, a search walks
# its window plus at most a few decades; one whose window crosses a non-leap century year (2100)
# can only be moved by whole 400-year cycles, and walks up to about 300 years.
YEARS = {"today": 60, "1970": 120, "2099": 320}
PATHOLOGICAL = {  # rule -> periods in a year (years, months, weeks)
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31": 1,
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO": 1,
    "FREQ=YEARLY;BYYEARDAY=366;BYMONTH=1": 1,
    "FREQ=YEARLY;BYWEEKNO=53;BYMONTH=1;BYDAY=SU;BYSETPOS=-1": 1,
    "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=31": 12,
    "FREQ=MONTHLY;BYMONTHDAY=1;BYSETPOS=2": 12,
    "FREQ=MONTHLY;BYDAY=5MO;BYMONTH=2;BYMONTHDAY=1,2,3": 12,
    "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=31;COUNT=1000": 12,
    "FREQ=WEEKLY;INTERVAL=100;BYMONTH=2;BYDAY=MO": 53,
}
DUE = {
    "today": FRIDAY,
    "1970": datetime(1970, 1, 1, tzinfo=UTC),
    "2099": datetime(2099, 12, 31, tzinfo=UTC),
}


@pytest.mark.parametrize("due", DUE)
@pytest.mark.parametrize(("rule", "per_year"), PATHOLOGICAL.items())
def test_a_rule_without_another_occurrence_costs_a_bounded_walk(rule, per_year, due, periods):
    parse_rule(rule)  # accepted: the bound is the search's, not a refusal

    found = next_occurrence(rule, due_at=DUE[due], now=NOW)

    assert found is None or found.due_at > NOW
    assert periods["n"] <= YEARS[due] * per_year


def test_a_long_overdue_count_series_is_over_without_walking_to_it(periods):
    found = next_occurrence(
        "FREQ=DAILY;COUNT=1000", due_at=datetime(1800, 1, 1, tzinfo=UTC), now=NOW
    )

    assert found is None
    assert periods["n"] == 0


def test_dense_rules_walk_no_more_than_the_occurrences_they_skip(periods):
    start = datetime(1980, 6, 15, 8, 30, tzinfo=UTC)

    for rule in ("FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,WE,FR", "FREQ=MONTHLY;BYDAY=1MO"):
        periods["n"] = 0
        assert next_occurrence(rule, due_at=start, now=NOW).due_at > NOW
        assert periods["n"] <= 3, rule  # jumped to the present, not walked from 1980
