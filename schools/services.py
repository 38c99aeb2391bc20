"""Changes to a school's staff: each service is one transaction and raises DomainError in French."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from rupn.errors import ConflictError, DomainError
from schools.models import Person, School
from schools.staff_import import StaffImportError, StaffRow, parse_staff_csv

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
    """Save a person's record; ConflictError when someone saved it since expected_version."""
    values = _clean(last_name=last_name, first_name=first_name, email=email, status=status)
    if _email_taken(person.school_id, values["email"], exclude_pk=person.pk):
        raise _duplicate_email_error()
    try:
        with transaction.atomic():
            updated = Person.objects.filter(pk=person.pk, version=expected_version).update(
                full_service_cpge=full_service_cpge,
                leaving=leaving,
                is_active=is_active,
                version=F("version") + 1,
                **values,
            )
    except IntegrityError as error:
        if _is_duplicate_email(error):
            raise _duplicate_email_error() from error
        raise
    if not updated:
        raise ConflictError(
            _(
                "Cette fiche a été modifiée par quelqu'un d'autre pendant que vous la modifiiez. "
                "Rien n'a été enregistré : vos saisies sont conservées ; vérifiez-les puis enregistrez à nouveau."
            )
        )
    person.refresh_from_db()
    return person


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
    """The existing person of each line (by line number); StaffImportError when a line without address is ambiguous."""
    by_email = {person.email.lower(): person for person in persons if person.email}
    by_name: dict[tuple[str, str], list[Person]] = {}
    for person in persons:
        if not person.email:
            by_name.setdefault((person.last_name.casefold(), person.first_name.casefold()), []).append(person)
    matches: dict[int, Person] = {}
    problems: list[str] = []
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
                _("Ligne %(line)d : %(text)s")
                % {
                    "line": row.line,
                    "text": _(
                        "plusieurs personnes de l'établissement s'appellent « %(name)s » sans adresse "
                        "électronique ; indiquez l'adresse électronique de cette personne dans le fichier."
                    )
                    % {"name": f"{row.first_name} {row.last_name}"},
                }
            )
    if problems:
        raise StaffImportError(problems)
    # A new address for someone recorded without one: the first line with that name takes the record.
    claimed = {person.pk for person in matches.values()}
    for row in rows:
        if row.email and row.line not in matches:
            namesakes = by_name.get((row.last_name.casefold(), row.first_name.casefold()), [])
            if len(namesakes) == 1 and namesakes[0].pk not in claimed:
                matches[row.line] = namesakes[0]
                claimed.add(namesakes[0].pk)
    return matches
