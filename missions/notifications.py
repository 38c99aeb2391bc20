"""E-mails sent at most once per key: the claim row is written before sending."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from missions.models import SentEmail


def email_send_once(*, key: str, to: str, template: str, context: dict) -> bool:
    """Send templates/emails/<template>_* to one address unless this key was already sent."""
    context = {**context, "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    with transaction.atomic():
        try:
            with transaction.atomic():
                SentEmail.objects.create(key=key[:200], recipient=to, subject=subject[:300])
        except IntegrityError:
            return False
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"emails/{template}_body.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
        )
        message.attach_alternative(render_to_string(f"emails/{template}_body.html", context), "text/html")
        # A failure here rolls the claim back, so a retry sends it.
        message.send()
    return True
