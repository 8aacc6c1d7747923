"""Partner Center's error body, `{"code", "description", "data", "source"}`, for every API
error; a 429 is Partner Center's own shape, `{"statusCode": 429, "message"}`, with
Retry-After.

Where Partner Center documents a code for the rule (2006, 800086, 20002, ...), the error
carries it; otherwise the code is the HTTP status.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from gccportal.exceptions import ActionNotAllowed

logger = logging.getLogger(__name__)

SOURCE = "GCCPortal"

# Partner Center's documented codes for the rules the portal enforces.
PARTNER_NOT_QUALIFIED_FOR_OFFER = 2006
CUSTOMER_NOT_QUALIFIED = 800086
NO_RELATIONSHIP = 20002
RESELLER_NOT_ACTIVE = 800039
REGISTRATION_NUMBER_NOT_ALLOWED = 600002


class ApiError(exceptions.APIException):
    """An error with Partner Center's body: `code` (int), `description`, `data` (a list)."""

    def __init__(self, http_status: int, description: str, *, code: int | None = None, data=()):
        super().__init__(description)
        self.status_code = http_status
        self.error_code = code if code is not None else http_status
        self.description = str(description)
        self.data = list(data)


class PreconditionFailed(ApiError):
    def __init__(self):
        super().__init__(
            status.HTTP_412_PRECONDITION_FAILED,
            _("The resource changed since you read it: read it again for its current eTag."),
        )


def error_body(code: int, description: str, data=()) -> dict:
    return {"code": code, "description": str(description), "data": list(data), "source": SOURCE}


def _field_messages(detail, prefix: str = "") -> list[str]:
    """DRF's nested {"field": ["message"]} as Partner Center's flat `data`: "field: message"."""
    if isinstance(detail, dict):
        return [
            message
            for key, value in detail.items()
            for message in _field_messages(
                value, f"{prefix}.{key}" if prefix and key != "non_field_errors" else prefix or key
            )
        ]
    if isinstance(detail, list):
        return [message for item in detail for message in _field_messages(item, prefix)]
    return [f"{prefix}: {detail}" if prefix and prefix != "non_field_errors" else str(detail)]


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every API error in Partner Center's shape."""
    headers = {}
    if isinstance(exc, Http404):
        exc = ApiError(status.HTTP_404_NOT_FOUND, _("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, ActionNotAllowed):
        exc = ApiError(status.HTTP_403_FORBIDDEN, exc.message)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )

    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        message = _("Too many requests: try again in %(seconds)d seconds.") % {"seconds": wait}
        return Response(
            {"statusCode": 429, "message": message},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(wait)},
        )
    if isinstance(exc, ApiError):
        body = error_body(exc.error_code, exc.description, exc.data)
    elif isinstance(exc, exceptions.ValidationError):
        body = error_body(
            status.HTTP_400_BAD_REQUEST,
            _("The request is not valid: see data."),
            _field_messages(exc.detail),
        )
    elif isinstance(exc, exceptions.APIException):
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            authenticator = context["request"].authenticators
            if authenticator:
                headers["WWW-Authenticate"] = authenticator[0].authenticate_header(
                    context["request"]
                )
            exc.status_code = status.HTTP_401_UNAUTHORIZED
        body = error_body(exc.status_code, str(exc.detail))
    else:
        return None  # a real failure: Django's 500, logged
    return Response(body, status=exc.status_code, headers=headers)
