"""The reviewers' queues and the SLA page, drawn lean: no nav sidebar and no app list built
for it, the admin's list markup written in Python (table, filters, pagination), the rows
reading only the columns they show, the conflict count's expression built once."""

import re
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite as DjangoAdminSite
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.validations.models import CustomerValidationRequest
from customers.validations.selectors import customer_validation_conflict_count
from gccportal.templatetags import fragments
from partners.models import PartnerValidationRequest
from reviews.models import ReviewStatus
from reviews.templatetags import review_queue
from tests.factories import (
    CustomerValidationRequestFactory,
    PartnerValidationRequestFactory,
    ReviewerFactory,
)
from tests.html import attr, element, elements, queue_ids, text

pytestmark = pytest.mark.django_db

CUSTOMER_QUEUE = "admin:customers_customervalidationrequest_changelist"
PARTNER_QUEUE = "admin:partners_partnervalidationrequest_changelist"
# Django's templates the queue writes in Python instead (reviews/templatetags/review_queue.py)
# or leaves out (the sidebar).
TEMPLATES_NOT_USED = [
    "admin/nav_sidebar.html",
    "admin/app_list.html",
    "admin/filter.html",
    "admin/change_list_results.html",
]


def templates_of(response) -> set[str]:
    return {template.name for template in response.templates}


@pytest.fixture
def app_list_built():
    """Counts the builds of the admin's app list (Django's own, under the lazy one)."""
    with mock.patch.object(
        DjangoAdminSite,
        "get_app_list",
        autospec=True,
        side_effect=DjangoAdminSite.get_app_list,
    ) as built:
        yield built


@pytest.mark.parametrize("name", [CUSTOMER_QUEUE, PARTNER_QUEUE, "reviews:sla"])
def test_the_queues_and_the_sla_page_have_no_sidebar_and_build_no_app_list(
    client, reviewer, app_list_built, name
):
    CustomerValidationRequestFactory()
    PartnerValidationRequestFactory()
    client.force_login(reviewer)

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert 'id="nav-sidebar"' not in response.content.decode()
    assert app_list_built.call_count == 0
    assert not templates_of(response) & {"admin/nav_sidebar.html", "admin/app_list.html"}


def test_the_index_still_lists_the_apps_and_other_pages_keep_the_sidebar(
    client, reviewer, app_list_built
):
    client.force_login(reviewer)

    index = client.get(reverse("admin:index")).content.decode()
    audit = client.get(reverse("admin:reviews_auditevent_changelist")).content.decode()

    assert f'href="{reverse(CUSTOMER_QUEUE)}"' in index
    assert f'href="{reverse(PARTNER_QUEUE)}"' in index
    assert 'id="nav-sidebar"' in audit and f'href="{reverse(CUSTOMER_QUEUE)}"' in audit
    assert app_list_built.call_count == 2


def columns_read(sql: str) -> set[tuple[str, str]]:
    """The (table, column) pairs of a query's own select list: what precedes its top-level
    FROM, parenthesized expressions (the conflict count's subqueries) left out."""
    depth, top = 0, []
    for char in sql[: top_level_from(sql)]:
        depth += (char == "(") - (char == ")")
        if depth == 0 and char != ")":
            top.append(char)
    return set(re.findall(r'"(\w+)"\."(\w+)"', "".join(top)))


def top_level_from(sql: str) -> int:
    depth = 0
    for index, char in enumerate(sql):
        depth += (char == "(") - (char == ")")
        if depth == 0 and sql.startswith(" FROM ", index):
            return index
    raise AssertionError(sql)


# What the queue reads of the organization and the reviewer: what their names show (as values),
# and their IDs too when it builds them (to render a row).
NAMES_SHOWN = {
    ("partners_organization", "legal_name"),
    ("accounts_user", "first_name"),
    ("accounts_user", "last_name"),
    ("accounts_user", "email"),
}
NAMES_READ = NAMES_SHOWN | {("partners_organization", "id"), ("accounts_user", "id")}


