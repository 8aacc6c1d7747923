"""The two tags every request page writes with: `{% moment %}` (a time, its zone named) and
`{% status_badge %}` (a request's status, coloured)."""

import datetime as dt
from unittest import mock

import pytest
from django.template import Context, Template
from django.utils import dateformat, timezone, translation

from customers.models import CustomerValidationRequest
from gccportal.templatetags.moments import MomentFormat, parsed_format
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


# Every quarter hour of a day (midnight, noon, a.m. and p.m.), each month and weekday, a DST change.
MOMENTS = (
    [
        dt.datetime(2026, 3, 8, 0, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)
        for minutes in range(0, 24 * 60, 15)
    ]
    + [
        dt.datetime(2026, month, day, 5, 0, tzinfo=dt.UTC)
        for month in range(1, 13)
        for day in (1, 3, 5, 7, 9, 11, 13)
    ]
    + [
        dt.datetime(2026, 12, 31, 12, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 1, 5, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC),  # 1:30 a.m. twice in New York
        dt.datetime(2026, 7, 1, 21, 0),  # naive: written as it is
    ]
)


def filtered(when) -> str:
    """What Django's own `date` filter writes for `{% moment %}`'s three parts."""
    return Template(
        '<time datetime="{{ when|date:"c" }}">{{ when|date:"DATETIME_FORMAT" }} '
        '({{ when|date:"T" }})</time>'
    ).render(Context({"when": when}))


@pytest.mark.parametrize("language", ["en", "fr", "en"])
@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Paris", "Asia/Kolkata"])
def test_a_moment_is_written_as_djangos_date_filter_writes_it(language, zone):
    """Its translated pieces are kept per language: English, then French, then English again
    (in another time zone each) must each read as the filter's."""
    with translation.override(language), timezone.override(zone):
        for when in MOMENTS:
            assert render("{% moment when %}", when=when) == filtered(when), when


def test_a_moment_in_french_after_english_names_the_french_month():
    when = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
    with translation.override("en"):
        english = render("{% moment when %}", when=when)
    with translation.override("fr"):
        french = render("{% moment when %}", when=when)

    assert "Feb. 10, 2026, noon (EST)" in english
    assert "10 février 2026 12:00 (EST)" in french


def test_a_moments_format_is_parsed_with_its_escapes():
    value = dt.datetime(2026, 5, 4, 15, 6)
    pieces = "".join(text for _is_character, text in parsed_format(r"\Y\e\s: Y-m-d \a\t P"))

    assert pieces == "Yes: Y-m-d at P"
    assert MomentFormat(value).format(r"\Y\e\s: N j, Y \a\t P") == dateformat.format(
        value, r"\Y\e\s: N j, Y \a\t P"
    )


@pytest.mark.parametrize("model", [PartnerValidationRequest, CustomerValidationRequest])
def test_status_labels_are_each_languages_own(model):
    """The labels are translated once per language: English after French is English again."""
    shown = {}
    for language in ("en", "fr", "en"):
        with translation.override(language):
            for status in ReviewStatus:
                request = model(status=status)
                shown[language, status] = render("{% status_badge request %}", request=request)
                assert f">{request.get_status_display()}<" in shown[language, status]

    assert ">Approved<" in shown["en", ReviewStatus.APPROVED]
    assert ">Approuvée<" in shown["fr", ReviewStatus.APPROVED]


def test_an_unknown_status_is_shown_as_it_is():
    request = PartnerValidationRequest(status="archived")

    assert render("{% status_badge request %}", request=request) == (
        '<span class="badge text-bg-primary">archived</span>'
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_row_of_moments_and_badges_calls_no_gettext_once_its_language_is_known(language):
    """The per-row cost measured: each gettext call (a lazy label hashed, a month name) was
    about 0.1 ms, two moments and a badge a row."""
    rows = [
        (
            dt.datetime(2026, 11, 30, 12 + day % 12, 0, tzinfo=dt.UTC) + dt.timedelta(days=day),
            PartnerValidationRequest(status=ReviewStatus.INFO_REQUESTED),
        )
        for day in range(20)
    ]
    source = "{% moment when %}{% status_badge request %}"
    with translation.override(language):
        for when, request in rows:
            render(source, when=when, request=request)  # each piece's text once
        translation.gettext("warm")  # the translation object's gettext bound
        with mock.patch.object(
            translation._trans, "gettext", wraps=translation._trans.gettext
        ) as gettext:
            for when, request in rows:
                render(source, when=when, request=request)

    assert gettext.call_count == 0
