"""The printed documents of a plan: the CA sheet and each referent's lettre de mission.

Each document is built in two steps, as pretix builds its invoices: first its data is read and frozen into
plain dataclasses (a fixed number of queries, nothing lazy left for the template to load), then rendered by
the one renderer (rupn.lib.pdf) or shown as an HTML preview from the same template.

Each section of a document is one function over the loaded plan. To add a section: write its function here,
add its field to the document's dataclass, and include its template in templates/missions/pdf/_ca_sheet.html
or _mission_letter.html (as the IMP sections do: imp_section, letter_imp, opinions_section).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imp.models import BoardOpinion, Envelope, ImpAward
from imp.selectors import school_awards
from missions.models import AllocationPlan, Mission, PlanRow
from missions.rules import CONTINUITY, PersonInfo, RowState, check_plan
from missions.selectors import catalogue, mission_specs, row_key
from rupn.lib.formats import date_range, format_euros
from rupn.lib.pdf import render_pdf
from schools.models import AuthorizedAction, EquipmentRequest, Person, Role, SchoolMeans, User

CA_SHEET_TEMPLATE = "missions/pdf/ca_sheet.html"
LETTER_TEMPLATE = "missions/pdf/mission_letter.html"

# The DANE's offer of support, as the seed lists it ("L'accompagnement de la DANE").
DANE_SUPPORT_OFFER = (
    gettext_lazy("un accompagnement pour la relation partenariale avec les collectivités ;"),
    gettext_lazy("des formations proposées au PAF, mais aussi en réponse à des demandes d'initiatives locales ;"),
    gettext_lazy("un accompagnement de proximité pour des projets portés en partenariat avec les collectivités ;"),
    gettext_lazy(
        "des projets portés en propre pour les classes : Tw'haïku, Blogue ton école, webdiff "
        "(en partenariat avec les DSDEN et Canopé) ;"
    ),
    gettext_lazy("un accompagnement technique pour les missions sur des serveurs informatiques (IACA, KoXo, AMON…) ;"),
    gettext_lazy(
        "une rencontre annuelle des référents pour échanger entre pairs et avancer collectivement "
        "sur les sujets du moment ;"
    ),
    gettext_lazy(
        "une rencontre annuelle dans l'établissement, avec le chef d'établissement, pour faire le point sur le "
        "numérique éducatif (projets menés, difficultés rencontrées, perspectives) ;"
    ),
    gettext_lazy(
        "une classe virtuelle annuelle en fin d'année scolaire pour faire le point sur les missions "
        "et leurs conditions de réalisation ;"
    ),
    gettext_lazy(
        "un blog, une lettre d'information et un compte sur les réseaux sociaux pour se tenir informé de "
        "l'actualité du numérique éducatif dans l'académie et au niveau national."
    ),
)


# --- Frozen data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentHeader:
    """Who and when: the same top block on every document of a plan."""

    academie: str
    departement: str
    school_name: str
    school_kind: str
    uai: str
    commune: str
    postal_code: str
    collectivity: str
    school_year: str
    principal_names: tuple[str, ...]
    printed_on: datetime.date


@dataclass(frozen=True)
class SheetRow:
    """One line of the seed's table; a group heading has no organisation nor holders."""

    label: str
    proposed: str = ""
    organisation: str = ""
    sharing: str = ""
    holders: tuple[str, ...] = ()
    is_group: bool = False
    in_group: bool = False
    required: bool = False  # someone must be named: an empty row says "à désigner"


@dataclass(frozen=True)
class AuthorizedActionLine:
    label: str
    convention_reference: str
    convention_date: datetime.date | None
    this_school_only: bool


@dataclass(frozen=True)
class OpinionLine:
    """One body's opinion as recorded: the sitting, the result, the votes (None when not recorded), the deliberation."""

    date: datetime.date
    result: str  # "Avis favorable" / "Avis défavorable"
    favorable: bool
    votes_for: int | None
    votes_against: int | None
    votes_abstention: int | None
    deliberation_number: str
    earlier_version: bool = False  # given on an earlier version of the plan: the plan changed after it

    @property
    def has_votes(self) -> bool:
        return any(v is not None for v in (self.votes_for, self.votes_against, self.votes_abstention))


