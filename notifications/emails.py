"""E-mails sent at most once per key: the claim row is written before sending."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from notifications.models import SentEmail


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """The subject (one line), plain-text body and HTML body of templates/emails/<template>_*."""
    context = {**context, "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    return (
        subject,
        render_to_string(f"emails/{template}_body.txt", context),
        render_to_string(f"emails/{template}_body.html", context),
    )


def email_send_once(
    *,
    key: str,
    to: str,
    template: str,
    context: dict,
    kind: str = "",
    user=None,
    link: str = "",
    attachments: tuple[tuple[str, str | bytes, str], ...] = (),
) -> bool:
    """Send templates/emails/<template>_* to one address unless this key was already sent.

    kind, user and link are recorded with the claim (reminders: "Mes rappels" lists them); attachments are
    (filename, content, mimetype) triples.
    """
    subject, text, html = render_email(template, context)
    with transaction.atomic():
        try:
            with transaction.atomic():
                SentEmail.objects.create(
                    key=key[:200], recipient=to, subject=subject[:300], kind=kind, user=user, link=link[:300]
                )
        except IntegrityError:
            return False
        message = EmailMultiAlternatives(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
        message.attach_alternative(html, "text/html")
        for filename, content, mimetype in attachments:
            message.attach(filename, content, mimetype)
        # A failure here rolls the claim back, so a retry sends it.
        message.send()
    return True
