"""The payment schedule (imp.schedule): the worked examples of the circular, then properties."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imp.schedule import AwardTerms, Leave, Payment, Replacement, payment_schedule, thirtieths

D = Decimal
YEAR = 2026  # school year 2026-2027


def whole_year(amount: str, **kwargs) -> AwardTerms:
    return AwardTerms(
        holder="titulaire",
        amount=D(amount),
        school_year_start=YEAR,
        whole_year=True,
        start=datetime.date(YEAR, 9, 1),
        end=datetime.date(YEAR + 1, 8, 31),
        **kwargs,
    )


def rows(payments: list[Payment]) -> list[tuple]:
    return [(p.person, p.month.strftime("%Y-%m") if p.month else None, str(p.amount)) for p in payments]


NINE_MONTHS = ["2026-11", "2026-12", "2027-01", "2027-02", "2027-03", "2027-04", "2027-05", "2027-06", "2027-07"]


# --- worked examples ---------------------------------------------------------------------------------------------


def test_whole_year_1250_is_nine_payments_from_november_to_july_adding_up_to_the_cent():
    payments = payment_schedule(whole_year("1250"))

    assert rows(payments) == [("titulaire", month, "138.89") for month in NINE_MONTHS[:8]] + [
        ("titulaire", "2027-07", "138.88")
    ]
    assert sum(p.amount for p in payments) == D("1250.00")


@pytest.mark.parametrize("amount", ["312.50", "625", "2500", "3750"])
def test_whole_year_every_legal_rate_pays_nine_parts_equal_to_the_cent(amount):
    payments = payment_schedule(whole_year(amount))

    assert [p.month.strftime("%Y-%m") for p in payments] == NINE_MONTHS
    assert sum(p.amount for p in payments) == D(amount)
    assert max(p.amount for p in payments) - min(p.amount for p in payments) <= D("0.01")


def test_3750_with_a_replacement_from_the_16th_of_january_splits_january_in_thirtieths():
    terms = whole_year("3750", replacements=(Replacement("remplaçant", datetime.date(2027, 1, 16)),))
    payments = payment_schedule(terms)

    assert rows(payments) == [
        ("titulaire", "2026-11", "416.67"),
        ("titulaire", "2026-12", "416.67"),
        ("titulaire", "2027-01", "208.33"),  # 1st-15th: 15/30 of a ninth
        ("remplaçant", "2027-01", "208.33"),  # 16th-31st: 15/30 (the 31st counts nothing)
        ("remplaçant", "2027-02", "416.67"),
        ("remplaçant", "2027-03", "416.67"),
        ("remplaçant", "2027-04", "416.67"),
        ("remplaçant", "2027-05", "416.67"),
        ("remplaçant", "2027-06", "416.66"),
        ("remplaçant", "2027-07", "416.66"),
    ]
    january = [p for p in payments if p.month == datetime.date(2027, 1, 1)]
    assert (january[0].start, january[0].end) == (datetime.date(2027, 1, 1), datetime.date(2027, 1, 15))
    assert (january[1].start, january[1].end) == (datetime.date(2027, 1, 16), datetime.date(2027, 1, 31))
    assert sum(p.amount for p in payments) == D("3750.00")
    assert sum(p.amount for p in payments if p.person == "titulaire") == D("1041.67")
    assert sum(p.amount for p in payments if p.person == "remplaçant") == D("2708.33")


def test_part_year_award_is_paid_once_in_the_month_the_service_is_declared_done():
    terms = AwardTerms(
        holder="titulaire",
        amount=D("625"),
        school_year_start=YEAR,
        whole_year=False,
        start=datetime.date(2027, 1, 4),
        end=datetime.date(2027, 3, 31),
        service_done_on=datetime.date(2027, 4, 10),
    )

    assert rows(payment_schedule(terms)) == [("titulaire", "2027-04", "625.00")]


def test_part_year_award_before_service_done_has_one_payment_without_a_month():
    terms = AwardTerms(
        holder="titulaire",
        amount=D("625"),
        school_year_start=YEAR,
        whole_year=False,
        start=datetime.date(2027, 1, 4),
        end=datetime.date(2027, 3, 31),
    )

    assert rows(payment_schedule(terms)) == [("titulaire", None, "625.00")]


def test_maternity_leave_on_full_pay_keeps_every_ninth():
    terms = whole_year(
        "1250", leaves=(Leave(datetime.date(2027, 1, 10), datetime.date(2027, 4, 30), salary_ratio=D("1")),)
    )

    assert payment_schedule(terms) == payment_schedule(whole_year("1250"))


def test_half_pay_sick_leave_halves_the_ninths_of_its_days():
    # Ordinary sick leave on half pay from 1 February to 15 March: February at 1/2, March at (15 × 1/2 + 15)/30.
    terms = whole_year("2500", leaves=(Leave(datetime.date(2027, 2, 1), datetime.date(2027, 3, 15), D("0.5")),))
    payments = payment_schedule(terms)

    by_month = {p.month.strftime("%Y-%m"): p.amount for p in payments}
    assert by_month["2027-01"] == D("277.78")
    assert by_month["2027-02"] == D("138.89")
    assert by_month["2027-03"] == D("208.33")
    # What is due: 2500 - 1/2 ninth - 1/4 ninth = 2291.666… -> 2291.67, and the cents add up to it.
    assert sum(payments_amount := [p.amount for p in payments]) == D("2291.67")
    assert all(amount > 0 for amount in payments_amount)


def test_an_absence_that_keeps_no_salary_pays_nothing_for_its_days():
    terms = whole_year("1250", leaves=(Leave(datetime.date(2026, 12, 1), datetime.date(2026, 12, 31), D("0")),))

    assert "2026-12" not in [p.month.strftime("%Y-%m") for p in payment_schedule(terms)]


def test_mission_ended_early_pays_nothing_after_its_last_day():
    terms = whole_year("1250", ended_on=datetime.date(2027, 3, 15))
    payments = payment_schedule(terms)

    assert [p.month.strftime("%Y-%m") for p in payments][-1] == "2027-03"
    assert payments[-1].end == datetime.date(2027, 3, 15)
    assert payments[-1].amount == D("69.44")  # 15/30 of 138.888…


def test_replacement_with_an_end_date_gives_the_mission_back_to_the_holder():
    terms = whole_year(
        "1250", replacements=(Replacement("intérim", datetime.date(2027, 2, 1), datetime.date(2027, 2, 28)),)
    )
    payments = payment_schedule(terms)

    assert [(p.person, p.month.strftime("%m")) for p in payments if p.month.month in (1, 2, 3)] == [
        ("titulaire", "01"),
        ("intérim", "02"),
        ("titulaire", "03"),
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2027, 1, 15), 1),
        (datetime.date(2027, 1, 30), 1),
        (datetime.date(2027, 1, 31), 0),
        (datetime.date(2027, 2, 28), 3),
        (datetime.date(2028, 2, 29), 2),
        (datetime.date(2027, 4, 30), 1),
    ],
)
def test_thirtieths_of_a_day(day, expected):
    assert thirtieths(day) == expected


def test_every_month_counts_thirty_thirtieths():
    day = datetime.date(2026, 9, 1)
    totals: dict[tuple[int, int], int] = {}
    while day <= datetime.date(2028, 8, 31):
        totals[(day.year, day.month)] = totals.get((day.year, day.month), 0) + thirtieths(day)
        day += datetime.timedelta(days=1)
    assert set(totals.values()) == {30}


# --- properties ---------------------------------------------------------------------------------------------------

FIRST, LAST = datetime.date(YEAR, 9, 1), datetime.date(YEAR + 1, 8, 31)
RATES = [D("312.50"), D("625.00"), D("1250.00"), D("2500.00"), D("3750.00")]
dates = st.dates(min_value=FIRST, max_value=LAST)


@st.composite
def periods(draw):
    a, b = draw(dates), draw(dates)
    return min(a, b), max(a, b)


@st.composite
def terms(draw) -> AwardTerms:
    whole = draw(st.booleans())
    start, end = (FIRST, LAST) if whole else draw(periods())
    leaves = []
    for period in draw(st.lists(periods(), max_size=3)):
        if all(period[1] < other.start or period[0] > other.end for other in leaves):
            ratio = draw(st.sampled_from([D("0"), D("0.5"), D("1"), D("0.9"), D("0.333")]))
            leaves.append(Leave(period[0], period[1], ratio))
    replacements = []
    for index, (rstart, rend) in enumerate(draw(st.lists(periods(), max_size=2))):
        open_ended = draw(st.booleans())
        candidate = Replacement(f"remplaçant {index}", rstart, None if open_ended else rend)
        overlaps = any(
            not ((candidate.end and candidate.end < other.start) or (other.end and other.end < candidate.start))
            for other in replacements
        )
        if not overlaps:
            replacements.append(candidate)
    ended_on = draw(st.one_of(st.none(), dates))
    done = draw(st.one_of(st.none(), dates))
    return AwardTerms(
        holder="titulaire",
        amount=draw(st.sampled_from(RATES)),
        school_year_start=YEAR,
        whole_year=whole,
        start=start,
        end=end,
        service_done_on=done,
        ended_on=ended_on,
        leaves=tuple(leaves),
        replacements=tuple(replacements),
    )


def exact_due(t: AwardTerms) -> D:
    """An independent oracle: what is due, day by day, with exact fractions (no runs, no rounding per line)."""
    from fractions import Fraction

    def share(day):
        if not t.start <= day <= t.end or (t.ended_on and day > t.ended_on):
            return Fraction(0)
        if any(r.start <= day and (r.end is None or day <= r.end) for r in t.replacements):
            return Fraction(1)
        return min([Fraction(1)] + [Fraction(lv.salary_ratio) for lv in t.leaves if lv.start <= day <= lv.end])

    days = [t.start + datetime.timedelta(days=n) for n in range((t.end - t.start).days + 1)]
    if t.whole_year:
        paid = [d for d in days if d.month not in (8, 9, 10)]
        total = sum((Fraction(t.amount) / 9 * share(d) * thirtieths(d) / 30 for d in paid), Fraction(0))
    else:
        nominal = sum(thirtieths(d) for d in days)
        if nominal == 0:
            return D("0.00")
        total = sum((Fraction(t.amount) * share(d) * thirtieths(d) / nominal for d in days), Fraction(0))
    from decimal import ROUND_HALF_UP

    return (D(total.numerator) / D(total.denominator)).quantize(D("0.01"), rounding=ROUND_HALF_UP)


@settings(max_examples=150, deadline=None)
@given(terms())
def test_the_payments_add_up_to_what_is_due_to_the_cent(t):
    assert sum((p.amount for p in payment_schedule(t)), D("0.00")) == exact_due(t)


@settings(max_examples=100, deadline=None)
@given(terms())
def test_without_leave_or_early_end_the_whole_rate_is_paid_whoever_is_replaced(t):
    t = AwardTerms(**{**t.__dict__, "leaves": (), "ended_on": None})
    only_a_31st = not t.whole_year and t.start == t.end and t.start.day == 31  # counts 0/30: nothing is due
    expected = D("0.00") if only_a_31st else t.amount
    assert sum((p.amount for p in payment_schedule(t)), D("0.00")) == expected


@settings(max_examples=150, deadline=None)
@given(terms())
def test_no_payment_is_negative_or_outside_the_school_year(t):
    for p in payment_schedule(t):
        assert p.amount > 0
        assert p.amount == p.amount.quantize(D("0.01"))
        assert FIRST <= p.start <= p.end <= LAST
        if p.month is not None:
            assert FIRST <= p.month <= LAST and p.month.day == 1
        if t.whole_year:
            assert p.month is not None and (p.month.year, p.month.month) == (p.start.year, p.start.month)
            assert (p.end.year, p.end.month) == (p.start.year, p.start.month)


@settings(max_examples=150, deadline=None)
@given(terms())
def test_the_holder_and_a_replacement_are_never_paid_for_the_same_day(t):
    paid: dict[datetime.date, object] = {}
    for p in payment_schedule(t):
        day = p.start
        while day <= p.end:
            assert paid.setdefault(day, p.person) == p.person, f"{day} paid to {paid[day]} and {p.person}"
            day += datetime.timedelta(days=1)
    for day, person in paid.items():
        replaced = [r for r in t.replacements if r.start <= day and (r.end is None or day <= r.end)]
        assert person == (replaced[0].person if replaced else "titulaire")


@settings(max_examples=50, deadline=None)
@given(terms())
def test_the_same_terms_give_the_same_schedule(t):
    assert payment_schedule(t) == payment_schedule(t)
