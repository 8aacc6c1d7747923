"""The two tags every request page writes with: `{% moment %}` (a time, its zone named) and
`{% status_badge %}` (a request's status, coloured)."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from partners.models import PartnerValidationRequest
from reviews.models import ReviewStatus


def render(source: str, **context) -> str:
    return Template("{% load moments badges %}" + source).render(Context(context))


def test_a_moment_is_written_in_the_review_time_zone_with_its_zone_named():
    when = dt.datetime(2026, 7, 1, 21, 0, tzinfo=dt.UTC)  # 5 p.m. in New York (EDT)

    assert render("{% moment when %}", when=when) == (
        '<time datetime="2026-07-01T17:00:00-04:00">July 1, 2026, 5 p.m. (EDT)</time>'
    )


def test_a_moment_reads_in_the_readers_language():
    when = dt.datetime(2026, 11, 30, 22, 0, tzinfo=dt.UTC)
    with translation.override("fr"):
        shown = render("{% moment when %}", when=when)

    assert ">30 novembre 2026 17:00 (EST)<" in shown


def test_no_moment_writes_an_empty_time():
    assert render("{% moment when %}", when=None) == '<time datetime=""> ()</time>'


@pytest.mark.parametrize(
    ("status", "badge"),
    [
        (ReviewStatus.SUBMITTED, "text-bg-primary"),
        (ReviewStatus.IN_REVIEW, "text-bg-primary"),
        (ReviewStatus.INFO_REQUESTED, "text-bg-warning"),
        (ReviewStatus.APPROVED, "text-bg-success"),
        (ReviewStatus.REJECTED, "text-bg-danger"),
        (ReviewStatus.WITHDRAWN, "text-bg-secondary"),
    ],
)
def test_a_status_badge_is_coloured_by_the_status_and_labelled_in_the_readers_language(
    status, badge
):
    request = PartnerValidationRequest(status=status)
    with translation.override("fr"):
        shown = render("{% status_badge request %}", request=request)
        label = str(ReviewStatus(status).label)

    assert shown == f'<span class="badge {badge}">{label}</span>'