@pytest.mark.parametrize(
    ("name", "model", "factory", "own_columns"),
    [
        (
            CUSTOMER_QUEUE,
            CustomerValidationRequest,
            CustomerValidationRequestFactory,
            {"organization_legal_name"},
        ),
        (PARTNER_QUEUE, PartnerValidationRequest, PartnerValidationRequestFactory, set()),
    ],
    ids=["customer", "partner"],
)
def test_the_queue_reads_only_what_it_lists_and_the_change_page_the_whole_request(
    client, reviewer, name, model, factory, own_columns
):
    # given: an open request assigned to a reviewer
    request = factory(status=ReviewStatus.IN_REVIEW, assigned_reviewer=ReviewerFactory())
    client.force_login(reviewer)
    table = model._meta.db_table

    # when: the queue seen twice, then the request's page
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name))
    with CaptureQueriesContext(connection) as again:
        client.get(reverse(name))
    with CaptureQueriesContext(connection) as change_queries:
        client.get(reverse(name.replace("changelist", "change"), args=[request.pk]))

    # then: the page's rows are read as values, the listed columns and the names shown,
    # nothing else (the conflict count and the overdue flag computed in the same query); the
    # requests are built only to render the rows not cached yet, with only what they list
    assert queue_ids(response) == [request.pk]
    values, built = [q["sql"] for q in queries if q["sql"].startswith(f'SELECT "{table}"."id"')]
    listed = {"id", "status", "submitted_at", "due_at", "assigned_reviewer_id", "organization_id"}
    listed_columns = {(table, c) for c in listed | own_columns}
    assert columns_read(values) == listed_columns | NAMES_SHOWN
    assert 'AS "conflict_count"' in values and 'AS "overdue_flag"' in values
    assert columns_read(built) == listed_columns | NAMES_READ
    # Seen again, the row is found in the cache: its values read, no request built.
    [again_values] = [q["sql"] for q in again if q["sql"].startswith(f'SELECT "{table}"."id"')]
    assert columns_read(again_values) == columns_read(values)
    # The change page reads the whole request.
    every_column = {(table, field.column) for field in model._meta.concrete_fields}
    assert any(
        columns_read(q["sql"]) >= every_column
        for q in change_queries
        if q["sql"].startswith(f'SELECT "{table}"')
    )


def test_the_conflict_count_is_built_once_and_counts_each_view_afresh(client, reviewer):
    # given: a request without conflicts, and the admin's expression not built yet
    model_admin = admin.site._registry[CustomerValidationRequest]
    model_admin._annotated_queryset = None
    request = CustomerValidationRequestFactory(government_domain="springfield.gov")
    client.force_login(reviewer)
    url = reverse(CUSTOMER_QUEUE)
    built = mock.Mock(wraps=customer_validation_conflict_count)

    try:
        with mock.patch.object(type(model_admin), "conflict_count", staticmethod(built)):
            # when: the queue is seen, another partner's request for the same domain is
            # approved, and the queue is seen again
            before = list(client.get(url).context["cl"].result_list)
            CustomerValidationRequestFactory(
                government_domain="springfield.gov",
                contact_email="someone.else@springfield.gov",
                status=ReviewStatus.APPROVED,
                due_at=None,
            )
            after = list(client.get(url).context["cl"].result_list)
    finally:
        model_admin._annotated_queryset = None

    # then: built once, and each view counts what the database holds then
    assert built.call_count == 1
    assert [(row.pk, row.conflict_count) for row in before] == [(request.pk, 0)]
    assert [(row.pk, row.conflict_count) for row in after] == [(request.pk, 1)]


