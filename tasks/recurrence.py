"""Recurrence rules: RFC 5545 RRULEs parsed by python-dateutil; what is accepted, and the next
occurrence of a recurring task.

Bounded work, whatever the rule. dateutil walks a rule period by period (day, week, month, year)
and stops at a period with an occurrence past the search point, at UNTIL, or at the end of year
9999; a rule whose periods are all empty (`FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=31`) walks all the
way to 9999. So a search runs moved: a year's calendar is fixed by two things (leap year or not,
weekday of 1 January), and moving a whole computation (start, UNTIL, search point) to years that
have the same calendars, year by year, moves every occurrence by the same amount. The search is
moved to the latest such years before 9999, so that the end of the calendar comes at most a few
decades (the 28-year cycle; up to a century across a non-leap 1900/2100) after the end of the
search window, which is `HORIZON` past the search point. What is accepted keeps the rest cheap:
DAILY/WEEKLY/MONTHLY/YEARLY only, INTERVAL 1..100 (1..10 for YEARLY), COUNT 1..1000 (a COUNT
series more than a century overdue has ended), and with DAILY or WEEKLY only BYDAY and BYMONTH
(and no DAILY INTERVAL that is a multiple of 7 with BYDAY, which could never match), so the only
rules that can stay empty for long are MONTHLY and YEARLY ones, whose periods are few. A window
that crosses a non-leap century year (2100) can only move by whole 400-year cycles and walks up
to about 300 years. tests/test_recurrence.py counts the periods dateutil examines for
pathological rules.

Occurrences are computed in UTC (the API stores no time zone); each task is its own DTSTART,
so a moved due date carries over to the occurrences after it. COUNT counts along the chain of
occurrences: every task knows its position in its series (`recurrence_position`).
"""

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr
from django.core.exceptions import ValidationError

MAX_LENGTH = 500
MAX_INTERVAL = 100
MAX_YEARLY_INTERVAL = 10
MAX_COUNT = 1000
HORIZON = relativedelta(years=10)  # an occurrence further away than this counts as none
# A COUNT series walks from the completed task; one more than this overdue has ended.
MAX_OVERDUE = relativedelta(years=100)

FREQUENCIES = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}
_COMMON = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST"}
ALLOWED_PARTS = {
    DAILY: _COMMON | {"BYDAY", "BYMONTH"},
    WEEKLY: _COMMON | {"BYDAY", "BYMONTH"},
    MONTHLY: _COMMON | {"BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS"},
    YEARLY: _COMMON | {"BYDAY", "BYMONTHDAY", "BYMONTH", "BYYEARDAY", "BYWEEKNO", "BYSETPOS"},
}
_KNOWN_PARTS = set().union(*ALLOWED_PARTS.values()) | {"BYHOUR", "BYMINUTE", "BYSECOND"}
_PART = re.compile(r"([A-Za-z]+)=([A-Za-z0-9,+-]+)")  # RFC 5545 values: no other characters
# BYDAY ordinals (`2MO`, `-1FR`): none with DAILY/WEEKLY, +-1..5 with MONTHLY, +-1..53 YEARLY.
_ORDINAL_LIMIT = {MONTHLY: 5, YEARLY: 53}
_RANGES = {  # (dateutil attribute of the parsed rule, part, largest absolute value)
    "bymonth": ("BYMONTH", 12, False),
    "bymonthday": ("BYMONTHDAY", 31, True),
    "byyearday": ("BYYEARDAY", 366, True),
    "byweekno": ("BYWEEKNO", 53, True),
}


class Messages:
    """Every message about a recurrence rule, in one place (the API, the admin and tools)."""

    TOO_LONG = f"Recurrence must be at most {MAX_LENGTH} characters."
    PREFIX = "Write the rule without the 'RRULE:' prefix."
    SYNTAX = "Recurrence must be NAME=VALUE parts separated by ';' (e.g. FREQ=WEEKLY;BYDAY=FR)."
    FREQ = "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY."
    TIME_PARTS = "BYHOUR, BYMINUTE and BYSECOND are not supported: the time of day is due_at's."
    UNKNOWN = "Unknown recurrence part: {name}."
    REPEATED = "{name} may appear only once."
    NOT_WITH = "{name} cannot be used with FREQ={freq}."
    INVALID = "Recurrence has an invalid value: {reason}."
    INTERVAL = f"INTERVAL must be between 1 and {MAX_INTERVAL} ({MAX_YEARLY_INTERVAL} for YEARLY)."
    SAME_WEEKDAY = (
        "With FREQ=DAILY, an INTERVAL that is a multiple of 7 always falls on the same weekday: "
        "use FREQ=WEEKLY with BYDAY."
    )
    COUNT = f"COUNT must be between 1 and {MAX_COUNT}."
    COUNT_AND_UNTIL = "COUNT and UNTIL cannot be used together."
    RANGE = "{name} values must be between 1 and {limit}" + " (or -{limit} and -1)."
    MONTH_RANGE = "BYMONTH values must be between 1 and 12."
    ORDINAL = "BYDAY cannot have a number (like 2MO) with FREQ={freq}."
    ORDINAL_RANGE = "BYDAY numbers must be between 1 and {limit} (or -{limit} and -1)."
    NEEDS_DUE = "A recurring task needs a due_at."


