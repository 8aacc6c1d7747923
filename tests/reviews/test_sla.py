"""The SLA page: its figures from a fixed data set with known answers (worked out by hand
below, in New York time), who sees what, its CSV, and its cost (aggregate queries only).

The clock is frozen at Tuesday 15 December 2026 15:00 New York (NOW): the last 30 days start
on 15 November 15:00, the last 90 on 16 September 15:00; the chart's 13 weeks run from
Monday 21 September to the week of Monday 14 December. 2026-11-26 is Thanksgiving.
"""

import csv
import datetime as dt
import io
import sqlite3
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.validations.models import CustomerValidationRequest
from customers.validations.services import customer_validation_approve
from gccportal.aggregates import PercentileContSQLite, percentile_cont
from gccportal.spreadsheets import csv_cell
from partners.models import PartnerValidationRequest
from partners.services import partner_validation_approve
from reviews.models import ReviewStatus
from reviews.selectors import (
    review_sla_figures,
    review_sla_figures_cache_key,
    review_sla_figures_recent,
    review_sla_scopes,
)
from reviews.services import (
    review_info_answer,
    review_info_request,
    review_reject,
    review_request_lock,
    review_start,
)
from tests.factories import (
    CustomerValidationRequestFactory,
    PartnerValidationRequestFactory,
    ReviewerFactory,
)
from tests.html import page_text

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600
SLA = "reviews:sla"
SLA_CSV = "reviews:sla_csv"


def ny(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NEW_YORK)


NOW = ny(2026, 12, 15, 15)
Status = ReviewStatus
KINDS = {
    PartnerValidationRequest: PartnerValidationRequestFactory,
    CustomerValidationRequest: CustomerValidationRequestFactory,
}


def decided(model, *, reviewer, submitted: dt.datetime, decided_at: dt.datetime, approve=True):
    """A request of `model` submitted at `submitted`, started and decided by `reviewer`
    through the services at `decided_at`."""
    with time_machine.travel(submitted, tick=False):
        request = KINDS[model](submitted_at=submitted)
        review_start(model=model, request_id=request.pk, reviewer=reviewer)
    with time_machine.travel(decided_at, tick=False):
        if not approve:
            review_reject(model=model, request_id=request.pk, reviewer=reviewer, reason="No.")
        elif model is PartnerValidationRequest:
            partner_validation_approve(request_id=request.pk, reviewer=reviewer)
        else:
            customer_validation_approve(request_id=request.pk, reviewer=reviewer)
    return request


def opened(model, *, status, due_at, reviewer=None):
    return KINDS[model](
        status=status, submitted_at=ny(2026, 12, 10, 9), due_at=due_at, assigned_reviewer=reviewer
    )


@pytest.fixture
def alice(db):
    return ReviewerFactory(first_name="Alice", last_name="Adams")


@pytest.fixture
def bob(db):
    return ReviewerFactory(first_name="Bob", last_name="Brown")


