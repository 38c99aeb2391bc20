"""E-mails sent at most once per key: the claim row is written before sending.

Every e-mail of the project is built here (RupnEmail): a subject that decodes to the text rendered from its
template in every mail client, the académie's DANE as the sender's name, a plain-text part and an HTML part.
"""

import email.policy
from email.header import Header
from email.headerregistry import Address
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from notifications.models import SentEmail
from rupn.lib.formats import of
from schools.models import Academie


class RupnEmail(EmailMultiAlternatives):
    """An e-mail whose non-ASCII subject is written as encoded words that carry their own spaces.

    Python's email package (policy.default, which Django 6 uses) folds a long non-ASCII subject into encoded
    words separated by folding whitespace and ASCII words between them; RFC 2047 tells readers to drop the
    whitespace between adjacent encoded words, so "administration — Collège André" came out as
    "administration  —CollègeAndré". email.header.Header encodes the whole subject instead (spaces inside the
    words, lines under 78 characters), and the folded value is stored as is (set_raw: the generator does not
    refold lines that fit).
    """

    def message(self, *, policy=email.policy.default):
        msg = super().message(policy=policy)
        subject = str(self.subject)
        if not subject.isascii():
            del msg["Subject"]
            msg.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode())
        return msg


def sender_for(context: dict) -> str:
    """The From of an e-mail about a school (or plan, award) or an event: "DANE de l'académie de Dijon" and
    DEFAULT_FROM_EMAIL's address (one query); DEFAULT_FROM_EMAIL itself when the context names no académie."""
    school = context.get("school") or getattr(context.get("plan"), "school", None)
    event = context.get("event")
    if school is not None:
        academies = Academie.objects.filter(departements__schools=school.pk)
    elif event is not None:
        academies = Academie.objects.filter(pk=event.academie_id)
    else:
        return settings.DEFAULT_FROM_EMAIL
    name = academies.values_list("name", flat=True).first()
    if not name:
        return settings.DEFAULT_FROM_EMAIL
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return str(Address(display_name=f"DANE de l'académie {of(name)}", addr_spec=address))


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """The subject (one line), plain-text body and HTML body of templates/emails/<template>_*.

    The bodies get the subject (the HTML part's <title>) and site_url (every link is absolute)."""
    context = {**context, "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    context["subject"] = subject
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
        message = RupnEmail(subject=subject, body=text, from_email=sender_for(context), to=[to])
        message.attach_alternative(html, "text/html")
        for filename, content, mimetype in attachments:
            message.attach(filename, content, mimetype)
        # A failure here rolls the claim back, so a retry sends it.
        message.send()
    return True
