"""The handler of uncaught errors: the database away (restart, maintenance) is a 503 that says to retry, not a 500.

Django calls handler500 inside its except block, for an error raised by a view or by any middleware (sessions,
authentication), so sys.exc_info() is the error. The pages render without a request or a query.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults

RETRY_AFTER_SECONDS = 30


def server_error(request, template_name: str = defaults.ERROR_500_TEMPLATE_NAME) -> HttpResponse:
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request, template_name)
