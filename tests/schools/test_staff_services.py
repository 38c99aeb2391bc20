"""person_create and person_update: keyword-only, one transaction, French domain errors."""

from unittest import mock

import pytest

from rupn.lib.errors import ConflictError, DomainError
from schools.models import Person
from schools.services import person_create, person_update
from tests.factories import PersonFactory

DUPLICATE = "Une personne de l'établissement a déjà cette adresse électronique."


def create(school, by, **overrides) -> Person:
    values = {
        "last_name": "Martin",
        "first_name": "Claude",
        "email": "claude.martin@ac-dijon.fr",
        "status": Person.Status.TEACHER,
        "full_service_cpge": False,
        "leaving": False,
    }
    return person_create(school=school, by=by, **(values | overrides))


def update(person, by, **overrides) -> Person:
    values = {
        "expected_version": person.version,
        "last_name": person.last_name,
        "first_name": person.first_name,
        "email": person.email,
        "status": person.status,
        "full_service_cpge": person.full_service_cpge,
        "leaving": person.leaving,
        "is_active": person.is_active,
    }
    return person_update(person=person, by=by, **(values | overrides))


def test_person_create_saves_the_person_with_a_lowercased_email(cast):
    person = create(cast.school_a, cast.principal_a, email="  Claude.MARTIN@ac-dijon.fr ", last_name=" Martin ")

    person.refresh_from_db()
    assert (person.school, person.last_name, person.email, person.version, person.is_active) == (
        cast.school_a,
        "Martin",
        "claude.martin@ac-dijon.fr",
        1,
        True,
    )


def test_person_create_with_an_email_already_in_the_school_is_refused_whatever_its_case(cast):
    count = Person.objects.count()

    with pytest.raises(DomainError) as caught:
        create(cast.school_a, cast.principal_a, email=cast.referent_a.email.upper())

    assert caught.value.message == DUPLICATE
    assert Person.objects.count() == count


def test_person_create_turns_the_database_constraint_into_the_same_error(cast):
    """A concurrent insert that passes the check is still refused, by the unique constraint."""
    count = Person.objects.count()

    with mock.patch("schools.services._email_taken", return_value=False), pytest.raises(DomainError) as caught:
        create(cast.school_a, cast.principal_a, email=cast.referent_a.email)

    assert caught.value.message == DUPLICATE
    assert Person.objects.count() == count


def test_person_create_with_the_email_of_another_schools_person_is_accepted(cast):
    person = create(cast.school_b, cast.principal_b, email=cast.referent_a.email)

    assert person.school == cast.school_b


def test_person_create_without_email_twice_is_accepted(cast):
    create(cast.school_a, cast.principal_a, email="")
    create(cast.school_a, cast.principal_a, email="", first_name="Claudine")

    assert Person.objects.filter(school=cast.school_a, email="").count() == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"last_name": "  "}, "Le nom et le prénom sont obligatoires."),
        ({"email": "claude@"}, "L'adresse électronique n'est pas valide."),
        ({"status": "prof"}, "Ce statut n'existe pas."),
        ({"first_name": "C" * 101}, "Le champ « prénom » dépasse 100 caractères."),
    ],
)
def test_person_create_with_unusable_values_is_refused(cast, overrides, message):
    with pytest.raises(DomainError) as caught:
        create(cast.school_a, cast.principal_a, **overrides)

    assert caught.value.message == message


def test_person_update_saves_and_increments_the_version(cast):
    person = PersonFactory(school=cast.school_a, email="claude.martin@ac-dijon.fr")

    saved = update(person, cast.principal_a, email="C.Martin@AC-DIJON.fr", status=Person.Status.CPE, is_active=False)

    assert (saved.email, saved.status, saved.is_active, saved.version) == ("c.martin@ac-dijon.fr", "cpe", False, 2)
    assert Person.objects.get(pk=person.pk).version == 2


def test_person_update_keeping_its_own_email_is_accepted(cast):
    saved = update(cast.referent_person, cast.principal_a, leaving=True)

    assert saved.leaving


def test_person_update_conflict_raises_conflict_error_and_leaves_the_row_unchanged(cast):
    person = PersonFactory(school=cast.school_a, last_name="Martin", email="claude.martin@ac-dijon.fr")
    stale_version = person.version
    update(Person.objects.get(pk=person.pk), cast.referent_a, leaving=True)
    saved = Person.objects.values().get(pk=person.pk)

    with pytest.raises(ConflictError) as caught:
        update(person, cast.principal_a, expected_version=stale_version, last_name="Durand")

    assert caught.value.message == (  # the one conflict message (rupn.lib.concurrency); a person keeps no author
        "Enregistré par quelqu'un d'autre pendant que vous faisiez vos modifications. Rien n'a été enregistré : "
        "vos saisies sont conservées ci-dessous ; vérifiez-les au regard de la version actuelle, puis enregistrez "
        "à nouveau."
    )
    assert Person.objects.values().get(pk=person.pk) == saved


def test_person_update_to_an_email_of_the_same_school_is_refused(cast):
    person = PersonFactory(school=cast.school_a, email="claude.martin@ac-dijon.fr")

    with pytest.raises(DomainError) as caught:
        update(person, cast.principal_a, email=cast.referent_a.email)

    assert caught.value.message == DUPLICATE
    assert Person.objects.get(pk=person.pk).email == "claude.martin@ac-dijon.fr"


def test_person_update_turns_the_database_constraint_into_the_same_error(cast):
    person = PersonFactory(school=cast.school_a, email="claude.martin@ac-dijon.fr")

    with mock.patch("schools.services._email_taken", return_value=False), pytest.raises(DomainError) as caught:
        update(person, cast.principal_a, email=cast.referent_a.email)

    assert caught.value.message == DUPLICATE
    assert Person.objects.get(pk=person.pk).version == 1


def test_services_take_keyword_arguments_only(cast):
    with pytest.raises(TypeError):
        person_create(cast.school_a, "Martin", "Claude", "", "enseignant", False, False, None)  # type: ignore[misc]


def test_marking_a_person_no_longer_in_post_keeps_the_day_they_left_until_they_are_back(cast, monkeypatch):
    import datetime

    from django.utils import timezone

    person = PersonFactory(school=cast.school_a)
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2027, 7, 8))
    left = update(person, cast.principal_a, is_active=False)
    assert left.left_on == datetime.date(2027, 7, 8)

    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2027, 9, 1))
    still_out = update(left, cast.principal_a, last_name="Martin-Durand")
    assert still_out.left_on == datetime.date(2027, 7, 8)  # editing the record later keeps the departure day

    back = update(still_out, cast.principal_a, is_active=True)
    assert back.left_on is None
