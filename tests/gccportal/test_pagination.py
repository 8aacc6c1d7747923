"""`page_get`: a page of a list as Django's Paginator gives it, without counting a list that
fits on its first page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gccportal.views import page_get
from partners.models import Organization
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def organizations():
    return Organization.objects.order_by("pk")


def read(number, *, per_page=3):
    with CaptureQueriesContext(connection) as queries:
        page = page_get(organizations(), number, per_page=per_page)
        shown = [o.pk for o in page]
        summary = (page.number, page.paginator.count, page.paginator.num_pages, page.has_next())
    return shown, summary, [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("number", [None, "", "1"])
def test_a_list_that_fits_on_its_first_page_is_read_in_one_query(number):
    made = [o.pk for o in OrganizationFactory.create_batch(3)]

    shown, summary, sql = read(number)

    assert shown == made
    assert summary == (1, 3, 1, False)
    assert len(sql) == 1 and "LIMIT 4" in sql[0], sql


def test_an_empty_list_is_one_empty_page_read_in_one_query():
    shown, summary, sql = read(None)

    assert (shown, summary, len(sql)) == ([], (1, 0, 1, False), 1)


def test_a_longer_list_is_counted_and_its_first_page_read_once():
    made = [o.pk for o in OrganizationFactory.create_batch(4)]

    shown, summary, sql = read("1")

    assert shown == made[:3]
    assert summary == (1, 4, 2, True)
    assert len(sql) == 2 and sum("COUNT(" in q for q in sql) == 1, sql


@pytest.mark.parametrize(("number", "expected_page"), [("2", 2), ("9", 2), ("x", 1)])
def test_other_pages_are_as_the_paginator_gives_them(number, expected_page):
    made = [o.pk for o in OrganizationFactory.create_batch(4)]

    shown, summary, _sql = read(number)

    assert shown == made[(expected_page - 1) * 3 :][:3]
    assert summary[0] == expected_page
    assert summary[1] == 4