def test_the_filters_are_djangos_panel_written_in_one_go(client, reviewer):
    # given
    overdue = CustomerValidationRequestFactory(due_at=timezone.now() - timezone.timedelta(hours=1))
    client.force_login(reviewer)

    # when: the overdue requests, sorted by partner
    response = client.get(reverse(CUSTOMER_QUEUE), {"overdue": "yes", "o": "2"})

    # then: Django's panel, one <details> per filter, the current choices selected, each
    # link keeping the other parameters
    assert not templates_of(response) & set(TEMPLATES_NOT_USED)
    assert queue_ids(response) == [overdue.pk]
    panel = element(response, id="changelist-filter")
    assert text(element(response, id="changelist-filter-header")) == "Filter"
    titles = [attr(d, "data-filter-title") for d in elements(response, tag="details", within=panel)]
    assert titles[:5] == ["status", "assigned reviewer", "overdue", "due", "conflicts"]
    assert len(titles) == 7
    summaries = [text(s) for s in elements(response, tag="summary", within=panel)]
    assert summaries[:2] == ["By status", "By assigned reviewer"]
    selected = [text(li) for li in elements(response, tag="li", css_class="selected", within=panel)]
    assert selected[:3] == ["Open (queue)", "All", "Overdue"]
    links = {text(a): attr(a, "href") for a in elements(response, tag="a", within=panel)}
    assert links["On time"] == "?o=2&overdue=no"
    assert links["Mine"] == "?assigned=me&o=2&overdue=yes"
    assert links["✖ Clear all filters"] == "?o=2"
    assert links["Show counts"] == "?_facets=True&o=2&overdue=yes"


def test_the_table_sorts_by_its_headers_and_pages_as_djangos(client, reviewer, monkeypatch):
    # given: 5 open requests, 2 a page
    monkeypatch.setattr(admin.site._registry[CustomerValidationRequest], "list_per_page", 2)
    requests = [
        CustomerValidationRequestFactory(organization_legal_name=name)
        for name in ("Delta", "Alpha", "Echo", "Charlie", "Bravo")
    ]
    client.force_login(reviewer)
    by_name = sorted(requests, key=lambda r: r.organization_legal_name)

    # when: sorted by the customer's name, descending, second page
    response = client.get(reverse(CUSTOMER_QUEUE), {"o": "-1", "p": "2"})

    # then
    assert queue_ids(response) == [by_name[2].pk, by_name[1].pk]
    header = element(response, tag="th", css_class="column-organization_legal_name")
    assert set(attr(header, "class").split()) == {
        "sortable",
        "column-organization_legal_name",
        "sorted",
        "descending",
    }
    # (a new order starts at the first page)
    assert attr(element(response, tag="a", css_class="sortremove", within=header), "href") == (
        "?o="
    )
    assert attr(element(response, tag="a", css_class="toggle", within=header), "href") == "?o=1"
    id_header = element(response, tag="th", css_class="column-id")
    assert attr(element(response, tag="a", within=id_header), "href") == "?o=0.-1"
    paginator = element(response, tag="p", css_class="paginator")
    assert text(element(response, tag="span", css_class="this-page", within=paginator)) == "2"
    assert [(text(a), attr(a, "href")) for a in elements(response, tag="a", within=paginator)] == [
        ("1", "?o=-1&p=1"),
        ("3", "?o=-1&p=3"),
        ("Show all", "?all=&o=-1"),
    ]
    assert text(paginator) == "1 2 3 5 customer validation requests Show all"


@pytest.mark.parametrize("name", [CUSTOMER_QUEUE, PARTNER_QUEUE])
def test_the_queues_filters_offer_constant_choices(rf, reviewer, name):
    """What lets the filter panel be kept per query string: no filter reads its choices
    from the database (a filter that did, say by organization, would need the panel drawn
    on each view)."""
    model_admin = admin.site._registry[
        CustomerValidationRequest if name == CUSTOMER_QUEUE else PartnerValidationRequest
    ]
    request = rf.get(reverse(name))
    request.user = reviewer
    changelist = model_admin.get_changelist_instance(request)

    with CaptureQueriesContext(connection) as queries:
        choices = [list(spec.choices(changelist)) for spec in changelist.filter_specs]

    assert len(choices) == len(model_admin.list_filter)
    assert all(choices)
    assert queries.captured_queries == []


