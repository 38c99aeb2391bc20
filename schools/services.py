"""Changes in the schools app (staff, directory import, collectivités' authorizations and procedure sheets, means,
equipment requests): each service is one transaction and raises DomainError in French."""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from rupn.lib.audit import as_user
from rupn.lib.concurrency import VersionConflict, versioned_update
from rupn.lib.csvfiles import CsvFileError
from rupn.lib.errors import ConflictError, DomainError
from schools import regions
from schools.directory_import import DirectoryImportError, DirectoryRow, ParsedDirectory, parse_directory
from schools.models import (
    Academie,
    AuthorizedAction,
    Collectivity,
    Departement,
    EquipmentRequest,
    Person,
    ProcedureSheet,
    Role,
    School,
    SchoolMeans,
    SchoolYear,
    User,
)
from schools.staff_import import StaffRow, parse_staff_csv
from schools.sts_import import StsImportError, StsPerson, StsPlan, new_person_values, plan_sts_import

UNIQUE_EMAIL_CONSTRAINT = "person_unique_email_per_school"
IMPORTED_FIELDS = {
    "last_name": None,
    "first_name": None,
    "email": "email",
    "status": "statut",
    "full_service_cpge": "cpge",
    "leaving": "depart",
}  # model field -> the optional CSV column it comes from (None: required column)


@dataclass(frozen=True)
class ImportResult:
    """How many lines of an imported file created, changed or left unchanged a person."""

    created: int
    updated: int
    unchanged: int


def _duplicate_email_error() -> DomainError:
    return DomainError(_("Une personne de l'établissement a déjà cette adresse électronique."))


def _clean(*, last_name: str, first_name: str, email: str, status: str) -> dict[str, str]:
    """The person's text fields stripped, the e-mail in lower case; DomainError when one is unusable."""
    values = {
        "last_name": " ".join(last_name.split()),
        "first_name": " ".join(first_name.split()),
        "email": email.strip().lower(),
        "status": status,
    }
    if not values["last_name"] or not values["first_name"]:
        raise DomainError(_("Le nom et le prénom sont obligatoires."))
    for name in ("last_name", "first_name", "email"):
        field = Person._meta.get_field(name)
        if len(values[name]) > field.max_length:
            raise DomainError(
                _("Le champ « %(field)s » dépasse %(max)d caractères.")
                % {"field": field.verbose_name, "max": field.max_length}
            )
    if values["email"]:
        try:
            EmailValidator()(values["email"])
        except ValidationError as error:
            raise DomainError(_("L'adresse électronique n'est pas valide.")) from error
    if status not in Person.Status.values:
        raise DomainError(_("Ce statut n'existe pas."))
    return values


def _email_taken(school_id: int, email: str, *, exclude_pk: int | None = None) -> bool:
    if not email:
        return False
    others = Person.objects.filter(school_id=school_id, email__iexact=email)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def _is_duplicate_email(error: IntegrityError) -> bool:
    return UNIQUE_EMAIL_CONSTRAINT in str(error)


@transaction.atomic
def person_create(
    *,
    school: School,
    last_name: str,
    first_name: str,
    email: str,
    status: str,
    full_service_cpge: bool,
    leaving: bool,
    by,
) -> Person:
    """Add a person to the school's staff; refused when someone of the school has the same e-mail address."""
    values = _clean(last_name=last_name, first_name=first_name, email=email, status=status)
    if _email_taken(school.pk, values["email"]):
        raise _duplicate_email_error()
    try:
        with transaction.atomic():
            return Person.objects.create(school=school, full_service_cpge=full_service_cpge, leaving=leaving, **values)
    except IntegrityError as error:  # a concurrent insert won the race past the check above
        if _is_duplicate_email(error):
            raise _duplicate_email_error() from error
        raise


def _left_on(person: Person, is_active: bool):
    """The day the person stopped being in post: today when the principal unticks "en poste", kept while they stay
    out of post, cleared when they are back."""
    if is_active:
        return None
    return person.left_on if not person.is_active and person.left_on else timezone.localdate()


