"""The reviewers' side of GCC customer validation: the queue, documents, decisions, the codes."""

import datetime as dt
import uuid
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers import services as customer_services
from customers.admin import CustomerQualificationInline
from customers.codes.models import GccValidation
from customers.models import Customer, CustomerQualification
from customers.validations import services
from customers.validations.admin import CustomerValidationRequestAdmin
from customers.validations.models import CustomerValidationDocument, CustomerValidationRequest
from gccportal.admin import BoundedPaginator
from reviews.models import AuditEvent
from reviews.services import review_start
from tests.factories import (
    CustomerValidationRequestFactory,
    GccValidationFactory,
    MembershipFactory,
    OrganizationFactory,
    ResellerQualificationFactory,
    ReviewerFactory,
    UserFactory,
    customer_validation_answers,
)
from tests.helpers import PDF, pdf, reload, snapshot
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

Status = CustomerValidationRequest.Status
CHANGELIST = "admin:customers_customervalidationrequest_changelist"
CHANGE = "admin:customers_customervalidationrequest_change"
ASSIGN = "admin:customers_customervalidationrequest_assign"
DECIDE = "admin:customers_customervalidationrequest_decide"
DOCUMENT = "admin:customers_customervalidationrequest_document"
CODES = "admin:customers_gccvalidation_changelist"
LEGAL_NAME = "City of Springfield"
CONTACT_EMAIL = "robin.clerk@springfield.gov"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


# -- helpers -------------------------------------------------------------------------------


def timeline(response) -> list[str]:
    ol = element(response, tag="ol", css_class="review-timeline")
    return [text(li).split(" — ", 1)[1] for li in elements(response, tag="li", within=ol)]


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def submitted(organization, admin_agent, django_capture_on_commit_callbacks):
    """A request of a GCC-approved organization with two documents, through the service."""
    ResellerQualificationFactory(organization=organization)
    with django_capture_on_commit_callbacks(execute=True):
        request = services.customer_validation_submit(
            organization=organization,
            submitted_by=admin_agent,
            documents=[
                pdf("charter.pdf"),
                SimpleUploadedFile("seal.png", PNG, content_type="image/png"),
            ],
            **{
                **customer_validation_answers(organization),
                "organization_type": "private_regulated",
                "regulated_data": ["itar", "cui"],
            },
        )
    mail.outbox.clear()
    return request


@pytest.fixture
def in_review(submitted, reviewer):
    return review_start(model=CustomerValidationRequest, request_id=submitted.pk, reviewer=reviewer)


@pytest.fixture
def queue(db):
    """Requests in every state, with distinct due and submission times and names."""
    now = timezone.now()

    def make(customer, domain, partner, status, *, due_in_hours, submitted_hours_ago):
        return CustomerValidationRequestFactory(
            organization=OrganizationFactory(legal_name=partner),
            organization_legal_name=customer,
            government_domain=domain,
            status=status,
            submitted_at=now - dt.timedelta(hours=submitted_hours_ago),
            due_at=None if due_in_hours is None else now + dt.timedelta(hours=due_in_hours),
        )

    return {
        "due_later": make(
            "Alpine County",
            "alpinecounty.gov",
            "Fabrikam Gov",
            Status.SUBMITTED,
            due_in_hours=48,
            submitted_hours_ago=1,
        ),
        "due_soon": make(
            "Birch Township",
            "birch.gov",
            "Fabrikam Gov",
            Status.IN_REVIEW,
            due_in_hours=5,
            submitted_hours_ago=30,
        ),
        "clock_stopped": make(
            "Cedar Tribe",
            "cedar-nation.gov",
            "Northwind Traders",
            Status.INFO_REQUESTED,
            due_in_hours=None,
            submitted_hours_ago=60,
        ),
        "overdue": make(
            "City of Springfield",
            "springfield.gov",
            "Contoso Federal Solutions",
            Status.SUBMITTED,
            due_in_hours=-2,
            submitted_hours_ago=70,
        ),
        "approved": make(
            "Dune Water District",
            "dunewater.gov",
            "Northwind Traders",
            Status.APPROVED,
            due_in_hours=None,
            submitted_hours_ago=90,
        ),
        "rejected": make(
            "Elm Schools",
            "elm.k12.us",
            "Northwind Traders",
            Status.REJECTED,
            due_in_hours=None,
            submitted_hours_ago=80,
        ),
        "withdrawn": make(
            "Fir Port Authority",
            "firport.gov",
            "Northwind Traders",
            Status.WITHDRAWN,
            due_in_hours=None,
            submitted_hours_ago=75,
        ),
    }


