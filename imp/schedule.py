"""The payment schedule of one IMP award: a pure function (no database, no clock).

The rules it applies (circular 2015-058, I):

- A whole-year award is paid monthly by ninths from November: nine payments, November to July. Each ninth
  follows the holder's situation during its own month.
- Any other award is paid once, after the service is declared done, in the month of that declaration; until
  then its one payment has no month yet.
- During annual, ordinary sick, maternity, adoption and paternity leave the IMP is kept in the proportion of
  the salary kept for the period (half pay: half the IMP); another absence keeps nothing.
- From the day someone replaces the holder (remplacement, intérim), the holder is no longer paid and the
  replacing person is paid for that period. When the mission ends early, nothing is paid after its last day.
- A month split between situations is prorated in thirtieths (public payroll convention: every month counts
  30 days; the 31st counts nothing, the last day of February counts the days up to the 30th).
- Exact amounts are computed as fractions, then rounded to the cent once for the whole schedule: the total
  due is rounded to the cent, each line is rounded down and the missing cents go to the lines with the
  largest remainders (the earliest first on a tie), so that the lines add up exactly to what is due.
"""

import calendar
import datetime
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

WHOLE_YEAR_MONTHS = (11, 12, 1, 2, 3, 4, 5, 6, 7)  # November to July: nine payments
THIRTY = 30


@dataclass(frozen=True)
class Leave:
    start: datetime.date
    end: datetime.date
    salary_ratio: Decimal  # share of the salary kept: 1 full pay, 0.5 half pay, 0 nothing


@dataclass(frozen=True)
class Replacement:
    person: Hashable
    start: datetime.date
    end: datetime.date | None = None  # None: until the end of the award


@dataclass(frozen=True)
class AwardTerms:
    holder: Hashable
    amount: Decimal  # the annual rate awarded
    school_year_start: int  # 2026 for 2026-2027
    whole_year: bool
    start: datetime.date
    end: datetime.date
    service_done_on: datetime.date | None = None
    ended_on: datetime.date | None = None  # last day carried out when the mission stopped early
    leaves: Sequence[Leave] = field(default_factory=tuple)
    replacements: Sequence[Replacement] = field(default_factory=tuple)

    @property
    def year_first_day(self) -> datetime.date:
        return datetime.date(self.school_year_start, 9, 1)

    @property
    def year_last_day(self) -> datetime.date:
        return datetime.date(self.school_year_start + 1, 8, 31)


@dataclass(frozen=True)
class Payment:
    person: Hashable
    month: datetime.date | None  # first day of the month it is paid; None: after the service is declared done
    amount: Decimal
    start: datetime.date  # the days this payment pays for
    end: datetime.date


def thirtieths(day: datetime.date) -> int:
    """How many thirtieths of its month a day counts: 1, except the 31st (0) and the end of February (2 or 3)."""
    last = calendar.monthrange(day.year, day.month)[1]
    low = min(day.day - 1, THIRTY)
    high = THIRTY if day.day == last else min(day.day, THIRTY)
    return high - low


def _days(first: datetime.date, last: datetime.date) -> Iterable[datetime.date]:
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def _payee(day: datetime.date, terms: AwardTerms) -> tuple[Hashable, Fraction] | None:
    """Who is paid for this day, and what share of the day; None when nobody is."""
    if not terms.start <= day <= terms.end:
        return None
    if terms.ended_on is not None and day > terms.ended_on:
        return None
    for replacement in terms.replacements:
        if replacement.start <= day and (replacement.end is None or day <= replacement.end):
            return replacement.person, Fraction(1)
    ratio = Fraction(1)
    for leave in terms.leaves:
        if leave.start <= day <= leave.end:
            ratio = min(ratio, Fraction(leave.salary_ratio))
    return (terms.holder, ratio) if ratio > 0 else None


@dataclass
class _Run:
    person: Hashable
    start: datetime.date
    end: datetime.date
    weight: Fraction  # thirtieths paid, weighted by the share of salary kept


def _runs(first: datetime.date, last: datetime.date, terms: AwardTerms) -> list[_Run]:
    """Consecutive days paid to the same person, with their weight in thirtieths."""
    runs: list[_Run] = []
    for day in _days(first, last):
        payee = _payee(day, terms)
        if payee is None:
            continue
        person, ratio = payee
        previous = runs[-1] if runs else None
        if previous and previous.person == person and previous.end == day - datetime.timedelta(days=1):
            previous.end = day
            previous.weight += ratio * thirtieths(day)
        else:
            runs.append(_Run(person, day, day, ratio * thirtieths(day)))
    return runs


def _month_first_day(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, 1)


def _month_last_day(first: datetime.date) -> datetime.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _whole_year_lines(terms: AwardTerms) -> list[tuple[_Run, datetime.date | None, Fraction]]:
    ninth = Fraction(terms.amount) / len(WHOLE_YEAR_MONTHS)
    lines = []
    for month in WHOLE_YEAR_MONTHS:
        first = _month_first_day(terms.school_year_start + (0 if month >= 9 else 1), month)
        for run in _runs(first, _month_last_day(first), terms):
            lines.append((run, first, ninth * run.weight / THIRTY))
    return lines


def _single_payment_lines(terms: AwardTerms) -> list[tuple[_Run, datetime.date | None, Fraction]]:
    nominal = sum((thirtieths(day) for day in _days(terms.start, terms.end)), 0)
    if nominal == 0:
        return []
    month = None
    if terms.service_done_on is not None:
        paid_on = min(max(terms.service_done_on, terms.year_first_day), terms.year_last_day)
        month = paid_on.replace(day=1)
    return [(run, month, Fraction(terms.amount) * run.weight / nominal) for run in _runs(terms.start, terms.end, terms)]


def payment_schedule(terms: AwardTerms) -> list[Payment]:
    """The payments of the award in date order: who, which month, how much, for which days."""
    lines = _whole_year_lines(terms) if terms.whole_year else _single_payment_lines(terms)
    lines = [line for line in lines if line[2] > 0]
    if not lines:
        return []
    exact_cents = [amount * 100 for _run, _month, amount in lines]
    floors = [value.numerator // value.denominator for value in exact_cents]
    total = sum(exact_cents, Fraction(0))
    due = int((Decimal(total.numerator) / Decimal(total.denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    missing = due - sum(floors)
    # Largest remainder first; on a tie, the earliest line.
    order = sorted(range(len(lines)), key=lambda i: (-(exact_cents[i] - floors[i]), i))
    for index in order[:missing]:
        floors[index] += 1
    return [
        Payment(
            person=run.person,
            month=month,
            amount=(Decimal(cents) / 100).quantize(Decimal("0.01")),
            start=run.start,
            end=run.end,
        )
        for (run, month, _amount), cents in zip(lines, floors, strict=True)
    ]


def amount_due(terms: AwardTerms) -> Decimal:
    """What the schedule pays in all, to the cent."""
    return sum((payment.amount for payment in payment_schedule(terms)), Decimal("0.00"))
