"""Admin pieces shared by every review queue: the queue (filters, ordering), the decision
pages, whose buttons follow the moves the model declares, and the decisions' common texts."""

import contextlib
import datetime as dt
import functools
import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import (
    FieldDoesNotExist,
    ImproperlyConfigured,
    PermissionDenied,
    ValidationError,
)
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import BooleanField, Case, F, Q, Value, When
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from gccportal.admin import BoundedPaginator, ReadOnlyAdminMixin, YesNoFilter
from gccportal.exceptions import ServiceError
from gccportal.review_clock import end_of_today

from .models import (
    ACTION_LABELS,
    CLOCK_RUNNING_STATUSES,
    OPEN_STATUSES,
    AuditEvent,
    ReviewableRequest,
    ReviewStatus,
)
from .selectors import (
    audit_event_list_for_subject,
    review_assignees,
    review_decision_recorded,
)
from .services import review_assign, review_reject, review_start

logger = logging.getLogger(__name__)

# What a lost or broken database connection raises (InterfaceError is not a DatabaseError).
# Not IntegrityError, DataError or ProgrammingError: those are bugs, and show as such.
DATABASE_ERRORS = (OperationalError, InterfaceError)


def database_connection_discard() -> None:
    """Drop the default connection after a database failure, so the next query opens a fresh one.

    After a failure at COMMIT the connection may be dead or in an unknown state. Inside an outer
    atomic block (ATOMIC_REQUESTS, a test's transaction) the block owns the connection and its
    rollback, so it is left alone.
    """
    if connection.in_atomic_block:
        return
    # Closing a dead connection may complain; it is dropped all the same.
    with contextlib.suppress(*DATABASE_ERRORS):
        connection.close()


class QueueFilter(admin.SimpleListFilter):
    """Status filter whose default is the open queue, not every request ever made."""

    title = _("status")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("open", _("Open (queue)")), *ReviewStatus.choices, ("all", _("All"))]

    def choices(self, changelist):
        current = self.value() or "open"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        if value == "all":
            return queryset
        return queryset.filter(status=value)


class OverdueFilter(YesNoFilter):
    title = _("overdue")
    parameter_name = "overdue"
    yes_label = _("Overdue")
    no_label = _("On time")

    def condition(self) -> Q:
        return Q(status__in=CLOCK_RUNNING_STATUSES, due_at__lt=timezone.now())


class AssigneeFilter(admin.SimpleListFilter):
    """The queue's requests by whom they are assigned to: the reviewer's own, or nobody's."""

    title = _("assigned reviewer")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("Mine")), ("nobody", _("Unassigned"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_reviewer=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_reviewer__isnull=True)
        return queryset


class DueFilter(admin.SimpleListFilter):
    """Running requests due before the end of today in the review time zone (and not yet
    overdue): the day's work."""

    title = _("due")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("today", _("Due today"))]

    def queryset(self, request, queryset):
        if self.value() != "today":
            return queryset
        now = timezone.now()
        return queryset.filter(
            status__in=CLOCK_RUNNING_STATUSES, due_at__gte=now, due_at__lt=end_of_today(now)
        )


class ConflictFilter(YesNoFilter):
    """Requests that meet any of their kind's conflict rules (the admin's `conflict_count`)."""

    title = _("conflicts")
    parameter_name = "conflicts"
    yes_label = _("With conflicts")
    no_label = _("Without conflicts")

    def condition(self) -> Q:
        return Q(conflict_count__gt=0)


class QueueRows:
    """A queue page's rows (the ChangeList's `result_list`), read first as the values their
    columns are made of (`values`: one query, no request built), which is all a page of rows
    found in the cache needs (reviews/templatetags/review_queue.py); as requests only where
    they are read so: `requests(pks)` builds those of `pks` (the rows to render), and
    iterating builds the page's (one query each time)."""

    def __init__(self, page, queryset, fields: list[str]) -> None:
        self.page = page  # the page's slice of the queue, in queue order
        self.queryset = queryset  # the whole (filtered, ordered) queue
        self.fields = fields  # ReviewAdminMixin.queue_values(), "pk" first
        self._values = None

    @property
    def values(self) -> list[tuple]:
        if self._values is None:
            self._values = list(self.page.values_list(*self.fields))
        return self._values

    def __len__(self) -> int:
        return len(self.values)

    def __bool__(self) -> bool:
        return bool(self.values)

    def requests(self, pks) -> dict:
        """The requests of `pks` (in the queue), built with what the columns read, by pk."""
        return {
            request.pk: request for request in self.queryset.filter(pk__in=list(pks)).order_by()
        }

    def __iter__(self):
        found = self.requests(row[0] for row in self.values)
        return iter([found[row[0]] for row in self.values if row[0] in found])