@dataclass(frozen=True)
class Opinions:
    """The conseil pédagogique's and the conseil d'administration's opinions (None: not recorded yet)."""

    pedagogical_council: OpinionLine | None
    board: OpinionLine | None


@dataclass(frozen=True)
class ImpLine:
    """One proposed IMP: amounts already written the French way (1 250,00 €)."""

    person: str
    mission: str
    rate: str
    period: str  # "toute l'année scolaire" or "du … au …"
    payment: str  # how it is paid
    state: str


@dataclass(frozen=True)
class ImpSection:
    """The school's IMP proposals for the year, with the envelope and what is left of it."""

    lines: tuple[ImpLine, ...]  # the proposed ones (ImpAward.PROPOSED_STATES)
    total: str
    envelope: str  # "" when the rectorat has not notified it yet
    left: str  # the envelope less every live award, drafts included (as the IMP page says)
    over_envelope: bool
    drafts: int = 0  # drafts are not proposed: counted apart, not listed
    drafts_total: str = ""


@dataclass(frozen=True)
class MeansSection:
    """What the school gives its referents for the year (recorded on the school's "moyens" page)."""

    given: tuple[str, ...]
    ticket_server_url: str
    details: str


@dataclass(frozen=True)
class EquipmentLine:
    """One equipment request, in the school's priority order, with the collectivité's answer."""

    priority: int
    item: str
    quantity: int
    use: str
    cost: str  # "" when not estimated
    state: str
    answer: str


@dataclass(frozen=True)
class CaSheet:
    title: str
    header: DocumentHeader
    plan_state: str
    plan_state_label: str
    submitted_on: datetime.date | None
    updated_on: datetime.date
    rows: tuple[SheetRow, ...]
    continuity: tuple[str, ...]
    authorized_actions: tuple[AuthorizedActionLine, ...]
    opinions: Opinions | None
    imp: ImpSection
    means: MeansSection | None
    equipment: tuple[EquipmentLine, ...]
    filename: str


@dataclass(frozen=True)
class LetterMission:
    label: str
    organisation: str
    sharing: str
    shared_with: tuple[str, ...]


@dataclass(frozen=True)
class MissionLetter:
    title: str
    header: DocumentHeader
    person_id: int
    person_name: str
    person_status: str
    missions: tuple[LetterMission, ...]
    dane_offer: tuple[str, ...]
    imp: tuple[ImpLine, ...]
    filename: str


# --- Loading (the queries) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadedPlan:
    """A plan with everything its documents read, loaded once (ten queries)."""

    plan: AllocationPlan
    missions: list[Mission]
    rows: list[PlanRow]
    actions: list[AuthorizedAction]
    principal_names: tuple[str, ...]
    awards: list[ImpAward]  # every IMP of the school and year, void ones included
    opinions: dict[str, BoardOpinion]  # BoardOpinion.Body -> the recorded opinion
    means: SchoolMeans | None = None
    equipment: tuple[EquipmentRequest, ...] = ()


def plans_queryset():
    rows = PlanRow.objects.select_related("mission").prefetch_related(
        Prefetch("holders", queryset=Person.objects.order_by("last_name", "first_name", "pk"))
    )
    envelope = Envelope.objects.filter(school=OuterRef("school"), school_year=OuterRef("school_year")).values("amount")
    return (
        AllocationPlan.objects.select_related("school__departement__academie", "school__collectivity", "school_year")
        .prefetch_related(Prefetch("rows", queryset=rows.order_by("mission__position", "service_name", "pk")))
        # The IMP envelope rides along with the plan (no query of its own).
        .annotate(imp_envelope=Subquery(envelope[:1]))
    )


