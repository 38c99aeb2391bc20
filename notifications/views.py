""" "Mes rappels": the reminders e-mailed to the user."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from notifications.reminders import kind_label
from notifications.selectors import received_reminders

PAGE_SIZE = 50


@require_GET
def my_reminders(request):
    """The reminders e-mailed to the user."""
    page = Paginator(received_reminders(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for sent in page:
        sent.kind_label = kind_label(sent.kind)
    return render(
        request,
        "missions/my_reminders.html",
        {"page": page, "title": _("Mes rappels"), "breadcrumb_data": {"links": [], "current": _("Mes rappels")}},
    )
