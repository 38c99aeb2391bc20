"""The projects part of `manage.py load_demo`: three projects of the demo school, the demo referent on two."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from recognition.models import Project
from schools.models import User


@pytest.mark.django_db
def test_demo_records_the_demo_schools_projects_once_and_the_referent_sees_them():
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())

    assert Project.objects.count() == 3
    referent = User.objects.get(email="referent@demo.rupn.fr")
    assert Project.objects.filter(referents__user=referent).count() == 2
    assert Project.objects.filter(featured=True).count() == 1
    client = Client()
    client.force_login(referent)
    html = client.get("/mon-parcours/").content.decode()
    assert "Blog du CDI" in html and "Référent numérique (RUPN) au collège" in html