# -- who reaches the admin -----------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "/admin/customers/customervalidationrequest/",
        "/admin/customers/gccvalidation/",
        "/admin/customers/customer/",
    ],
)
def test_partner_user_is_sent_to_the_admin_sign_in(client, admin_agent, url):
    # given: a signed-in partner user (not staff)
    client.force_login(admin_agent)

    # when
    response = client.get(url)

    # then
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={url}"


def test_partner_user_can_neither_decide_nor_download_through_the_admin(
    client, admin_agent, in_review
):
    # given
    before = snapshot()
    document = in_review.documents.first()
    client.force_login(admin_agent)
    decide_url = reverse(DECIDE, args=[in_review.pk, "approve"])
    document_url = reverse(DOCUMENT, args=[in_review.pk, document.pk])

    # when: the partner approves its own request, and downloads through the admin
    decided = client.post(decide_url, {"text": "", "max_creates": "5"})
    downloaded = client.get(document_url)

    # then
    assert (decided.status_code, decided["Location"]) == (302, f"/admin/login/?next={decide_url}")
    assert (downloaded.status_code, downloaded["Location"]) == (
        302,
        f"/admin/login/?next={document_url}",
    )
    assert snapshot() == before


# -- the queue -----------------------------------------------------------------------------
def test_queue_shows_open_requests_soonest_due_first_clock_stopped_last(client, reviewer, queue):
    # given
    client.force_login(reviewer)

    # when
    response = client.get(reverse(CHANGELIST))

    # then
    assert response.status_code == 200
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
        ({"q": "springfield"}, ["overdue"]),
        ({"q": "birch.gov"}, ["due_soon"]),
        ({"q": "Fabrikam"}, ["due_soon", "due_later"]),
        ({"q": "Dune"}, []),
        ({"q": "Dune", "queue": "all"}, ["approved"]),
    ],
    ids=[
        "approved",
        "info-requested",
        "all",
        "overdue",
        "on-time",
        "customer-name",
        "domain",
        "partner-name",
        "closed-not-in-queue",
        "closed-with-all",
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
        CustomerValidationRequestFactory()
    with CaptureQueriesContext(connection) as with_3:
        few = client.get(url)
    with CaptureQueriesContext(connection) as with_3_again:
        client.get(url)
    for _ in range(27):
        CustomerValidationRequestFactory(
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


def rows_of(response) -> list[str]:
    """The queue's rows as a reviewer reads them."""
    table = element(response, id="result_list")
    return [text(tr) for tr in elements(response, tag="tr", within=table)[1:]]


def test_queue_rows_are_rendered_once_and_again_when_what_they_show_changes(
    client, reviewer, queue
):
    # given: the queue seen once
    client.force_login(reviewer)
    url = reverse(CHANGELIST)
    first = rows_of(client.get(url))

    # when: seen again, nothing changed
    with mock.patch(
        "reviews.templatetags.review_queue.items_for_result", wraps=items_for_result
    ) as rendered:
        again = client.get(url)

    # then: the same rows, none rendered again
    assert rows_of(again) == first
    assert rendered.call_count == 0

    # when: one request is taken into review (status and reviewer change), and the queue is
    # seen in French and with a filter (its row links keep the filter)
    review_start(
        model=CustomerValidationRequest, request_id=queue["due_later"].pk, reviewer=reviewer
    )
    with mock.patch(
        "reviews.templatetags.review_queue.items_for_result", wraps=items_for_result
    ) as rendered:
        changed = client.get(url)

    # then: only that row is rendered again, and shows the change
    assert rendered.call_count == 1
    [row] = [r for r in rows_of(changed) if "Alpine County" in r]
    assert "In review" in row and str(reviewer) in row, row
    assert row not in first
    reviewer.language = "fr"
    reviewer.save(update_fields=["language"])
    french = rows_of(client.get(url))
    assert any("En cours de révision" in r for r in french), french
    filtered = client.get(url, {"overdue": "yes"})
    [link] = [
        attr(a, "href")
        for a in elements(filtered, tag="a", within=element(filtered, id="result_list"))
        if attr(a, "href").startswith(reverse(CHANGE, args=[queue["overdue"].pk]))
    ][:1]
    assert "_changelist_filters=overdue" in link, link


def test_a_long_queue_counts_up_to_its_limit_and_says_the_first_are_listed(
    client, reviewer, monkeypatch
):
    # given: 7 open requests, and a queue that counts at most 5 (1,000 in production)
    monkeypatch.setattr(BoundedPaginator, "limit", 5)
    monkeypatch.setattr(CustomerValidationRequestAdmin, "list_per_page", 2)
    requests = [
        CustomerValidationRequestFactory(
            due_at=timezone.now() + dt.timedelta(hours=hours), submitted_at=timezone.now()
        )
        for hours in range(7)
    ]
    client.force_login(reviewer)

    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(CHANGELIST))

    # then: the count reads at most limit + 1 rows, the page says so and pages the first 5
    [count] = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT")]
    assert "LIMIT 6" in count, count
    paginator = text(element(response, tag="p", css_class="paginator"))
    assert (
        "More than 5 customer validation requests: the first 5 are listed, in this order. "
        "Use the filters to see the others." in paginator
    ), paginator
    assert queue_ids(response) == [requests[0].pk, requests[1].pk]
    last = client.get(reverse(CHANGELIST), {"p": 3})
    assert queue_ids(last) == [requests[4].pk]
    # Within the limit: counted and said as ever.
    monkeypatch.setattr(BoundedPaginator, "limit", 7)
    paginator = text(element(client.get(reverse(CHANGELIST)), tag="p", css_class="paginator"))
    assert "7 customer validation requests" in paginator, paginator
    assert "More than" not in paginator, paginator


# -- the change page -----------------------------------------------------------------------
def test_change_page_shows_the_answers_documents_timeline_and_start_review(
    client, reviewer, admin_agent, organization, submitted
):
    # given
    client.force_login(reviewer)
    charter, seal = submitted.documents.order_by("pk")

    # when
    response = client.get(reverse(CHANGE, args=[submitted.pk]))

    # then: the partners and the answers
    assert response.status_code == 200
    assert readonly(response, "organization") == organization.legal_name
    assert readonly(response, "transacting_partner") == organization.legal_name
    assert readonly(response, "status") == "Submitted"
    assert readonly(response, "organization_legal_name") == LEGAL_NAME
    assert readonly(response, "organization_type") == (
        "Private organization that handles regulated government data"
    )
    assert readonly(response, "regulated_data_display") == (
        "ITAR (International Traffic in Arms Regulations), CUI (Controlled Unclassified "
        "Information)"
    )
    assert readonly(response, "government_domain") == "springfield.gov"
    assert readonly(response, "contact_name") == "Robin Clerk"
    assert readonly(response, "contact_email") == CONTACT_EMAIL
    assert readonly(response, "contact_phone") == "+1 217 555 0199"
    assert readonly(response, "commercial_tenant_id") == str(organization.commercial_tenant_id)
    assert readonly(response, "code_display") == "—"
    # the documents, each a link to its download
    row = element(response, tag="div", css_class="field-documents_display")
    links = [(text(a), attr(a, "href")) for a in elements(response, tag="a", within=row)]
    assert links == [
        ("charter.pdf", reverse(DOCUMENT, args=[submitted.pk, charter.pk])),
        ("seal.png", reverse(DOCUMENT, args=[submitted.pk, seal.pk])),
    ]
    items = [text(li) for li in elements(response, tag="li", within=row)]
    assert [item.rsplit(" · ", 1)[0] for item in items] == [
        "charter.pdf (application/pdf, Partner",
        "seal.png (image/png, Partner",
    ]
    # the timeline
    assert timeline(response) == [f"Request submitted (— → Submitted) — {admin_agent.email}"]
    # nobody's yet, which the reviewer may take; one decision: Start review, a direct POST
    decision = decision_panel(response)
    assert text(element(response, id="assigned-reviewer")) == "Assigned to nobody yet."
    forms = elements(response, tag="form", within=decision)
    assert [attr(f, "action") for f in forms] == [
        reverse(ASSIGN, args=[submitted.pk]),
        reverse(DECIDE, args=[submitted.pk, "start-review"]),
    ]
    assert [
        attr(i, "value")
        for i in elements(response, tag="input", within=decision)
        if attr(i, "type") == "submit"
    ] == ["Assign to me", "Start review"]
    assert elements(response, tag="a", within=decision) == []


def test_change_page_offers_approve_reject_request_info_when_in_review(client, reviewer, in_review):
    # given
    client.force_login(reviewer)

    # when
    response = client.get(reverse(CHANGE, args=[in_review.pk]))

    # then
    decision = decision_panel(response)
    links = [(text(a), attr(a, "href")) for a in elements(response, tag="a", within=decision)]
    assert links == [
        ("Approve…", reverse(DECIDE, args=[in_review.pk, "approve"])),
        ("Reject…", reverse(DECIDE, args=[in_review.pk, "reject"])),
        (
            "Request information from the customer…",
            reverse(DECIDE, args=[in_review.pk, "request-info"]),
        ),
    ]
    assert elements(response, tag="form", within=decision) == []
    assert [event.split(" — ")[0] for event in timeline(response)] == [
        "Request submitted (— → Submitted)",
        "Review started (Submitted → In review)",
    ]


def test_change_page_shows_the_customers_answer_and_the_issued_code(
    client, reviewer, in_review, django_capture_on_commit_callbacks
):
    # given: the customer answered an information request with a document, then the request
    # was approved for 3 creates
    with django_capture_on_commit_callbacks(execute=True):
        services.customer_validation_request_info(
            request_id=in_review.pk, reviewer=reviewer, message="Send the city charter."
        )
    answer_link = next(m for m in mail.outbox if m.to == [CONTACT_EMAIL]).body
    token = answer_link.split("/customer-information/", 1)[1].split("/", 1)[0]
    services.customer_validation_answer_info(
        token=token,
        response="Charter article 4.",
        documents=[pdf("article-4.pdf")],
        idempotency_key=uuid.uuid4(),
    )
    services.customer_validation_approve(request_id=in_review.pk, reviewer=reviewer, max_creates=3)
    code = GccValidation.objects.get()
    answer_document = CustomerValidationDocument.objects.get(original_name="article-4.pdf")
    client.force_login(reviewer)

    # when
    response = client.get(reverse(CHANGE, args=[in_review.pk]))

    # then: the question, the answer, the customer's document, the code and the whole story
    assert readonly(response, "info_request_message") == "Send the city charter."
    assert readonly(response, "info_response") == "Charter article 4."
    row = element(response, tag="div", css_class="field-documents_display")
    assert [(text(a), attr(a, "href")) for a in elements(response, tag="a", within=row)][-1] == (
        "article-4.pdf",
        reverse(DOCUMENT, args=[in_review.pk, answer_document.pk]),
    )
    assert "(application/pdf, Customer contact ·" in text(row)
    assert readonly(response, "code_display") == f"{code.validation_id} (3/3)"
    assert [event.split(" — ")[0] for event in timeline(response)] == [
        "Request submitted (— → Submitted)",
        "Review started (Submitted → In review)",
        "Information requested (In review → Information requested)",
        "Information provided (Information requested → In review)",
        "Approved (In review → Approved)",
        "Validation code issued",
    ]
    assert timeline(response)[3].endswith("— system Charter article 4.")


def test_change_page_has_no_save_button_and_no_editable_field(client, reviewer, submitted):
    # given
    client.force_login(reviewer)

    # when
    response = client.get(reverse(CHANGE, args=[submitted.pk]))

    # then
    names = (
        {attr(e, "name") for e in elements(response, tag="input")}
        | {attr(e, "name") for e in elements(response, tag="select")}
        | {attr(e, "name") for e in elements(response, tag="textarea")}
    )
    # The forms' tokens (sign-out, Assign to me) and Assign to me's reviewer: buttons, no field
    # of the request.
    assert names - {None} == {"csrfmiddlewaretoken", "assignee"}
    [assignee] = [e for e in elements(response, tag="input") if attr(e, "name") == "assignee"]
    assert (attr(assignee, "type"), attr(assignee, "value")) == ("hidden", str(reviewer.pk))
    assert response.context["has_change_permission"] is False


def test_change_page_of_staff_without_decide_permission_shows_no_decision(
    client, staff_without_decide, in_review
):
    # given
    client.force_login(staff_without_decide)

    # when
    response = client.get(reverse(CHANGE, args=[in_review.pk]))

    # then: no button, and the page says why
    assert response.status_code == 200
    decision = decision_panel(response)
    assert elements(response, tag="a", within=decision) == []
    assert elements(response, tag="form", within=decision) == []
    assert [text(p) for p in elements(response, tag="p", within=decision)][-1] == (
        "You can view this request, but only GCC reviewers can decide it."
    )


# -- documents -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("charter.pdf", PDF, "application/pdf"), ("seal.png", PNG, "image/png")],
)
def test_reviewer_downloads_a_document_as_an_attachment(
    client, reviewer, submitted, name, content, content_type
):
    # given
    document = submitted.documents.get(original_name=name)
    client.force_login(reviewer)

    # when
    response = client.get(reverse(DOCUMENT, args=[submitted.pk, document.pk]))

    # then: the stored bytes, as a download of the checked type, never sniffed
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_document_of_another_request_is_not_found(client, reviewer, submitted):
    # given: a document of the submitted request, and another request
    document = submitted.documents.first()
    other = CustomerValidationRequestFactory()
    client.force_login(reviewer)

    # when: it is asked for under the other request, or with a malformed request id
    under_other = client.get(reverse(DOCUMENT, args=[other.pk, document.pk]))
    malformed = client.get(
        f"/admin/customers/customervalidationrequest/x{submitted.pk}/documents/{document.pk}/"
    )
    unknown = client.get(reverse(DOCUMENT, args=[submitted.pk, document.pk + 1000]))

    # then
    assert (under_other.status_code, malformed.status_code, unknown.status_code) == (404, 404, 404)