@pytest.fixture
def data_set(alice, bob):
    """The fixed data set. Business time counts whole business days (New York) while the
    clock runs; each request's hours are worked out beside it."""
    partner, customer = PartnerValidationRequest, CustomerValidationRequest
    # -- partner validation: decisions --
    # P1 Alice: Wed 25 Nov 10:00 → Mon 30 Nov 10:00 (due Mon 30th 17:00: Thanksgiving skips
    # Thursday): 14 h + 0 (Thanksgiving) + 24 h (Fri) + 0 (weekend) + 10 h = 48 h; on time.
    decided(
        partner, reviewer=alice, submitted=ny(2026, 11, 25, 10), decided_at=ny(2026, 11, 30, 10)
    )
    # P2 Alice: Fri 4 Dec 12:00 → Mon 7 Dec 12:00 (due Tue 8th 17:00): 12 h + 0 (weekend)
    # + 12 h = 24 h; on time.
    decided(partner, reviewer=alice, submitted=ny(2026, 12, 4, 12), decided_at=ny(2026, 12, 7, 12))
    # P3 Alice, rejected: Thu 10 Dec 09:00 → Tue 15 Dec 09:00 (due Mon 14th 17:00): 15 h +
    # 24 h (Fri) + 0 (weekend) + 24 h (Mon) + 9 h = 72 h; late.
    decided(
        partner,
        reviewer=alice,
        submitted=ny(2026, 12, 10, 9),
        decided_at=ny(2026, 12, 15, 9),
        approve=False,
    )
    # P4 Bob: Mon 5 Oct 09:00 → Tue 6 Oct 09:00 (due Wed 7th 17:00): 15 h + 9 h = 24 h; on
    # time; 70 days ago (in the 90 days, not the 30).
    decided(partner, reviewer=bob, submitted=ny(2026, 10, 5, 9), decided_at=ny(2026, 10, 6, 9))
    # P5 Bob: August, more than 90 days ago: in no figure.
    decided(partner, reviewer=bob, submitted=ny(2026, 8, 3, 9), decided_at=ny(2026, 8, 4, 9))

    # -- customer validation: decisions --
    # C1 Bob, rejected after an information round: Mon 7 Dec 09:00, asked at 15:00 (6 h),
    # answered Wed 9th 09:00 (due Fri 11th 17:00), rejected Mon 14th 09:00: 6 h + 15 h + 24 h
    # + 24 h + 0 (weekend) + 9 h = 78 h; late.
    with time_machine.travel(ny(2026, 12, 7, 9), tick=False):
        c1 = CustomerValidationRequestFactory(submitted_at=ny(2026, 12, 7, 9))
        review_start(model=customer, request_id=c1.pk, reviewer=bob)
    with time_machine.travel(ny(2026, 12, 7, 15), tick=False):
        review_info_request(
            model=customer, request_id=c1.pk, reviewer=bob, message="?", missing_message="-"
        )
    with time_machine.travel(ny(2026, 12, 9, 9), tick=False), transaction.atomic():
        locked = review_request_lock(model=customer, request_id=c1.pk)
        review_info_answer(request=locked, actor=None, response="!", now=ny(2026, 12, 9, 9))
    with time_machine.travel(ny(2026, 12, 14, 9), tick=False):
        review_reject(model=customer, request_id=c1.pk, reviewer=bob, reason="No.")
    # C2 Bob: Thu 3 Dec 10:00 → Fri 4 Dec 10:00 (due Mon 7th 17:00): 14 h + 10 h = 24 h; on
    # time.
    decided(customer, reviewer=bob, submitted=ny(2026, 12, 3, 10), decided_at=ny(2026, 12, 4, 10))
    # C3 Alice: Mon 2 Nov 09:00 → Tue 3 Nov 09:00: 24 h; on time; 42 days ago.
    decided(customer, reviewer=alice, submitted=ny(2026, 11, 2, 9), decided_at=ny(2026, 11, 3, 9))

    # -- open requests at NOW (Tue 15 Dec 15:00) --
    # Partner: one submitted and nobody's, due today 17:00; one Alice has, overdue since
    # yesterday 17:00.
    opened(partner, status=Status.SUBMITTED, due_at=ny(2026, 12, 15, 17))
    opened(partner, status=Status.IN_REVIEW, due_at=ny(2026, 12, 14, 17), reviewer=alice)
    # Customer: Bob's in review, due Thursday; Bob's waiting for information (clock stopped);
    # Alice's in review, overdue since 14:00 today (overdue, so not "due today"); one
    # submitted and nobody's, due at 23:59 today; and a withdrawn one (not open).
    opened(customer, status=Status.IN_REVIEW, due_at=ny(2026, 12, 17, 17), reviewer=bob)
    opened(customer, status=Status.INFO_REQUESTED, due_at=None, reviewer=bob)
    opened(customer, status=Status.IN_REVIEW, due_at=ny(2026, 12, 15, 14), reviewer=alice)
    opened(customer, status=Status.SUBMITTED, due_at=ny(2026, 12, 15, 23, 59))
    opened(customer, status=Status.WITHDRAWN, due_at=None, reviewer=alice)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def kind_of(figures, model):
    return next(kind for kind in figures.kinds if kind.model is model)


