from django.db import models

from reviews.models import ReviewableRequest


class MinimalRequest(ReviewableRequest):
    """What a request kind must add to `ReviewableRequest`: whose request it is (the review
    services audit under that organization), the reviewers' permission to decide it, and its
    submit form's key unique per organization."""

    organization = models.ForeignKey(
        "partners.Organization", on_delete=models.PROTECT, related_name="+"
    )
    # A field of this kind's own, saved through the services' `extra_fields`.
    reference = models.CharField(max_length=20, blank=True)

    class Meta:
        permissions = [
            ("decide_minimalrequest", "Can decide minimal requests"),
            ("reassign_minimalrequest", "Can give minimal requests to another reviewer"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                name="unique_minimal_request_idempotency_key",
            )
        ]