def test_staff_without_the_view_permission_cannot_download(client, submitted):
    # given: staff outside the reviewer group, with no permission on customer validations
    staff = UserFactory(is_staff=True)
    document = submitted.documents.first()
    client.force_login(staff)

    # when
    response = client.get(reverse(DOCUMENT, args=[submitted.pk, document.pk]))

    # then
    assert response.status_code == 404


# -- decisions -----------------------------------------------------------------------------
def test_start_review_assigns_the_request_to_the_reviewer(
    client, reviewer, submitted, django_capture_on_commit_callbacks
):
    # given
    client.force_login(reviewer)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(DECIDE, args=[submitted.pk, "start-review"]), follow=True)

    # then
    request = submitted
    request.refresh_from_db()
    assert response.redirect_chain == [(reverse(CHANGE, args=[request.pk]), 302)]
    assert messages_of(response) == ["Review started; the request is assigned to you."]
    assert (request.status, request.assigned_reviewer) == (Status.IN_REVIEW, reviewer)
    assert AuditEvent.objects.for_subject(request).values_list(
        "action", "from_status", "to_status", "actor"
    ).last() == ("review_started", "submitted", "in_review", reviewer.pk)
    assert LogEntry.objects.get().get_change_message() == (
        "Review started; the request is assigned to you."
    )
    assert mail.outbox == []


