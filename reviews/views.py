"""The SLA page in the admin (and its CSV): review leads see everyone's figures, a reviewer
their own (selectors.review_sla_scopes); anyone else is refused (403)."""

import functools
import hashlib
import math

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gccportal.spreadsheets import csv_response
from gccportal.templatetags.moments import moment_html

from .selectors import (
    SlaDecisions,
    SlaFigures,
    SlaOpen,
    SlaWeek,
    review_sla_figures_recent,
    review_sla_scopes,
)


def sla_access(view):
    """The admin's own checks (signed in, staff, second factor; else its login page), and
    then a 403 for whoever may see no kind's figures — a signed-in partner user included,
    whom the admin would only send to its login page."""
    admin_view = admin.site.admin_view(view)

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        if request.user.is_authenticated and not review_sla_scopes(user=request.user):
            raise PermissionDenied
        return admin_view(request, *args, **kwargs)

    return checked


# The chart (an SVG drawn here, no script): one bar per week, on time then late, in a
# 400-wide box that the stylesheet scales to the page (admin.css, .sla-chart).
CHART_WIDTH = 400
CHART_LABEL_WIDTH = 64
CHART_BAR_HEIGHT = 16
CHART_ROW_HEIGHT = 24
CHART_TOP = 4
CHART_AXIS_HEIGHT = 24
CHART_COUNT_WIDTH = 28


def chart_scale(largest: int) -> tuple[int, list[int]]:
    """The axis' maximum and ticks for counts up to `largest`: the smallest round step (1, 2
    or 5 times a power of ten) giving at most 5 intervals."""
    largest = max(largest, 1)
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if math.ceil(largest / step) <= 5:
                top = math.ceil(largest / step) * step
                return top, list(range(0, top + 1, step))
        magnitude *= 10


def sla_chart(weeks: list[SlaWeek]) -> dict:
    """Where the chart's bars, labels and ticks go (SVG user units)."""
    top, ticks = chart_scale(max(week.total for week in weeks))
    plot_left = CHART_LABEL_WIDTH
    plot_width = CHART_WIDTH - CHART_LABEL_WIDTH - CHART_COUNT_WIDTH
    plot_bottom = CHART_TOP + CHART_ROW_HEIGHT * len(weeks)

    def x(count: int) -> float:
        return round(plot_left + plot_width * count / top, 1)

    label_format = pgettext("the SLA chart's week label (a date format)", "M j")
    rows = []
    for index, week in enumerate(weeks):
        y = CHART_TOP + index * CHART_ROW_HEIGHT + (CHART_ROW_HEIGHT - CHART_BAR_HEIGHT) / 2
        rows.append(
            {
                "week": week,
                "label": formats.date_format(timezone.localtime(week.start), label_format),
                "y": y,
                "text_y": y + CHART_BAR_HEIGHT / 2,
                "on_time_width": round(x(week.on_time) - plot_left, 1),
                "late_x": x(week.on_time),
                "late_width": round(x(week.total) - x(week.on_time), 1),
                "count_x": x(week.total) + 4,
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": plot_bottom + CHART_AXIS_HEIGHT,
        "rows": rows,
        "plot_left": plot_left,
        "plot_right": plot_left + plot_width,
        "plot_top": CHART_TOP,
        "plot_bottom": plot_bottom,
        "tick_label_y": plot_bottom + 16,
        "ticks": [{"value": tick, "x": x(tick)} for tick in ticks],
        "on_time": sum(week.on_time for week in weeks),
        "late": sum(week.late for week in weeks),
    }


def sla_content_key(figures: SlaFigures) -> str:
    """What the page's content is made of: the figures (their repr has every value shown, the
    reviewers by their names), the language and the time zone. The content is rendered once
    for each (templates/admin/reviews/sla.html keeps it as long as the figures are kept): a
    reload within the minute writes no table again."""
    made_of = repr((figures, translation.get_language(), timezone.get_current_timezone_name()))
    return hashlib.sha256(made_of.encode()).hexdigest()


@sla_access
def review_sla_view(request):
    figures = review_sla_figures_recent(user=request.user, now=timezone.now())
    context = {
        **admin.site.each_context(request),
        # No nav sidebar: it would list every app again (the header links to the index).
        "is_nav_sidebar_enabled": False,
        "title": _("SLA figures"),
        # The page's time as the other pages show times (the zone named), in a sentence.
        "as_of": moment_html(figures.now),
        "figures": figures,
        "chart": sla_chart(figures.weeks),
        "decided_30": sum(kind.decisions.decided_30 for kind in figures.kinds),
        "decided_90": sum(kind.decisions.decided_90 for kind in figures.kinds),
        "content_key": sla_content_key(figures),
        "content_seconds": settings.REVIEW_SLA_CACHE_SECONDS,
    }
    return TemplateResponse(request, "admin/reviews/sla.html", context)


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _cells(open_: SlaOpen, decisions: SlaDecisions) -> list:
    return [
        open_.submitted,
        open_.in_review,
        open_.info_requested,
        open_.total,
        open_.overdue,
        open_.due_today,
        decisions.decided_30,
        decisions.on_time_30,
        _percent(decisions.share_30),
        decisions.decided_90,
        decisions.on_time_90,
        _percent(decisions.share_90),
        _hours(decisions.median_hours),
        _hours(decisions.p90_hours),
    ]


@sla_access
def review_sla_csv_view(request):
    """The page's figures as a CSV: a row per kind (every reviewer the user may see), then a
    row per reviewer and kind."""
    now = timezone.now()
    figures = review_sla_figures_recent(user=request.user, now=now)
    header = [
        _("Request kind"),
        _("Reviewer"),
        _("Submitted"),
        _("In review"),
        _("Information requested"),
        _("Open"),
        _("Overdue now"),
        _("Due today"),
        _("Decided, last 30 days"),
        _("On time, last 30 days"),
        _("On time %, last 30 days"),
        _("Decided, last 90 days"),
        _("On time, last 90 days"),
        _("On time %, last 90 days"),
        _("Median business hours to decision, last 90 days"),
        _("90th percentile business hours to decision, last 90 days"),
    ]
    # Per kind: a user may lead one kind's review and only review another's.
    rows = [
        [
            kind.label,
            _("All reviewers") if kind.everyone else _("You"),
            *_cells(kind.open, kind.decisions),
        ]
        for kind in figures.kinds
    ]
    rows += [
        [
            row.kind.label,
            str(row.reviewer) if row.reviewer else _("Unassigned"),
            *_cells(row.open, row.decisions),
        ]
        for row in figures.reviewers
    ]
    day = timezone.localtime(now).date().isoformat()
    return csv_response(filename=f"gcc-sla-{day}.csv", header=header, rows=rows)
