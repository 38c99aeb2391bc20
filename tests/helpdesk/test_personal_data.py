"""Requests are the school's data: exported in /mes-donnees/ for their author, anonymized with the staff records."""

import datetime
import json

from helpdesk.models import HelpRequestEvent
from helpdesk.services import help_request_act
from portal.personal_data import persons_anonymize
from schools.models import Person
from tests.factories import HelpRequestFactory


def test_the_author_finds_their_requests_and_their_history_in_mes_donnees(client_for, submitted):
    request = HelpRequestFactory(school=submitted.school_a, author=submitted.teacher_a_person, subject="Mon ENT")
    HelpRequestFactory(school=submitted.school_a, author=submitted.teacher_a2_person, subject="Celle de Paul")
    help_request_act(request=request, action="ask", expected_version=1, by=submitted.referent_a, note="Quand ?")
    data = json.loads(client_for(submitted.teacher_a).get("/mes-donnees/").content)
    [mine] = data["demandes_d_intervention"]
    assert mine["demande"] == "Mon ENT"
    assert mine["historique"][0]["message"] == "Quand ?"


def test_anonymizing_a_teacher_who_left_long_ago_blanks_their_name_in_the_books_history(submitted):
    request = HelpRequestFactory(school=submitted.school_a, author=submitted.teacher_a_person)
    help_request_act(request=request, action="take", expected_version=1, by=submitted.referent_a)
    help_request_act(request=request, action="ask", expected_version=2, by=submitted.referent_a, note="?")
    help_request_act(request=request, action="reply", expected_version=3, by=submitted.teacher_a, note="Oui")
    Person.objects.filter(pk=submitted.teacher_a_person.pk).update(is_active=False, left_on=datetime.date(2015, 1, 1))
    persons_anonymize(years=5)
    names = set(HelpRequestEvent.objects.values_list("by_name", flat=True))
    assert names == {"Romain Référent", "Anonyme"}
    assert Person.objects.get(pk=submitted.teacher_a_person.pk).last_name == "Anonyme"
