"""benchmarks/submit.py on the benchmark's data set at a small scale: the form it posts is
accepted (a new request each time, announced to the 20 reviewers), and it reports both
kinds of request."""

import pytest

from benchmarks.dataset import REVIEWERS, load
from benchmarks.submit import measure
from customers.validations.models import CustomerValidationRequest
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_the_submit_measure_posts_the_real_form_and_compares_it_with_page_views(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    loaded = load(scale=0.001)
    requests = CustomerValidationRequest.objects.filter(organization_id=loaded.reseller_id)
    before = requests.count()

    result = measure(loaded, runs=2)

    # warm-up, counted, and measured submits: each a new request, each reviewer told
    new = requests.order_by("-pk")[: 2 + 2]
    assert requests.count() == before + 4
    assert all(request.documents.count() == 1 for request in new)
    newest = new[0]
    told = OutboxMessage.objects.filter(dedupe_key__startswith=f"customer_validation:{newest.pk}:")
    assert told.count() >= REVIEWERS
    assert result["reviewers"] == REVIEWERS
    assert result["runs"] == 2
    assert set(result["queries"]) == {"submit", "list", "detail"}
    assert all(count > 0 for count in result["queries"].values())
    assert result["ratio"] == pytest.approx(result["submit_ms"] / result["page_ms"], rel=0.05)