def reviewer_rows(figures) -> dict:
    return {
        (str(row.reviewer) if row.reviewer else None, row.kind.model): row
        for row in figures.reviewers
    }


def decisions_of(figures_part) -> tuple:
    d = figures_part.decisions
    return (d.decided_30, d.on_time_30, d.decided_90, d.on_time_90)


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / HOUR, 6)


# -- the figures -------------------------------------------------------------------------------


def test_a_leads_figures_per_kind(data_set, lead):
    figures = review_sla_figures(user=lead, now=NOW)

    assert figures.everyone is True
    partner = kind_of(figures, PartnerValidationRequest)
    customer = kind_of(figures, CustomerValidationRequest)
    # Open: partner 1 submitted + 1 in review; 1 overdue (Alice's), 1 due today (17:00).
    assert (partner.open.submitted, partner.open.in_review, partner.open.info_requested) == (
        1,
        1,
        0,
    )
    assert (partner.open.total, partner.open.overdue, partner.open.due_today) == (2, 1, 1)
    # Customer: 1 submitted, 2 in review, 1 waiting; overdue: Alice's (14:00); due today:
    # the one due 23:59 (Bob's is due Thursday; the waiting one has no due time).
    assert (customer.open.submitted, customer.open.in_review, customer.open.info_requested) == (
        1,
        2,
        1,
    )
    assert (customer.open.total, customer.open.overdue, customer.open.due_today) == (4, 1, 1)
    assert (figures.open_total.total, figures.open_total.overdue) == (6, 2)

    # Partner decisions: 30 days P1, P2 (on time), P3 (late): 3, 2 on time; 90 days + P4: 4,
    # 3 on time (75 %). Business hours 24 (P2), 24 (P4), 48 (P1), 72 (P3): median (24 + 48)
    # / 2 = 36; p90 at position 0.9 * 3 = 2.7: 48 + 0.7 * (72 - 48) = 64.8.
    assert decisions_of(partner) == (3, 2, 4, 3)
    assert partner.decisions.share_90 == 75
    assert hours(partner.decisions.median_seconds) == 36
    assert hours(partner.decisions.p90_seconds) == pytest.approx(64.8)
    # Customer decisions: 30 days C1 (late), C2 (on time); 90 days + C3 (on time). Hours 24,
    # 24, 78: median 24; p90 at 0.9 * 2 = 1.8: 24 + 0.8 * (78 - 24) = 67.2.
    assert decisions_of(customer) == (2, 1, 3, 2)
    assert customer.decisions.share_30 == 50
    assert hours(customer.decisions.median_seconds) == 24
    assert hours(customer.decisions.p90_seconds) == pytest.approx(67.2)