def test_approve_page_asks_for_max_creates_with_one_by_default(client, reviewer, in_review):
    # given
    client.force_login(reviewer)

    # when
    response = client.get(reverse(DECIDE, args=[in_review.pk, "approve"]))

    # then
    assert response.status_code == 200
    field = element(response, id="id_max_creates")
    assert (attr(field, "type"), attr(field, "value"), attr(field, "min")) == ("number", "1", "1")
    assert attr(field, "aria-describedby") == "id_max_creates_helptext"
    assert text(element(response, id="id_max_creates_helptext")) == (
        "How many GCC customers the validation code may create (maxCreates)."
    )
    assert attr(element(response, id="id_text"), "required") is None
    assert [attr(i, "value") for i in elements(response, tag="input", css_class="default")] == [
        "Approve"
    ]


def test_approve_issues_the_code_and_emails_the_partner_and_the_customer(
    client, reviewer, admin_agent, organization, in_review, django_capture_on_commit_callbacks
):
    # given
    client.force_login(reviewer)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(DECIDE, args=[in_review.pk, "approve"]),
            {"text": "Domain verified.", "max_creates": "3"},
            follow=True,
        )

    # then
    request = in_review
    request.refresh_from_db()
    assert response.redirect_chain == [(reverse(CHANGE, args=[request.pk]), 302)]
    assert messages_of(response) == [
        "Approved. A validation code was issued to the transacting partner."
    ]
    assert (request.status, request.decided_by, request.decision_note) == (
        Status.APPROVED,
        reviewer,
        "Domain verified.",
    )
    assert request.due_at is None
    code = GccValidation.objects.get()
    assert (code.partner, code.organization_name, code.max_creates, code.remaining_creates) == (
        organization,
        LEGAL_NAME,
        3,
        3,
    )
    assert code.source_request == request
    assert list(
        AuditEvent.objects.for_subject(request).values_list("action", "actor").order_by("pk")
    )[-2:] == [("approved", reviewer.pk), ("code_issued", reviewer.pk)]
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (admin_agent.email, f"GCC customer validation #{request.pk} approved: {LEGAL_NAME}"),
            (CONTACT_EMAIL, f"{LEGAL_NAME} is validated for Microsoft GCC"),
        ]
    )
    assert (
        str(code.validation_id) in next(m for m in mail.outbox if m.to == [admin_agent.email]).body
    )
    assert LogEntry.objects.get().get_change_message() == (
        "Approved. A validation code was issued to the transacting partner."
    )


