"""Small middleware the project needs."""

import logging

from django.middleware.csp import get_nonce


def csp_nonce_middleware(get_response):
    """Expose Django's CSP nonce as request.csp_nonce, the name django-dsfr's templates read."""

    def middleware(request):
        request.csp_nonce = get_nonce(request)
        return get_response(request)

    return middleware


def refused_access_log_middleware(get_response):
    """Log every refused access (403, 404) of a signed-in user: user id, status, view and path (ids only)."""
    logger = logging.getLogger("rupn.security")

    def middleware(request):
        response = get_response(request)
        if response.status_code in (403, 404) and request.user.is_authenticated:
            match = getattr(request, "resolver_match", None)
            logger.warning(
                "access refused status=%s user_id=%s view=%s path=%s",
                response.status_code,
                request.user.pk,
                match.view_name if match else "-",
                request.path,
            )
        return response

    return middleware
