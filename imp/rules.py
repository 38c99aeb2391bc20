"""The IMP rules that need no database: eligibility, the académie's RUPN range, the CA calendar."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from rupn.lib.formats import MONTHS, format_euros, of
from schools.models import Person

ELIGIBLE_STATUSES = (Person.Status.TEACHER, Person.Status.LIBRARIAN, Person.Status.CPE)


def eligibility_problem(person: Person) -> str | None:
    """Why this person may not receive an IMP (circular 2015-058, I), or None when they may."""
    if not person.is_active:
        return _("%(name)s n'est plus en poste dans l'établissement.") % {"name": person.full_name}
    if person.status not in ELIGIBLE_STATUSES:
        return _(
            "%(name)s n'est pas éligible à l'IMP : seuls les enseignants, les professeurs documentalistes et les "
            "CPE peuvent la recevoir."
        ) % {"name": person.full_name}
    if person.full_service_cpge:
        return _(
            "%(name)s n'est pas éligible à l'IMP : un enseignant qui effectue tout son service en CPGE ne peut pas "
            "la recevoir."
        ) % {"name": person.full_name}
    return None


@dataclass(frozen=True)
class PolicyMessage:
    level: str  # "warning" or "info"
    text: str


def rupn_range_messages(policy, totals_by_person: dict[str, Decimal]) -> list[PolicyMessage]:
    """The académie's RUPN range (a warning, never a refusal), on the school's total or on each person."""
    low, high = policy.rupn_min_total, policy.rupn_max_total
    bounds = {"low": format_euros(low), "high": format_euros(high)}
    if policy.rupn_range_scope == policy.RangeScope.PERSON:
        return [
            PolicyMessage(
                "warning",
                _(
                    "L'IMP RUPN %(of_name)s (%(total)s) est hors de la fourchette académique : de %(low)s à "
                    "%(high)s par référent."
                )
                % {"of_name": of(name), "total": format_euros(total), **bounds},
            )
            for name, total in sorted(totals_by_person.items())
            if not low <= total <= high
        ]
    total = sum(totals_by_person.values(), Decimal("0"))
    if not totals_by_person:
        return [
            PolicyMessage(
                "info",
                _("Aucune IMP RUPN n'est encore prévue. La fourchette académique est de %(low)s à %(high)s au total.")
                % bounds,
            )
        ]
    if low <= total <= high:
        return []
    return [
        PolicyMessage(
            "warning",
            _(
                "Le total des IMP RUPN de l'établissement (%(total)s) est hors de la fourchette académique : de "
                "%(low)s à %(high)s au total pour l'établissement."
            )
            % {"total": format_euros(total), **bounds},
        )
    ]


def ca_calendar_message(policy, school_year_start: int, ca_date: datetime.date | None) -> PolicyMessage | None:
    """The CA gives its opinion between February and June before the rentrée (months set by the académie)."""
    if ca_date is None:
        return None
    if ca_date.year == school_year_start and policy.ca_first_month <= ca_date.month <= policy.ca_last_month:
        return None
    return PolicyMessage(
        "warning",
        _("L'avis du conseil d'administration est attendu entre %(first)s et %(last)s %(year)s, avant la rentrée.")
        % {
            "first": MONTHS[policy.ca_first_month - 1],
            "last": MONTHS[policy.ca_last_month - 1],
            "year": school_year_start,
        },
    )


def legal_amounts_text(amounts: Iterable[Decimal]) -> str:
    return ", ".join(format_euros(amount) for amount in amounts)
