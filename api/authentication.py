"""Bearer tokens of API clients (`Authorization: Bearer gcp_<key id>_<secret>`)."""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .services import api_client_for_token


class ApiClientAuthentication(BaseAuthentication):
    """request.user is the client's service account (a member of its organization, with the
    scope's role); request.auth is the ApiClient."""

    def authenticate(self, request):
        header = get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        kind, _sep, token = header.partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            raise exceptions.AuthenticationFailed(
                _("Send the API client's token as: Authorization: Bearer <token>.")
            )
        client = api_client_for_token(token.strip())
        if client is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid or was revoked."))
        return client.user, client

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="GCC Portal API"'


class ApiClientAuthenticationScheme(OpenApiAuthenticationExtension):
    """The bearer scheme in the OpenAPI description."""

    target_class = "api.authentication.ApiClientAuthentication"
    name = "apiClientToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API client's token, created by your Admin agent.",
        }
