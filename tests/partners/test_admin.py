"""The reviewers' side of GCC partner validation: the queue, the change page, the decisions."""

import datetime as dt
from unittest import mock

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners import services
from partners.models import PartnerValidationRequest, ResellerQualification
from reviews.models import AuditEvent
from reviews.services import review_reject
from tests.factories import (
    OrganizationFactory,
    PartnerValidationRequestFactory,
    ReviewerFactory,
    UserFactory,
)
from tests.helpers import reload, snapshot
from tests.html import (
    attr,
    decision_panel,
    element,
    elements,
    messages_of,
    queue_ids,
    readonly,
    text,
)

Status = PartnerValidationRequest.Status
CHANGELIST = "admin:partners_partnervalidationrequest_changelist"
CHANGE = "admin:partners_partnervalidationrequest_change"
DECIDE = "admin:partners_partnervalidationrequest_decide"
ASSIGN = "admin:partners_partnervalidationrequest_assign"

# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def submitted_validation(submit_validation, admin_agent):
    return submit_validation(admin_agent)


@pytest.fixture
def staff_without_decide(db):
    """Staff who may look at the queue but not decide (not in the reviewer group)."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="partners", codename="view_partnervalidationrequest"
        )
    )
    return user


@pytest.fixture
def queue(db):
    """Requests in every state, with distinct due and submission times."""
    now = timezone.now()

    def make(name, status, *, due_in_hours, submitted_hours_ago):
        return PartnerValidationRequestFactory(
            organization=OrganizationFactory(legal_name=name),
            status=status,
            submitted_at=now - dt.timedelta(hours=submitted_hours_ago),
            due_at=None if due_in_hours is None else now + dt.timedelta(hours=due_in_hours),
        )

    return {
        "due_later": make(
            "Alpine Systems", Status.SUBMITTED, due_in_hours=48, submitted_hours_ago=1
        ),
        "due_soon": make("Birch Federal", Status.IN_REVIEW, due_in_hours=5, submitted_hours_ago=30),
        "clock_stopped": make(
            "Cedar Gov IT", Status.INFO_REQUESTED, due_in_hours=None, submitted_hours_ago=60
        ),
        "overdue": make(
            "Contoso Federal Solutions", Status.SUBMITTED, due_in_hours=-2, submitted_hours_ago=70
        ),
        "approved": make(
            "Dune Partners", Status.APPROVED, due_in_hours=None, submitted_hours_ago=90
        ),
        "rejected": make(
            "Elm Consulting", Status.REJECTED, due_in_hours=None, submitted_hours_ago=80
        ),
        "withdrawn": make(
            "Fir Networks", Status.WITHDRAWN, due_in_hours=None, submitted_hours_ago=75
        ),
    }


# -- who reaches the admin -----------------------------------------------------------------


@pytest.mark.parametrize("url", ["/admin/", "/admin/partners/partnervalidationrequest/"])
def test_partner_user_is_sent_to_the_admin_sign_in(client, admin_agent, url):
    # given: a signed-in partner user (not staff)
    client.force_login(admin_agent)

    # when
    response = client.get(url)

    # then
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={url}"


def test_partner_user_cannot_decide_through_the_admin(client, admin_agent, in_review_validation):
    # given
    before = snapshot()
    client.force_login(admin_agent)
    url = reverse(DECIDE, args=[in_review_validation.pk, "approve"])

    # when: the partner approves its own request
    response = client.post(url, {"text": "Looks good to me"})

    # then
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={url}"
    assert snapshot() == before


def test_reviewer_sees_the_queue(client, reviewer, submitted_validation):
    # given
    client.force_login(reviewer)

    # when
    response = client.get(reverse(CHANGELIST))

    # then
    assert response.status_code == 200
    assert queue_ids(response) == [submitted_validation.pk]


# -- the queue -----------------------------------------------------------------------------


def test_queue_shows_open_requests_soonest_due_first_clock_stopped_last(client, reviewer, queue):
    # given
    client.force_login(reviewer)

    # when
    response = client.get(reverse(CHANGELIST))

    # then
    assert queue_ids(response) == [
        queue["overdue"].pk,
        queue["due_soon"].pk,
        queue["due_later"].pk,
        queue["clock_stopped"].pk,
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"queue": "approved"}, ["approved"]),
        ({"queue": "info_requested"}, ["clock_stopped"]),
        (
            {"queue": "all"},
            # due first; then no due time, oldest submission first
            [
                "overdue",
                "due_soon",
                "due_later",
                "approved",
                "rejected",
                "withdrawn",
                "clock_stopped",
            ],
        ),
        ({"overdue": "yes"}, ["overdue"]),
        ({"overdue": "no"}, ["due_soon", "due_later", "clock_stopped"]),
        ({"q": "contoso"}, ["overdue"]),
        ({"q": "Dune", "queue": "all"}, ["approved"]),
        ({"q": "Dune"}, []),
    ],
)
def test_queue_filters_and_search(client, reviewer, queue, params, expected):
    # given
    client.force_login(reviewer)

    # when
    response = client.get(reverse(CHANGELIST), params)

    # then
    assert response.status_code == 200
    assert queue_ids(response) == [queue[name].pk for name in expected]


def test_queue_flags_overdue_requests(client, reviewer, queue):
    # given
    client.force_login(reviewer)

    # when
    response = client.get(reverse(CHANGELIST))

    # then: one "Overdue" column; only the overdue request is flagged
    headers = [text(th) for th in elements(response, tag="th", css_class="column-overdue")]
    assert headers == ["Overdue"]
    flags = [
        attr(element(response, tag="img", within=cell), "alt")
        for cell in elements(response, tag="td", css_class="field-overdue")
    ]
    assert flags == ["True", "False", "False", "False"]


def test_queue_query_count_does_not_grow_with_rows(client, reviewer):
    # given: the queue seen once empty (session, content types, permissions read)
    client.force_login(reviewer)
    url = reverse(CHANGELIST)
    client.get(url)

    # when: the queue is shown with 3, then with 30 open requests of different partners,
    # assigned to different reviewers, each time with rows never shown before, then again
    for _ in range(3):
        PartnerValidationRequestFactory()
    with CaptureQueriesContext(connection) as with_3:
        few = client.get(url)
    with CaptureQueriesContext(connection) as with_3_again:
        client.get(url)
    for _ in range(27):
        PartnerValidationRequestFactory(
            status=Status.IN_REVIEW, assigned_reviewer=ReviewerFactory()
        )
    with CaptureQueriesContext(connection) as with_30:
        many = client.get(url)
    with CaptureQueriesContext(connection) as with_30_again:
        client.get(url)

    # then: as many queries whatever the rows; one fewer when every row is cached (no
    # request built to render one)
    assert (len(queue_ids(few)), len(queue_ids(many))) == (3, 30)
    assert len(with_30.captured_queries) == len(with_3.captured_queries)
    assert len(with_30_again.captured_queries) == len(with_3_again.captured_queries)
    assert len(with_3_again.captured_queries) == len(with_3.captured_queries) - 1


# -- the change page -----------------------------------------------------------------------


def test_change_page_shows_the_request_and_start_review_when_submitted(
    client, reviewer, admin_agent, organization, submitted_validation
):
    # given
    client.force_login(reviewer)

    # when
    response = client.get(reverse(CHANGE, args=[submitted_validation.pk]))

    # then: the organization and the answers
    assert response.status_code == 200
    assert readonly(response, "organization") == organization.legal_name
    assert readonly(response, "status") == "Submitted"
    assert readonly(response, "commercial_tenant_id") == str(organization.commercial_tenant_id)
    assert readonly(response, "contact_name") == "Dana Contact"
    assert readonly(response, "contact_email") == "dana@partner.example"
    assert readonly(response, "contract_vehicles") == "GSA Multiple Award Schedule"
    # the timeline
    timeline = element(response, tag="ol", css_class="review-timeline")
    events = [text(li) for li in elements(response, tag="li", within=timeline)]
    assert len(events) == 1
    assert events[0].endswith(f"— Request submitted (— → Submitted) — {admin_agent.email}")
    # nobody's yet, which the reviewer may take; one decision: Start review, a direct POST
    decision = decision_panel(response)
    forms = elements(response, tag="form", within=decision)
    assert [attr(f, "action") for f in forms] == [
        reverse(ASSIGN, args=[submitted_validation.pk]),
        reverse(DECIDE, args=[submitted_validation.pk, "start-review"]),
    ]
    assert [
        attr(i, "value")
        for i in elements(response, tag="input", within=decision)
        if attr(i, "type") == "submit"
    ] == ["Assign to me", "Start review"]
    assert elements(response, tag="a", within=decision) == []


def test_change_page_offers_approve_reject_request_info_when_in_review(
    client, reviewer, in_review_validation
):
    # given
    client.force_login(reviewer)

    # when
    response = client.get(reverse(CHANGE, args=[in_review_validation.pk]))

    # then
    decision = decision_panel(response)
    links = [(text(a), attr(a, "href")) for a in elements(response, tag="a", within=decision)]
    assert links == [
        ("Approve…", reverse(DECIDE, args=[in_review_validation.pk, "approve"])),
        ("Reject…", reverse(DECIDE, args=[in_review_validation.pk, "reject"])),
        ("Request information…", reverse(DECIDE, args=[in_review_validation.pk, "request-info"])),
    ]
    assert elements(response, tag="form", within=decision) == []
    events = [
        text(li)
        for li in elements(
            response, tag="li", within=element(response, tag="ol", css_class="review-timeline")
        )
    ]
    assert [e.split(" — ")[1] for e in events] == [
        "Request submitted (— → Submitted)",
        "Review started (Submitted → In review)",
    ]


def test_change_page_has_no_save_button_and_no_editable_status(
    client, reviewer, submitted_validation
):
    # given
    client.force_login(reviewer)

    # when
    response = client.get(reverse(CHANGE, args=[submitted_validation.pk]))

    # then
    names = (
        {attr(e, "name") for e in elements(response, tag="input")}
        | {attr(e, "name") for e in elements(response, tag="select")}
        | {attr(e, "name") for e in elements(response, tag="textarea")}
    )
    assert names.isdisjoint({"_save", "_continue", "_addanother", "status", "decision_note"})
    assert response.context["has_change_permission"] is False


def test_reviewer_cannot_post_changes_to_the_change_form(client, reviewer, in_review_validation):
    # given
    before = snapshot()
    client.force_login(reviewer)

    # when: a crafted POST tries to set the status
    response = client.post(
        reverse(CHANGE, args=[in_review_validation.pk]),
        {"status": Status.APPROVED, "decision_note": "forced", "_save": "Save"},
    )

    # then
    assert response.status_code == 403
    assert snapshot() == before


def test_change_page_of_staff_without_decide_permission_shows_no_decision(
    client, staff_without_decide, in_review_validation
):
    # given
    client.force_login(staff_without_decide)

    # when
    response = client.get(reverse(CHANGE, args=[in_review_validation.pk]))

    # then: no button, and the page says why
    assert response.status_code == 200
    decision = decision_panel(response)
    assert elements(response, tag="a", within=decision) == []
    assert elements(response, tag="form", within=decision) == []
    assert [text(p) for p in elements(response, tag="p", within=decision)][-1] == (
        "You can view this request, but only GCC reviewers can decide it."
    )


def test_change_page_of_a_decided_request_offers_no_decision(
    client, reviewer, in_review_validation
):
    # given
    services.partner_validation_approve(request_id=in_review_validation.pk, reviewer=reviewer)
    client.force_login(reviewer)

    # when
    response = client.get(reverse(CHANGE, args=[in_review_validation.pk]))

    # then
    decision = decision_panel(response)
    assert elements(response, tag="a", within=decision) == []
    assert elements(response, tag="form", within=decision) == []
    assert [text(p) for p in elements(response, tag="p", within=decision)] == [
        "Status: Approved",
        f"Assigned to {reviewer}",
        "No decision can be taken on this request in its current state.",
    ]


# -- decisions -----------------------------------------------------------------------------


def test_start_review_assigns_the_request_to_the_reviewer(
    client, reviewer, submitted_validation, django_capture_on_commit_callbacks
):
    # given
    client.force_login(reviewer)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(DECIDE, args=[submitted_validation.pk, "start-review"]), follow=True
        )

    # then
    validation = submitted_validation
    validation.refresh_from_db()
    assert response.redirect_chain == [(reverse(CHANGE, args=[validation.pk]), 302)]
    assert messages_of(response) == ["Review started; the request is assigned to you."]
    assert (validation.status, validation.assigned_reviewer) == (Status.IN_REVIEW, reviewer)
    assert AuditEvent.objects.for_subject(validation).values_list(
        "action", "from_status", "to_status", "actor"
    ).last() == ("review_started", "submitted", "in_review", reviewer.pk)
    assert LogEntry.objects.get().get_change_message() == (
        "Review started; the request is assigned to you."
    )
    assert mail.outbox == []


def test_decide_page_shows_the_form_with_help(client, reviewer, in_review_validation):
    # given
    client.force_login(reviewer)

    # when
    response = client.get(reverse(DECIDE, args=[in_review_validation.pk, "reject"]))

    # then
    assert response.status_code == 200
    field = element(response, id="id_text")
    assert attr(field, "aria-describedby") == "id_text_helptext"
    assert text(element(response, id="id_text_helptext")) == (
        "Give the reason for the rejection; the partner sees it."
    )
    assert [attr(i, "value") for i in elements(response, tag="input", css_class="default")] == [
        "Reject"
    ]


def test_approve_grants_the_qualification_and_emails_the_partner(
    client, reviewer, admin_agent, in_review_validation, django_capture_on_commit_callbacks
):
    # given
    client.force_login(reviewer)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(DECIDE, args=[in_review_validation.pk, "approve"]),
            {"text": "Welcome to GCC."},
            follow=True,
        )

    # then
    validation = in_review_validation
    validation.refresh_from_db()
    assert messages_of(response) == [
        "Approved. The partner now holds the Government Community Cloud (GCC) qualification."
    ]
    assert (validation.status, validation.decided_by, validation.decision_note) == (
        Status.APPROVED,
        reviewer,
        "Welcome to GCC.",
    )
    assert validation.due_at is None
    assert list(ResellerQualification.objects.values_list("organization", "qualification")) == [
        (validation.organization_id, "GovernmentCommunityCloud")
    ]
    assert AuditEvent.objects.for_subject(validation).values_list(
        "action", "from_status", "to_status", "actor", "note"
    ).last() == ("approved", "in_review", "approved", reviewer.pk, "Welcome to GCC.")
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([admin_agent.email], f"GCC validation request #{validation.pk} approved")
    ]


def test_reject_records_the_reason_and_emails_the_partner(
    client, reviewer, admin_agent, in_review_validation, django_capture_on_commit_callbacks
):
    # given
    client.force_login(reviewer)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(DECIDE, args=[in_review_validation.pk, "reject"]),
            {"text": "No government customers listed."},
            follow=True,
        )

    # then
    validation = in_review_validation
    validation.refresh_from_db()
    assert messages_of(response) == ["Rejected. The partner was told the reason."]
    assert (validation.status, validation.decided_by, validation.decision_note) == (
        Status.REJECTED,
        reviewer,
        "No government customers listed.",
    )
    assert not ResellerQualification.objects.exists()
    assert AuditEvent.objects.for_subject(validation).values_list(
        "action", "from_status", "to_status", "actor", "note"
    ).last() == (
        "rejected",
        "in_review",
        "rejected",
        reviewer.pk,
        "No government customers listed.",
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([admin_agent.email], f"GCC validation request #{validation.pk} not approved")
    ]


def test_request_info_stops_the_clock_and_emails_the_partner(
    client, reviewer, admin_agent, in_review_validation, django_capture_on_commit_callbacks
):
    # given
    client.force_login(reviewer)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(DECIDE, args=[in_review_validation.pk, "request-info"]),
            {"text": "Send your GSA contract number."},
            follow=True,
        )

    # then
    validation = in_review_validation
    validation.refresh_from_db()
    assert messages_of(response) == [
        "Information requested. The review clock is stopped until the partner answers."
    ]
    assert validation.status == Status.INFO_REQUESTED
    assert validation.info_request_message == "Send your GSA contract number."
    assert validation.due_at is None
    assert AuditEvent.objects.for_subject(validation).values_list(
        "action", "from_status", "to_status", "actor"
    ).last() == ("info_requested", "in_review", "info_requested", reviewer.pk)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([admin_agent.email], f"GCC validation request #{validation.pk}: information needed")
    ]


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("reject", "Give the reason for the rejection; the partner sees it."),
        ("request-info", "Say what information the partner must send."),
    ],
)
def test_reject_or_request_info_without_text_shows_the_error_and_changes_nothing(
    client, reviewer, in_review_validation, django_capture_on_commit_callbacks, action, message
):
    # given
    before = snapshot()
    client.force_login(reviewer)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(DECIDE, args=[in_review_validation.pk, action]), {"text": "   "}
        )

    # then: the form again, the error next to the field
    assert response.status_code == 200
    field = element(response, id="id_text")
    assert attr(field, "aria-invalid") == "true"
    assert attr(field, "aria-describedby") == "id_text_helptext id_text_error"
    assert text(element(response, id="id_text_error")) == message
    assert snapshot() == before
    assert not LogEntry.objects.exists()
    assert mail.outbox == []


def test_second_reviewer_deciding_a_decided_request_is_told_and_nothing_changes(
    client, reviewer, in_review_validation, django_capture_on_commit_callbacks
):
    # given: a first reviewer approved the request
    with django_capture_on_commit_callbacks(execute=True):
        services.partner_validation_approve(
            request_id=in_review_validation.pk, reviewer=reviewer, note="Approved first."
        )
    assert len(mail.outbox) == 1
    before = snapshot()
    second = ReviewerFactory()
    client.force_login(second)

    # when: a second reviewer, whose page was still open, rejects it
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(DECIDE, args=[in_review_validation.pk, "reject"]),
            {"text": "Too late."},
            follow=True,
        )

    # then: a clear message, the first decision stands, no second email
    assert response.redirect_chain == [(reverse(CHANGE, args=[in_review_validation.pk]), 302)]
    assert messages_of(response) == [
        "This request is approved; that action is no longer possible. Nothing was changed."
    ]
    assert snapshot() == before
    decided = reload(in_review_validation)
    assert (decided.status, decided.decided_by) == (Status.APPROVED, reviewer)
    assert len(mail.outbox) == 1
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("approve", {"text": "Welcome to GCC."}),
        ("reject", {"text": "No government customers listed."}),
        ("request-info", {"text": "Send your GSA contract number."}),
    ],
)
def test_decision_whose_log_entry_fails_saves_nothing_and_says_so(
    client, reviewer, in_review_validation, django_capture_on_commit_callbacks, action, data
):
    # given: the connection is lost while the decision's admin log entry is written
    before = snapshot()
    client.force_login(reviewer)
    lost = OperationalError("server closed the connection unexpectedly")

    # when
    with (
        mock.patch.object(LogEntry.objects, "log_actions", side_effect=lost),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse(DECIDE, args=[in_review_validation.pk, action]), data)

    # then: the decision went with its log entry (no audit event, no qualification, no email),
    # and the page says so, keeping the reviewer's text
    assert response.status_code == 503
    assert text(element(response, tag="div", css_class="errornote")) == (
        "Your decision was not saved. The connection to the database was lost before it could be "
        "recorded, so nothing was changed and no one was notified. You can make the decision "
        "again: what you entered is kept below."
    )
    assert text(element(response, id="id_text")) == data["text"]
    assert snapshot() == before
    assert not LogEntry.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("action", ["approve", "reject", "request-info"])
def test_opening_a_decision_on_a_decided_request_redirects_with_a_warning(
    client, reviewer, in_review_validation, action
):
    # given
    review_reject(
        model=PartnerValidationRequest,
        request_id=in_review_validation.pk,
        reviewer=reviewer,
        reason="Not eligible.",
    )
    before = snapshot()
    client.force_login(ReviewerFactory())

    # when
    response = client.get(reverse(DECIDE, args=[in_review_validation.pk, action]), follow=True)

    # then
    assert response.redirect_chain == [(reverse(CHANGE, args=[in_review_validation.pk]), 302)]
    assert messages_of(response) == ["This request is rejected; that action is no longer possible."]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "action", "data"),
    [
        ("get", "approve", {}),
        ("post", "approve", {"text": "ok"}),
        ("post", "reject", {"text": "no"}),
        ("post", "request-info", {"text": "more"}),
    ],
)
def test_staff_without_decide_permission_gets_403(
    client, staff_without_decide, in_review_validation, method, action, data
):
    # given
    before = snapshot()
    client.force_login(staff_without_decide)

    # when
    response = getattr(client, method)(
        reverse(DECIDE, args=[in_review_validation.pk, action]), data
    )

    # then
    assert response.status_code == 403
    assert snapshot() == before


def test_staff_without_decide_permission_cannot_start_review(
    client, staff_without_decide, submitted_validation
):
    # given
    before = snapshot()
    client.force_login(staff_without_decide)

    # when
    response = client.post(reverse(DECIDE, args=[submitted_validation.pk, "start-review"]))

    # then
    assert response.status_code == 403
    assert snapshot() == before


def test_unknown_decision_is_refused(client, reviewer, in_review_validation):
    # given
    before = snapshot()
    client.force_login(reviewer)

    # when
    response = client.post(reverse(DECIDE, args=[in_review_validation.pk, "delete"]))

    # then
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("object_id", ["abc", "999999"])
def test_decision_on_a_malformed_or_unknown_id_is_not_found(client, reviewer, object_id):
    # given
    client.force_login(reviewer)

    # when
    response = client.post(
        f"/admin/partners/partnervalidationrequest/{object_id}/decide/approve/", {"text": "ok"}
    )

    # then: 404, not a server error
    assert response.status_code == 404
    assert not AuditEvent.objects.exists()