@pytest.mark.parametrize(
    ("max_creates", "message"),
    [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("-2", "Ensure this value is greater than or equal to 1."),
        ("", "This field is required."),
        ("three", "Enter a whole number."),
    ],
    ids=["zero", "negative", "empty", "not-a-number"],
)
def test_approve_without_a_valid_max_creates_shows_the_error_and_changes_nothing(
    client, reviewer, in_review, django_capture_on_commit_callbacks, max_creates, message
):
    # given
    before = snapshot()
    client.force_login(reviewer)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(DECIDE, args=[in_review.pk, "approve"]),
            {"text": "Looks fine.", "max_creates": max_creates},
        )

    # then: the form again, the error next to the field, nothing decided or issued
    assert response.status_code == 200
    field = element(response, id="id_max_creates")
    assert attr(field, "aria-invalid") == "true"
    assert attr(field, "aria-describedby") == "id_max_creates_helptext id_max_creates_error"
    assert text(element(response, id="id_max_creates_error")) == message
    assert elements(response, css_class="errorlist") == [
        element(response, id="id_max_creates_error")
    ]
    assert snapshot() == before
    assert not GccValidation.objects.exists()
    assert mail.outbox == []


def test_reject_records_the_reason_and_emails_the_partner(
    client, reviewer, admin_agent, in_review, django_capture_on_commit_callbacks
):
    # given
    client.force_login(reviewer)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(DECIDE, args=[in_review.pk, "reject"]),
            {"text": "The domain belongs to another entity."},
            follow=True,
        )

    # then
    request = in_review
    request.refresh_from_db()
    assert messages_of(response) == ["Rejected. The partner was told the reason."]
    assert (request.status, request.decided_by, request.decision_note) == (
        Status.REJECTED,
        reviewer,
        "The domain belongs to another entity.",
    )
    assert not GccValidation.objects.exists()
    assert AuditEvent.objects.for_subject(request).values_list(
        "action", "from_status", "to_status", "actor", "note"
    ).last() == (
        "rejected",
        "in_review",
        "rejected",
        reviewer.pk,
        "The domain belongs to another entity.",
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([admin_agent.email], f"GCC customer validation #{request.pk} not approved: {LEGAL_NAME}")
    ]
    assert "Reason:\nThe domain belongs to another entity.\n" in mail.outbox[0].body


