"""Reads for the collectivité's pages, the means and the equipment requests, each with a fixed number of queries."""

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils.translation import gettext as _

from schools.models import (
    AuthorizedAction,
    Collectivity,
    EquipmentRequest,
    ProcedureSheet,
    School,
    SchoolMeans,
    SchoolYear,
)


def collectivity_schools(collectivity: Collectivity):
    """The collectivité's schools, open ones first (one query)."""
    return (
        School.objects.filter(collectivity=collectivity)
        .select_related("departement")
        .order_by("-is_active", "name", "uai")
    )


def collectivity_actions(collectivity: Collectivity, school_year: SchoolYear) -> list[AuthorizedAction]:
    """The actions the collectivité authorizes for the year, with their sheets (two queries)."""
    sheets = ProcedureSheet.objects.select_related("validated_by").order_by("title", "pk")
    return list(
        AuthorizedAction.objects.filter(collectivity=collectivity, school_year=school_year)
        .select_related("school")
        .prefetch_related(Prefetch("sheets", queryset=sheets))
        .order_by("action", "other_label", "school__name", "pk")
    )


def school_actions(school: School, school_year: SchoolYear) -> list[AuthorizedAction]:
    """The actions the school's collectivité authorizes there this year, with their validated sheets (two queries)."""
    sheets = ProcedureSheet.objects.filter(validated=True).order_by("title", "pk")
    return list(
        AuthorizedAction.objects.filter(collectivity_id=school.collectivity_id, school_year=school_year)
        .filter(Q(school__isnull=True) | Q(school=school))
        .prefetch_related(Prefetch("sheets", queryset=sheets))
        .order_by("action", "other_label", "pk")
    )


def school_procedure_sheets(school: School, school_year: SchoolYear) -> dict[str, list[ProcedureSheet]]:
    """The validated sheets the school's referents may read this year, by action code (one query)."""
    sheets: dict[str, list[ProcedureSheet]] = {}
    for sheet in (
        ProcedureSheet.objects.filter(
            validated=True, action__collectivity_id=school.collectivity_id, action__school_year=school_year
        )
        .filter(Q(action__school__isnull=True) | Q(action__school=school))
        .select_related("action")
        .order_by("title", "pk")
    ):
        sheets.setdefault(sheet.action.action, []).append(sheet)
    return sheets


def school_means(school: School, school_year: SchoolYear) -> SchoolMeans | None:
    """The means recorded for the year, or None (one query). For the school page, the CA sheet, the dashboard."""
    return SchoolMeans.objects.filter(school=school, school_year=school_year).select_related("updated_by").first()


def school_equipment_requests(school: School, school_year: SchoolYear) -> list[EquipmentRequest]:
    """The school's requests for the year in priority order (one query). For the page and the CA sheet."""
    return list(
        EquipmentRequest.objects.filter(school=school, school_year=school_year)
        .select_related("answered_by")
        .order_by("priority", "pk")
    )


def collectivity_equipment_requests(collectivity: Collectivity, school_year: SchoolYear) -> list[EquipmentRequest]:
    """The requests its schools sent for the year, school by school, each in the school's priority order."""
    return list(
        EquipmentRequest.objects.filter(school__collectivity=collectivity, school_year=school_year)
        .exclude(state=EquipmentRequest.State.DRAFT)
        .select_related("school__departement", "answered_by")
        .order_by("school__name", "school__uai", "priority", "pk")
    )


def collectivity_summary(collectivity: Collectivity, school_year: SchoolYear) -> dict[str, int]:
    """Counts for the collectivité's home page (one query each)."""
    waiting = EquipmentRequest.objects.filter(
        school__collectivity=collectivity, school_year=school_year, state=EquipmentRequest.State.SENT
    ).count()
    sheets = ProcedureSheet.objects.filter(action__collectivity=collectivity, action__school_year=school_year)
    counts = sheets.aggregate(total=Count("pk"), to_validate=Count("pk", filter=Q(validated=False)))
    return {"waiting_requests": waiting, "sheets": counts["total"], "sheets_to_validate": counts["to_validate"]}


def procedure_sheets_for_rows(school: School, school_year: SchoolYear, missions, authorized) -> dict[str, list]:
    """The sheets of the allocation table's rows "selon collectivité" that are authorized (no query when none is)."""
    if not {m.requires_action for m in missions if m.requires_action} & set(authorized):
        return {}
    return school_procedure_sheets(school, school_year)


def school_year_or_404(name: str) -> SchoolYear:
    """An existing school year, or the current or next one (created on first use)."""
    start_year = SchoolYear.parse_name(name)
    if start_year is None:
        raise Http404(_("Année scolaire inconnue."))
    current = SchoolYear.current()
    if start_year == current.start_year:
        return current
    if start_year == current.start_year + 1:
        return SchoolYear.next()
    year = SchoolYear.objects.filter(start_year=start_year).first()
    if year is None:
        raise Http404(_("Année scolaire inconnue."))
    return year