@transaction.atomic
def person_update(
    *,
    person: Person,
    expected_version: int,
    last_name: str,
    first_name: str,
    email: str,
    status: str,
    full_service_cpge: bool,
    leaving: bool,
    is_active: bool,
    by,
) -> Person:
    """Save a person's record; VersionConflict when someone saved it since expected_version (the page merges)."""
    values = _clean(last_name=last_name, first_name=first_name, email=email, status=status)
    if _email_taken(person.school_id, values["email"], exclude_pk=person.pk):
        raise _duplicate_email_error()
    try:
        with transaction.atomic():
            versioned_update(
                Person.objects,
                pk=person.pk,
                version=expected_version,
                conflict=lambda: VersionConflict(version=Person.objects.get(pk=person.pk).version),
                full_service_cpge=full_service_cpge,
                leaving=leaving,
                is_active=is_active,
                left_on=_left_on(person, is_active),
                **values,
            )
    except IntegrityError as error:
        if _is_duplicate_email(error):
            raise _duplicate_email_error() from error
        raise
    person.refresh_from_db()
    if not person.is_active:
        teacher_roles_revoke(persons=[person])
    return person


def teacher_roles_revoke(*, persons: Iterable[Person]) -> int:
    """Take the teacher role away from people no longer in post (unticked "en poste"): they lose access to the
    school. Their other roles (referent, principal) are the DANE's and the principal's to change."""
    removed = 0
    for person in persons:
        if person.user_id is not None:
            removed += Role.objects.filter(
                kind=Role.Kind.TEACHER, school_id=person.school_id, user_id=person.user_id
            ).delete()[0]
    return removed


@transaction.atomic
def teacher_roles_grant_by_email(*, user: User) -> int:
    """The teacher role in every school where this account's address is a member of the staff still in post, not
    yet linked to another account, and where the account holds no role yet (single sign-on, portal.oidc)."""
    held = set(Role.objects.filter(user=user, school__isnull=False).values_list("school_id", flat=True))
    granted = 0
    persons = Person.objects.select_for_update().filter(email__iexact=user.email, is_active=True).order_by("pk")
    for person in persons:
        if person.user_id not in (None, user.pk) or person.school_id in held:
            continue
        if person.user_id is None:
            person.user = user
            person.save(update_fields=["user"])
        Role.objects.create(user=user, kind=Role.Kind.TEACHER, school_id=person.school_id)
        held.add(person.school_id)
        granted += 1
    return granted


def staff_member_in_post(email: str) -> bool:
    """Whether this address is a member of some school's staff still in post (single sign-on may then open an
    account for them)."""
    return bool(email) and Person.objects.filter(email__iexact=email, is_active=True).exists()


def staff_import(*, school: School, data: bytes, by) -> ImportResult:
    """Create or update the school's staff from a CSV file (schools.staff_import); all or nothing, never deletes.

    `by` (the user importing) is not recorded yet: Person has no audit fields.
    """
    rows = parse_staff_csv(data)
    with transaction.atomic():
        # One import at a time per school, and no one editing these people until it is done.
        School.objects.select_for_update().only("pk").get(pk=school.pk)
        persons = list(Person.objects.select_for_update().filter(school=school).order_by("pk"))
        matches = _match(rows, persons)
        created: list[Person] = []
        changed: list[Person] = []
        for row in rows:
            person = matches.get(row.line)
            if person is None:
                created.append(Person(school=school, **_row_values(row, only_given=False)))
                continue
            values = _row_values(row, only_given=True)
            if all(getattr(person, name) == value for name, value in values.items()):
                continue
            for name, value in values.items():
                setattr(person, name, value)
            person.version = F("version") + 1
            changed.append(person)
        try:
            with transaction.atomic():
                Person.objects.bulk_create(created, batch_size=500)
                Person.objects.bulk_update(changed, [*IMPORTED_FIELDS, "version"], batch_size=500)
        except IntegrityError as error:  # a person added meanwhile outside this import
            if _is_duplicate_email(error):
                raise _duplicate_email_error() from error
            raise
    return ImportResult(created=len(created), updated=len(changed), unchanged=len(rows) - len(created) - len(changed))


def _row_values(row: StaffRow, *, only_given: bool) -> dict:
    """The model values of a row; with only_given, leave out the fields whose column the file lacks."""
    return {
        name: getattr(row, name)
        for name, column in IMPORTED_FIELDS.items()
        if not only_given or column is None or column in row.columns
    }