def test_request_info_emails_the_customer_contact_and_tells_the_partner(
    client, reviewer, admin_agent, in_review, django_capture_on_commit_callbacks
):
    # given
    client.force_login(reviewer)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(DECIDE, args=[in_review.pk, "request-info"]),
            {"text": "Send the city charter."},
            follow=True,
        )

    # then
    request = in_review
    request.refresh_from_db()
    assert messages_of(response) == [
        "Information requested from the customer contact. The review clock is stopped until "
        "the customer answers."
    ]
    assert request.status == Status.INFO_REQUESTED
    assert request.info_request_message == "Send the city charter."
    assert request.due_at is None
    assert request.info_link_nonce != ""
    assert AuditEvent.objects.for_subject(request).values_list(
        "action", "from_status", "to_status", "actor"
    ).last() == ("info_requested", "in_review", "info_requested", reviewer.pk)
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (CONTACT_EMAIL, f"Microsoft GCC validation of {LEGAL_NAME}: information needed"),
            (
                admin_agent.email,
                f"GCC customer validation #{request.pk}: the customer was asked for information",
            ),
        ]
    )


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("reject", "Give the reason for the rejection; the partner sees it."),
        ("request-info", "Say what information the customer must send."),
    ],
)
def test_reject_or_request_info_without_text_shows_the_error_and_changes_nothing(
    client, reviewer, in_review, django_capture_on_commit_callbacks, action, message
):
    # given
    before = snapshot()
    client.force_login(reviewer)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(DECIDE, args=[in_review.pk, action]), {"text": "   "})

    # then: the form again, the error next to the field
    assert response.status_code == 200
    field = element(response, id="id_text")
    assert attr(field, "aria-invalid") == "true"
    assert text(element(response, id="id_text_error")) == message
    assert snapshot() == before
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("approve", {"text": "", "max_creates": "2"}),
        ("reject", {"text": "Too late."}),
        ("request-info", {"text": "More, please."}),
    ],
)
def test_second_reviewer_deciding_a_decided_request_is_told_and_nothing_changes(
    client, reviewer, in_review, django_capture_on_commit_callbacks, action, data
):
    # given: a first reviewer approved the request (partner and customer emailed)
    with django_capture_on_commit_callbacks(execute=True):
        services.customer_validation_approve(
            request_id=in_review.pk, reviewer=reviewer, note="Approved first."
        )
    assert len(mail.outbox) == 2
    before = snapshot()
    client.force_login(ReviewerFactory())

    # when: a second reviewer, whose page was still open, decides too
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(DECIDE, args=[in_review.pk, action]), data, follow=True)

    # then: a clear message, the first decision and its one code stand, no second email
    assert response.redirect_chain == [(reverse(CHANGE, args=[in_review.pk]), 302)]
    assert messages_of(response) == [
        "This request is approved; that action is no longer possible. Nothing was changed."
    ]
    assert snapshot() == before
    decided = reload(in_review)
    assert (decided.status, decided.decided_by) == (Status.APPROVED, reviewer)
    assert GccValidation.objects.get().max_creates == 1
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("method", "action", "data"),
    [
        ("get", "approve", {}),
        ("post", "start-review", {}),
        ("post", "approve", {"text": "ok", "max_creates": "1"}),
        ("post", "reject", {"text": "no"}),
        ("post", "request-info", {"text": "more"}),
    ],
)
def test_staff_without_decide_permission_gets_403(
    client, staff_without_decide, submitted, reviewer, method, action, data
):
    # given: a request in the state the action applies to
    if action != "start-review":
        review_start(model=CustomerValidationRequest, request_id=submitted.pk, reviewer=reviewer)
    before = snapshot()
    client.force_login(staff_without_decide)

    # when
    response = getattr(client, method)(reverse(DECIDE, args=[submitted.pk, action]), data)

    # then
    assert response.status_code == 403
    assert snapshot() == before