def load_plan(plan_id: int, *, missions: list[Mission] | None = None) -> LoadedPlan:
    """Read a plan for its documents; pass the catalogue when printing many plans (one query less each)."""
    plan = plans_queryset().get(pk=plan_id)
    school = plan.school
    actions = list(
        AuthorizedAction.objects.filter(collectivity_id=school.collectivity_id, school_year_id=plan.school_year_id)
        .filter(Q(school__isnull=True) | Q(school_id=school.pk))
        .order_by("action", "pk")
    )
    principals = (
        User.objects.filter(roles__kind=Role.Kind.PRINCIPAL, roles__school_id=school.pk, is_active=True)
        .order_by("last_name", "first_name", "pk")
        .distinct()
    )
    return LoadedPlan(
        plan=plan,
        missions=missions if missions is not None else catalogue(),
        rows=list(plan.rows.all()),
        actions=actions,
        principal_names=tuple(user.get_full_name() or user.email for user in principals),
        awards=school_awards(school, plan.school_year),
        opinions={
            opinion.body: opinion
            for opinion in BoardOpinion.objects.filter(
                school_id=school.pk, school_year_id=plan.school_year_id
            ).order_by("body")
        },
        means=SchoolMeans.objects.filter(school_id=school.pk, school_year_id=plan.school_year_id).first(),
        equipment=tuple(
            EquipmentRequest.objects.filter(school_id=school.pk, school_year_id=plan.school_year_id).order_by(
                "priority", "pk"
            )
        ),
    )


# --- Sections ------------------------------------------------------------------------------------------


def header_section(loaded: LoadedPlan) -> DocumentHeader:
    school = loaded.plan.school
    return DocumentHeader(
        academie=str(school.departement.academie),
        departement=str(school.departement),
        school_name=school.name,
        school_kind=school.get_kind_display(),
        uai=school.uai,
        commune=school.commune,
        postal_code=school.postal_code,
        collectivity=school.collectivity.name,
        school_year=loaded.plan.school_year.name,
        principal_names=loaded.principal_names,
        printed_on=timezone.localdate(),
    )


def _row_label(row: PlanRow) -> str:
    return f"{row.mission.label} — {row.service_name}" if row.service_name else row.mission.label


def _organisation(row: PlanRow) -> tuple[str, str]:
    return row.organisation, row.sharing_text


def _check(loaded: LoadedPlan):
    people = {
        holder.pk: PersonInfo(full_name=holder.full_name, leaving=holder.leaving)
        for row in loaded.rows
        for holder in row.holders.all()
    }
    states = [
        RowState(
            key=row_key(row),
            mission_code=row.mission.code,
            holder_ids=frozenset(h.pk for h in row.holders.all()),
            service_name=row.service_name,
        )
        for row in loaded.rows
    ]
    check = check_plan(
        missions=mission_specs(loaded.missions),
        rows=states,
        people=people,
        authorized_actions=[action.action for action in loaded.actions],
        has_tablets=loaded.plan.has_tablets,
    )
    return check, people


def table_section(loaded: LoadedPlan) -> tuple[SheetRow, ...]:
    """The seed's table in catalogue order: missions, then "Gérer les outils" and its rows."""
    check, people = _check(loaded)
    training = tuple(people[pk].full_name for pk in check.training_ids)
    authorized = {action.action for action in loaded.actions}
    rows_by_mission: dict[int, list[PlanRow]] = {}
    for row in loaded.rows:
        rows_by_mission.setdefault(row.mission_id, []).append(row)

    def lines(mission: Mission, *, in_group: bool) -> list[SheetRow]:
        if mission.kind == Mission.Kind.DERIVED:
            return [SheetRow(mission.label, mission.proposed_organisation, "", "", training, in_group=in_group)]
        plan_rows = rows_by_mission.get(mission.pk, [])
        required = mission.min_holders > 0 or (
            mission.requires_tablets
            and loaded.plan.has_tablets
            and (not mission.requires_action or mission.requires_action in authorized)
        )
        if not plan_rows:
            return [SheetRow(mission.label, mission.proposed_organisation, in_group=in_group, required=required)]
        return [
            SheetRow(
                _row_label(row),
                mission.proposed_organisation,
                *_organisation(row),
                tuple(h.full_name for h in row.holders.all()),
                in_group=in_group,
                required=required or bool(row.service_name),
            )
            for row in plan_rows
        ]

    result: list[SheetRow] = []
    for mission in loaded.missions:
        if mission.parent_id:
            continue
        if mission.kind == Mission.Kind.GROUP:
            result.append(SheetRow(mission.label, mission.proposed_organisation, is_group=True))
            for child in loaded.missions:
                if child.parent_id == mission.pk:
                    result.extend(lines(child, in_group=True))
        else:
            result.extend(lines(mission, in_group=False))
    return tuple(result)