def _match(rows: list[StaffRow], persons: list[Person]) -> dict[int, Person]:
    """The existing person of each line (by line number); CsvFileError when a line without address is ambiguous."""
    by_email = {person.email.lower(): person for person in persons if person.email}
    by_name: dict[tuple[str, str], list[Person]] = {}
    for person in persons:
        if not person.email:
            by_name.setdefault((person.last_name.casefold(), person.first_name.casefold()), []).append(person)
    matches: dict[int, Person] = {}
    problems: list[tuple[int, str]] = []
    for row in rows:  # Lines without address: the file has at most one line per name (staff_import checks it).
        if row.email:
            if row.email in by_email:
                matches[row.line] = by_email[row.email]
            continue
        namesakes = by_name.get((row.last_name.casefold(), row.first_name.casefold()), [])
        if len(namesakes) == 1:
            matches[row.line] = namesakes[0]
        elif namesakes:
            problems.append(
                (
                    row.line,
                    _(
                        "plusieurs personnes de l'établissement s'appellent « %(name)s » sans adresse "
                        "électronique ; indiquez l'adresse électronique de cette personne dans le fichier."
                    )
                    % {"name": f"{row.first_name} {row.last_name}"},
                )
            )
    if problems:
        raise CsvFileError(problems)
    # A new address for someone recorded without one: the first line with that name takes the record.
    claimed = {person.pk for person in matches.values()}
    for row in rows:
        if row.email and row.line not in matches:
            namesakes = by_name.get((row.last_name.casefold(), row.first_name.casefold()), [])
            if len(namesakes) == 1 and namesakes[0].pk not in claimed:
                matches[row.line] = namesakes[0]
                claimed.add(namesakes[0].pk)
    return matches


# --- the STS-web staff export (schools.sts_import) ------------------------------------------------------------


def sts_file_check(*, school: School, uai: str, year: int) -> SchoolYear:
    """The school year of a file for this school, or StsImportError saying why the file is not this school's."""
    if uai != school.uai:
        raise StsImportError(
            _(
                "Ce fichier est l'export STS-web de l'établissement %(file_uai)s, pas celui de %(school)s "
                "(%(uai)s) : rien n'a été importé."
            )
            % {"file_uai": uai, "school": school.name, "uai": school.uai}
        )
    current = SchoolYear.current()
    school_year = SchoolYear.objects.filter(start_year=year).first()
    known = school_year is not None and (
        school_year.start_year in (current.start_year, current.start_year + 1)
        or school.plans.filter(school_year=school_year).exists()
    )
    if not known:
        raise StsImportError(
            _(
                "Ce fichier est celui de l'année scolaire %(year)s-%(next)d, que l'établissement n'a pas "
                "(années possibles : l'année en cours %(current)s, la suivante, ou une année qui a un tableau de "
                "répartition) : rien n'a été importé."
            )
            % {"year": year, "next": year + 1, "current": current.name}
        )
    return school_year


def staff_sts_preview(*, school: School, people: list[StsPerson]) -> StsPlan:
    """What importing these people of an STS-web export would do to the school's staff (writes nothing)."""
    persons = list(Person.objects.filter(school=school).order_by("last_name", "first_name", "pk"))
    return plan_sts_import(people, persons)


def staff_sts_import(*, school: School, people: list[StsPerson], absent_ids: Iterable[int], by) -> StsPlan:
    """Create and update the school's staff from an STS-web export, in one transaction; mark as no longer in post
    those of `absent_ids` (confirmed by the principal) who are still absent from the file. Never deletes anyone.

    `by` (the user importing) is not recorded yet: Person has no audit fields.
    """
    with transaction.atomic():
        School.objects.select_for_update().only("pk").get(pk=school.pk)
        persons = list(
            Person.objects.select_for_update().filter(school=school).order_by("last_name", "first_name", "pk")
        )
        plan = plan_sts_import(people, persons)
        today = timezone.localdate()
        changed: list[Person] = []
        for change in plan.updated:
            person = change.person
            for name, (_before, after) in change.changes.items():
                setattr(person, name, after)
            if "is_active" in change.changes:
                person.left_on = None
            changed.append(person)
        confirmed = set(absent_ids)
        left = [person for person in plan.absent if person.pk in confirmed]
        for person in left:
            person.is_active, person.left_on = False, today
            changed.append(person)
        for person in changed:
            person.version = F("version") + 1
        Person.objects.bulk_create(
            [Person(school=school, **new_person_values(change.row)) for change in plan.created], batch_size=500
        )
        fields = ["last_name", "first_name", "sts_id", "status", "discipline", "is_active", "left_on", "version"]
        Person.objects.bulk_update(changed, fields, batch_size=500)
        plan.absent = [person for person in plan.absent if person.pk not in confirmed]
        plan.left = left
        teacher_roles_revoke(persons=left)
    return plan