def test_approve_whose_log_entry_fails_saves_nothing_and_says_so(
    client, reviewer, in_review, django_capture_on_commit_callbacks
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
        response = client.post(
            reverse(DECIDE, args=[in_review.pk, "approve"]),
            {"text": "Welcome to GCC.", "max_creates": "3"},
        )

    # then: the decision went with its log entry (no code, no audit event, no email), the
    # page says so and keeps what the reviewer entered
    assert response.status_code == 503
    assert text(element(response, tag="div", css_class="errornote")) == (
        "Your decision was not saved. The connection to the database was lost before it could be "
        "recorded, so nothing was changed and no one was notified. You can make the decision "
        "again: what you entered is kept below."
    )
    assert text(element(response, id="id_text")) == "Welcome to GCC."
    assert attr(element(response, id="id_max_creates"), "value") == "3"
    assert snapshot() == before
    assert mail.outbox == []


# -- the validation codes: read-only -------------------------------------------------------
@pytest.fixture
def codes(db):
    partner = OrganizationFactory(legal_name="Contoso Federal Solutions")
    return [
        GccValidationFactory(partner=partner, organization_name="City of Springfield"),
        GccValidationFactory(
            partner=partner,
            organization_name="Birch Township",
            max_creates=5,
            remaining_creates=2,
        ),
    ]


def test_reviewer_sees_the_codes_with_their_remaining_creates(client, reviewer, codes):
    # given
    client.force_login(reviewer)

    # when
    response = client.get(reverse(CODES))

    # then: every code, with Partner Center's fields, newest first
    assert response.status_code == 200
    table = element(response, id="result_list")
    rows = [
        [text(cell) for cell in elements(response, tag="td", within=tr)]
        for tr in elements(response, tag="tr", within=element(response, tag="tbody", within=table))
    ]
    assert [row[:4] for row in rows] == [
        ["Birch Township", "Contoso Federal Solutions", "5", "2"],
        ["City of Springfield", "Contoso Federal Solutions", "1", "1"],
    ]
    assert [text(th) for th in elements(response, tag="th", css_class="field-validation_id")] == [
        str(codes[1].validation_id),
        str(codes[0].validation_id),
    ]
    # and nothing to add or act on
    assert response.context["has_add_permission"] is False
    assert response.context["action_form"] is None


def test_codes_list_query_count_does_not_grow_with_rows(client, reviewer):
    # given: 3 codes of different partners
    for _ in range(3):
        GccValidationFactory()
    client.force_login(reviewer)
    url = reverse(CODES)
    client.get(url)  # warm up

    # when: the list is shown with 3, then with 30 codes
    with CaptureQueriesContext(connection) as with_3:
        few = client.get(url)
    for _ in range(27):
        GccValidationFactory()
    with CaptureQueriesContext(connection) as with_30:
        many = client.get(url)

    # then
    assert (len(few.context["cl"].result_list), len(many.context["cl"].result_list)) == (3, 30)
    assert len(with_30.captured_queries) == len(with_3.captured_queries)


@pytest.mark.parametrize("who", ["reviewer", "superuser"])
def test_codes_cannot_be_added_changed_or_deleted(client, reviewer, codes, who):
    # given: a reviewer, or even a superuser
    user = reviewer if who == "reviewer" else UserFactory(is_staff=True, is_superuser=True)
    code = codes[1]
    before = list(GccValidation.objects.order_by("pk").values())
    client.force_login(user)
    change_url = reverse("admin:customers_gccvalidation_change", args=[code.pk])

    # when
    add = client.get(reverse("admin:customers_gccvalidation_add"))
    add_post = client.post(
        reverse("admin:customers_gccvalidation_add"),
        {"organization_name": "Forged", "max_creates": "9", "remaining_creates": "9"},
    )
    view = client.get(change_url)
    change = client.post(change_url, {"remaining_creates": "5", "_save": "Save"})
    delete = client.post(
        reverse("admin:customers_gccvalidation_delete", args=[code.pk]), {"post": "yes"}
    )
    bulk_delete = client.post(
        reverse(CODES), {"action": "delete_selected", "_selected_action": [code.pk], "post": "yes"}
    )

    # then: add, change and delete are refused; the code reads, and stays as it was
    assert (add.status_code, add_post.status_code) == (403, 403)
    assert view.status_code == 200
    assert view.context["has_change_permission"] is False
    assert view.context["has_delete_permission"] is False
    assert {attr(e, "name") for e in elements(view, tag="input")} - {None} == {
        "csrfmiddlewaretoken"
    }
    assert (change.status_code, delete.status_code) == (403, 403)
    assert bulk_delete.status_code == 200  # no action to run: the list again
    assert list(GccValidation.objects.order_by("pk").values()) == before


# -- qualifications: irreversible in the admin ---------------------------------------------
def test_qualifications_are_not_registered_on_their_own():
    # Given / When the admin site's models
    # Then customer qualifications are only shown inline in a customer, never edited alone
    assert CustomerQualification not in admin.site._registry
    assert Customer in admin.site._registry


@pytest.mark.parametrize("who", ["reviewer", "superuser"])
def test_customer_page_shows_the_qualification_read_only_and_it_cannot_be_removed(
    client, reviewer, organization, django_capture_on_commit_callbacks, who
):
    # given: a GCC customer created with a code
    ResellerQualificationFactory(organization=organization)
    agent = MembershipFactory(organization=organization).user
    code = GccValidationFactory(partner=organization, max_creates=2)
    customer = customer_services.customer_create(
        organization=organization,
        created_by=agent,
        idempotency_key=uuid.uuid4(),
        company_name=LEGAL_NAME,
        primary_domain="springfield.gov",
        address_line1="800 E Monroe St",
        city="Springfield",
        state="IL",
        postal_code="62701",
        contact_first_name="Robin",
        contact_last_name="Clerk",
        contact_email=CONTACT_EMAIL,
        contact_phone="+1 217 555 0199",
        special_qualification="GovernmentCommunityCloud",
        gcc_validation=code,
    )
    qualification = customer.qualifications.get()
    relationship = customer.relationships.get()
    user = reviewer if who == "reviewer" else UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    url = reverse("admin:customers_customer_change", args=[customer.pk])

    # when: the customer page is opened, then a crafted POST tries to delete the qualification
    response = client.get(url)
    (formset,) = [
        f
        for f in response.context["inline_admin_formsets"]
        if isinstance(f.opts, CustomerQualificationInline)
    ]
    posted = client.post(
        url,
        {
            "qualifications-TOTAL_FORMS": "1",
            "qualifications-INITIAL_FORMS": "1",
            "qualifications-MIN_NUM_FORMS": "0",
            "qualifications-MAX_NUM_FORMS": "1000",
            "qualifications-0-id": str(qualification.pk),
            "qualifications-0-customer": str(customer.pk),
            "qualifications-0-DELETE": "on",
            "relationships-TOTAL_FORMS": "1",
            "relationships-INITIAL_FORMS": "1",
            "relationships-MIN_NUM_FORMS": "0",
            "relationships-MAX_NUM_FORMS": "1000",
            "relationships-0-id": str(relationship.pk),
            "relationships-0-customer": str(customer.pk),
            "_save": "Save",
        },
    )

    # then: the qualification is shown, with no way to add, change or delete one
    assert response.status_code == 200
    assert (formset.has_add_permission, formset.has_change_permission) == (False, False)
    assert formset.formset.can_delete is False
    assert [form.instance for form in formset.formset.forms] == [qualification]
    assert "qualifications-0-DELETE" not in {
        attr(e, "name") for e in elements(response, tag="input")
    }
    # and the crafted POST removes nothing
    # (a reviewer may not change customers at all; a superuser's save changes nothing)
    assert posted.status_code == (403 if who == "reviewer" else 302)
    assert list(CustomerQualification.objects.values_list("pk", "qualification", "validation")) == [
        (qualification.pk, "GovernmentCommunityCloud", code.pk)
    ]
