"""Fault: the SMTP server refuses mail for a while (451, try again later). The worker retries the reminders and
each one reaches the server exactly once when it accepts again."""

import datetime
import threading

from aiosmtpd.controller import Controller
from django.test import override_settings

from notifications.models import SentEmail
from notifications.tasks import reminders_daily
from tests.integration.services import free_port, wait_for


class RefusingForAWhile:
    """An SMTP handler answering 451 to the first `refusals` recipients, then accepting every message."""

    def __init__(self, refusals: int):
        self.refusals = refusals
        self.refused = 0
        self.received: list[str] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        with self.lock:
            if self.refused < self.refusals:
                self.refused += 1
                return "451 4.3.0 Service temporairement indisponible, réessayez plus tard"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        with self.lock:
            self.received.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def test_reminders_refused_by_the_smtp_server_for_a_while_are_retried_and_each_sent_once(celery_worker, cast):
    handler = RefusingForAWhile(refusals=3)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    smtp = {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": port}}
    day = datetime.date(cast.school_year.start_year + 1, 4, 1).isoformat()
    try:
        with override_settings(MAILERS={"default": smtp}):
            assert reminders_daily.delay(day).get(timeout=60) == 4  # CA and review reminders for schools A and B
            assert wait_for(lambda: len(handler.received) == 4, timeout=90), handler.received
            assert handler.refused == 3  # the first three attempts were refused, then retried
            assert reminders_daily.delay(day).get(timeout=60) == 0  # nothing left to send
    finally:
        controller.stop()
    assert sorted(handler.received) == sorted([cast.principal_a.email, cast.principal_b.email] * 2)
    assert SentEmail.objects.exclude(kind="").count() == 4