# --- the school directory import --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryImportResult:
    """What an import of the directory did, line by line and for the schools missing from the file."""

    format: str
    created: int
    updated: int
    unchanged: int
    skipped: int
    skipped_reasons: dict[str, int]
    closed: int  # schools of the académie missing from a full académie import, now inactive
    collectivities_created: int
    departements_created: int
    moved: tuple[tuple[str, str, str], ...] = ()  # (UAI, old académie code, new one): schools moved by staff


def school_directory_import(
    *,
    stream: Iterable[bytes],
    academie_code: str | None = None,
    full_academie: bool = False,
    with_private: bool = False,
    move_between_academies: bool = False,
    by=None,
) -> DirectoryImportResult:
    """Create or update schools by UAI from a directory export (schools.directory_import); all or nothing.

    A line whose UAI is a school of another académie than the one it declares is skipped and counted
    ("academie_in_rupn"), the school unchanged; only move_between_academies (staff's import_schools command) moves
    it, and the result lists it. Schools are never deleted. With full_academie (needs academie_code), the académie's open schools whose UAI
    the file does not list, among the kinds of school it holds, are marked inactive. A school whose
    collectivity_override is set keeps its collectivité. `by` is not recorded: schools have no audit fields.
    """
    academie_names = dict(regions.ACADEMIES)
    academie_names.update(Academie.objects.values_list("code", "name").order_by("code"))
    if academie_code is not None:
        academie_code = regions.normalize_academie(academie_code)
        if academie_code not in academie_names:
            raise DirectoryImportError(_("Code académie « %(code)s » inconnu.") % {"code": academie_code})
    if full_academie and academie_code is None:
        raise DomainError(_("Un import complet se fait pour une académie : indiquez son code."))
    departement_academies = {code: d.academie for code, d in regions.DEPARTEMENTS.items()}
    departement_academies.update(
        Departement.objects.values_list("code", "academie__code").order_by("code")  # the database wins
    )
    parsed = parse_directory(
        stream,
        academies=academie_names,
        departements=departement_academies,
        academie=academie_code,
        with_private=with_private,
    )
    try:
        with transaction.atomic():
            return _write_directory(
                parsed,
                academie_code=academie_code,
                full_academie=full_academie,
                move_between_academies=move_between_academies,
            )
    except IntegrityError as error:  # another import created the same school or reference row meanwhile
        raise ConflictError(
            _("Un autre import des établissements a eu lieu en même temps : rien n'a été importé ; réessayez.")
        ) from error