class QueueChangeList(ChangeList):
    """The queue's list, reading of each request only what its columns show
    (ReviewAdminMixin.queue_fields): a request is a wide row (answers, messages, notes), and
    building 50 whole requests and their related rows costs more than the query. The page's
    rows are read as values first (QueueRows)."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.only(*self.model_admin.queue_fields())

    def get_results(self, request):
        super().get_results(request)
        self.result_list = QueueRows(
            self.result_list, self.queryset, self.model_admin.queue_values()
        )


class ReasonForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6, "cols": 80}), max_length=5000)

    def __init__(self, *args, label, required: bool, help_text: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["text"]
        field.label, field.required, field.help_text = label, required, help_text
        field.error_messages["required"] = help_text or _("This field is required.")


# What the decisions of every kind share; a kind's admin adds its services and its own words
# (review_decisions). `argument`: the service's name for the form's text.
REVIEW_DECISIONS = {
    "start-review": {
        "label": _("Start review"),
        "argument": "note",
        "text_label": _("Note (optional)"),
        "text_required": False,
        "direct": True,  # one click on the change page, no confirmation page
        "done": _("Review started; the request is assigned to you."),
    },
    "approve": {
        "label": _("Approve"),
        "argument": "note",
        "text_label": _("Note to the partner (optional)"),
        "text_required": False,
    },
    "reject": {
        "label": _("Reject"),
        "argument": "reason",
        "text_label": _("Reason"),
        "text_required": True,
        "help_text": _("Give the reason for the rejection; the partner sees it."),
        "done": _("Rejected. The partner was told the reason."),
    },
    "request-info": {
        "label": _("Request information"),
        "argument": "message",
        "text_required": True,
    },
}

# The queue's columns every kind shows after its own (who and what the request is about).
QUEUE_COLUMNS = ["status", "due_at", "overdue", "conflicts", "submitted_at", "assigned_reviewer"]

# The information request's fields, the same in every kind's change page.
INFO_REQUEST_FIELDSET = (
    _("Information request"),
    {
        "fields": [
            "info_request_message",
            "info_requested_at",
            "info_response",
            "info_responded_at",
        ]
    },
)


def review_decisions(model: type[ReviewableRequest], kind: dict[str, dict]) -> dict[str, dict]:
    """The decisions of `model`'s admin, in REVIEW_DECISIONS' order: starting the review and
    rejecting, the same for every kind (reviews' services, for `model`), and the kind's own
    `kind` specs (at least approve's and request-info's `service`), each completing or
    overriding the shared spec."""
    shared = {
        "start-review": {"service": functools.partial(review_start, model=model)},
        "reject": {"service": functools.partial(review_reject, model=model)},
    }
    specs = {
        action: {**shared.get(action, {}), **kind.get(action, {})} for action in REVIEW_DECISIONS
    }
    specs.update((action, spec) for action, spec in kind.items() if action not in specs)
    return {action: {**REVIEW_DECISIONS.get(action, {}), **spec} for action, spec in specs.items()}


class ReviewAdminMixin(ReadOnlyAdminMixin):
    """Queue and decision views for a ReviewableRequest admin.

    Subclasses set `decisions` (see review_decisions): a dict of action name → spec with
    `label`, `service` (called with request_id, reviewer and the form's cleaned fields, the
    text under the name `argument`), `text_label`, `text_required`, `help_text`, `done`
    (message), optional `form_class` (a ReasonForm subclass adding fields), `direct` (a
    one-click button on the change page) and `move` (the model's transition the service makes;
    by default the action name with underscores: "start-review" → start_review). A decision is
    offered exactly when the model's declared transition `move` can be made from the request's
    status. Reviewers need the model's `decide_<model name>` permission. Nothing is added,
    edited or deleted here (ReadOnlyAdminMixin); decisions have their own views and go
    through the services only.

    A decision and its admin log entry commit in one transaction. When the database fails
    during it (possibly at COMMIT, when nobody can know whether it committed), the reviewer is
    told what happened, read again on a fresh connection: saved, not saved, or not known.
    """

    change_form_template = "admin/reviews/change_form.html"
    change_list_template = "admin/reviews/queue_change_list.html"
    decide_template = "admin/reviews/decide.html"
    decision_unconfirmed_template = "admin/reviews/decision_unconfirmed.html"
    decisions: dict = {}
    # The count of the kind's conflict rules (its model's `conflict_rules_path`) for the queue:
    # a function giving an expression annotated on each row.
    conflict_count = None
    _annotated_queryset = None
    list_per_page = 50
    # The filtered count only, and of at most 1,000 requests: counting the whole table as well
    # ("50 of 100,000"), or every open request, costs a scan on each view of the queue.
    show_full_result_count = False
    paginator = BoundedPaginator
    list_filter = [QueueFilter, AssigneeFilter, OverdueFilter, DueFilter, ConflictFilter]
    list_select_related = ["organization", "assigned_reviewer"]
    # What the queue reads of the related rows it lists: what their names (__str__) show.
    list_related_fields = {
        "organization": ["legal_name"],
        "assigned_reviewer": ["first_name", "last_name", "email"],
    }

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def annotated_queryset(self, request):
        """The kind's requests in queue order with their conflict count, built and resolved
        once per process (building and resolving the count's subqueries costs about as much
        as running them): the count holds no value of its own, only constants and references
        to the row (OuterRef), and the queue's order is the same for everyone. Each view
        chains a clone of it, as a queryset kept in a module is used."""
        if self._annotated_queryset is None:
            queryset = super().get_queryset(request)
            if self.conflict_count is not None:
                queryset = queryset.annotate(conflict_count=self.conflict_count())
            self._annotated_queryset = queryset
        return self._annotated_queryset.all()

    def get_queryset(self, request):
        now = timezone.now()
        return self.annotated_queryset(request).annotate(
            overdue_flag=Case(
                When(Q(status__in=CLOCK_RUNNING_STATUSES, due_at__lt=now), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def queue_fields(self) -> list[str]:
        """What the queue reads of each request: the listed fields, and of each listed related
        row the fields its name shows (`list_related_fields`; all of them if not named). The
        columns of the admin's own (overdue, conflicts) read the queryset's annotations; the
        change page reads the whole request."""
        fields = ["pk"]
        for name in self.list_display:
            try:
                self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            fields.append(name)
            fields += [f"{name}__{related}" for related in self.list_related_fields.get(name, [])]
        return fields

    def list_annotations(self) -> dict[str, list[str]]:
        """What each of the admin's own queue columns shows is made of: its annotations."""
        return {
            "overdue": ["overdue_flag"],
            "conflicts": [] if self.conflict_count is None else ["conflict_count"],
        }

    def queue_values(self) -> list[str]:
        """What a queue row is made of, as values (QueueRows.values; the rows' cache keys):
        what the queue reads of each request (`queue_fields`: its ID once) and each of the
        admin's own columns' annotations (`list_annotations()`)."""
        fields = self.queue_fields()
        annotations = self.list_annotations()
        values = [field for field in fields if field != self.model._meta.pk.name]
        for name in self.list_display:
            if name in fields:
                continue
            if name not in annotations:
                raise ImproperlyConfigured(
                    f"{type(self).__name__}.list_annotations() does not say what the "
                    f"queue's column {name!r} shows."
                )
            values += annotations[name]
        return values

    def changelist_view(self, request, extra_context=None):
        # No nav sidebar on the queue: it would list every app again (the header links to the
        # index), and the queue is the page reviewers load most.
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_ordering(self, request):
        # The queue: soonest due first; requests whose clock is stopped go last.
        return [F("due_at").asc(nulls_last=True), "submitted_at"]

    @admin.display(description=_("Overdue"), boolean=True, ordering="overdue_flag")
    def overdue(self, obj) -> bool:
        return obj.overdue_flag

    @admin.display(description=_("Conflicts"), ordering="conflict_count")
    def conflicts(self, obj) -> int | str:
        return getattr(obj, "conflict_count", "—")

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/assign/",
                self.admin_site.admin_view(self.assign_view),
                name=f"{opts.app_label}_{opts.model_name}_assign",
            ),
            path(
                "<path:object_id>/decide/<slug:action>/",
                self.admin_site.admin_view(self.decide_view),
                name=f"{opts.app_label}_{opts.model_name}_decide",
            ),
            *super().get_urls(),
        ]

    def can_decide(self, request) -> bool:
        return request.user.has_perm(self.model.review_decide_permission())

    def conflicts_context(self, obj) -> dict:
        """The change page's conflicts: each found, and how many rules they meet (the queue's
        count)."""
        if not self.model.conflict_rules_path:
            return {"conflicts": None}
        conflicts = obj.review_conflicts()
        return {"conflicts": conflicts, "conflict_kinds": len({c.code for c in conflicts})}

    def assignment_context(self, request, obj) -> dict:
        """What the change page offers for who reviews `obj`: "Assign to me" to a reviewer
        when it is open and nobody's (a lead: anyone's but theirs), and to a lead the other
        reviewers to give it to."""
        user = request.user
        may_reassign = user.has_perm(self.model.review_reassign_permission())
        open_request = obj.is_open and self.can_decide(request)
        return {
            "assign_url_name": (
                f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_assign"
            ),
            "can_assign_self": open_request
            and obj.assigned_reviewer_id != user.pk
            and (obj.assigned_reviewer_id is None or may_reassign),
            "assignees": (
                [
                    reviewer
                    for reviewer in review_assignees(model=self.model)
                    if reviewer.pk != obj.assigned_reviewer_id
                ]
                if open_request and may_reassign
                else []
            ),
        }

    def assign_view(self, request, object_id: str):
        """POST: give the request to the reviewer `assignee` (the user's own ID: "Assign to
        me"), through reviews.services.review_assign, which says who may."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.can_decide(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        value = request.POST.get("assignee", "")
        assignee = get_user_model().objects.filter(pk=value).first() if value.isdigit() else None
        if assignee is None:
            self.message_user(request, _("Choose a GCC reviewer."), level=messages.ERROR)
            return redirect(self.get_change_url(obj))
        try:
            with transaction.atomic():
                review_assign(
                    model=self.model, request_id=obj.pk, actor=request.user, assignee=assignee
                )
                message = _("Assigned to %(name)s.") % {"name": assignee}
                self.log_change(request, obj, message)
        except ServiceError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)
        else:
            self.message_user(request, message, level=messages.SUCCESS)
        return redirect(self.get_change_url(obj))

    def available_decisions(self, obj) -> list[dict]:
        """The decisions whose move the model allows from `obj`'s status."""
        moves = {transition.name for transition in obj.get_available_status_transitions()}
        return [
            {"action": name, "label": spec["label"], "direct": spec.get("direct", False)}
            for name, spec in self.decisions.items()
            if self.decision_move(name) in moves
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if obj is not None:
            extra_context.update(
                events=audit_event_list_for_subject(subject=obj),
                can_decide=self.can_decide(request),
                decisions=self.available_decisions(obj) if self.can_decide(request) else [],
                decide_url_name=(
                    f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_decide"
                ),
                **self.assignment_context(request, obj),
                **self.conflicts_context(obj),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def decide_view(self, request, object_id: str, action: str):
        if action not in self.decisions:
            raise Http404
        if not self.can_decide(request):
            raise PermissionDenied
        spec = self.decisions[action]
        # get_object, not a bare pk filter: a malformed id in the URL is "not found", not a 500.
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        change_url = self.get_change_url(obj)
        form_kwargs = {
            "label": spec["text_label"],
            "required": spec["text_required"],
            "help_text": spec.get("help_text", ""),
        }
        form_class = spec.get("form_class", ReasonForm)
        if request.method == "POST":
            form = form_class(request.POST, **form_kwargs)
            if form.is_valid():
                since = timezone.now()
                try:
                    # One transaction (the service's own becomes a savepoint): the decision and
                    # its log entry are saved together or not at all.
                    with transaction.atomic():
                        # The form's fields are the service's arguments (`text` under the name
                        # the service gives it, and any extras).
                        spec["service"](
                            request_id=obj.pk,
                            reviewer=request.user,
                            **self.decision_arguments(action, form.cleaned_data),
                        )
                        self.log_change(request, obj, str(spec["done"]))
                except ServiceError as exc:
                    self.message_user(request, exc.message, level=messages.ERROR)
                    return redirect(change_url)
                except ValidationError as exc:
                    for field, errors in getattr(exc, "error_dict", {"text": exc}).items():
                        form.add_error(field if field in form.fields else "text", errors)
                except DATABASE_ERRORS:
                    logger.exception(
                        "Database error during the %s decision on %s %s by user %s",
                        action,
                        self.model._meta.label,
                        obj.pk,
                        request.user.pk,
                    )
                    return self.decision_after_database_error(
                        request, obj=obj, action=action, form=form, since=since
                    )
                else:
                    self.message_user(request, spec["done"], level=messages.SUCCESS)
                    return redirect(change_url)
        elif request.method == "GET":
            if not can_proceed(getattr(obj, self.decision_move(action))):
                self.message_user(
                    request,
                    _("This request is %(status)s; that action is no longer possible.")
                    % {"status": obj.get_status_display().lower()},
                    level=messages.WARNING,
                )
                return redirect(change_url)
            form = form_class(**form_kwargs)
        else:
            return HttpResponseNotAllowed(["GET", "POST"])
        return TemplateResponse(
            request,
            self.decide_template,
            self.decide_context(request, obj=obj, action=action, form=form),
        )

    def decision_move(self, action: str) -> str:
        """The model's transition that `action` makes (see the class docstring)."""
        return self.decisions[action].get("move", action.replace("-", "_"))

    def decision_arguments(self, action: str, cleaned_data: dict) -> dict:
        """The service's arguments from the decision form's fields: `text` renamed."""
        arguments = dict(cleaned_data)
        arguments[self.decisions[action].get("argument", "text")] = arguments.pop("text")
        return arguments

    def get_change_url(self, obj) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])

    def decide_context(self, request, *, obj, action: str, form) -> dict:
        spec = self.decisions[action]
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": spec["label"],
            "subtitle": str(obj),
            "form": form,
            "action": action,
            "spec": spec,
            "change_url": self.get_change_url(obj),
            "events": audit_event_list_for_subject(subject=obj),
        }

    def decision_after_database_error(self, request, *, obj, action: str, form, since: dt.datetime):
        """The truthful answer after the database failed during `action` on `obj`.

        Recorded (the failure came after COMMIT): the usual success. Not recorded: the form
        again, with the reviewer's text, saying so (503). Unknown (the database cannot be read
        either): a page that says so and sends the reviewer to the request (503). Never a 500.
        """
        spec = self.decisions[action]
        label = self.model._meta.label
        database_connection_discard()
        try:
            recorded = review_decision_recorded(
                request=obj,
                reviewer=request.user,
                move=self.decision_move(action),
                since=since,
            )
            if not recorded:
                # Read everything now, while the database answers: rendering must not need it.
                current = self.get_object(request, str(obj.pk)) or obj
                context = self.decide_context(request, obj=current, action=action, form=form)
                context.update(events=list(context["events"]), not_saved=True)
        except DATABASE_ERRORS:
            logger.exception(
                "Could not confirm whether the %s decision on %s %s was saved",
                action,
                label,
                obj.pk,
            )
            database_connection_discard()
            return self.decision_unconfirmed_response(request, obj=obj, action=action)
        if recorded:
            logger.warning(
                "The %s decision on %s %s was saved despite the database error",
                action,
                label,
                obj.pk,
            )
            self.message_user(request, spec["done"], level=messages.SUCCESS)
            return redirect(self.get_change_url(obj))
        logger.warning("The %s decision on %s %s was not saved", action, label, obj.pk)
        return TemplateResponse(request, self.decide_template, context, status=503)

    def decision_unconfirmed_response(self, request, *, obj, action: str) -> TemplateResponse:
        """A 503 in the admin look that needs no database: nothing here may fail again."""
        site = self.admin_site
        context = {
            "site_title": site.site_title,
            "site_header": site.site_header,
            "site_url": site.site_url,
            "has_permission": True,  # admin_view checked it before the decision
            "is_popup": False,
            "is_nav_sidebar_enabled": False,  # the sidebar lists apps, which may read the database
            "opts": self.model._meta,
            "title": _("Your decision could not be confirmed"),
            "decision": self.decisions[action]["label"],
            "request_pk": obj.pk,
            "change_url": self.get_change_url(obj),
        }
        return TemplateResponse(request, self.decision_unconfirmed_template, context, status=503)