def _fail(message: str) -> None:
    raise ValidationError(message, code="invalid_recurrence")


def _parts(text: str) -> dict[str, str]:
    """NAME -> value of each `NAME=VALUE` part (the values are dateutil's to parse)."""
    if len(text) > MAX_LENGTH:
        _fail(Messages.TOO_LONG)
    if text[:6].upper() == "RRULE:":
        _fail(Messages.PREFIX)
    parts: dict[str, str] = {}
    for chunk in text.split(";"):
        match = _PART.fullmatch(chunk)
        if not match:
            _fail(Messages.SYNTAX)
        name = match.group(1).upper()
        if name not in _KNOWN_PARTS:
            _fail(Messages.UNKNOWN.format(name=name))
        if name in parts:
            _fail(Messages.REPEATED.format(name=name))
        parts[name] = match.group(2)
    return parts


def _check_parts(parts: dict[str, str]) -> int:
    """The rule's frequency, after checking which parts it may combine."""
    freq = FREQUENCIES.get(parts.get("FREQ", "").upper())
    if freq is None:
        _fail(Messages.FREQ)
    if parts.keys() & {"BYHOUR", "BYMINUTE", "BYSECOND"}:
        _fail(Messages.TIME_PARTS)
    for name in parts:
        if name not in ALLOWED_PARTS[freq]:
            _fail(Messages.NOT_WITH.format(name=name, freq=parts["FREQ"].upper()))
    if freq in (DAILY, WEEKLY) and any(c.isdigit() for c in parts.get("BYDAY", "")):
        _fail(Messages.ORDINAL.format(freq=parts["FREQ"].upper()))
    if "COUNT" in parts and "UNTIL" in parts:
        _fail(Messages.COUNT_AND_UNTIL)
    return freq


def _check_values(rule: rrule, freq: int) -> None:
    """Ranges dateutil lets through (it takes INTERVAL=0, BYMONTH=13, COUNT=10**9...)."""
    if not 1 <= rule._interval <= (MAX_YEARLY_INTERVAL if freq == YEARLY else MAX_INTERVAL):
        _fail(Messages.INTERVAL)
    if freq == DAILY and rule._interval % 7 == 0 and rule._original_rule.get("byweekday"):
        _fail(Messages.SAME_WEEKDAY)
    if rule._count is not None and not 1 <= rule._count <= MAX_COUNT:
        _fail(Messages.COUNT)
    original = rule._original_rule
    for attribute, (name, limit, signed) in _RANGES.items():
        for value in original.get(attribute) or ():
            if not (1 <= abs(value) <= limit and (signed or value > 0)):
                _fail(
                    Messages.RANGE.format(name=name, limit=limit)
                    if signed
                    else Messages.MONTH_RANGE
                )
    for weekday in original.get("byweekday") or ():
        if weekday.n is None:
            continue
        limit = _ORDINAL_LIMIT[freq]
        if not limit:
            _fail(
                Messages.ORDINAL.format(freq=next(k for k, v in FREQUENCIES.items() if v == freq))
            )
        if not 1 <= abs(weekday.n) <= limit:
            _fail(Messages.ORDINAL_RANGE.format(limit=limit))


def parse_rule(text: str, *, dtstart: datetime | None = None) -> rrule:
    """The rule as dateutil's rrule (naive UTC), or ValidationError with a message for people.

    UNTIL may be a date or a UTC date-time (`Z`); either is read as UTC.
    """
    freq = _check_parts(_parts(text))
    start = _naive_utc(dtstart) if dtstart else datetime(2000, 1, 1)
    try:
        rule = rrulestr(text, dtstart=start, ignoretz=True)
    except (ValueError, TypeError, OverflowError) as exc:
        _fail(Messages.INVALID.format(reason=str(exc)[:100]))
    if not isinstance(rule, rrule):  # rrulestr returns an rruleset for several lines
        _fail(Messages.SYNTAX)
    _check_values(rule, freq)
    return rule


def validate_recurrence(text: str) -> None:
    """Model field validator: the rule is one that this API accepts."""
    parse_rule(text)