def _write_directory(
    parsed: ParsedDirectory, *, academie_code: str | None, full_academie: bool, move_between_academies: bool
) -> DirectoryImportResult:
    existing: dict[str, School] = {}
    uais = [row.uai for row in parsed.rows]
    for start in range(0, len(uais), 900):
        schools = School.objects.filter(uai__in=uais[start : start + 900]).annotate(
            academie_code=F("departement__academie__code")
        )
        for school in schools.order_by("pk"):
            existing[school.uai] = school
    rows, moved = _rows_within_academies(parsed, existing, move_between_academies=move_between_academies)
    academies = _ensure_academies({row.academie for row in rows} | ({academie_code} if academie_code else set()))
    # One import at a time per académie: the others wait here until this one commits.
    list(Academie.objects.select_for_update().filter(pk__in=[a.pk for a in academies.values()]).order_by("pk"))
    departements, departements_created = _ensure_departements({row.departement for row in rows}, academies)
    councils = {row.uai: _council(row) for row in rows}
    collectivities, collectivities_created = _ensure_collectivities(councils.values())

    created: list[School] = []
    changed: dict[tuple[str, ...], list[School]] = {}  # by the fields that changed: smaller UPDATEs
    for row in rows:
        values = {
            "name": row.name,
            "kind": row.kind,
            "address": row.address,
            "postal_code": row.postal_code,
            "commune": row.commune,
            "departement_id": departements[row.departement].pk,
            "collectivity_id": collectivities[councils[row.uai].code].pk,
            "is_public": row.is_public,
            "is_active": row.is_active,
            "opened_on": row.opened_on,
        }
        if row.latitude is not None:  # a file without coordinates keeps the ones recorded
            values |= {"latitude": row.latitude, "longitude": row.longitude}
        school = existing.get(row.uai)
        if school is None:
            created.append(School(uai=row.uai, **values))
            continue
        if school.collectivity_override:
            values["collectivity_id"] = school.collectivity_id
        fields = tuple(name for name, value in values.items() if getattr(school, name) != value)
        if not fields:
            continue
        for name in fields:
            setattr(school, name, values[name])
        changed.setdefault(fields, []).append(school)

    closed: list[School] = []
    if full_academie:
        kinds = {row.kind for row in rows}
        closed = [
            school
            for school in School.objects.filter(
                departement__academie=academies[academie_code], is_active=True, kind__in=kinds
            ).order_by("pk")
            if school.uai not in parsed.listed_uais
        ]
        for school in closed:
            school.is_active = False
    School.objects.bulk_create(created, batch_size=1000)
    for fields, schools in changed.items():
        _update_schools(schools, fields)
    _update_schools(closed, ("is_active",))
    return DirectoryImportResult(
        format=parsed.format,
        created=len(created),
        updated=sum(len(schools) for schools in changed.values()),
        unchanged=len(rows) - len(created) - sum(len(schools) for schools in changed.values()),
        skipped=sum(parsed.skipped.values()),
        skipped_reasons=dict(parsed.skipped),
        closed=len(closed),
        collectivities_created=collectivities_created,
        departements_created=departements_created,
        moved=tuple(moved),
    )


def _rows_within_academies(
    parsed: ParsedDirectory, existing: dict[str, School], *, move_between_academies: bool
) -> tuple[list[DirectoryRow], list[tuple[str, str, str]]]:
    """The rows to write, and the schools they move to another académie (kept only for staff's command).

    Without move_between_academies a row whose school belongs to another académie in RUPN is skipped and counted
    ("academie_in_rupn"): a DANE never renames, moves or closes another académie's school.
    """
    rows: list[DirectoryRow] = []
    moved: list[tuple[str, str, str]] = []
    for row in parsed.rows:
        school = existing.get(row.uai)
        if school is not None and school.academie_code != row.academie:
            if not move_between_academies:
                parsed.skipped["academie_in_rupn"] += 1
                continue
            moved.append((row.uai, school.academie_code, row.academie))
        rows.append(row)
    return rows, moved


