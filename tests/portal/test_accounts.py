"""Accounts: Argon2, French password rules, login throttling (django-axes), password reset by e-mail, session
expiry, logout, and the security log (user ids only)."""

import datetime
import logging
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from rupn.settings import base
from tests.factories import UserFactory
from tests.test_access_matrix import matrix_urls, roles_opening

PASSWORD = "mot-de-passe-de-test"


def post_login(client, email, password):
    return client.post("/connexion/", {"username": email, "password": password, "next": ""})


def test_passwords_are_hashed_with_argon2_in_every_environment_but_tests():
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_password_rules_answer_in_french(db):
    user = UserFactory(email="camille.martin@ac-dijon.fr")
    with pytest.raises(ValidationError) as error:
        validate_password("123456", user)
    text = " ".join(error.value.messages)
    assert "trop court" in text
    assert "12 caractères" in text
    assert "entièrement numérique" in text


def test_a_good_login_opens_a_session(client, db):
    user = UserFactory()
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_login_is_locked_after_repeated_failures_with_a_french_message(client, db):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = post_login(client, user.email, "mauvais-mot-de-passe")
        assert response.status_code == 200
        assert "Adresse électronique ou mot de passe incorrect" in response.content.decode()
    response = post_login(client, user.email, "mauvais-mot-de-passe")
    assert response.status_code == 429
    # Even the right password is refused while the lock lasts, with the reason on the login page.
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Trop de tentatives de connexion infructueuses" in html
    assert "15 minutes" in html
    assert 'name="username"' in html  # the login form is still there
    assert SESSION_KEY not in client.session


def lock(client, user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, user.email, "mauvais-mot-de-passe")
    assert post_login(client, user.email, PASSWORD).status_code == 429


def test_lock_ends_after_the_cool_off_time(client, db):
    user = UserFactory()
    lock(client, user)
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(1))
    assert post_login(client, user.email, PASSWORD).status_code == 302


def test_staff_unlock_an_account_in_the_admin(client, db):
    user = UserFactory()
    lock(client, user)
    admin = UserFactory(is_staff=True, is_superuser=True)
    staff = Client()
    staff.force_login(admin)
    attempt = AccessAttempt.objects.get()
    assert staff.get("/admin/axes/accessattempt/").status_code == 200
    response = staff.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert post_login(client, user.email, PASSWORD).status_code == 302


def test_lock_of_one_account_leaves_the_others_alone(client, db):
    user, other = UserFactory(), UserFactory()
    lock(client, user)
    assert post_login(client, other.email, PASSWORD).status_code == 302


