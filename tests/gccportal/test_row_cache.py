"""Rows rendered once (gccportal/row_cache.py), in the customer validation requests list and
the Customers list: a cached row reads exactly as a freshly rendered one, and is a different
row as soon as anything it shows, the language or the time zone differs (never stale)."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from customers.models import CustomerQualification
from customers.templatetags.customer_rows import validation_request_rows
from reviews.models import ReviewStatus
from tests.factories import CustomerValidationRequestFactory
from tests.helpers import customer_of


def fresh(render):
    """`render()` with no row found in the cache (each row rendered by its template)."""
    with mock.patch.object(cache, "get_many", return_value={}):
        return render()


def tbody(response) -> str:
    return re.search(r"<tbody>.*</tbody>", response.content.decode(), re.S).group()


def rendered_then_cached(client, url):
    """The list at `url` with every row rendered, then again with every row from the cache
    (none rendered): each as (its rows' HTML, its number of queries); and the page reader."""

    def page():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return tbody(response), len(queries)

    rendered = fresh(page)
    page()  # the rows stored
    with mock.patch("gccportal.row_cache.render_to_string") as render:
        cached = page()
    render.assert_not_called()
    return rendered, cached, page


@pytest.fixture
def requests(organization):
    base = dt.datetime(2026, 11, 2, 14, 5, tzinfo=dt.UTC)
    statuses = [ReviewStatus.SUBMITTED, ReviewStatus.INFO_REQUESTED, ReviewStatus.APPROVED]
    return [
        CustomerValidationRequestFactory(
            organization=organization,
            status=status,
            submitted_at=base + dt.timedelta(days=n),
            due_at=None if status != ReviewStatus.SUBMITTED else base + dt.timedelta(days=n + 2),
        )
        for n, status in enumerate(statuses)
    ]


def test_the_requests_list_reads_the_same_from_the_cache_and_with_the_same_queries(
    client, admin_agent, requests
):
    client.force_login(admin_agent)

    rendered, cached, _page = rendered_then_cached(client, reverse("customers:validation_list"))

    assert cached == rendered  # the same rows, with the same number of queries
    assert reverse("customers:validation_detail", args=[requests[0].pk]) in cached[0]


def shown_rows(items) -> str:
    return str(validation_request_rows(items))


@pytest.mark.parametrize(
    "change",
    [
        lambda item: setattr(item, "organization_legal_name", item.organization_legal_name + "x"),
        lambda item: setattr(item, "status", ReviewStatus.WITHDRAWN),
        lambda item: setattr(item, "due_at", item.due_at + dt.timedelta(minutes=1)),
        lambda item: setattr(item, "due_at", None),
        lambda item: setattr(item, "submitted_at", item.submitted_at - dt.timedelta(hours=1)),
        lambda item: setattr(item.submitted_by, "first_name", "Renamed"),
    ],
    ids=["name", "status", "due", "no due", "submitted", "submitter"],
)
def test_a_cached_row_changes_with_each_value_it_shows(requests, change):
    item = requests[0]
    before = shown_rows([item])
    assert shown_rows([item]) == before  # now from the cache

    change(item)
    after = shown_rows([item])

    assert after != before
    assert after == fresh(lambda: shown_rows([item]))


def test_a_cached_row_is_the_readers_language_and_time_zone(requests):
    item = requests[0]
    shown = {}
    for language, zone in [
        ("en", "America/New_York"),
        ("fr", "America/New_York"),
        ("en", "Europe/Paris"),
        ("en", "America/New_York"),
    ]:
        with translation.override(language), timezone.override(zone):
            shown[language, zone] = shown_rows([item])
            assert shown[language, zone] == fresh(lambda: shown_rows([item]))

    assert len(set(shown.values())) == 3
    assert "Demande n°" in shown["fr", "America/New_York"]
    assert "novembre" in shown["fr", "America/New_York"]
    assert "(CET)" in shown["en", "Europe/Paris"]


def test_rows_are_rendered_when_the_cache_is_unavailable(requests):
    expected = fresh(lambda: shown_rows(requests))

    with (
        mock.patch.object(cache, "get_many", side_effect=ConnectionError),
        mock.patch.object(cache, "set_many", side_effect=ConnectionError),
    ):
        assert shown_rows(requests) == expected


def test_the_customers_list_reads_the_same_from_the_cache_and_changes_with_a_qualification(
    client, admin_agent, organization
):
    school = customer_of(organization, company_name="Adams School", primary_domain="adams.edu")
    qualification = CustomerQualification.objects.create(
        customer=school,
        qualification=CustomerQualification.Qualification.EDUCATION,
        vetting_status=CustomerQualification.VettingStatus.IN_REVIEW,
        granted_at=timezone.now(),
    )
    customer_of(organization, company_name="Bolton Bakery", primary_domain="bolton.example")
    client.force_login(admin_agent)

    rendered, cached, page = rendered_then_cached(client, reverse("customers:customer_list"))

    assert cached == rendered
    assert "Education · in review" in cached[0]

    qualification.vetting_status = CustomerQualification.VettingStatus.APPROVED
    qualification.save()
    approved, _queries = page()

    assert "in review" not in approved
    assert approved == fresh(page)[0]


def test_a_change_of_the_template_tags_code_is_a_new_row(requests, monkeypatch, tmp_path):
    from gccportal import row_cache

    item = requests[0]
    keys = []
    real_get_many = cache.get_many

    def get_many(found_keys):
        keys.extend(found_keys)
        return real_get_many(found_keys)

    monkeypatch.setattr(cache, "get_many", get_many)
    shown_rows([item])
    monkeypatch.setattr(row_cache, "CODE_DIGEST", "another release's tags")
    shown_rows([item])

    assert len(keys) == 2 and keys[0] != keys[1]


def test_the_code_digest_is_the_template_tags_sources(monkeypatch, tmp_path):
    from gccportal import row_cache

    assert row_cache._code_digest() == row_cache.CODE_DIGEST  # the same files, the same digest
    tags = tmp_path / "app" / "templatetags"
    tags.mkdir(parents=True)
    (tags / "some_tags.py").write_text("A = 1\n")
    monkeypatch.setattr(row_cache, "__file__", str(tmp_path / "gccportal" / "row_cache.py"))
    before = row_cache._code_digest()
    (tags / "some_tags.py").write_text("A = 2\n")

    assert row_cache._code_digest() != before