def test_a_leads_figures_per_reviewer(data_set, lead):
    rows = reviewer_rows(review_sla_figures(user=lead, now=NOW))

    partner, customer = PartnerValidationRequest, CustomerValidationRequest
    assert set(rows) == {
        ("Alice Adams", partner),
        ("Alice Adams", customer),
        ("Bob Brown", partner),
        ("Bob Brown", customer),
        (None, partner),
        (None, customer),
    }
    # Alice, partner: P1 48 h (across Thanksgiving: 72 h if the holiday counted), P2 24 h
    # (across a weekend: 72 h if it counted), P3 72 h late. Median 48 (with the holiday and
    # the weekend counted it would be 72); p90 at 0.9 * 2 = 1.8: 48 + 0.8 * 24 = 67.2.
    alice_partner = rows[("Alice Adams", partner)]
    assert decisions_of(alice_partner) == (3, 2, 3, 2)
    assert hours(alice_partner.decisions.median_seconds) == 48
    assert hours(alice_partner.decisions.p90_seconds) == pytest.approx(67.2)
    assert (alice_partner.open.total, alice_partner.open.overdue) == (1, 1)
    # Alice, customer: C3 only (42 days ago): none in 30 days; 24 h. Her open one overdue.
    alice_customer = rows[("Alice Adams", customer)]
    assert decisions_of(alice_customer) == (0, 0, 1, 1)
    assert alice_customer.decisions.share_30 is None
    assert hours(alice_customer.decisions.median_seconds) == 24
    assert (alice_customer.open.total, alice_customer.open.overdue) == (1, 1)
    # Bob, partner: P4 only (P5 is older than 90 days): 24 h; nothing open.
    bob_partner = rows[("Bob Brown", partner)]
    assert decisions_of(bob_partner) == (0, 0, 1, 1)
    assert hours(bob_partner.decisions.p90_seconds) == 24
    assert bob_partner.open.total == 0
    # Bob, customer: C1 78 h late, C2 24 h: median 51; p90 at 0.9: 24 + 0.9 * 54 = 72.6.
    bob_customer = rows[("Bob Brown", customer)]
    assert decisions_of(bob_customer) == (2, 1, 2, 1)
    assert hours(bob_customer.decisions.median_seconds) == 51
    assert hours(bob_customer.decisions.p90_seconds) == pytest.approx(72.6)
    assert (bob_customer.open.total, bob_customer.open.in_review) == (2, 1)
    # Nobody's: one of each kind, both due today.
    assert rows[(None, partner)].open.due_today == rows[(None, customer)].open.due_today == 1


def test_the_weeks_of_the_chart(data_set, lead):
    weeks = review_sla_figures(user=lead, now=NOW).weeks

    assert len(weeks) == 13
    assert (weeks[0].start, weeks[-1].start, weeks[-1].end) == (
        ny(2026, 9, 21),
        ny(2026, 12, 14),
        ny(2026, 12, 21),
    )
    by_week = {week.start.date().isoformat(): (week.on_time, week.late) for week in weeks}
    # Week of 14 Dec: P3 (Tue) and C1 (Mon), both late; 7 Dec: P2; 30 Nov: P1 (Mon), C2
    # (Fri); 2 Nov: C3; 5 Oct: P4. P5 (August) is before the first week.
    assert {day: counts for day, counts in by_week.items() if counts != (0, 0)} == {
        "2026-10-05": (1, 0),
        "2026-11-02": (1, 0),
        "2026-11-30": (2, 0),
        "2026-12-07": (1, 0),
        "2026-12-14": (0, 2),
    }


def test_a_reviewer_sees_only_their_own_figures(data_set, alice):
    figures = review_sla_figures(user=alice, now=NOW)

    assert figures.everyone is False
    partner = kind_of(figures, PartnerValidationRequest)
    customer = kind_of(figures, CustomerValidationRequest)
    # Alice's alone: her open partner request (overdue), her open customer request (overdue;
    # the withdrawn one is not open); her decisions as above.
    assert (partner.open.total, partner.open.overdue, partner.open.due_today) == (1, 1, 0)
    assert (customer.open.total, customer.open.overdue) == (1, 1)
    assert decisions_of(partner) == (3, 2, 3, 2)
    assert hours(partner.decisions.median_seconds) == 48
    assert decisions_of(customer) == (0, 0, 1, 1)
    assert {str(row.reviewer) for row in figures.reviewers} == {"Alice Adams"}
    assert sum(week.total for week in figures.weeks) == 4  # P1, P2, P3, C3


@pytest.fixture
def partner_lead(alice):
    """Alice, who also leads the partner validation review (she reviews customer validation
    requests as any reviewer)."""
    alice.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="partners", codename="reassign_partnervalidationrequest"
        )
    )
    return type(alice).objects.get(pk=alice.pk)  # no cached permissions