def test_login_is_case_insensitive_on_the_email_address(client, db):
    user = UserFactory(email="anne.principale@ac-dijon.fr")
    response = post_login(client, "  Anne.PRINCIPALE@Ac-Dijon.fr ", PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_two_accounts_differing_only_by_case_log_in_with_neither_typed_otherwise(client, db):
    UserFactory(email="anne@ac-dijon.fr")
    UserFactory(email="Anne@ac-dijon.fr")  # made in the admin: the unique index is case-sensitive
    assert post_login(client, "ANNE@ac-dijon.fr", PASSWORD).status_code == 200
    assert SESSION_KEY not in client.session


def test_the_lock_holds_the_pair_address_and_ip_not_the_account(db):
    """Five wrong passwords for a colleague's address from one computer lock that address from that computer only:
    the colleague still logs in from theirs."""
    user = UserFactory()
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    lock(attacker, user)
    colleague = Client(REMOTE_ADDR="198.51.100.21")
    assert post_login(colleague, user.email, PASSWORD).status_code == 302
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_changing_the_case_of_the_address_does_not_escape_the_lock(db):
    user = UserFactory(email="romain.referent@ac-dijon.fr")
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(settings.AXES_FAILURE_LIMIT):
        typed = user.email.upper() if n % 2 else user.email.title()
        post_login(client, typed, "mauvais-mot-de-passe")
    assert post_login(client, user.email, PASSWORD).status_code == 429


def test_forged_forwarded_for_headers_do_not_open_a_new_pair(db):
    user = UserFactory()
    client = Client(REMOTE_ADDR="203.0.113.7")
    lock(client, user)
    response = client.post(
        "/connexion/",
        {"username": user.email, "password": PASSWORD, "next": ""},
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert response.status_code == 429


def test_password_reset_by_email_sets_a_new_password(client, db):
    user = UserFactory()
    page = client.get("/connexion/").content.decode()
    assert 'href="/mot-de-passe/oublie/"' in page
    response = client.post("/mot-de-passe/oublie/", {"email": user.email.upper()})
    assert response.status_code == 302
    assert response["Location"] == "/mot-de-passe/oublie/envoye/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert message.subject == "RUPN : choisir un nouveau mot de passe"
    link = re.search(r"http://\S+/mot-de-passe/nouveau/\S+/", message.body).group(0)
    assert link.startswith(settings.SITE_URL)
    response = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    assert response.status_code == 200
    assert "Nouveau mot de passe" in response.content.decode()
    set_url = response.redirect_chain[-1][0]

    response = client.post(set_url, {"new_password1": "court", "new_password2": "court"})
    assert "Ce mot de passe est trop court" in response.content.decode()
    new = "Une-phrase-de-passe-solide-2026"
    response = client.post(set_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert response["Location"] == "/mot-de-passe/change/"
    assert post_login(Client(), user.email, new).status_code == 302
    # The link served once.
    again = client.get(link.removeprefix(settings.SITE_URL), follow=True).content.decode()
    assert "Ce lien n&#x27;est plus valable" in again or "Ce lien n'est plus valable" in again


def test_password_reset_says_the_same_for_an_unknown_address_and_sends_nothing(client, db):
    response = client.post("/mot-de-passe/oublie/", {"email": "personne@ac-dijon.fr"})
    assert response["Location"] == "/mot-de-passe/oublie/envoye/"
    assert mail.outbox == []


def test_sessions_expire():
    assert base.SESSION_COOKIE_AGE <= 12 * 3600
    assert base.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_logout_clears_the_session_and_needs_post(client, db):
    user = UserFactory()
    post_login(client, user.email, PASSWORD)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    assert client.get("/deconnexion/").status_code == 405
    response = client.post("/deconnexion/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302


def test_logins_and_failures_are_logged_with_user_ids_only(client, db, caplog):
    user = UserFactory(email="camille.secret@ac-dijon.fr")
    with caplog.at_level(logging.INFO):
        post_login(client, user.email, "mauvais-mot-de-passe")
        post_login(client, "inconnu.secret@ac-dijon.fr", "mauvais-mot-de-passe")
        post_login(client, user.email, PASSWORD)
        client.post("/deconnexion/")
    lines = [r.getMessage() for r in caplog.records if r.name == "rupn.security"]
    assert lines == [
        f"login failed user_id={user.pk}",
        "login failed user_id=None",
        f"login user_id={user.pk}",
        f"logout user_id={user.pk}",
    ]
    everything = caplog.text
    assert "secret" not in everything
    assert "mauvais-mot-de-passe" not in everything


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [("principal_b", "/etablissements/{uai}/", 404), ("referent_a", "/etablissements/{uai}/personnels/", 403)],
)
def test_refused_accesses_are_logged_with_user_ids_only(client_for, cast, caplog, role, path, status):
    user = getattr(cast, role)
    with caplog.at_level(logging.INFO, logger="rupn.security"):
        response = client_for(user).get(path.format(uai=cast.school_a.uai))
    assert response.status_code == status
    lines = [r.getMessage() for r in caplog.records if r.name == "rupn.security"]
    assert f"access refused status={status} user_id={user.pk}" in lines[-1]
    assert user.email not in caplog.text and user.last_name not in caplog.text


def test_allowed_access_is_not_logged_as_refused(client_for, cast, caplog):
    with caplog.at_level(logging.INFO, logger="rupn.security"):
        assert client_for(cast.principal_a).get(f"/etablissements/{cast.school_a.uai}/").status_code == 200
    assert "access refused" not in caplog.text


def test_a_login_longer_than_an_email_address_is_answered_not_a_500(client, cast):
    response = client.post("/connexion/", {"username": "a" * 300 + "@ac-dijon.fr", "password": "x"})
    assert response.status_code == 200
    assert "au plus 254 caractères" in response.content.decode()


# Pages with personal data are sent with Cache-Control: no-store (Django's never_cache on each view).
NO_STORE_PAGES = [
    "my_data",
    "schools:staff",
    "schools:person_edit",
    "schools:staff_sts",
    "imp:school",
    "imp:award",
    "imp:schedule",
    "imp:schedule_csv",
    "imp:mine",
    "imp:mine_csv",
    "imp:queue",
    "imp:envelopes",
    "imp:payroll_csv",
    "imp:payroll_xlsx",
]


@pytest.mark.parametrize("name", NO_STORE_PAGES)
def test_pages_with_personal_data_are_not_stored(client_for, cast, name):
    role = roles_opening(name)[0]
    response = client_for(getattr(cast, role)).get(matrix_urls(cast)[name])
    if response.streaming:
        b"".join(response.streaming_content)  # read to the end: the test client then closes the file
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"], name


def test_a_page_without_personal_data_may_be_stored(client):
    assert "no-store" not in client.get("/accessibilite/").get("Cache-Control", "")
