"""The emails of reseller-relationship invitations. Each function queues outbox rows; callers
are services."""

from django.urls import reverse

from notifications.services import email_enqueue


def invitation_accepted(invitation, *, already_reseller: bool) -> None:
    email_enqueue(
        template="emails/customers/invitation_accepted",
        recipients=[invitation.created_by],
        context={
            "invitation": invitation,
            "customer": invitation.customer,
            "already_reseller": already_reseller,
            "customers_path": reverse("customers:customer_list"),
        },
        dedupe_key=f"invitation:{invitation.pk}:accepted",
    )


def invitation_confirmation(invitation, *, answers: dict, confirm_path: str) -> None:
    """To the person accepting: the link that confirms they read a mailbox of the domain."""
    email_enqueue(
        template="emails/customers/invitation_confirmation",
        recipients=[(answers["accepted_by_email"], invitation.language)],
        context={"invitation": invitation, "answers": answers, "confirm_path": confirm_path},
        # One per address and link: asking again sends again (a new, equally valid link).
        dedupe_key=f"invitation:{invitation.pk}:confirm:{confirm_path[-40:]}",
    )