def continuity_section(loaded: LoadedPlan) -> tuple[str, ...]:
    """The continuity warnings: one person holding everything, missions held only by someone leaving."""
    check, _people = _check(loaded)
    messages = [*check.plan_messages, *(m for row in loaded.rows for m in check.row_messages.get(row_key(row), []))]
    return tuple(m.text for m in messages if m.topic == CONTINUITY)


def authorized_actions_section(loaded: LoadedPlan) -> tuple[AuthorizedActionLine, ...]:
    """What the collectivité authorizes the referents to do this year (for all its schools or this one)."""
    return tuple(
        AuthorizedActionLine(
            label=action.get_action_display(),
            convention_reference=action.convention_reference,
            convention_date=action.convention_date,
            this_school_only=action.school_id is not None,
        )
        for action in loaded.actions
    )


def _opinion_line(opinion: BoardOpinion | None, plan_version: int) -> OpinionLine | None:
    if opinion is None:
        return None
    return OpinionLine(
        date=opinion.date,
        result=opinion.get_opinion_display(),
        favorable=opinion.opinion == BoardOpinion.Opinion.FAVORABLE,
        votes_for=opinion.votes_for,
        votes_against=opinion.votes_against,
        votes_abstention=opinion.votes_abstention,
        deliberation_number=opinion.deliberation_number,
        earlier_version=opinion.on_earlier_version(plan_version),
    )


def opinions_section(loaded: LoadedPlan) -> Opinions | None:
    """The CP and CA opinions recorded in the imp app (result, votes, deliberation); None when neither is (lines to
    fill by hand)."""
    if not loaded.opinions:
        return None
    return Opinions(
        pedagogical_council=_opinion_line(loaded.opinions.get(BoardOpinion.Body.CP), loaded.plan.version),
        board=_opinion_line(loaded.opinions.get(BoardOpinion.Body.CA), loaded.plan.version),
    )


def means_section(loaded: LoadedPlan) -> MeansSection | None:
    """The means given to the referents; None when the principal has not recorded them for the year."""
    means = loaded.means
    if means is None:
        return None
    return MeansSection(given=tuple(means.given), ticket_server_url=means.ticket_server_url, details=means.details)


def equipment_section(loaded: LoadedPlan) -> tuple[EquipmentLine, ...]:
    """The school's equipment requests for the year, in priority order, with where each stands."""
    return tuple(
        EquipmentLine(
            priority=request.priority,
            item=request.item,
            quantity=request.quantity,
            use=request.use,
            cost=format_euros(request.cost_estimate) if request.cost_estimate is not None else "",
            state=request.get_state_display(),
            answer=request.answer_comment,
        )
        for request in loaded.equipment
    )


def _imp_line(award: ImpAward) -> ImpLine:
    if award.whole_year:
        period = _("toute l'année scolaire")
        payment = _("versée par neuvièmes, de novembre à juillet")
    else:
        period = date_range(award.start_date, award.end_date)
        payment = _("versée en une fois, après service fait")
    return ImpLine(
        person=award.person.full_name,
        mission=award.get_mission_display(),
        rate=format_euros(award.rate.amount),
        period=period,
        payment=payment,
        state=award.get_state_display(),
    )


def _live_awards(loaded: LoadedPlan) -> list[ImpAward]:
    return [award for award in loaded.awards if not award.is_void]


