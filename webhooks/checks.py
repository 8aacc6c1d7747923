"""A deployment check: webhooks may not reach private addresses in production."""

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def private_targets_refused(app_configs=None, **kwargs) -> list[Warning]:
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        return [
            Warning(
                "WEBHOOKS_ALLOW_PRIVATE_TARGETS is on: webhooks may be sent over plain HTTP and "
                "to private, loopback and cloud metadata addresses (SSRF).",
                hint="Unset WEBHOOKS_ALLOW_PRIVATE_TARGETS in production.",
                id="webhooks.W001",
            )
        ]
    return []