def test_a_lead_of_one_kind_who_reviews_another_sees_each_kinds_own_figures(data_set, partner_lead):
    figures = review_sla_figures(user=partner_lead, now=NOW)

    partner = kind_of(figures, PartnerValidationRequest)
    customer = kind_of(figures, CustomerValidationRequest)
    assert figures.everyone is False
    assert figures.everyone_of_some is True
    assert (partner.everyone, customer.everyone) == (True, False)
    # Partner: everyone's, as a lead's (above); customer: Alice's own, as a reviewer's.
    assert (partner.open.total, partner.open.overdue, partner.open.due_today) == (2, 1, 1)
    assert decisions_of(partner) == (3, 2, 4, 3)
    assert (customer.open.total, customer.open.overdue) == (1, 1)
    assert decisions_of(customer) == (0, 0, 1, 1)
    rows = reviewer_rows(figures)
    assert {name for name, model in rows if model is PartnerValidationRequest} == {
        "Alice Adams",
        "Bob Brown",
        None,
    }
    assert {name for name, model in rows if model is CustomerValidationRequest} == {"Alice Adams"}


def test_a_lead_of_one_kind_who_reviews_another_is_told_so_per_kind(
    data_set, frozen, client, partner_lead
):
    client.force_login(partner_lead)

    response = client.get(reverse(SLA))
    rows = list(csv.reader(io.StringIO(client.get(reverse(SLA_CSV)).content.decode("utf-8-sig"))))

    page = page_text(response)
    assert "Partner validation requests: every reviewer's figures, as you lead their review." in (
        page
    )
    assert (
        "Customer validation requests: your own figures, the open requests assigned to you and "
        "the decisions you made." in page
    )
    assert "Every reviewer's figures: you lead the review team." not in page
    assert "Your own figures:" not in page
    labels = {row[0]: row[1] for row in rows[1:] if row[1] in ("All reviewers", "You")}
    assert labels["Partner validation requests"] == "All reviewers"
    assert labels["Customer validation requests"] == "You"


def test_no_figures_for_anyone_else(admin_agent, staff_without_decide):
    for user in (admin_agent, staff_without_decide):
        figures = review_sla_figures(user=user, now=NOW)
        assert (figures.kinds, figures.reviewers, figures.everyone) == ([], [], False)


# -- the page and the CSV ----------------------------------------------------------------------


def test_the_lead_sees_everyones_figures(data_set, frozen, client, lead):
    client.force_login(lead)

    response = client.get(reverse(SLA))

    assert response.status_code == 200
    page = page_text(response)
    assert "Every reviewer's figures" in page
    assert "Alice Adams" in page and "Bob Brown" in page and "Unassigned" in page
    # The partner row: on time 2 of 3 (67 %) in 30 days, 3 of 4 (75 %) in 90; 36.0 h, 64.8 h.
    assert "67% (2 of 3)" in page and "75% (3 of 4)" in page
    assert "36.0 h" in page and "64.8 h" in page
    assert "Figures as of Dec. 15, 2026, 3 p.m. (EST)" in page
    assert 'role="img"' in response.content.decode()


def test_a_reviewer_sees_only_their_own_on_the_page_and_in_the_csv(data_set, frozen, client, alice):
    client.force_login(alice)

    page = page_text(client.get(reverse(SLA)))
    rows = list(csv.reader(io.StringIO(client.get(reverse(SLA_CSV)).content.decode("utf-8-sig"))))

    assert "Your own figures" in page
    assert "Alice Adams" in page
    assert "Bob Brown" not in page and "Unassigned" not in page
    assert {row[1] for row in rows[1:]} == {"You", "Alice Adams"}


def test_the_csv_holds_the_figures(data_set, frozen, client, lead):
    client.force_login(lead)

    response = client.get(reverse(SLA_CSV))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="gcc-sla-2026-12-15.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Request kind", "Reviewer", "Submitted"]
    by_key = {(row[0], row[1]): dict(zip(header, row, strict=True)) for row in body}
    partner = by_key[("Partner validation requests", "All reviewers")]
    assert (partner["Open"], partner["Overdue now"], partner["Due today"]) == ("2", "1", "1")
    assert partner["On time %, last 90 days"] == "75.0"
    assert partner["Median business hours to decision, last 90 days"] == "36.0"
    bob = by_key[("Customer validation requests", "Bob Brown")]
    assert (bob["Decided, last 30 days"], bob["On time, last 30 days"]) == ("2", "1")
    assert bob["90th percentile business hours to decision, last 90 days"] == "72.6"
    assert ("Customer validation requests", "Unassigned") in by_key


