"""Scopes: a read client reads; a read-and-write client changes too. Roles are the
services' (a read client acts as a Helpdesk agent, a write client as a Sales agent)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import ApiClient


class ClientScope(BasePermission):
    message = _("This API client may only read: ask your Admin agent for a read-and-write one.")

    def has_permission(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return False
        return request.method in SAFE_METHODS or client.scope == ApiClient.Scope.WRITE
