"""Small middleware the project needs."""

from django.middleware.csp import get_nonce


def csp_nonce_middleware(get_response):
    """Expose Django's CSP nonce as request.csp_nonce, the name django-dsfr's templates read."""

    def middleware(request):
        request.csp_nonce = get_nonce(request)
        return get_response(request)

    return middleware