def test_the_csv_cannot_carry_a_formula_in_a_name(frozen, client, lead):
    mallory = ReviewerFactory(first_name='=HYPERLINK("http://evil.example")', last_name="")
    CustomerValidationRequestFactory(status=Status.IN_REVIEW, assigned_reviewer=mallory)
    client.force_login(lead)

    body = client.get(reverse(SLA_CSV)).content.decode("utf-8-sig")

    names = {row[1] for row in csv.reader(io.StringIO(body))}
    assert '\'=HYPERLINK("http://evil.example")' in names
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Alice", "Alice"),
        (-3, "-3"),
        (None, ""),
    ],
)
def test_csv_cells(value, cell):
    assert csv_cell(value) == cell


@pytest.mark.parametrize("name", [SLA, SLA_CSV])
def test_a_partner_user_and_staff_who_do_not_review_are_refused(
    name, client, admin_agent, staff_without_decide
):
    for user in (admin_agent, staff_without_decide):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", [SLA, SLA_CSV])
def test_a_visitor_is_sent_to_the_admins_sign_in(name, client):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_page_is_linked_from_the_index_the_sidebar_and_the_queues(client, reviewer):
    client.force_login(reviewer)
    url = reverse(SLA)

    index = client.get(reverse("admin:index")).content.decode()
    queues = [
        client.get(reverse(f"admin:{queue}_changelist")).content.decode()
        for queue in ("partners_partnervalidationrequest", "customers_customervalidationrequest")
    ]
    sidebar = client.get(reverse("admin:reviews_auditevent_changelist")).content.decode()

    assert f'href="{url}"' in index
    assert all(f'href="{url}"' in queue for queue in queues)
    assert 'id="nav-sidebar"' in sidebar and f'href="{url}"' in sidebar


def test_no_link_for_staff_who_do_not_review(client, staff_without_decide):
    client.force_login(staff_without_decide)

    index = client.get(reverse("admin:index"))

    assert index.status_code == 200
    assert reverse(SLA) not in index.content.decode()


def test_empty_states(frozen, client, reviewer):
    client.force_login(reviewer)

    page = page_text(client.get(reverse(SLA)))

    assert "No open requests." in page
    assert "No decisions in the last 90 days." in page
    assert "No decisions in the last 13 weeks." in page


def test_no_decisions_in_the_last_30_days_is_said(frozen, client, reviewer):
    decided(
        CustomerValidationRequest,
        reviewer=reviewer,
        submitted=ny(2026, 11, 2, 9),
        decided_at=ny(2026, 11, 3, 9),
    )
    client.force_login(reviewer)

    page = page_text(client.get(reverse(SLA)))

    assert "No decisions in the last 30 days." in page
    assert "No decisions in the last 90 days." not in page


# -- the cost: aggregate queries only ----------------------------------------------------------


def many(size: int, reviewers: list) -> None:
    """`size` open and `size` decided requests of each kind, spread over `reviewers`."""
    for index in range(size):
        reviewer = reviewers[index % len(reviewers)]
        for factory in (PartnerValidationRequestFactory, CustomerValidationRequestFactory):
            factory(status=Status.IN_REVIEW, assigned_reviewer=reviewer)
            factory(
                status=Status.APPROVED,
                due_at=None,
                decided_at=NOW - dt.timedelta(days=index % 80),
                decided_by=reviewer,
                decision_due_at=NOW,
                decided_on_time=index % 3 != 0,
                business_seconds_to_decision=HOUR * (index + 1),
            )