def test_the_headers_and_filters_are_drawn_once_per_query_string_and_language(client, reviewer):
    # given: nothing kept from earlier tests
    fragments._memo.clear()
    CustomerValidationRequestFactory()
    client.force_login(reviewer)
    url = reverse(CUSTOMER_QUEUE)
    drawn = {
        part: mock.patch(
            f"reviews.templatetags.review_queue.{part}_html",
            side_effect=getattr(review_queue, f"{part}_html"),
        )
        for part in ("headers", "filters")
    }

    with drawn["headers"] as headers, drawn["filters"] as filters:
        # when: the queue seen twice, then sorted, then in French, then with counts twice
        first = client.get(url, {"overdue": "no"}).content
        again = client.get(url, {"overdue": "no"}).content
        counts_after_two = (headers.call_count, filters.call_count)
        client.get(url, {"overdue": "no", "o": "-1"})
        counts_after_sorting = (headers.call_count, filters.call_count)
        reviewer.language = "fr"
        reviewer.save(update_fields=["language"])
        french = client.get(url, {"overdue": "no"})
        client.get(url, {"overdue": "no", "_facets": "True"})
        client.get(url, {"overdue": "no", "_facets": "True"})

    # then: drawn once for the two same views, again for another order and another
    # language; the panel with counts (which vary with the rows) is drawn on each view
    def kept(page: bytes) -> tuple[str, str]:
        html = page.decode()
        return (
            re.search(r"<thead>.*</thead>", html, re.S).group(),
            re.search(r'<nav id="changelist-filter".*?</nav>', html, re.S).group(),
        )

    assert kept(first) == kept(again)
    assert counts_after_two == (1, 1)
    assert counts_after_sorting[0] == counts_after_two[0] + 1
    assert counts_after_sorting[1] == counts_after_two[1] + 1
    assert "Filtre" in french.content.decode()
    assert filters.call_count == counts_after_sorting[1] + 1 + 2


def test_the_queue_pages_head_breadcrumbs_and_tools_are_rendered_once_per_kind(client, reviewer):
    # given: nothing kept from earlier tests
    fragments._memo.clear()
    client.force_login(reviewer)

    # when: each queue seen twice
    first = client.get(reverse(CUSTOMER_QUEUE))
    kept_after_one = len(fragments._memo)
    again = client.get(reverse(CUSTOMER_QUEUE))
    kept_after_two = len(fragments._memo)
    partner = client.get(reverse(PARTNER_QUEUE))
    kept_after_partner = len(fragments._memo)

    # then: kept the first time, reused the second; the other kind's its own
    assert kept_after_one > 0
    assert kept_after_two == kept_after_one
    assert kept_after_partner > kept_after_two

    def head(response) -> str:
        html = response.content.decode()
        return html[: html.index("</head>")]

    def breadcrumbs(response) -> str:
        return text(element(response, tag="div", css_class="breadcrumbs"))

    assert head(first) == head(again) != head(partner)
    assert breadcrumbs(first).endswith("Customer validation requests")
    assert breadcrumbs(partner).endswith("Partner validation requests")
    assert f'href="{reverse("reviews:sla")}"' in partner.content.decode()


def test_a_queue_column_that_does_not_say_what_it_shows_is_a_configuration_error(monkeypatch):
    """A row's cache key is made of the values its columns show: a column of the admin's own
    without its annotations (`list_annotations()`) would leave its cells out of the key."""
    model_admin = admin.site._registry[PartnerValidationRequest]
    assert "overdue_flag" in model_admin.queue_values()
    monkeypatch.setattr(model_admin, "list_display", [*model_admin.list_display, "unsaid"])

    with pytest.raises(ImproperlyConfigured, match="'unsaid'"):
        model_admin.queue_values()
