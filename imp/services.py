"""Changes to IMP envelopes, awards, opinions, reductions, leaves and replacements.

Each service is one transaction and raises DomainError with a French message. Locks are always taken in
the same order (award, then person, then envelope) so that two services never wait for each other in a
circle. The envelope row is locked (SELECT … FOR UPDATE) before the committed total is read: two proposals
saved at the same moment are checked one after the other, and the second sees the first.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from imp.award_emails import ANSWERS, notify_award_answer
from imp.envelope_import import read_envelope_csv, refused
from imp.models import (
    AWARD_TRANSITIONS,
    AwardEvent,
    BoardOpinion,
    Envelope,
    EnvelopeChange,
    ImpAward,
    ImpRate,
    Leave,
    Mission,
    Replacement,
    ServiceReduction,
)
from imp.rules import eligibility_problem, legal_amounts_text
from missions.models import AllocationPlan
from rupn.lib.concurrency import VersionConflict
from rupn.lib.errors import ConflictError, DomainError
from rupn.lib.formats import format_euros, of
from schools.models import Person, School, SchoolYear

State = ImpAward.State
Kind = AwardEvent.Kind


# --- reads the services share ---------------------------------------------------------------------------------


def legal_rates(school_year: SchoolYear) -> list[ImpRate]:
    """The rates in force on the first day of the school year, lowest first (one query)."""
    day = school_year.start_date
    return list(
        ImpRate.objects.filter(
            Q(valid_from__lte=day) & (Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        ).order_by("amount", "pk")
    )


def committed_total(school: School, school_year: SchoolYear, *, exclude_pk: int | None = None) -> Decimal:
    """The sum of the school's awards that count in its envelope: every award not declined, rejected or withdrawn."""
    awards = ImpAward.objects.filter(school=school, school_year=school_year).exclude(state__in=ImpAward.VOID_STATES)
    if exclude_pk is not None:
        awards = awards.exclude(pk=exclude_pk)
    return awards.aggregate(total=Sum("rate__amount"))["total"] or Decimal("0.00")