def imp_section(loaded: LoadedPlan) -> ImpSection:
    """The IMP proposed (ImpAward.PROPOSED_STATES), their total, the drafts apart, the envelope and what is left."""
    live = _live_awards(loaded)
    proposed = [award for award in live if award.is_proposed]
    drafts = [award for award in live if award.is_draft]
    total = sum((award.rate.amount for award in proposed), Decimal("0.00"))
    drafts_total = sum((award.rate.amount for award in drafts), Decimal("0.00"))
    committed = sum((award.rate.amount for award in live), Decimal("0.00"))
    envelope = loaded.plan.imp_envelope
    return ImpSection(
        lines=tuple(_imp_line(award) for award in proposed),
        total=format_euros(total),
        envelope=format_euros(envelope),
        left=format_euros(envelope - committed) if envelope is not None else "",
        over_envelope=envelope is not None and envelope < committed,
        drafts=len(drafts),
        drafts_total=format_euros(drafts_total),
    )


def letter_imp(loaded: LoadedPlan, person: Person) -> tuple[ImpLine, ...]:
    """The IMP proposed to this person in the plan's school and year: its rate and how it is paid."""
    return tuple(_imp_line(award) for award in loaded.awards if award.is_proposed and award.person_id == person.pk)


# --- Documents -----------------------------------------------------------------------------------------


def ca_sheet_data(loaded: LoadedPlan) -> CaSheet:
    """Freeze the CA sheet of a loaded plan."""
    plan = loaded.plan
    header = header_section(loaded)
    return CaSheet(
        title=_("Fiche pour le conseil d'administration — %(school)s — %(year)s")
        % {"school": header.school_name, "year": header.school_year},
        header=header,
        plan_state=plan.state,
        plan_state_label=plan.get_state_display(),
        submitted_on=timezone.localdate(plan.submitted_at) if plan.submitted_at else None,
        updated_on=timezone.localdate(plan.updated_at),
        rows=table_section(loaded),
        continuity=continuity_section(loaded),
        authorized_actions=authorized_actions_section(loaded),
        opinions=opinions_section(loaded),
        imp=imp_section(loaded),
        means=means_section(loaded),
        equipment=equipment_section(loaded),
        filename=f"fiche-ca-{header.uai}-{header.school_year}.pdf",
    )


def letter_people(loaded: LoadedPlan) -> list[Person]:
    """The people named in the plan, by name: each gets a lettre de mission."""
    people = {h.pk: h for row in loaded.rows for h in row.holders.all()}
    return sorted(people.values(), key=lambda p: (p.last_name, p.first_name, p.pk))


def mission_letter_data(loaded: LoadedPlan, person: Person) -> MissionLetter:
    """Freeze the lettre de mission of one person named in the plan."""
    header = header_section(loaded)
    held: list[LetterMission] = []
    for mission in loaded.missions:
        if mission.kind == Mission.Kind.DERIVED:
            # "Se former" concerns everyone named in the table.
            held.append(LetterMission(mission.label, mission.proposed_organisation, "", ()))
            continue
        for row in loaded.rows:
            if row.mission_id != mission.pk:
                continue
            holders = list(row.holders.all())
            if person.pk not in {h.pk for h in holders}:
                continue
            organisation, sharing = _organisation(row)
            others = tuple(h.full_name for h in holders if h.pk != person.pk)
            held.append(LetterMission(_row_label(row), organisation, sharing, others))
    return MissionLetter(
        title=_("Lettre de mission — %(person)s — %(year)s") % {"person": person.full_name, "year": header.school_year},
        header=header,
        person_id=person.pk,
        person_name=person.full_name,
        person_status=person.get_status_display(),
        missions=tuple(held),
        dane_offer=tuple(str(item) for item in DANE_SUPPORT_OFFER),
        imp=letter_imp(loaded, person),
        filename=f"lettre-de-mission-{header.uai}-{header.school_year}-{person.pk}.pdf",
    )


def render_ca_sheet(sheet: CaSheet) -> bytes:
    return render_pdf(CA_SHEET_TEMPLATE, {"doc": sheet})


def render_mission_letter(letter: MissionLetter) -> bytes:
    return render_pdf(LETTER_TEMPLATE, {"doc": letter})
