"""Account emails: the password reset link, sent through the outbox."""

import uuid

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from notifications.services import email_enqueue


def password_reset_email_enqueue(
    *, user, token_generator: PasswordResetTokenGenerator = default_token_generator
) -> None:
    """Queue the email with `user`'s password reset link. The link points to
    PORTAL_BASE_URL (never to the Host a request claimed); its token stops working once the
    password changes (it is made from the password hash), or after PASSWORD_RESET_TIMEOUT."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": token_generator.make_token(user),
        },
    )
    with transaction.atomic():
        email_enqueue(
            template="emails/accounts/password_reset",
            recipients=[user],
            context={
                "user": user,
                # The one recipient's address, which the email names.
                "recipient_email": user.email,
                "reset_url": f"{settings.PORTAL_BASE_URL.rstrip('/')}{path}",
                "valid_minutes": max(1, settings.PASSWORD_RESET_TIMEOUT // 60),
            },
            # Each request is its own email (a second request is a new link).
            dedupe_key=f"password-reset:{user.pk}:{uuid.uuid4()}",
        )