@pytest.mark.parametrize("user", ["lead", "reviewer"])
def test_a_constant_number_of_queries_whatever_the_number_of_requests(
    frozen, client, lead, reviewer, user
):
    viewer = {"lead": lead, "reviewer": reviewer}[user]
    client.force_login(viewer)
    counts = []
    for size, reviewers in (
        (2, [reviewer]),
        (30, [reviewer, lead, *ReviewerFactory.create_batch(4)]),
    ):
        many(size, reviewers)
        for name in (SLA, SLA_CSV):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(name)).status_code == 200
            counts.append(len(queries))
    small_page, small_csv, large_page, large_csv = counts
    assert (large_page, large_csv) == (small_page, small_csv)
    # Four aggregate queries per kind (3 kinds in the tests) and one for the names, plus the
    # session's and the user's own.
    assert large_page <= 25


# -- the figures kept for a minute -------------------------------------------------------------


@pytest.fixture
def sla_cache(settings, lead, reviewer):
    """The cache on (the test settings turn it off), the keys of this test's users cleared
    before and after (the Redis cache outlives a test)."""
    settings.REVIEW_SLA_CACHE_SECONDS = 60

    def clear():
        for user in (lead, reviewer):
            cache.delete(
                review_sla_figures_cache_key(user=user, scopes=review_sla_scopes(user=user))
            )

    clear()
    yield
    clear()


def test_a_reload_within_the_minute_reads_the_figures_kept_and_says_when_they_were_made(
    sla_cache, client, lead
):
    with time_machine.travel(NOW, tick=False):
        client.force_login(lead)
        opened(PartnerValidationRequest, status=Status.SUBMITTED, due_at=NOW)
        first = page_text(client.get(reverse(SLA)))
    with time_machine.travel(NOW + dt.timedelta(seconds=30), tick=False):
        opened(PartnerValidationRequest, status=Status.SUBMITTED, due_at=NOW)
        with CaptureQueriesContext(connection) as queries:
            again = page_text(client.get(reverse(SLA)))
        csv_again = client.get(reverse(SLA_CSV)).content.decode()

    # No aggregate ran again: the figures (one open request) and their time are the first's.
    assert not [q for q in queries if "percentile_cont" in q["sql"].lower()]
    assert not [q for q in queries if "validationrequest" in q["sql"]]
    assert again == first
    assert "Figures as of Dec. 15, 2026, 3 p.m. (EST)" in again
    assert "Partner validation requests,All reviewers,1,0,0,1" in csv_again.replace("\r", "")


def test_after_the_minute_the_figures_are_made_again(sla_cache, client, lead, settings):
    with time_machine.travel(NOW, tick=False):
        client.force_login(lead)
        opened(PartnerValidationRequest, status=Status.SUBMITTED, due_at=NOW)
        client.get(reverse(SLA))
    opened(PartnerValidationRequest, status=Status.SUBMITTED, due_at=NOW)
    # Expired: what the cache's own clock (Redis) does after the minute, done at once here.
    cache.delete(review_sla_figures_cache_key(user=lead, scopes=review_sla_scopes(user=lead)))
    with time_machine.travel(NOW + dt.timedelta(minutes=2), tick=False):
        page = page_text(client.get(reverse(SLA)))

    assert "Figures as of Dec. 15, 2026, 3:02 p.m. (EST)" in page
    figures = review_sla_figures_recent(user=lead, now=NOW + dt.timedelta(minutes=2))
    assert kind_of(figures, PartnerValidationRequest).open.submitted == 2


def test_each_user_has_their_own_figures_kept(sla_cache, client, lead, reviewer):
    with time_machine.travel(NOW, tick=False):
        opened(PartnerValidationRequest, status=Status.SUBMITTED, due_at=NOW)
        lead_figures = review_sla_figures_recent(user=lead, now=NOW)
        reviewer_figures = review_sla_figures_recent(user=reviewer, now=NOW)

    # The lead sees the open request nobody has; the reviewer only what is theirs (nothing).
    assert kind_of(lead_figures, PartnerValidationRequest).open.submitted == 1
    assert kind_of(reviewer_figures, PartnerValidationRequest).open.submitted == 0


