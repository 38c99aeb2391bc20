"""The help-request book: filing (with a checked screenshot), the referents told, each step a history line and an
e-mail to the author, a request passed on logged as "ticket transmis", two referents acting at once."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from activity.models import ActivityEntry
from helpdesk.models import HELP_TRANSITIONS, HelpRequest
from helpdesk.services import HelpRequestInput, help_request_act, help_request_file
from rupn.lib.concurrency import VersionConflict
from rupn.lib.errors import DomainError
from schools.access import school_perms
from tests.factories import HelpRequestFactory, tiny_jpeg, tiny_png
from tests.utils import extract_form_fields, flat


def file_page(school):
    return f"/etablissements/{school.uai}/demandes/nouvelle/"


def post_request(client, school, **changes):
    fields = flat(extract_form_fields(client.get(file_page(school)).content, "request-form"))
    fields.update({"subject": "Le vidéoprojecteur ne s'allume pas", "location": "Salle B12", **changes})
    return client.post(file_page(school), fields)


@pytest.mark.parametrize("image,name", [(tiny_png(), "capture.png"), (tiny_jpeg(), "photo.jpg")])
def test_a_teacher_files_a_request_with_a_screenshot_and_the_row_holders_are_told(
    client_for, submitted, django_capture_on_commit_callbacks, image, name
):
    client = client_for(submitted.teacher_a)
    ent = submitted.rows["tools.website"]
    with django_capture_on_commit_callbacks(execute=True):
        response = post_request(
            client, submitted.school_a, row=str(ent.pk), screenshot=SimpleUploadedFile(name, image, "image/png")
        )
    request = HelpRequest.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/demandes/{request.pk}/")
    assert (request.author, request.state, request.row, request.topic) == (
        submitted.teacher_a_person,
        "new",
        ent,
        "Animation du site web",
    )
    assert [m.to for m in mail.outbox] == [[submitted.web_user.email]]  # the website's referent, not the others
    assert f"/demandes/{request.pk}/" in mail.outbox[0].body
    shot = client.get(f"/etablissements/{submitted.school_a.uai}/demandes/{request.pk}/capture/")
    assert b"".join(shot.streaming_content) == image
    assert client_for(submitted.teacher_a2).get(shot.request["PATH_INFO"]).status_code == 404


def test_without_a_row_the_ticket_referents_are_told(submitted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        help_request_file(
            school=submitted.school_a,
            school_year=submitted.school_year,
            data=HelpRequestInput(kind="incident", subject="Plus de réseau"),
            by=submitted.teacher_a,
        )
    assert [m.to for m in mail.outbox] == [[submitted.referent_a.email]]


def test_before_the_plan_is_submitted_every_referent_of_the_school_is_told(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        help_request_file(
            school=team.school_a,
            school_year=team.school_year,
            data=HelpRequestInput(kind="accompagnement", subject="Comment faire un QCM ?"),
            by=team.teacher_a,
        )
    referents = [team.referent_a, team.referent_a2, team.web_user]  # the cast's two referents of school A, the web one
    assert sorted(m.to[0] for m in mail.outbox) == sorted(user.email for user in referents)


@pytest.mark.parametrize(
    "content", [b"GIF89a\x01\x00\x01\x00", tiny_png()[:-6], b"\xff\xd8\xff\xe0 pas un jpeg", b"%PDF-1.4"]
)
def test_a_file_that_is_not_a_whole_png_or_jpeg_is_refused_beside_the_field(client_for, submitted, content):
    response = post_request(
        client_for(submitted.teacher_a), submitted.school_a, screenshot=SimpleUploadedFile("x.png", content)
    )
    assert response.status_code == 400
    assert "La capture doit être une image PNG ou JPEG complète." in response.content.decode()
    assert not HelpRequest.objects.exists()


def act(client, request, action, **fields):
    page = f"/etablissements/{request.school.uai}/demandes/{request.pk}/"
    request.refresh_from_db()
    return client.post(page, {"action": action, "version": request.version, **fields})


def test_the_referent_takes_asks_passes_on_and_closes_and_the_author_is_told_each_time(
    client_for, submitted, django_capture_on_commit_callbacks
):
    request = HelpRequestFactory(school=submitted.school_a, author=submitted.teacher_a_person)
    referent, teacher = client_for(submitted.referent_a), None
    with django_capture_on_commit_callbacks(execute=True):
        assert act(referent, request, "take").status_code == 302
        assert act(referent, request, "ask", note="Quel modèle de vidéoprojecteur ?").status_code == 302
        teacher = client_for(submitted.teacher_a)
        assert act(teacher, request, "reply", note="Epson, au plafond").status_code == 302
        referent = client_for(submitted.referent_a)
        response = act(
            referent, request, "pass_on", ticket_number="CD21-4521", ticket_url="https://support.cotedor.fr/t/4521"
        )
        assert response.status_code == 302
        assert act(referent, request, "close").status_code == 302
    request.refresh_from_db()
    assert request.state == "closed" and request.handler == submitted.referent_person
    assert request.first_answer_at and request.passed_on_at and request.closed_at
    assert list(request.events.values_list("action", flat=True)) == ["take", "ask", "reply", "pass_on", "close"]
    to_author = [m for m in mail.outbox if m.to == [submitted.teacher_a.email]]
    assert len(to_author) == 4  # take, ask, pass_on, close: not the author's own reply
    assert "CD21-4521" in to_author[2].body
    entry = ActivityEntry.objects.get(person=submitted.referent_person)
    assert (entry.kind, entry.ticket_number, entry.mission.code) == ("ticket", "CD21-4521", "tools.tickets")
    html = client_for(submitted.teacher_a).get(f"/etablissements/{submitted.school_a.uai}/demandes/{request.pk}/")
    assert "Clôturée" in html.content.decode() and "Epson, au plafond" in html.content.decode()


def test_passing_on_needs_a_ticket_number_and_a_web_link(client_for, submitted):
    request = HelpRequestFactory(school=submitted.school_a, author=submitted.teacher_a_person)
    client = client_for(submitted.referent_a)
    assert "Indiquez le numéro du ticket" in act(client, request, "pass_on").content.decode()
    response = act(client, request, "pass_on", ticket_number="12", ticket_url="javascript:alert(1)")
    assert response.status_code == 400 and "adresse web" in response.content.decode()
    assert HelpRequest.objects.get().state == "new"


def test_two_referents_acting_at_once_the_second_is_told_and_nothing_is_lost(submitted):
    request = HelpRequestFactory(school=submitted.school_a, author=submitted.teacher_a_person)
    help_request_act(request=request, action="take", expected_version=1, by=submitted.referent_a)
    with pytest.raises(VersionConflict):
        help_request_act(request=request, action="solve", expected_version=1, by=submitted.web_user)
    request.refresh_from_db()
    assert request.state == "taken" and request.events.count() == 1


def test_the_teacher_may_not_take_their_own_request_and_a_referent_may_not_reply_for_them(submitted):
    request = HelpRequestFactory(school=submitted.school_a, author=submitted.teacher_a_person)
    with pytest.raises(DomainError):
        help_request_act(request=request, action="take", expected_version=1, by=submitted.teacher_a)
    help_request_act(request=request, action="ask", expected_version=1, by=submitted.referent_a, note="Où ?")
    with pytest.raises(DomainError):
        help_request_act(request=request, action="reply", expected_version=2, by=submitted.referent_a, note="ici")


@pytest.mark.parametrize("state", HelpRequest.State.values)
def test_abilities_follow_the_one_transition_table(submitted, state):
    closed_at = timezone.now() if state == "closed" else None
    request = HelpRequestFactory(
        school=submitted.school_a, author=submitted.teacher_a_person, state=state, closed_at=closed_at
    )
    people = [submitted.teacher_a, submitted.teacher_a2, submitted.referent_a, submitted.principal_a]
    may = {a for u in people for a, ok in request.abilities(u, school_perms(u, submitted.school_a)).items() if ok}
    assert may == {action for action, (sources, *_rest) in HELP_TRANSITIONS.items() if state in sources}
    assert not any(
        request.abilities(submitted.teacher_a2, school_perms(submitted.teacher_a2, submitted.school_a)).values()
    )


def test_the_page_offers_only_the_steps_the_user_may_take(client_for, submitted):
    request = HelpRequestFactory(school=submitted.school_a, author=submitted.teacher_a_person)
    page = f"/etablissements/{submitted.school_a.uai}/demandes/{request.pk}/"
    referent = client_for(submitted.referent_a).get(page).content.decode()
    assert 'value="take"' in referent and 'id="pass-on-form"' in referent and 'value="close"' not in referent
    teacher = client_for(submitted.teacher_a).get(page).content.decode()
    assert 'name="action"' not in teacher