def _date(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def _period_text(whole_year: bool, start: datetime.date, end: datetime.date) -> str:
    if whole_year:
        return _("Toute l'année scolaire")
    return _("Du %(start)s au %(end)s") % {"start": _date(start), "end": _date(end)}


def _record(award: ImpAward, kind: str, by, *, changes: list[dict] | None = None, note: str = "") -> AwardEvent:
    return AwardEvent.objects.create(award=award, kind=kind, by=by, changes=changes or [], note=note)


def _state_change(before: str, after: str) -> dict:
    return {"field": _("État"), "before": str(State(before).label), "after": str(State(after).label)}


# --- checks ---------------------------------------------------------------------------------------------------


def _lock_person(person: Person, school: School) -> Person:
    locked = Person.objects.select_for_update().filter(pk=person.pk, school=school).first()
    if locked is None:
        raise DomainError(_("Cette personne ne fait pas partie du personnel de l'établissement."))
    return locked


def _check_eligible(person: Person) -> None:
    problem = eligibility_problem(person)
    if problem:
        raise DomainError(problem)


def _legal_rate(school_year: SchoolYear, amount: Decimal) -> ImpRate:
    rates = legal_rates(school_year)
    for rate in rates:
        if rate.amount == amount:
            return rate
    raise DomainError(
        _("%(amount)s n'est pas un taux légal de l'IMP. Les taux annuels en vigueur sont : %(rates)s.")
        % {"amount": format_euros(amount), "rates": legal_amounts_text(r.amount for r in rates)}
    )


def _period(
    school_year: SchoolYear, whole_year: bool, start: datetime.date | None, end: datetime.date | None
) -> tuple[datetime.date, datetime.date]:
    first, last = school_year.start_date, school_year.end_date
    if whole_year:
        return first, last
    if start is None or end is None:
        raise DomainError(_("Pour une partie de l'année, indiquez la date de début et la date de fin de la mission."))
    if start > end:
        raise DomainError(_("La date de fin de la mission précède sa date de début."))
    if start < first or end > last:
        raise DomainError(
            _("La mission doit se dérouler pendant l'année scolaire %(year)s, du %(first)s au %(last)s.")
            % {"year": school_year.name, "first": _date(first), "last": _date(last)}
        )
    return start, end


def _check_no_reduction(school: School, school_year: SchoolYear, person: Person, mission: str) -> None:
    if ServiceReduction.objects.filter(school=school, school_year=school_year, person=person, mission=mission).exists():
        raise DomainError(
            _(
                "%(name)s a déjà un allègement de service pour cette mission dans l'établissement : l'IMP et "
                "l'allègement de service sont exclusifs pour une même mission."
            )
            % {"name": person.full_name}
        )


def _check_no_live_award(
    school: School, school_year: SchoolYear, person: Person, mission: str, *, exclude_pk: int | None = None
) -> None:
    awards = ImpAward.objects.filter(school=school, school_year=school_year, person=person, mission=mission).exclude(
        state__in=ImpAward.VOID_STATES
    )
    if exclude_pk is not None:
        awards = awards.exclude(pk=exclude_pk)
    if awards.exists():
        raise DomainError(
            _("%(name)s a déjà une IMP pour cette mission cette année : modifiez-la plutôt que d'en créer une autre.")
            % {"name": person.full_name}
        )


def _lock_envelope(school: School, school_year: SchoolYear) -> Envelope:
    envelope = Envelope.objects.select_for_update().filter(school=school, school_year=school_year).first()
    if envelope is None:
        raise DomainError(
            _(
                "Le rectorat n'a pas encore notifié l'enveloppe IMP de l'établissement pour %(year)s : aucune IMP ne "
                "peut être prévue avant."
            )
            % {"year": school_year.name}
        )
    return envelope


def _check_envelope(school: School, school_year: SchoolYear, amount: Decimal, *, exclude_pk: int | None = None):
    """Lock the envelope row, then read what is committed: the check holds against concurrent proposals."""
    envelope = _lock_envelope(school, school_year)
    committed = committed_total(school, school_year, exclude_pk=exclude_pk)
    if committed + amount > envelope.amount:
        raise DomainError(
            _(
                "Cette IMP dépasserait l'enveloppe de l'établissement : enveloppe %(envelope)s, déjà engagé "
                "%(committed)s, reste %(left)s, demandé %(amount)s."
            )
            % {
                "envelope": format_euros(envelope.amount),
                "committed": format_euros(committed),
                "left": format_euros(envelope.amount - committed),
                "amount": format_euros(amount),
            }
        )


# --- awards ---------------------------------------------------------------------------------------------------


@transaction.atomic
def award_create(
    *,
    school: School,
    school_year: SchoolYear,
    person: Person,
    amount: Decimal,
    whole_year: bool,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    mission: str = Mission.RUPN,
    by,
) -> ImpAward:
    """Prepare an IMP for a person (a draft): legal rate, eligible person, no reduction, within the envelope."""
    person = _lock_person(person, school)
    _check_eligible(person)
    rate = _legal_rate(school_year, amount)
    start, end = _period(school_year, whole_year, start_date, end_date)
    _check_no_reduction(school, school_year, person, mission)
    _check_no_live_award(school, school_year, person, mission)
    _check_envelope(school, school_year, rate.amount)
    try:
        with transaction.atomic():
            award = ImpAward(
                school=school,
                school_year=school_year,
                person=person,
                mission=mission,
                rate=rate,
                whole_year=whole_year,
                start_date=start,
                end_date=end,
                created_by=by,
            )
            award.save(force_insert=True)
    except IntegrityError as error:  # the person row lock makes this unlikely; the constraint has the last word
        raise ConflictError(_("Une IMP vient d'être créée pour cette personne : rechargez la page.")) from error
    _record(
        award,
        Kind.CREATED,
        by,
        changes=[
            {"field": _("Bénéficiaire"), "before": "", "after": person.full_name},
            {"field": _("Taux"), "before": "", "after": format_euros(rate.amount)},
            {"field": _("Période"), "before": "", "after": _period_text(whole_year, start, end)},
            {"field": _("État"), "before": "", "after": str(State(award.state).label)},
        ],
    )
    return award


@transaction.atomic
def award_prepare(*, school: School, school_year: SchoolYear, propose: bool, by, **values) -> ImpAward:
    """Create an award (award_create) and, when asked, propose it at once: both, or nothing created."""
    award = award_create(school=school, school_year=school_year, by=by, **values)
    if propose:
        award = award_propose(award=award, by=by)
    return award


EDITABLE_STATES = AWARD_TRANSITIONS["update"][0]


def award_saved_by(award: ImpAward) -> tuple[str | None, datetime.datetime | None]:
    """Who last saved the award, and when (its latest event: the award's one history)."""
    event = AwardEvent.objects.filter(award=award).select_related("by").order_by("-at", "-pk").first()
    who = event.by.get_full_name() if event and event.by else None
    return who, event.at if event else award.updated_at


def award_conflict(award: ImpAward) -> VersionConflict:
    who, when = award_saved_by(award)
    return VersionConflict(who=who, when=when, version=award.version)


@transaction.atomic
def award_update(
    *,
    award: ImpAward,
    expected_version: int,
    person: Person,
    amount: Decimal,
    whole_year: bool,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    by,
) -> ImpAward:
    """Change the person, rate or period of an award not yet validated; an agreed award needs agreement again."""
    locked = (
        ImpAward.objects.select_for_update(of=("self",))
        .select_related("person", "rate", "school_year")
        .get(pk=award.pk)
    )
    if locked.version != expected_version:
        raise award_conflict(locked)
    if locked.state not in EDITABLE_STATES:
        raise DomainError(_("Une IMP « %(state)s » ne peut plus être modifiée.") % {"state": State(locked.state).label})
    school, school_year = locked.school, locked.school_year
    if person.pk != locked.person_id:
        person = _lock_person(person, school)
        _check_eligible(person)
        _check_no_reduction(school, school_year, person, locked.mission)
        _check_no_live_award(school, school_year, person, locked.mission, exclude_pk=locked.pk)
    else:
        person = locked.person
    rate = _legal_rate(school_year, amount) if amount != locked.rate.amount else locked.rate
    start, end = _period(school_year, whole_year, start_date, end_date)

    changes = []
    if person.pk != locked.person_id:
        changes.append({"field": _("Bénéficiaire"), "before": locked.person.full_name, "after": person.full_name})
    if rate.pk != locked.rate_id:
        changes.append(
            {"field": _("Taux"), "before": format_euros(locked.rate.amount), "after": format_euros(rate.amount)}
        )
    if (whole_year, start, end) != (locked.whole_year, locked.start_date, locked.end_date):
        before_period = _period_text(locked.whole_year, locked.start_date, locked.end_date)
        changes.append({"field": _("Période"), "before": before_period, "after": _period_text(whole_year, start, end)})
    if not changes:
        return locked
    if rate.amount > locked.rate.amount:
        _check_envelope(school, school_year, rate.amount, exclude_pk=locked.pk)

    new_state = State.PROPOSED if locked.state == State.ACCEPTED else locked.state
    if new_state != locked.state:
        changes.append(_state_change(locked.state, new_state))
    locked.person = person
    locked.rate = rate
    locked.whole_year, locked.start_date, locked.end_date = whole_year, start, end
    locked.state = new_state
    locked.version = F("version") + 1
    locked.save()
    _record(
        locked,
        Kind.UPDATED,
        by,
        note=_("L'intéressé(e) doit donner à nouveau son accord.") if new_state == State.PROPOSED else "",
        changes=changes,
    )
    locked.refresh_from_db()
    return locked


# action -> (states it may start from, state it leads to, history kind): the moves of AWARD_TRANSITIONS, each
# recorded under the history kind named as its target state.
TRANSITIONS = {
    action: (sources, target, Kind(target))
    for action, (sources, target, _who) in AWARD_TRANSITIONS.items()
    if target is not None
}


def _transition(
    award: ImpAward, action: str, by, *, expected_version: int | None = None, note: str = "", **fields
) -> ImpAward:
    """Move the award under a row lock: only from the right state (and the version the user saw)."""
    sources, target, kind = TRANSITIONS[action]
    current = ImpAward.objects.select_for_update().get(pk=award.pk)
    if current.state not in sources:
        raise DomainError(
            _("Cette IMP est maintenant « %(state)s » : cette action n'est plus possible.")
            % {"state": State(current.state).label}
        )
    if expected_version is not None and current.version != expected_version:
        raise award_conflict(current)
    ImpAward.objects.filter(pk=award.pk).update(
        state=target, version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    event = _record(award, kind, by, changes=[_state_change(current.state, target)], note=note)
    if kind in ANSWERS:  # the principal is told, once, what the holder or the rectorat answered
        notify_award_answer.delay_on_commit(event.pk)
    award.refresh_from_db()
    return award


@transaction.atomic
def award_propose(*, award: ImpAward, by) -> ImpAward:
    """Send the award to its holder, who must agree to it."""
    return _transition(award, "propose", by)


@transaction.atomic
def award_withdraw(*, award: ImpAward, by) -> ImpAward:
    """The principal withdraws an award not yet validated: it no longer counts in the envelope."""
    return _transition(award, "withdraw", by)


def _check_holder(award: ImpAward, by) -> None:
    if award.person.user_id is None or award.person.user_id != by.pk:
        raise DomainError(_("Seule la personne à qui l'IMP est proposée peut l'accepter ou la refuser."))


@transaction.atomic
def award_accept(*, award: ImpAward, expected_version: int, by) -> ImpAward:
    """The holder agrees to the award as they saw it."""
    _check_holder(award, by)
    return _transition(award, "accept", by, expected_version=expected_version)


@transaction.atomic
def award_decline(*, award: ImpAward, expected_version: int, reason: str = "", by) -> ImpAward:
    """The holder declines the award: it no longer counts in the envelope."""
    _check_holder(award, by)
    reason = reason.strip()
    return _transition(award, "decline", by, expected_version=expected_version, note=reason, decline_reason=reason)


def opinions_recorded(school: School, school_year: SchoolYear) -> set[str]:
    return set(
        BoardOpinion.objects.filter(school=school, school_year=school_year).values_list("body", flat=True).order_by()
    )


@transaction.atomic
def award_validate(*, award: ImpAward, by) -> ImpAward:
    """The rectorat validates an accepted award, once the CP and the CA gave their opinion on the school's plan."""
    recorded = opinions_recorded(award.school, award.school_year)
    name = award.person.full_name
    missing = {BoardOpinion.Body.CP, BoardOpinion.Body.CA} - recorded
    if len(missing) == 2:
        raise DomainError(
            _(
                "L'IMP %(of_name)s ne peut pas encore être validée : les avis du conseil pédagogique et du conseil "
                "d'administration ne sont pas enregistrés."
            )
            % {"of_name": of(name)}
        )
    if missing:
        body = _("du conseil pédagogique") if BoardOpinion.Body.CP in missing else _("du conseil d'administration")
        raise DomainError(
            _("L'IMP %(of_name)s ne peut pas encore être validée : l'avis %(body)s n'est pas enregistré.")
            % {"of_name": of(name), "body": body}
        )
    _check_eligible(award.person)
    return _transition(award, "validate", by)


@transaction.atomic
def award_reject(*, award: ImpAward, reason: str, by) -> ImpAward:
    """The rectorat rejects an accepted award, saying why."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Indiquez le motif du rejet : il est communiqué au chef d'établissement."))
    return _transition(award, "reject", by, note=reason, rejection_reason=reason)


@transaction.atomic
def award_start_payment(*, award: ImpAward, by) -> ImpAward:
    """The rectorat puts a validated award into payment."""
    return _transition(award, "start_payment", by)


@transaction.atomic
def award_declare_service_done(
    *, award: ImpAward, done_on: datetime.date, ended_on: datetime.date | None = None, by
) -> ImpAward:
    """The principal declares the service done (closing the award); a part-year award is then paid once.

    The service is done when the mission is over: after its end date, or from July (the month of the last
    ninth) for a whole-year award. ended_on, when the mission stopped before its planned end, is its last day
    carried out: nothing is paid for the days after it.
    """
    school_year = award.school_year
    if done_on > timezone.localdate():
        raise DomainError(_("Le service fait ne peut pas être déclaré à une date future."))
    if not award.start_date <= done_on <= school_year.end_date:
        raise DomainError(
            _("La date du service fait doit être comprise entre le début de la mission (%(start)s) et le %(end)s.")
            % {"start": _date(award.start_date), "end": _date(school_year.end_date)}
        )
    if ended_on is not None and not (award.start_date <= ended_on <= min(award.end_date, done_on)):
        raise DomainError(
            _(
                "La date de fin de la mission doit être comprise entre son début (%(start)s), sa fin prévue "
                "(%(end)s) et la date du service fait."
            )
            % {"start": _date(award.start_date), "end": _date(award.end_date)}
        )
    if ended_on is None:
        # The service is done once the mission is over: a whole-year award from July (its last ninth).
        over_from = datetime.date(school_year.start_year + 1, 7, 1) if award.whole_year else award.end_date
        if done_on < over_from:
            raise DomainError(
                _(
                    "La mission court jusqu'au %(end)s : le service fait se déclare à partir du %(from)s. Si elle a "
                    "pris fin plus tôt, indiquez son dernier jour effectué."
                )
                % {"end": _date(award.end_date), "from": _date(over_from)}
            )
    note = _("Service fait le %(date)s.") % {"date": _date(done_on)}
    if ended_on:
        note += " " + _("Mission interrompue après le %(date)s.") % {"date": _date(ended_on)}
    return _transition(award, "close", by, note=note, service_done_on=done_on, ended_on=ended_on)


# --- leaves and replacements ------------------------------------------------------------------------------------

FOLLOWED_STATES = AWARD_TRANSITIONS["follow"][0]


def _lock_followed_award(award: ImpAward) -> ImpAward:
    locked = ImpAward.objects.select_for_update(of=("self",)).select_related("school_year", "person").get(pk=award.pk)
    if locked.state not in FOLLOWED_STATES:
        raise DomainError(_("Les congés et remplacements s'enregistrent sur une IMP acceptée, validée ou en paiement."))
    return locked


def _check_within_award(award: ImpAward, start: datetime.date, end: datetime.date | None) -> None:
    if end is not None and start > end:
        raise DomainError(_("La date de fin précède la date de début."))
    if start < award.start_date or (end or start) > award.end_date:
        raise DomainError(
            _("La période doit être comprise dans celle de l'IMP, du %(start)s au %(end)s.")
            % {"start": _date(award.start_date), "end": _date(award.end_date)}
        )


@transaction.atomic
def leave_add(
    *, award: ImpAward, kind: str, start_date: datetime.date, end_date: datetime.date, salary_percent: Decimal, by
) -> Leave:
    """Record a leave of the holder: the IMP is kept in the proportion of the salary kept (nothing for other absences)."""
    locked = _lock_followed_award(award)
    _check_within_award(locked, start_date, end_date)
    if kind == Leave.Kind.OTHER:
        salary_percent = Decimal("0")
    if not Decimal("0") <= salary_percent <= Decimal("100"):
        raise DomainError(_("La part du traitement maintenu est un pourcentage entre 0 et 100."))
    if locked.leaves.filter(start_date__lte=end_date, end_date__gte=start_date).exists():
        raise DomainError(_("Ce congé chevauche un congé déjà enregistré."))
    leave = Leave.objects.create(
        award=locked,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        salary_percent=salary_percent,
        recorded_by=by,
    )
    _record(
        locked,
        Kind.LEAVE_ADDED,
        by,
        note=_("%(kind)s du %(start)s au %(end)s, traitement maintenu à %(percent)s %%.")
        % {
            "kind": leave.get_kind_display(),
            "start": _date(start_date),
            "end": _date(end_date),
            "percent": f"{salary_percent.normalize():f}".replace(".", ","),
        },
    )
    return leave


@transaction.atomic
def leave_remove(*, leave: Leave, by) -> None:
    """Remove a leave recorded by mistake."""
    locked = _lock_followed_award(leave.award)
    note = _("%(kind)s du %(start)s au %(end)s.") % {
        "kind": leave.get_kind_display(),
        "start": _date(leave.start_date),
        "end": _date(leave.end_date),
    }
    leave.delete()
    _record(locked, Kind.LEAVE_REMOVED, by, note=note)


@transaction.atomic
def replacement_add(
    *,
    award: ImpAward,
    person: Person,
    kind: str,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    by,
) -> Replacement:
    """From start_date someone replaces the holder: the holder's IMP stops and the replacing person is paid."""
    locked = _lock_followed_award(award)
    _check_within_award(locked, start_date, end_date)
    if person.pk == locked.person_id:
        raise DomainError(_("La personne remplacée ne peut pas être son propre remplaçant."))
    person = _lock_person(person, locked.school)
    _check_eligible(person)
    overlap = Q(end_date__isnull=True) | Q(end_date__gte=start_date)
    if end_date is not None:
        overlap &= Q(start_date__lte=end_date)
    if locked.replacements.filter(overlap).exists():
        raise DomainError(_("Ce remplacement chevauche un remplacement déjà enregistré."))
    replacement = Replacement.objects.create(
        award=locked, person=person, kind=kind, start_date=start_date, end_date=end_date, recorded_by=by
    )
    period = (
        _("du %(start)s au %(end)s") % {"start": _date(start_date), "end": _date(end_date)}
        if end_date
        else _("à partir du %(start)s") % {"start": _date(start_date)}
    )
    _record(
        locked,
        Kind.REPLACEMENT_ADDED,
        by,
        note=_("%(kind)s par %(name)s %(period)s.")
        % {"kind": replacement.get_kind_display(), "name": person.full_name, "period": period},
    )
    return replacement


@transaction.atomic
def replacement_remove(*, replacement: Replacement, by) -> None:
    """Remove a replacement recorded by mistake."""
    locked = _lock_followed_award(replacement.award)
    note = _("%(kind)s par %(name)s à partir du %(start)s.") % {
        "kind": replacement.get_kind_display(),
        "name": replacement.person.full_name,
        "start": _date(replacement.start_date),
    }
    replacement.delete()
    _record(locked, Kind.REPLACEMENT_REMOVED, by, note=note)


# --- board opinions and teaching reductions ---------------------------------------------------------------------


@transaction.atomic
def opinion_record(
    *,
    school: School,
    school_year: SchoolYear,
    body: str,
    date: datetime.date,
    opinion: str,
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstention: int | None = None,
    deliberation_number: str = "",
    by,
) -> BoardOpinion:
    """Record (or correct) the CP's or the CA's opinion on the school's plan; the CA comes after the CP. The
    opinion keeps the version of the plan it is given on (the plan's row locked while it is read)."""
    if date > timezone.localdate():
        raise DomainError(_("L'avis s'enregistre après la séance : la date ne peut pas être dans le futur."))
    others = {
        o.body: o
        for o in BoardOpinion.objects.select_for_update()
        .filter(school=school, school_year=school_year)
        .exclude(body=body)
        .order_by("body")
    }
    if body == BoardOpinion.Body.CA:
        cp = others.get(BoardOpinion.Body.CP)
        if cp is None:
            raise DomainError(
                _(
                    "Enregistrez d'abord l'avis du conseil pédagogique : le conseil d'administration se prononce après lui."
                )
            )
        if date < cp.date:
            raise DomainError(
                _("Le conseil d'administration se prononce après le conseil pédagogique (séance du %(date)s).")
                % {"date": _date(cp.date)}
            )
    else:
        ca = others.get(BoardOpinion.Body.CA)
        if ca is not None and date > ca.date:
            raise DomainError(
                _("Le conseil pédagogique se prononce avant le conseil d'administration (séance du %(date)s).")
                % {"date": _date(ca.date)}
            )
    record, _created = BoardOpinion.objects.update_or_create(
        school=school,
        school_year=school_year,
        body=body,
        defaults={
            "date": date,
            "opinion": opinion,
            "votes_for": votes_for,
            "votes_against": votes_against,
            "votes_abstention": votes_abstention,
            "deliberation_number": deliberation_number.strip(),
            "recorded_by": by,
            "recorded_at": timezone.now(),
            "plan_version": AllocationPlan.objects.select_for_update()
            .filter(school=school, school_year=school_year)
            .values_list("version", flat=True)
            .first()
            or 0,
        },
    )
    return record


@transaction.atomic
def reduction_create(
    *, school: School, school_year: SchoolYear, person: Person, hours: Decimal, mission: str = Mission.RUPN, by
) -> ServiceReduction:
    """Record a teaching reduction for a mission; refused when the person has an IMP for it."""
    person = _lock_person(person, school)
    if hours <= 0:
        raise DomainError(_("Le nombre d'heures d'allègement doit être positif."))
    if (
        ImpAward.objects.filter(school=school, school_year=school_year, person=person, mission=mission)
        .exclude(state__in=ImpAward.VOID_STATES)
        .exists()
    ):
        raise DomainError(
            _(
                "%(name)s a déjà une IMP pour cette mission dans l'établissement : l'IMP et l'allègement de "
                "service sont exclusifs pour une même mission."
            )
            % {"name": person.full_name}
        )
    if ServiceReduction.objects.filter(school=school, school_year=school_year, person=person, mission=mission).exists():
        raise DomainError(
            _("%(name)s a déjà un allègement de service pour cette mission.") % {"name": person.full_name}
        )
    return ServiceReduction.objects.create(
        school=school, school_year=school_year, person=person, mission=mission, hours=hours, created_by=by
    )


# --- envelopes ------------------------------------------------------------------------------------------------


def _check_envelope_amount(amount: Decimal, committed: Decimal, school: School) -> str | None:
    if amount <= 0:
        return _("le montant de l'enveloppe doit être positif.")
    if amount < committed:
        return _("l'enveloppe %(of_school)s ne peut pas être inférieure aux IMP déjà engagées (%(committed)s).") % {
            "of_school": of(school.name),
            "committed": format_euros(committed),
        }
    return None


@transaction.atomic
def envelope_set(
    *, school: School, school_year: SchoolYear, amount: Decimal, by, source: str = EnvelopeChange.Source.MANUAL
) -> Envelope:
    """Notify or adjust a school's envelope; never below what its awards already commit."""
    envelope = Envelope.objects.select_for_update().filter(school=school, school_year=school_year).first()
    committed = committed_total(school, school_year)
    problem = _check_envelope_amount(amount, committed, school)
    if problem:
        raise DomainError(problem[0].upper() + problem[1:])
    before = envelope.amount if envelope else None
    if envelope is None:
        try:
            with transaction.atomic():
                envelope = Envelope(school=school, school_year=school_year, amount=amount, updated_by=by)
                envelope.save(force_insert=True)
        except IntegrityError as error:
            raise ConflictError(_("L'enveloppe vient d'être créée par ailleurs : rechargez la page.")) from error
    elif envelope.amount != amount:
        envelope.amount = amount
        envelope.updated_by = by
        envelope.save(update_fields=["amount", "updated_by", "updated_at"])
    else:
        return envelope
    EnvelopeChange.objects.create(envelope=envelope, before=before, after=amount, changed_by=by, source=source)
    return envelope


@dataclass(frozen=True)
class EnvelopeImportResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def envelope_import(*, academie_ids, school_year: SchoolYear, data: bytes, by) -> EnvelopeImportResult:
    """Set the envelopes of a CSV file (UAI;montant): all of them, or none when a line is wrong."""
    lines, problems = read_envelope_csv(data)
    schools = {
        s.uai: s
        for s in School.objects.filter(
            uai__in=[line.uai for line in lines], departement__academie_id__in=list(academie_ids)
        )
        .select_related("departement")
        .order_by("uai")
    }
    for line in lines:
        if line.uai not in schools:
            problems.append(
                (line.number, _("aucun établissement de votre académie n'a l'UAI %(uai)s.") % {"uai": line.uai})
            )
    school_ids = [s.pk for s in schools.values()]
    existing = {
        e.school_id: e
        for e in Envelope.objects.select_for_update()
        .filter(school_id__in=school_ids, school_year=school_year)
        .order_by("pk")
    }
    committed = dict(
        ImpAward.objects.filter(school_id__in=school_ids, school_year=school_year)
        .exclude(state__in=ImpAward.VOID_STATES)
        .values("school_id")
        .annotate(total=Sum("rate__amount"))
        .values_list("school_id", "total")
        .order_by("school_id")
    )
    for line in lines:
        school = schools.get(line.uai)
        if school is None:
            continue
        problem = _check_envelope_amount(line.amount, committed.get(school.pk) or Decimal("0"), school)
        if problem:
            problems.append((line.number, problem))
    if problems:
        raise refused(problems)

    created = updated = unchanged = 0
    for line in lines:
        school = schools[line.uai]
        envelope = existing.get(school.pk)
        if envelope is not None and envelope.amount == line.amount:
            unchanged += 1
            continue
        envelope_set(
            school=school, school_year=school_year, amount=line.amount, by=by, source=EnvelopeChange.Source.IMPORT
        )
        if envelope is None:
            created += 1
        else:
            updated += 1
    return EnvelopeImportResult(created=created, updated=updated, unchanged=unchanged)