def test_a_reviewer_made_lead_gets_everyones_figures_at_once(sla_cache, reviewer):
    with time_machine.travel(NOW, tick=False):
        opened(PartnerValidationRequest, status=Status.SUBMITTED, due_at=NOW)
        own = review_sla_figures_recent(user=reviewer, now=NOW)
        reviewer.user_permissions.add(
            Permission.objects.get(codename="reassign_partnervalidationrequest")
        )
        reviewer = type(reviewer).objects.get(pk=reviewer.pk)  # permissions read again
        as_lead = review_sla_figures_recent(user=reviewer, now=NOW)
        cache.delete(
            review_sla_figures_cache_key(user=reviewer, scopes=review_sla_scopes(user=reviewer))
        )

    assert kind_of(own, PartnerValidationRequest).open.submitted == 0
    assert kind_of(as_lead, PartnerValidationRequest).everyone
    assert kind_of(as_lead, PartnerValidationRequest).open.submitted == 1


# -- the percentile, on PostgreSQL and on SQLite -----------------------------------------------


VALUES = [7, 1, 3, 100, 12, 12, 5]


@pytest.mark.parametrize("fraction", [0.0, 0.5, 0.9, 1.0])
def test_sqlites_percentile_is_postgresqls(fraction):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(%s) WITHIN GROUP (ORDER BY x) FILTER (WHERE x < 50) "
            "FROM unnest(%s::int[]) AS x",
            [fraction, VALUES],
        )
        [postgresql] = cursor.fetchone()
    lite = sqlite3.connect(":memory:")
    lite.create_aggregate(PercentileContSQLite.sql_name, 2, PercentileContSQLite)
    lite.execute("CREATE TABLE t (x INTEGER)")
    lite.executemany("INSERT INTO t VALUES (?)", [(value,) for value in [*VALUES, None]])
    [sqlite] = lite.execute(
        "SELECT gcc_percentile_cont(?, x) FILTER (WHERE x < 50) FROM t",
        [fraction],
    ).fetchone()

    # 1, 3, 5, 7, 12, 12 (100 filtered out): the median is (5 + 7) / 2 = 6; p90 at 0.9 * 5 =
    # 4.5: 12.
    assert sqlite == pytest.approx(postgresql)
    assert percentile_cont([value for value in VALUES if value < 50], fraction) == pytest.approx(
        postgresql
    )
    if fraction == 0.5:
        assert postgresql == 6


def test_percentile_of_nothing_is_none():
    assert percentile_cont([], 0.5) is None


def test_a_reload_within_the_minute_writes_no_table_again_another_language_does(
    sla_cache, client, lead
):
    # given: figures with a reviewer of this test's own (a name no earlier run had: the
    # content is kept under what it is made of, in a cache that outlives the test)
    reviewer = ReviewerFactory(first_name=uuid.uuid4().hex)
    with time_machine.travel(NOW, tick=False):
        client.force_login(lead)
        opened(PartnerValidationRequest, status=Status.IN_REVIEW, due_at=NOW, reviewer=reviewer)
        first = client.get(reverse(SLA))
    # when: reloaded within the minute, then in French
    with time_machine.travel(NOW + dt.timedelta(seconds=30), tick=False):
        again = client.get(reverse(SLA))
        lead.language = "fr"
        lead.save(update_fields=["language"])
        french = client.get(reverse(SLA))

    # then: the same page, its tables written once; again in French
    def tables_written(response) -> bool:
        return "admin/reviews/_sla_decisions.html" in {t.name for t in response.templates}

    assert (tables_written(first), tables_written(again), tables_written(french)) == (
        True,
        False,
        True,
    )
    assert page_text(again) == page_text(first)
    assert reviewer.first_name in page_text(again)
    assert "Demandes ouvertes" in page_text(french)