# --- The next occurrence ----------------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    due_at: datetime
    position: int  # its place in the series (COUNT counts these)


def next_occurrence(
    text: str, *, due_at: datetime, now: datetime, position: int = 1
) -> Occurrence | None:
    """The rule's first occurrence after both `due_at` and `now` (missed ones are skipped), or
    None when there is none within HORIZON (or COUNT/UNTIL ended the series)."""
    anchor = _naive_utc(due_at)
    after = max(anchor, _naive_utc(now))
    rule = parse_rule(text, dtstart=anchor)
    if rule._count is not None:  # walk from this task, counting: at most COUNT occurrences
        left = rule._count - position
        if anchor + MAX_OVERDUE < after:
            return None
        later = (
            found for found in _search(rule.replace(count=None), anchor, after) if found > anchor
        )
        for step, found in enumerate(later, start=1):
            if step > left:
                return None
            if found > after:
                return Occurrence(_aware(found), position + step)
        return None
    restart = _same_phase_start(rule, anchor, after)
    found = next(
        (found for found in _search(restart, restart._dtstart, after) if found > after), None
    )
    return Occurrence(_aware(found), position) if found else None


def _search(rule: rrule, start: datetime, after: datetime):
    """The rule's occurrences from `start` up to HORIZON past `after`, walked in moved years."""
    last = datetime(9998, 12, 31, 23, 59, 59)  # the year after `end` must exist too
    end = after + HORIZON if after.year < last.year - 10 else last
    until = rule._until
    if start > end or (until is not None and until < start):
        return
    shift = _calendar_shift(start.year, end.year)
    moved = rule.replace(
        dtstart=_move(start, shift),
        until=_move(until, shift) if until and until.year + shift <= 9999 else None,
    )
    moved_end = _move(end, shift)
    for found in moved:
        if found > moved_end:
            return
        yield _move(found, -shift)


# Each year's calendar as one byte: leap year or not, and the weekday of 1 January.
_CALENDARS = bytes(calendar.isleap(y) * 7 + calendar.weekday(y, 1, 1) for y in range(1, 10000))


def _calendar_shift(first: int, last: int) -> int:
    """The largest number of years that moves years first..last+1 (the year after: weekly
    periods cross into it) onto years with the same calendars, no later than 9999."""
    years = _CALENDARS[first - 1 : last + 1]
    for shift in range(9998 - last, 0, -1):  # a match comes within 400 years (the cycle)
        if _CALENDARS[first - 1 + shift : last + 1 + shift] == years:
            return shift
    return 0


def _same_phase_start(rule: rrule, anchor: datetime, after: datetime) -> rrule:
    """The rule restarted at the start of the latest period of its cycle (every INTERVAL-th
    day, week, month or year from `anchor`) that begins no later than `after`.

    For a rule without COUNT this gives the same occurrences from there on, without walking
    the periods in between: what dateutil would take from the anchor (weekday, day of month,
    month, time of day) is written into the rule first.
    """
    freq, k, a = rule._freq, rule._interval, anchor
    if freq == DAILY:
        days = (after.date() - a.date()).days // k * k
        start = datetime.combine(a.date() + timedelta(days=days), time())
    elif freq == WEEKLY:
        week_start = a.date() - timedelta(days=(a.weekday() - rule._wkst) % 7)
        after_week = after.date() - timedelta(days=(after.weekday() - rule._wkst) % 7)
        weeks = (after_week - week_start).days // 7 // k * k
        start = datetime.combine(week_start + timedelta(weeks=weeks), time())
    elif freq == MONTHLY:
        months = ((after.year - a.year) * 12 + after.month - a.month) // k * k
        start = datetime(a.year, a.month, 1) + relativedelta(months=months)
    else:
        start = datetime(a.year + (after.year - a.year) // k * k, 1, 1)
    given = rule._original_rule
    defaults = {"byhour": a.hour, "byminute": a.minute, "bysecond": a.second}
    if not any(given.get(name) for name in ("byweekno", "byyearday", "bymonthday", "byweekday")):
        if freq == YEARLY:
            defaults.update(bymonth=given.get("bymonth") or a.month, bymonthday=a.day)
        elif freq == MONTHLY:
            defaults["bymonthday"] = a.day
        elif freq == WEEKLY:
            defaults["byweekday"] = a.weekday()
    return rule.replace(dtstart=start, **defaults)


def _move(value: datetime, years: int) -> datetime:
    return value.replace(year=value.year + years)  # same calendars: Feb 29 exists in both


def _naive_utc(value: datetime) -> datetime:
    naive = value.replace(tzinfo=None, microsecond=0)
    return naive - value.utcoffset() if value.tzinfo else naive  # astimezone() fails in year 1


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)