def _update_schools(schools: list[School], fields: tuple[str, ...]) -> None:
    """One UPDATE per school, sent with executemany (pipelined by psycopg 3).

    Django's bulk_update builds a CASE expression per row and field in Python: about 1 s per 100 schools when
    every field changes, too slow for a national re-import.
    """
    opts = School._meta
    quote = connection.ops.quote_name
    columns = [opts.get_field(name.removesuffix("_id")) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(opts.db_table)} SET {assignments} WHERE {quote(opts.pk.column)} = %s"
    params = [
        [field.get_db_prep_save(getattr(school, field.attname), connection) for field in columns] + [school.pk]
        for school in schools
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _council(row: DirectoryRow) -> regions.Council:
    """The collectivité that owns the school: the département's for a collège, the région's otherwise."""
    if row.kind == School.Kind.COLLEGE:
        if row.departement in regions.DEPARTEMENTS:
            return regions.departement_council(row.departement)
        return regions.Council(
            f"CD{row.departement}", _("Conseil départemental %(code)s") % {"code": row.departement}, "departement"
        )
    if row.departement in regions.DEPARTEMENTS:
        return regions.region_council(row.departement)
    return regions.Council(
        f"CR{row.academie}", _("Conseil régional (académie %(code)s)") % {"code": row.academie}, "region"
    )


def _ensure_academies(codes: set[str]) -> dict[str, Academie]:
    found = {a.code: a for a in Academie.objects.filter(code__in=codes).order_by("code")}
    missing = [Academie(code=code, name=regions.ACADEMIES[code]) for code in sorted(codes - set(found))]
    Academie.objects.bulk_create(missing)
    if missing:
        found = {a.code: a for a in Academie.objects.filter(code__in=codes).order_by("code")}
    return found


def _ensure_departements(codes: set[str], academies: dict[str, Academie]) -> tuple[dict[str, Departement], int]:
    found = {d.code: d for d in Departement.objects.filter(code__in=codes).order_by("code")}
    missing = [
        Departement(
            code=code,
            name=regions.DEPARTEMENTS[code].name,
            academie=academies[regions.DEPARTEMENTS[code].academie],
        )
        for code in sorted(codes - set(found))
    ]
    Departement.objects.bulk_create(missing)
    if missing:
        found = {d.code: d for d in Departement.objects.filter(code__in=codes).order_by("code")}
    return found, len(missing)


def _ensure_collectivities(councils) -> tuple[dict[str, Collectivity], int]:
    wanted = {council.code: council for council in councils}
    found = {c.code: c for c in Collectivity.objects.filter(code__in=wanted).order_by("code")}
    missing = [
        Collectivity(code=code, name=council.name, kind=council.kind)
        for code, council in sorted(wanted.items())
        if code not in found
    ]
    Collectivity.objects.bulk_create(missing)
    if missing:
        found = {c.code: c for c in Collectivity.objects.filter(code__in=wanted).order_by("code")}
    return found, len(missing)


# --- the collectivité's side: authorized actions and procedure sheets -------------------------------------------

MAX_SHEET_BYTES = 5 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


@transaction.atomic
def authorized_action_add(
    *,
    collectivity: Collectivity,
    school_year: SchoolYear,
    action: str,
    other_label: str = "",
    school: School | None = None,
    convention_reference: str = "",
    convention_date=None,
    by,
) -> AuthorizedAction:
    """Publish an action the collectivité authorizes for the year, for all its schools or for one."""
    other_label = " ".join(other_label.split())
    if action not in dict(AuthorizedAction.ACTION_CHOICES):
        raise DomainError(_("Cette action n'existe pas."))
    if action == AuthorizedAction.OTHER and not other_label:
        raise DomainError(_("Donnez l'intitulé de l'action autorisée."))
    if action != AuthorizedAction.OTHER:
        other_label = ""
    if school is not None and school.collectivity_id != collectivity.pk:
        raise DomainError(_("Cet établissement n'est pas rattaché à votre collectivité."))
    same = AuthorizedAction.objects.filter(
        collectivity=collectivity, school_year=school_year, action=action, other_label=other_label, school=school
    )
    duplicate = DomainError(_("Cette action est déjà autorisée pour cette année et ce périmètre."))
    if same.exists():
        raise duplicate
    try:
        with transaction.atomic():
            authorized = AuthorizedAction(
                collectivity=collectivity,
                school_year=school_year,
                action=action,
                other_label=other_label,
                school=school,
                convention_reference=convention_reference.strip(),
                convention_date=convention_date,
                created_by=by,
            )
            as_user(authorized, by).save(force_insert=True)
            return authorized
    except IntegrityError as error:  # the same action published at the same moment
        raise duplicate from error


def _delete_files_on_commit(names: list[str]) -> None:
    storage = ProcedureSheet._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


@transaction.atomic
def authorized_action_delete(*, action: AuthorizedAction, by) -> None:
    """Withdraw an authorization, with its procedure sheets (their files are removed once committed)."""
    names = list(action.sheets.order_by("pk").values_list("file", flat=True))
    as_user(action, by).delete()
    _delete_files_on_commit(names)


def procedure_sheet_upload(*, action: AuthorizedAction, title: str, upload, by) -> ProcedureSheet:
    """Store a PDF procedure for an authorized action: the name ends in .pdf, the content starts as a PDF does,
    and it weighs at most 5 Mo; otherwise DomainError and nothing is stored."""
    title = " ".join(title.split())
    if not title:
        raise DomainError(_("Donnez un titre à la fiche."))
    original = Path(upload.name or "").name
    if not original.lower().endswith(".pdf"):
        raise DomainError(_("Seuls les fichiers PDF (.pdf) sont acceptés."))
    if upload.size > MAX_SHEET_BYTES:
        raise DomainError(
            _("Le fichier pèse %(size)s : la taille maximale est de 5 Mo.") % {"size": filesizeformat(upload.size)}
        )
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC:
        raise DomainError(
            _("Ce fichier n'est pas un PDF, malgré son nom : exportez la fiche au format PDF puis déposez-la.")
        )
    with transaction.atomic():
        sheet = ProcedureSheet(
            action=action, title=title, original_name=original[:200], size=upload.size, uploaded_by=by
        )
        sheet.file.save(original, upload, save=False)
        try:
            sheet.save()
        except Exception:
            sheet.file.storage.delete(sheet.file.name)
            raise
    return sheet


@transaction.atomic
def procedure_sheet_validate(*, sheet: ProcedureSheet, by) -> ProcedureSheet:
    """Mark the sheet as validated by the collectivité (who and when are kept); validating twice changes nothing."""
    ProcedureSheet.objects.filter(pk=sheet.pk, validated=False).update(
        validated=True, validated_at=timezone.now(), validated_by=by
    )
    sheet.refresh_from_db()
    return sheet


@transaction.atomic
def procedure_sheet_delete(*, sheet: ProcedureSheet, by) -> None:
    name = sheet.file.name
    sheet.delete()
    _delete_files_on_commit([name])


# --- the means given to the referents --------------------------------------------------------------------------


def _means_conflict(means: SchoolMeans) -> VersionConflict:
    current = SchoolMeans.objects.select_related("updated_by").get(pk=means.pk)
    who = current.updated_by.get_full_name() if current.updated_by else None
    return VersionConflict(who=who, when=current.updated_at, version=current.version)


@transaction.atomic
def means_save(
    *,
    school: School,
    school_year: SchoolYear,
    expected_version: int,
    phone: bool,
    notice_board: bool,
    intervention_book: bool,
    ticket_server: bool,
    ticket_server_url: str,
    office: bool,
    details: str,
    by,
) -> SchoolMeans:
    """Record the means given to the referents for the year; VersionConflict when someone saved them meanwhile."""
    ticket_server_url = ticket_server_url.strip()
    if ticket_server_url and not ticket_server:
        raise DomainError(_("Cochez « serveur de tickets » pour en donner l'adresse, ou videz l'adresse."))
    if ticket_server_url:
        try:
            URLValidator(schemes=["http", "https"])(ticket_server_url)
        except ValidationError as error:
            raise DomainError(_("L'adresse du serveur de tickets doit commencer par https:// ou http://.")) from error
    means, _created = SchoolMeans.objects.get_or_create(school=school, school_year=school_year)
    versioned_update(
        SchoolMeans.objects,
        pk=means.pk,
        version=expected_version,
        conflict=lambda: _means_conflict(means),
        phone=phone,
        notice_board=notice_board,
        intervention_book=intervention_book,
        ticket_server=ticket_server,
        ticket_server_url=ticket_server_url,
        office=office,
        details=details.strip(),
        updated_by=by,
        updated_at=timezone.now(),
    )
    means.refresh_from_db()
    return means


# --- equipment requests -----------------------------------------------------------------------------------------

ANSWERS = {  # state -> the states it may be given from (EquipmentRequest.TRANSITIONS)
    EquipmentRequest.TRANSITIONS[action][1]: set(EquipmentRequest.TRANSITIONS[action][0])
    for action in EquipmentRequest.ANSWER_ACTIONS
}


def _lock_requests(school: School, school_year: SchoolYear) -> list[EquipmentRequest]:
    """The school's requests for the year, in priority order, locked (one change of the list at a time)."""
    School.objects.select_for_update().only("pk").get(pk=school.pk)
    return list(
        EquipmentRequest.objects.select_for_update()
        .filter(school=school, school_year=school_year)
        .order_by("priority", "pk")
    )


def _check_request_values(*, item: str, quantity: int, use: str, cost_estimate) -> dict:
    values = {"item": " ".join(item.split()), "use": " ".join(use.split())}
    if not values["item"] or not values["use"]:
        raise DomainError(_("Indiquez l'équipement demandé et son usage."))
    if quantity < 1:
        raise DomainError(_("La quantité est d'au moins 1."))
    if cost_estimate is not None and cost_estimate < 0:
        raise DomainError(_("L'estimation du coût ne peut pas être négative."))
    return {**values, "quantity": quantity, "cost_estimate": cost_estimate}


@transaction.atomic
def equipment_request_add(
    *, school: School, school_year: SchoolYear, item: str, quantity: int, use: str, cost_estimate, by
) -> EquipmentRequest:
    """Add a request at the end of the school's list for the year (lowest priority), in preparation."""
    values = _check_request_values(item=item, quantity=quantity, use=use, cost_estimate=cost_estimate)
    requests = _lock_requests(school, school_year)
    priority = max((r.priority for r in requests), default=0) + 1
    return EquipmentRequest.objects.create(
        school=school, school_year=school_year, priority=priority, created_by=by, **values
    )


def _only_draft(request: EquipmentRequest) -> None:
    if request.state not in EquipmentRequest.TRANSITIONS["edit"][0]:
        raise DomainError(_("Cette demande est déjà envoyée à la collectivité : elle ne peut plus être modifiée."))


@transaction.atomic
def equipment_request_update(
    *,
    request: EquipmentRequest,
    item: str,
    quantity: int,
    use: str,
    cost_estimate,
    by,
    expected_version: int | None = None,
) -> EquipmentRequest:
    """Change a request still in preparation; VersionConflict if someone saved it since expected_version (the
    page merges; None: no check)."""
    values = _check_request_values(item=item, quantity=quantity, use=use, cost_estimate=cost_estimate)
    _lock_requests(request.school, request.school_year)
    request.refresh_from_db()
    _only_draft(request)
    versioned_update(
        EquipmentRequest.objects,
        pk=request.pk,
        version=request.version if expected_version is None else expected_version,
        conflict=lambda: equipment_request_conflict(request),
        updated_at=timezone.now(),
        updated_by=by,
        **values,
    )
    request.refresh_from_db()
    return request


def equipment_request_conflict(request: EquipmentRequest) -> VersionConflict:
    current = EquipmentRequest.objects.select_related("updated_by").get(pk=request.pk)
    who = current.updated_by.get_full_name() if current.updated_by else None
    return VersionConflict(who=who, when=current.updated_at, version=current.version)


@transaction.atomic
def equipment_request_delete(*, request: EquipmentRequest, by) -> None:
    """Remove a request still in preparation; the others keep their order."""
    _lock_requests(request.school, request.school_year)
    request.refresh_from_db()
    _only_draft(request)
    request.delete()


@transaction.atomic
def equipment_request_move(*, request: EquipmentRequest, up: bool, by) -> None:
    """Swap a request with the one above (up) or below it; the list is renumbered 1, 2, 3…"""
    requests = _lock_requests(request.school, request.school_year)
    index = next((i for i, r in enumerate(requests) if r.pk == request.pk), None)
    if index is None:
        raise DomainError(_("Cette demande n'existe plus."))
    if requests[index].is_answered:
        raise DomainError(_("La collectivité a déjà répondu à cette demande : elle ne change plus de rang."))
    other = index - 1 if up else index + 1
    if 0 <= other < len(requests):
        requests[index], requests[other] = requests[other], requests[index]
    changed = []
    for position, item in enumerate(requests, start=1):
        if item.priority != position:
            item.priority = position
            changed.append(item)
    EquipmentRequest.objects.bulk_update(changed, ["priority"])


@transaction.atomic
def equipment_requests_send(*, school: School, school_year: SchoolYear, by) -> int:
    """Send the requests in preparation to the collectivité; returns how many were sent."""
    requests = _lock_requests(school, school_year)
    drafts = [r.pk for r in requests if r.state == EquipmentRequest.State.DRAFT]
    if not drafts:
        raise DomainError(_("Aucune demande en préparation à envoyer."))
    return EquipmentRequest.objects.filter(pk__in=drafts).update(
        state=EquipmentRequest.State.SENT, sent_at=timezone.now(), sent_by=by
    )


@transaction.atomic
def equipment_request_answer(*, request: EquipmentRequest, state: str, comment: str, by) -> EquipmentRequest:
    """The collectivité's answer to a sent request: accepted, refused (with a reason) or delivered."""
    comment = " ".join(comment.split())
    if state not in ANSWERS:
        raise DomainError(_("Réponse inconnue."))
    if state == EquipmentRequest.State.REFUSED and not comment:
        raise DomainError(_("Donnez le motif du refus : l'établissement le lira."))
    updated = EquipmentRequest.objects.filter(pk=request.pk, state__in=ANSWERS[state]).update(
        state=state, answer_comment=comment, answered_at=timezone.now(), answered_by=by
    )
    if not updated:
        request.refresh_from_db()
        raise ConflictError(
            _("Cette demande est « %(state)s » : cette réponse n'est plus possible.")
            % {"state": request.get_state_display()}
        )
    request.refresh_from_db()
    return request
