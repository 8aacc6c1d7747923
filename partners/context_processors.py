from django.utils.functional import SimpleLazyObject

from .access import request_membership


def membership(request) -> dict:
    # Lazy: pages that never show the organization don't pay for the query.
    return {"membership": SimpleLazyObject(lambda: request_membership(request))}
