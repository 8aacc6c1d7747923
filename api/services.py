"""API clients: created and revoked by the organization's Admin agent; a bearer token found."""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from partners.models import Membership, Organization
from partners.services import admin_agent_require
from reviews.services import audit_event_record

from .models import ApiClient

TOKEN_PREFIX = "gcp"  # noqa: S105 (a token's public prefix)
# How stale "last used" may be: one write a minute per client, not one per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
SCOPE_ROLES = {
    ApiClient.Scope.READ: Membership.Role.HELPDESK_AGENT,
    ApiClient.Scope.WRITE: Membership.Role.SALES_AGENT,
}


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _admin_agent_require(*, organization: Organization, actor) -> None:
    admin_agent_require(
        organization=organization,
        actor=actor,
        message=_("Only your organization's Admin agent can manage API clients."),
    )


@dataclass(frozen=True)
class NewApiClient:
    client: ApiClient
    token: str  # shown once: only its hash is kept


@transaction.atomic
def api_client_create(*, organization: Organization, actor, name: str, scope: str) -> NewApiClient:
    """A client acting for `organization` with `scope` (read: a Helpdesk agent's rights; read
    and write: a Sales agent's), through a service account that cannot sign in."""
    _admin_agent_require(organization=organization, actor=actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the client, e.g. the tool that will use it.")})
    if scope not in ApiClient.Scope.values:
        raise ValidationError({"scope": _("Choose one of the scopes offered.")})
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    user = User.objects.create_user(
        email=f"api-client-{uuid.uuid4().hex}@clients.gccportal.invalid",
        first_name=name[:150],
        last_name=_("(API client)"),
    )  # no password: it cannot sign in
    Membership.objects.create(user=user, organization=organization, role=SCOPE_ROLES[scope])
    try:
        with transaction.atomic():
            client = ApiClient.objects.create(
                organization=organization,
                name=name,
                scope=scope,
                user=user,
                key_id=key_id,
                secret_hash=_secret_hash(secret),
                created_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"name": _("Another active client of your organization has this name.")}
        ) from exc
    audit_event_record(
        subject=client,
        organization=organization,
        actor=actor,
        action="api_client_created",
        note=f"{name} ({scope})",
    )
    return NewApiClient(client=client, token=f"{TOKEN_PREFIX}_{key_id}_{secret}")


@transaction.atomic
def api_client_revoke(*, organization: Organization, actor, client_id: int) -> ApiClient:
    """Revoked at once: its token stops working with the next request. Revoking twice is the
    same as once."""
    _admin_agent_require(organization=organization, actor=actor)
    client = ApiClient.objects.select_for_update().get(organization=organization, pk=client_id)
    if client.revoked_at is not None:
        return client
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    User.objects.filter(pk=client.user_id).update(is_active=False)
    audit_event_record(
        subject=client, organization=organization, actor=actor, action="api_client_revoked"
    )
    return client


def api_client_for_token(token: str) -> ApiClient | None:
    """The active client whose token this is, else None. Notes when it was last used."""
    prefix, _sep, rest = token.partition("_")
    key_id, _sep, secret = rest.partition("_")
    if prefix != TOKEN_PREFIX or not key_id or not secret:
        return None
    client = (
        ApiClient.objects.select_related("organization", "user")
        .filter(key_id=key_id, revoked_at__isnull=True)
        .first()
    )
    if client is None or not hmac.compare_digest(client.secret_hash, _secret_hash(secret)):
        return None
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at >= LAST_USED_RESOLUTION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client