class AuditActionFilter(admin.SimpleListFilter):
    """By action, named as the timelines name it (not the stored code)."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        used = AuditEvent.objects.values_list("action", flat=True).distinct()
        return sorted(((action, audit_action_label(action)) for action in used), key=str)

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class AuditSubjectFilter(admin.SimpleListFilter):
    """By kind of subject (request, order…): only the kinds audited, by their own names."""

    title = _("subject")
    parameter_name = "content_type"

    def lookups(self, request, model_admin):
        kinds = ContentType.objects.filter(
            pk__in=AuditEvent.objects.values("content_type").distinct()
        )
        return sorted(((str(kind.pk), capfirst(kind.name)) for kind in kinds), key=lambda c: c[1])

    def queryset(self, request, queryset):
        return queryset.filter(content_type_id=self.value()) if self.value() else queryset


def audit_action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def audit_status_label(event: AuditEvent, status: str) -> str:
    """A status as the subject's model names it ("In review", not "in_review")."""
    model = event.content_type.model_class()
    try:
        choices = dict(model._meta.get_field("status").flatchoices) if model else {}
    except FieldDoesNotExist:
        choices = {}
    return str(choices.get(status, status))


def audit_event_title(event: AuditEvent) -> str:
    """What happened, by its labels: "Review started (Submitted → In review)"."""
    statuses = [
        audit_status_label(event, status)
        for status in (event.from_status, event.to_status)
        if status
    ]
    label = audit_action_label(event.action)
    return f"{label} ({' → '.join(statuses)})" if statuses else label


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail, append-only: read here, written only by services.

    Shown in the reviewer's language: the action and the statuses by their labels, the
    subject by its kind's name and number (not the stored codes, content type and id).
    """

    list_display = [
        "created_at",
        "organization",
        "subject_shown",
        "action_shown",
        "from_shown",
        "to_shown",
        "actor",
    ]
    list_filter = [AuditActionFilter, AuditSubjectFilter]
    search_fields = ["organization__legal_name", "actor__email", "note"]
    list_select_related = ["organization", "actor", "content_type"]
    ordering = ["-created_at"]
    fields = [*list_display, "note"]
    readonly_fields = fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The page's heading and breadcrumb (admin/reviews/auditevent/change_form.html) say
        # what happened by its labels; the model's str() is its codes ("review_started ...").
        event = self.get_object(request, unquote(object_id))
        if event is not None:
            extra_context = {**(extra_context or {}), "subtitle": audit_event_title(event)}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("subject"), ordering="content_type")
    def subject_shown(self, event: AuditEvent) -> str:
        return _("%(kind)s #%(number)s") % {
            "kind": capfirst(event.content_type.name),
            "number": event.object_id,
        }

    @admin.display(description=_("action"), ordering="action")
    def action_shown(self, event: AuditEvent) -> str:
        return audit_action_label(event.action)

    @admin.display(description=_("from"), ordering="from_status")
    def from_shown(self, event: AuditEvent) -> str:
        return audit_status_label(event, event.from_status) or "-"

    @admin.display(description=_("to"), ordering="to_status")
    def to_shown(self, event: AuditEvent) -> str:
        return audit_status_label(event, event.to_status) or "-"
