"""Partner-facing pages of GCC partner validation: access, tenant isolation, roles, the form,
the preconditions, answering, withdrawing, the profile and the list."""

import uuid

import pytest
from django.core import mail
from django.db import connection
from django.template.defaultfilters import date as date_filter
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gccportal.review_clock import review_due_at
from notifications.models import OutboxMessage
from partners import services
from partners.models import Organization, PartnerValidationRequest, ResellerQualification
from reviews.models import AuditEvent
from reviews.services import review_start
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    PartnerValidationRequestFactory,
    UserFactory,
    info_answer_form_data,
    validation_answers,
)
from tests.helpers import INCOMPLETE, reload, role_refusal, snapshot
from tests.html import (
    alert_texts,
    assert_withdraw_form,
    attr,
    element,
    elements,
    messages_of,
    page_text,
    text,
)

Status = PartnerValidationRequest.Status

# -- helpers -------------------------------------------------------------------------------


def form_data(organization: Organization, **overrides) -> dict:
    """The partner validation form, as the browser posts it."""
    data = {**validation_answers(organization), "attested": "on", **overrides}
    return {key: value for key, value in data.items() if value is not None}


NOT_MEMBER = (
    "This area is for partner organizations. Your account is not a member of any partner "
    "organization; reviewers work in the administration site."
)


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def info_requested_validation(in_review_validation, reviewer):
    return services.partner_validation_request_info(
        request_id=in_review_validation.pk,
        reviewer=reviewer,
        message="Send the GSA Schedule contract number.",
    )


@pytest.fixture
def other_org_validation(other_admin_agent, submit_validation, reviewer):
    """Organization B's request, waiting for B's answer (so answer and withdraw would work)."""
    validation = submit_validation(other_admin_agent)
    review_start(model=PartnerValidationRequest, request_id=validation.pk, reviewer=reviewer)
    return services.partner_validation_request_info(
        request_id=validation.pk, reviewer=reviewer, message="Which agencies do you serve?"
    )


# -- anonymous -----------------------------------------------------------------------------

PARTNER_URLS = [
    ("get", "partners:dashboard", False),
    ("get", "partners:organization_profile", False),
    ("get", "partners:validation_list", False),
    ("get", "partners:validation_create", False),
    ("post", "partners:validation_create", False),
    ("get", "partners:validation_detail", True),
    ("post", "partners:validation_answer", True),
    ("post", "partners:validation_withdraw", True),
    ("get", "partners:validation_withdraw_confirm", True),
]


@pytest.mark.parametrize(("method", "url_name", "takes_id"), PARTNER_URLS)
def test_anonymous_user_is_sent_to_sign_in_from_every_partner_url(
    client, info_requested_validation, method, url_name, takes_id
):
    # given: an anonymous visitor and an existing request
    before = snapshot()
    url = reverse(url_name, args=[info_requested_validation.pk] if takes_id else [])

    # when
    response = getattr(client, method)(url, {"response": "Here it is."} if method == "post" else {})

    # then: sign-in first, coming back here; nothing happened
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"
    assert snapshot() == before
    assert PartnerValidationRequest.objects.count() == 1


# -- tenant isolation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url_name", "data"),
    [
        ("get", "partners:validation_detail", {}),
        ("post", "partners:validation_answer", {"response": "Federal civilian agencies."}),
        ("post", "partners:validation_withdraw", {}),
        ("get", "partners:validation_withdraw_confirm", {}),
    ],
)
def test_guessing_another_organizations_request_id_is_not_found(
    client, admin_agent, other_organization, other_org_validation, method, url_name, data
):
    # given: an Admin agent of organization A, and organization B's request
    before = snapshot()
    client.force_login(admin_agent)

    # when: A uses B's request ID
    response = getattr(client, method)(reverse(url_name, args=[other_org_validation.pk]), data)

    # then: not found, nothing about B is shown, and B's request is untouched
    assert response.status_code == 404
    assert other_organization.legal_name not in response.content.decode()
    assert snapshot() == before
    assert reload(other_org_validation).status == Status.INFO_REQUESTED


# -- roles -----------------------------------------------------------------------------


def test_non_gcc_role_gets_403_with_the_reason_on_create_form(client, non_gcc_user):
    # given
    user, label = non_gcc_user
    client.force_login(user)

    # when
    response = client.get(reverse("partners:validation_create"))

    # then
    assert response.status_code == 403
    assert alert_texts(response) == [role_refusal(label)]


def test_non_gcc_role_cannot_submit_a_request(client, non_gcc_user, organization):
    # given
    user, label = non_gcc_user
    client.force_login(user)

    # when
    response = client.post(reverse("partners:validation_create"), form_data(organization))

    # then: refused, nothing created, no email queued
    assert response.status_code == 403
    assert alert_texts(response) == [role_refusal(label)]
    assert PartnerValidationRequest.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("partners:validation_answer", {"response": "Federal civilian agencies."}),
        ("partners:validation_withdraw", {}),
        ("partners:validation_withdraw_confirm", None),
    ],
)
def test_non_gcc_role_cannot_answer_or_withdraw(
    client, non_gcc_user, info_requested_validation, url_name, data
):
    # given: a request of the user's own organization waiting for an answer
    user, label = non_gcc_user
    before = snapshot()
    client.force_login(user)

    # when (the withdrawal's confirmation page is a GET)
    url = reverse(url_name, args=[info_requested_validation.pk])
    response = client.get(url) if data is None else client.post(url, data)

    # then
    assert response.status_code == 403
    assert alert_texts(response) == [role_refusal(label)]
    assert snapshot() == before


def test_non_gcc_role_sees_on_dashboard_why_it_cannot_apply(client, non_gcc_user):
    # given: an organization that has not applied yet
    user, label = non_gcc_user
    client.force_login(user)

    # when
    response = client.get(reverse("partners:dashboard"))

    # then: the GCC card explains, and offers no way to apply
    assert response.status_code == 200
    (card,) = [
        section
        for section in elements(response, tag="section")
        if attr(section, "aria-labelledby") == "gcc-heading"
    ]
    assert [text(p) for p in elements(response, tag="p", within=card)] == [
        f"Your organization is not approved for GCC yet. Your role ({label}) can't take GCC "
        "actions: ask an Admin agent or a Sales agent to apply."
    ]
    assert elements(response, tag="a", within=card) == []
    assert reverse("partners:validation_create") not in response.content.decode()


def test_non_gcc_role_sees_a_request_without_answer_or_withdraw_controls(
    client, non_gcc_user, info_requested_validation
):
    # given
    user, _label = non_gcc_user
    client.force_login(user)

    # when
    response = client.get(
        reverse("partners:validation_detail", args=[info_requested_validation.pk])
    )

    # then: the request is visible, the actions are not
    assert response.status_code == 200
    content = response.content.decode()
    assert "Send the GSA Schedule contract number." in content
    assert reverse("partners:validation_answer", args=[info_requested_validation.pk]) not in content
    assert (
        reverse("partners:validation_withdraw", args=[info_requested_validation.pk]) not in content
    )
    assert (
        reverse("partners:validation_withdraw_confirm", args=[info_requested_validation.pk])
        not in content
    )


@pytest.mark.parametrize(
    "url_name",
    [
        "partners:organization_profile",
        "partners:validation_list",
        "partners:validation_create",
    ],
)
def test_reviewer_without_membership_gets_403_on_partner_pages(client, reviewer, url_name):
    # given: a staff reviewer, member of no partner organization
    client.force_login(reviewer)

    # when
    response = client.get(reverse(url_name))

    # then
    assert response.status_code == 403
    assert alert_texts(response) == [NOT_MEMBER]
    assert f'href="{reverse("admin:index")}"' in response.content.decode()


def test_reviewer_without_membership_gets_403_on_a_request_page(
    client, reviewer, info_requested_validation
):
    # given
    client.force_login(reviewer)
    before = snapshot()

    # when
    detail = client.get(reverse("partners:validation_detail", args=[info_requested_validation.pk]))
    withdraw = client.post(
        reverse("partners:validation_withdraw", args=[info_requested_validation.pk])
    )

    # then
    assert (detail.status_code, withdraw.status_code) == (403, 403)
    assert alert_texts(detail) == [NOT_MEMBER]
    assert snapshot() == before


# -- the create form -----------------------------------------------------------------------


def test_create_form_prefills_tenant_id_and_warns_about_azure_gcc_next_to_the_field(
    client, admin_agent, organization
):
    # given
    client.force_login(admin_agent)

    # when
    response = client.get(reverse("partners:validation_create"))

    # then: the Microsoft ID of the profile is filled in, the warning is tied to the field
    assert response.status_code == 200
    field = element(response, id="id_commercial_tenant_id")
    assert attr(field, "value") == str(organization.commercial_tenant_id)
    assert attr(field, "aria-describedby").split() == ["id_commercial_tenant_id_helptext"]
    assert text(element(response, id="id_commercial_tenant_id_helptext")) == (
        "Do not use an Azure GCC tenant ID. Enter your organization's commercial (global) "
        "tenant ID: the Microsoft ID shown on your organization profile. It is filled in for you."
    )
    assert attr(element(response, id="id_contact_name"), "value") == admin_agent.get_full_name()
    assert attr(element(response, id="id_contact_email"), "value") == admin_agent.email


TENANT_ID_MISTAKES = {
    "malformed": (
        lambda org, other: "1234-not-a-guid",
        "This is not a valid tenant ID. A tenant ID is a GUID of 32 hexadecimal digits, like "
        "00000000-0000-0000-0000-000000000000. Enter your organization's commercial tenant ID, "
        "the Microsoft ID on your profile: {expected}.",
    ),
    "own_azure_gcc": (
        lambda org, other: str(org.azure_gcc_tenant_id),
        "This is an Azure GCC tenant ID, not the commercial (global) one. Enter your "
        "organization's commercial tenant ID, the Microsoft ID on your profile: {expected}.",
    ),
    "other_organization": (
        lambda org, other: str(other.commercial_tenant_id),
        "This is not the expected tenant ID. Enter your organization's commercial tenant ID, "
        "the Microsoft ID on your profile: {expected}.",
    ),
    "random_guid": (
        lambda org, other: "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
        "This is not the expected tenant ID. Enter your organization's commercial tenant ID, "
        "the Microsoft ID on your profile: {expected}.",
    ),
}


@pytest.mark.parametrize("mistake", list(TENANT_ID_MISTAKES))
def test_create_form_explains_each_tenant_id_mistake_and_keeps_the_other_answers(
    client, admin_agent, organization, other_organization, mistake
):
    # given
    wrong_value, message = TENANT_ID_MISTAKES[mistake]
    entered = wrong_value(organization, other_organization)
    client.force_login(admin_agent)

    # when
    response = client.post(
        reverse("partners:validation_create"),
        form_data(
            organization,
            commercial_tenant_id=entered,
            contact_name="Robin Example",
            contact_email="robin@partner.example",
            contact_phone="+1 703 555 0199",
            government_segments=["state", "local"],
            contract_vehicles="NASPO ValuePoint and SEWP V",
        ),
    )

    # then: the form comes back with the message next to the field...
    assert response.status_code == 200
    field = element(response, id="id_commercial_tenant_id")
    assert attr(field, "aria-invalid") == "true"
    assert attr(field, "aria-describedby").split() == [
        "id_commercial_tenant_id_helptext",
        "id_commercial_tenant_id_error",
    ]
    assert text(element(response, id="id_commercial_tenant_id_error")) == message.format(
        expected=organization.commercial_tenant_id
    )
    assert list(response.context["form"].errors) == ["commercial_tenant_id"]
    # ...and every submitted value still in place
    assert attr(field, "value") == entered
    assert attr(element(response, id="id_contact_name"), "value") == "Robin Example"
    assert attr(element(response, id="id_contact_email"), "value") == "robin@partner.example"
    assert attr(element(response, id="id_contact_phone"), "value") == "+1 703 555 0199"
    checked = {
        attr(box, "value")
        for box in elements(response, tag="input")
        if attr(box, "name") == "government_segments" and "checked" in dict(box.attributes)
    }
    assert checked == {"state", "local"}
    assert text(element(response, id="id_contract_vehicles")) == "NASPO ValuePoint and SEWP V"
    assert "checked" in dict(element(response, id="id_attested").attributes)
    # nothing was created
    assert PartnerValidationRequest.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_create_form_names_every_missing_answer(client, admin_agent):
    # given
    client.force_login(admin_agent)

    # when: an empty form is sent
    response = client.post(reverse("partners:validation_create"), {})

    # then
    assert response.status_code == 200
    errors = {
        field.name: text(element(response, id=f"id_{field.name}_error"))
        for field in response.context["form"].visible_fields()
    }
    assert errors == {
        "commercial_tenant_id": "This field is required.",
        "contact_name": "This field is required.",
        "contact_email": "This field is required.",
        "contact_phone": "This field is required.",
        "government_segments": "Choose at least one kind of government customer.",
        "contract_vehicles": "This field is required.",
        "attested": "Confirm that the information is accurate.",
    }
    # and the missing form key (a hidden field) is said above them, then each field's error
    # as a link to its field
    summary = element(response, id="form-errors")
    assert text(summary).startswith(
        f"{INCOMPLETE} Some answers need your attention. Each is marked below. "
    )
    assert [
        (attr(link, "href"), text(link)) for link in elements(response, tag="a", within=summary)
    ] == [
        (
            "#id_commercial_tenant_id",
            "Commercial tenant ID (Microsoft ID): This field is required.",
        ),
        ("#id_contact_name", "Contact name: This field is required."),
        ("#id_contact_email", "Contact email: This field is required."),
        ("#id_contact_phone", "Contact phone: This field is required."),
        (
            "#id_government_segments_0",
            "Government customers you serve: Choose at least one kind of government customer.",
        ),
        ("#id_contract_vehicles", "How you contract with them: This field is required."),
        (
            "#id_attested",
            "I confirm that this information is accurate. This request is legally binding.: "
            "Confirm that the information is accurate.",
        ),
    ]
    assert len(alert_texts(response)) == 1
    assert PartnerValidationRequest.objects.count() == 0


def test_create_form_refuses_a_phone_number_without_digits_enough(
    client, admin_agent, organization
):
    # given
    client.force_login(admin_agent)

    # when
    response = client.post(
        reverse("partners:validation_create"), form_data(organization, contact_phone="call me")
    )

    # then
    assert response.status_code == 200
    assert text(element(response, id="id_contact_phone_error")) == (
        "Enter a phone number with its area code, for example +1 202 555 0143."
    )
    assert PartnerValidationRequest.objects.count() == 0


def test_valid_form_creates_the_request_and_shows_its_page(
    client, admin_agent, organization, reviewer, django_capture_on_commit_callbacks
):
    # given
    client.force_login(admin_agent)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partners:validation_create"),
            form_data(organization, government_segments=["federal", "tribal"]),
        )

    # then: one request, submitted, with the answers and a two-business-day due time
    validation = PartnerValidationRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:validation_detail", args=[validation.pk])
    assert validation.organization == organization
    assert validation.submitted_by == admin_agent
    assert validation.status == Status.SUBMITTED
    assert validation.commercial_tenant_id == organization.commercial_tenant_id
    assert validation.government_segments == ["federal", "tribal"]
    assert validation.due_at == review_due_at(validation.submitted_at)
    assert list(
        AuditEvent.objects.for_subject(validation).values_list(
            "action", "from_status", "to_status", "actor"
        )
    ) == [("submitted", "", "submitted", admin_agent.pk)]
    assert sorted((m.to, m.subject) for m in mail.outbox) == sorted(
        [
            ([admin_agent.email], f"GCC validation request #{validation.pk} received"),
            ([reviewer.email], f"New GCC partner validation: {organization.legal_name}"),
        ]
    )

    # when: the partner lands on the request page
    page = client.get(response["Location"])

    # then: status, due time and timeline are shown
    assert page.status_code == 200
    assert messages_of(page) == [
        "Your GCC validation request was submitted. Confirmation email sent."
    ]
    assert text(element(page, id="request-status")) == "Status: Submitted"
    due_local = timezone.localtime(validation.due_at)
    assert text(element(page, id="due-at")) == (
        f"{date_filter(due_local, 'DATETIME_FORMAT')} ({date_filter(due_local, 'T')})"
    )
    assert due_local.hour == 17
    (timeline,) = [ol for ol in elements(page, tag="ol") if attr(ol, "aria-label") == "Timeline"]
    created = date_filter(timezone.localtime(validation.created_at), "DATETIME_FORMAT")
    assert [text(item) for item in elements(page, tag="li", within=timeline)] == [
        f"Request submitted {created} · {admin_agent.get_full_name()}"
    ]


# -- the form's one-time key: a re-post finds the first request ---------------------------


def hidden_key(response) -> str:
    field = element(response, id="id_idempotency_key")
    assert (attr(field, "type"), attr(field, "name")) == ("hidden", "idempotency_key")
    return attr(field, "value")


def test_each_form_shown_carries_its_own_key(client, admin_agent):
    # given
    client.force_login(admin_agent)

    # when: the form is opened twice
    keys = [hidden_key(client.get(reverse("partners:validation_create"))) for _ in range(2)]

    # then: each page has its own well-formed key
    assert len({str(uuid.UUID(key)) for key in keys}) == 2


def test_posting_the_same_form_twice_gives_one_request_and_one_set_of_emails(
    client, admin_agent, organization, reviewer, django_capture_on_commit_callbacks
):
    # given: one form, posted once
    client.force_login(admin_agent)
    data = form_data(organization)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("partners:validation_create"), data)
    validation = PartnerValidationRequest.objects.get()
    first_page = client.get(first["Location"])

    # when: the same form is posted again (a retry after a timeout)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("partners:validation_create"), data)

    # then: it lands on the first request, with the same message as the first time...
    assert first.status_code == again.status_code == 302
    assert (
        again["Location"]
        == first["Location"]
        == (reverse("partners:validation_detail", args=[validation.pk]))
    )
    message = "Your GCC validation request was submitted. Confirmation email sent."
    assert messages_of(first_page) == [message]
    assert messages_of(client.get(again["Location"])) == [message]
    # ...and there is still one request, one audit event and one set of emails
    assert PartnerValidationRequest.objects.get() == validation
    assert validation.idempotency_key == data["idempotency_key"]
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["submitted"]
    assert sorted(OutboxMessage.objects.values_list("template", "to_email")) == sorted(
        [
            ("emails/partners/validation_submitted", admin_agent.email),
            ("emails/partners/validation_new_for_reviewers", reviewer.email),
        ]
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin_agent.email, reviewer.email])


def test_a_form_shown_again_with_errors_keeps_its_key_and_its_correction_is_one_request(
    client, admin_agent, organization, reviewer, django_capture_on_commit_callbacks
):
    # given
    client.force_login(admin_agent)
    data = form_data(organization)
    url = reverse("partners:validation_create")

    # when: the form comes back with an error, then is corrected and submitted (twice)
    refused = client.post(url, {**data, "contact_phone": "call me"})
    with django_capture_on_commit_callbacks(execute=True):
        corrected = client.post(url, {**data, "idempotency_key": hidden_key(refused)})
        replayed = client.post(url, {**data, "idempotency_key": hidden_key(refused)})

    # then: the page shown again carried the posted key; the correction made one request
    assert refused.status_code == 200
    assert hidden_key(refused) == str(data["idempotency_key"])
    validation = PartnerValidationRequest.objects.get()
    assert validation.idempotency_key == data["idempotency_key"]
    assert (
        corrected["Location"]
        == replayed["Location"]
        == (reverse("partners:validation_detail", args=[validation.pk]))
    )
    assert sorted(OutboxMessage.objects.values_list("to_email", flat=True)) == sorted(
        [admin_agent.email, reviewer.email]
    )


@pytest.mark.parametrize("key", [None, "", "not-a-key", "1234", "{" + "0" * 40 + "}"])
def test_a_missing_or_malformed_key_is_a_form_error_and_the_page_gets_a_fresh_one(
    client, admin_agent, organization, key
):
    # given
    client.force_login(admin_agent)
    url = reverse("partners:validation_create")

    # when: the form is posted without a usable key (all the answers are right)
    response = client.post(url, form_data(organization, idempotency_key=key))

    # then: not a server error: the form again, saying so, and nothing was created
    assert response.status_code == 200
    assert alert_texts(response) == [INCOMPLETE]
    assert PartnerValidationRequest.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    # and the page holds a new key, with which the next submit goes through
    fresh = hidden_key(response)
    assert fresh != key
    uuid.UUID(fresh)
    submitted = client.post(url, form_data(organization, idempotency_key=fresh))
    assert submitted["Location"] == reverse(
        "partners:validation_detail", args=[PartnerValidationRequest.objects.get().pk]
    )


def test_a_key_another_organization_used_gives_this_organization_its_own_request(
    client, admin_agent, organization, other_admin_agent, submit_validation
):
    # given: organization B's request, submitted with key K
    key = uuid.uuid4()
    theirs = submit_validation(other_admin_agent, idempotency_key=key)
    client.force_login(admin_agent)

    # when: organization A posts its form with the same key
    response = client.post(
        reverse("partners:validation_create"), form_data(organization, idempotency_key=key)
    )

    # then: A lands on its own new request; B's is neither returned nor shown
    mine = PartnerValidationRequest.objects.get(organization=organization)
    assert mine.pk != theirs.pk
    assert response["Location"] == reverse("partners:validation_detail", args=[mine.pk])
    page = client.get(response["Location"])
    assert page.context["validation"] == mine
    assert theirs.organization.legal_name not in page.content.decode()
    assert list(
        PartnerValidationRequest.objects.order_by("pk").values_list(
            "organization", "idempotency_key"
        )
    ) == [(theirs.organization.pk, key), (organization.pk, key)]


# -- preconditions -------------------------------------------------------------------------


@pytest.fixture(params=["not_enrolled", "indirect_reseller", "already_approved", "request_open"])
def blocked(request, organization, admin_agent):
    """An organization that may not apply now, and the reason the page must give."""
    if request.param == "not_enrolled":
        organization.csp_enrollment = Organization.CspEnrollment.PENDING
        organization.save(update_fields=["csp_enrollment"])
        return (
            "Your organization is not enrolled in the Cloud Solution Provider (CSP) program yet. "
            "Complete CSP enrollment first, then apply for GCC."
        )
    if request.param == "indirect_reseller":
        provider = OrganizationFactory(
            legal_name="Contoso Distribution Inc.",
            partner_type=Organization.PartnerType.INDIRECT_PROVIDER,
            azure_gcc_tenant_id=None,
        )
        organization.partner_type = Organization.PartnerType.INDIRECT_RESELLER
        organization.indirect_provider = provider
        organization.azure_gcc_tenant_id = None
        organization.save(
            update_fields=["partner_type", "indirect_provider", "azure_gcc_tenant_id"]
        )
        return (
            "Indirect resellers are not validated for GCC themselves: work with your indirect "
            "provider, Contoso Distribution Inc., which validates its own organization."
        )
    submit_validation = request.getfixturevalue("submit_validation")
    validation = submit_validation(admin_agent)
    if request.param == "already_approved":
        reviewer = request.getfixturevalue("reviewer")
        review_start(model=PartnerValidationRequest, request_id=validation.pk, reviewer=reviewer)
        services.partner_validation_approve(request_id=validation.pk, reviewer=reviewer)
        return "Your organization is already approved for GCC. There is nothing to apply for."
    return (
        "Your organization already has a GCC validation request under way. Follow it from its "
        "page; you can apply again only once it is decided or withdrawn."
    )


def test_create_page_says_why_the_organization_cannot_apply(client, admin_agent, blocked):
    # given
    client.force_login(admin_agent)

    # when
    response = client.get(reverse("partners:validation_create"))

    # then: a page with the reason, not a form and not an error
    assert response.status_code == 200
    assert response.templates[0].name == "partners/validation_unavailable.html"
    assert alert_texts(response) == [blocked]
    assert "partner-validation-form" not in response.content.decode()


def test_create_post_when_the_organization_cannot_apply_creates_nothing(
    client, admin_agent, organization, blocked
):
    # given
    client.force_login(admin_agent)
    requests_before = list(PartnerValidationRequest.objects.values_list("pk", "status"))
    events_before = AuditEvent.objects.count()
    outbox_before = OutboxMessage.objects.count()

    # when
    response = client.post(reverse("partners:validation_create"), form_data(organization))

    # then
    assert response.status_code == 409
    assert alert_texts(response) == [blocked]
    assert list(PartnerValidationRequest.objects.values_list("pk", "status")) == requests_before
    assert AuditEvent.objects.count() == events_before
    assert OutboxMessage.objects.count() == outbox_before


def test_create_page_with_a_request_under_way_links_to_it(client, admin_agent, submit_validation):
    # given
    validation = submit_validation(admin_agent)
    client.force_login(admin_agent)

    # when
    response = client.get(reverse("partners:validation_create"))

    # then
    links = [attr(a, "href") for a in elements(response, tag="a") if text(a).startswith("Go to")]
    assert links == [reverse("partners:validation_detail", args=[validation.pk])]


# -- answering an information request ------------------------------------------------------


def test_empty_answer_is_refused_with_the_message_and_changes_nothing(
    client, admin_agent, info_requested_validation
):
    # given
    before = snapshot()
    client.force_login(admin_agent)

    # when
    response = client.post(
        reverse("partners:validation_answer", args=[info_requested_validation.pk]),
        info_answer_form_data("   "),
    )

    # then
    assert response.status_code == 400
    assert text(element(response, id="id_response_error")) == (
        "Enter the information the reviewer asked for."
    )
    assert attr(element(response, id="id_response"), "aria-invalid") == "true"
    assert snapshot() == before
    assert reload(info_requested_validation).status == Status.INFO_REQUESTED


def test_answer_puts_the_request_back_in_review_with_a_new_due_time(
    client, admin_agent, reviewer, info_requested_validation, django_capture_on_commit_callbacks
):
    # given: the clock is stopped while the partner answers
    assert info_requested_validation.due_at is None
    client.force_login(admin_agent)
    url = reverse("partners:validation_answer", args=[info_requested_validation.pk])

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, info_answer_form_data("  Contract GS-35F-0001X.  "))

    # then: back in the queue, with a due time two business days after the answer
    validation = info_requested_validation
    validation.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:validation_detail", args=[validation.pk])
    assert validation.status == Status.IN_REVIEW
    assert validation.info_response == "Contract GS-35F-0001X."
    assert validation.due_at == review_due_at(validation.info_responded_at)
    last = AuditEvent.objects.for_subject(validation).last()
    assert (last.action, last.from_status, last.to_status, last.actor, last.note) == (
        "info_provided",
        "info_requested",
        "in_review",
        admin_agent,
        "Contract GS-35F-0001X.",
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            [reviewer.email],
            f"Partner answered: GCC validation #{validation.pk} "
            f"({validation.organization.legal_name})",
        )
    ]
    page = client.get(response["Location"])
    assert messages_of(page) == ["Thank you. Your answer was sent and the review clock restarted."]
    assert text(element(page, id="request-status")) == "Status: In review"


def test_answer_when_no_information_is_requested_shows_an_error_and_changes_nothing(
    client, admin_agent, in_review_validation
):
    # given: a request in review (nothing asked)
    before = snapshot()
    client.force_login(admin_agent)

    # when
    response = client.post(
        reverse("partners:validation_answer", args=[in_review_validation.pk]),
        info_answer_form_data("Unsolicited details."),
        follow=True,
    )

    # then
    assert messages_of(response) == [
        "This request is in review; that action is no longer possible. Nothing was changed."
    ]
    assert snapshot() == before


# -- the answer form's one-time key: a re-post gets the first answer's result -------------

ANSWER_SENT = "Thank you. Your answer was sent and the review clock restarted."


def test_each_answer_form_shown_carries_its_own_key(client, admin_agent, info_requested_validation):
    # given
    client.force_login(admin_agent)
    url = reverse("partners:validation_detail", args=[info_requested_validation.pk])

    # when: the request's page is opened twice
    keys = [hidden_key(client.get(url)) for _ in range(2)]

    # then: each answer form has its own well-formed key
    assert len({str(uuid.UUID(key)) for key in keys}) == 2


def test_posting_the_same_answer_twice_records_one_answer_and_sends_one_email(
    client, admin_agent, reviewer, info_requested_validation, django_capture_on_commit_callbacks
):
    # given: an answer form, posted once
    validation = info_requested_validation
    client.force_login(admin_agent)
    url = reverse("partners:validation_answer", args=[validation.pk])
    data = info_answer_form_data("Contract GS-35F-0001X.")
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, data)
    first_page = client.get(first["Location"])
    after_first = snapshot()

    # when: the same form is posted again (a retry after a timeout or a dropped connection)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, data)

    # then: the same page and message as the first time, not "no longer possible"
    assert first.status_code == again.status_code == 302
    assert (
        again["Location"]
        == first["Location"]
        == reverse("partners:validation_detail", args=[validation.pk])
    )
    assert messages_of(first_page) == [ANSWER_SENT]
    assert messages_of(client.get(again["Location"])) == [ANSWER_SENT]
    # and nothing recorded twice: one answer, one audit event, one email
    assert snapshot() == after_first
    assert reload(validation).info_response == "Contract GS-35F-0001X."
    assert [e.action for e in AuditEvent.objects.for_subject(validation)].count(
        "info_provided"
    ) == 1
    assert list(
        OutboxMessage.objects.filter(
            template="emails/partners/validation_info_answered"
        ).values_list("to_email", flat=True)
    ) == [reviewer.email]
    assert [m.to for m in mail.outbox] == [[reviewer.email]]

    # and when: another answer form is posted now that the question is answered
    mail.outbox.clear()
    other = client.post(url, info_answer_form_data("A second thought."), follow=True)

    # then: the existing refusal; the first answer stands
    assert messages_of(other) == [
        "This request is in review; that action is no longer possible. Nothing was changed."
    ]
    assert snapshot() == after_first
    assert mail.outbox == []


def test_a_late_repost_of_the_previous_answer_is_not_the_answer_to_a_new_question(
    client, admin_agent, reviewer, info_requested_validation
):
    # given: the partner answered with form K, then the reviewer asked again
    validation = info_requested_validation
    client.force_login(admin_agent)
    url = reverse("partners:validation_answer", args=[validation.pk])
    data = info_answer_form_data("Contract GS-35F-0001X.")
    assert messages_of(client.post(url, data, follow=True)) == [ANSWER_SENT]
    services.partner_validation_request_info(
        request_id=validation.pk, reviewer=reviewer, message="And the task order number?"
    )
    before = snapshot()

    # when: form K is posted again (a retry arriving late)
    response = client.post(url, data, follow=True)

    # then: the first post's result; the new question still waits for its own answer
    assert messages_of(response) == [ANSWER_SENT]
    assert snapshot() == before
    validation = reload(validation)
    assert (validation.status, validation.info_response) == (Status.INFO_REQUESTED, "")


@pytest.mark.parametrize("key", [None, "", "not-a-key", "1234", "{" + "0" * 40 + "}"])
def test_a_missing_or_malformed_answer_key_is_a_form_error_and_the_page_gets_a_fresh_one(
    client, admin_agent, info_requested_validation, key
):
    # given
    validation = info_requested_validation
    client.force_login(admin_agent)
    url = reverse("partners:validation_answer", args=[validation.pk])
    before = snapshot()

    # when: the answer is posted without a usable key
    response = client.post(
        url,
        {k: v for k, v in {"idempotency_key": key, "response": "Here."}.items() if v is not None},
    )

    # then: not a server error: the page again, saying so; nothing recorded, nothing sent
    assert response.status_code == 400
    assert text(element(response, id="answer-form-errors")) == INCOMPLETE
    assert attr(element(response, id="id_response"), "value") is None  # a textarea
    assert text(element(response, id="id_response")) == "Here."
    assert snapshot() == before
    # and the form holds a new key, with which the next submit goes through
    fresh = hidden_key(response)
    assert fresh != key
    uuid.UUID(fresh)
    sent = client.post(url, {"idempotency_key": fresh, "response": "Here."}, follow=True)
    assert messages_of(sent) == [ANSWER_SENT]
    validation.refresh_from_db()
    assert (validation.status, validation.info_answer_key) == (Status.IN_REVIEW, uuid.UUID(fresh))


def test_a_key_another_organization_answered_with_is_a_new_answer_here(
    client, admin_agent, other_admin_agent, info_requested_validation, other_org_validation
):
    # given: organization B answered its request with form key K
    key = uuid.uuid4()
    services.partner_validation_answer_info(
        request_id=other_org_validation.pk,
        organization=other_org_validation.organization,
        actor=other_admin_agent,
        response="B's answer.",
        idempotency_key=key,
    )
    client.force_login(admin_agent)

    # when: organization A answers its own request with a form carrying the same key
    response = client.post(
        reverse("partners:validation_answer", args=[info_requested_validation.pk]),
        info_answer_form_data("A's answer.", idempotency_key=str(key)),
        follow=True,
    )

    # then: A's answer is recorded on A's request; nothing of B's is shown or changed
    assert messages_of(response) == [ANSWER_SENT]
    assert "B's answer." not in response.content.decode()
    assert other_org_validation.organization.legal_name not in response.content.decode()
    mine, theirs = info_requested_validation, other_org_validation
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, mine.info_response, mine.info_answer_key) == (
        Status.IN_REVIEW,
        "A's answer.",
        key,
    )
    assert (theirs.info_response, theirs.info_answer_key) == ("B's answer.", key)


# -- withdrawing ---------------------------------------------------------------------------


def test_withdraw_asks_first_on_a_page_that_posts_the_withdrawal(
    client, sales_agent, info_requested_validation
):
    # given: a Sales agent on an open request
    validation = info_requested_validation
    client.force_login(sales_agent)
    detail = client.get(reverse("partners:validation_detail", args=[validation.pk]))
    confirm_url = reverse("partners:validation_withdraw_confirm", args=[validation.pk])
    withdraw_url = reverse("partners:validation_withdraw", args=[validation.pk])
    before = snapshot()

    # then: the request offers a link (not a form) to the question
    (link,) = [a for a in elements(detail, tag="a") if text(a) == "Withdraw this request"]
    assert attr(link, "href") == confirm_url
    assert [f for f in elements(detail, tag="form") if attr(f, "action") == withdraw_url] == []

    # when: the agent follows it
    page = client.get(confirm_url)

    # then: a question, saying what can't be undone; nothing changed yet
    assert page.status_code == 200
    assert text(elements(page, tag="h1")[0]) == f"Withdraw request #{validation.pk}?"
    assert text(element(page, id="confirm-subject")) == (
        f"GCC partner validation request #{validation.pk} · Status: Information requested"
    )
    assert text(element(page, id="confirm-consequence")) == (
        "The GCC review team stops reviewing it. A withdrawn request can't be reopened; you can "
        "submit a new one."
    )
    assert snapshot() == before
    # and its form posts the withdrawal (CSRF-protected); Cancel goes back to the request
    assert_withdraw_form(
        page,
        action=withdraw_url,
        cancel_href=reverse("partners:validation_detail", args=[validation.pk]),
    )

    # when: the agent confirms
    response = client.post(withdraw_url, follow=True)

    # then: withdrawn
    assert messages_of(response) == ["The request was withdrawn. You can apply again at any time."]
    assert reload(validation).status == Status.WITHDRAWN


def test_withdraw_confirmation_of_a_closed_request_says_so(
    client, sales_agent, info_requested_validation
):
    # given: a request withdrawn meanwhile (another tab)
    validation = info_requested_validation
    client.force_login(sales_agent)
    client.post(reverse("partners:validation_withdraw", args=[validation.pk]), follow=True)
    before = snapshot()

    # when: the agent follows the link of a page still open
    response = client.get(
        reverse("partners:validation_withdraw_confirm", args=[validation.pk]), follow=True
    )

    # then: back on the request, told why; nothing changed
    assert response.redirect_chain == [
        (reverse("partners:validation_detail", args=[validation.pk]), 302)
    ]
    assert messages_of(response) == [
        "This request is withdrawn; that action is no longer possible. Nothing was changed."
    ]
    assert snapshot() == before


def test_withdraw_closes_an_open_request(client, sales_agent, admin_agent, submit_validation):
    # given: a request submitted by a colleague; a Sales agent withdraws it
    validation = submit_validation(admin_agent)
    client.force_login(sales_agent)

    # when
    response = client.post(
        reverse("partners:validation_withdraw", args=[validation.pk]), follow=True
    )

    # then
    validation.refresh_from_db()
    assert response.redirect_chain == [
        (reverse("partners:validation_detail", args=[validation.pk]), 302)
    ]
    assert messages_of(response) == ["The request was withdrawn. You can apply again at any time."]
    assert (validation.status, validation.due_at) == (Status.WITHDRAWN, None)
    assert list(
        AuditEvent.objects.for_subject(validation).values_list(
            "action", "from_status", "to_status", "actor"
        )
    ) == [
        ("submitted", "", "submitted", admin_agent.pk),
        ("withdrawn", "submitted", "withdrawn", sales_agent.pk),
    ]
    assert reverse("partners:validation_withdraw_confirm", args=[validation.pk]) not in (
        response.content.decode()
    )


def test_withdrawing_twice_shows_an_error_and_changes_nothing(
    client, admin_agent, submit_validation
):
    # given: a request already withdrawn
    validation = submit_validation(admin_agent)
    client.force_login(admin_agent)
    url = reverse("partners:validation_withdraw", args=[validation.pk])
    client.post(url, follow=True)  # the first withdrawal, its message read
    before = snapshot()

    # when
    response = client.post(url, follow=True)

    # then
    assert messages_of(response) == [
        "This request is withdrawn; that action is no longer possible. Nothing was changed."
    ]
    assert alert_texts(response) == [
        "This request is withdrawn; that action is no longer possible. Nothing was changed."
    ]
    assert snapshot() == before
    assert reload(validation).status == Status.WITHDRAWN


# -- organization profile ------------------------------------------------------------------


def test_profile_lists_government_community_cloud_only_after_approval(
    client, admin_agent, reviewer, in_review_validation
):
    # given: a request in review
    client.force_login(admin_agent)

    # when
    before = client.get(reverse("partners:organization_profile"))

    # then: no qualification yet
    assert before.status_code == 200
    qualifications = element(before, id="reseller-qualifications")
    assert qualifications.name == "p"
    assert elements(before, tag="code", within=qualifications) == []
    assert not ResellerQualification.objects.exists()

    # when: a reviewer approves, and the partner looks again
    services.partner_validation_approve(request_id=in_review_validation.pk, reviewer=reviewer)
    after = client.get(reverse("partners:organization_profile"))

    # then: the label people read, and never Partner Center's raw value
    qualifications = element(after, id="reseller-qualifications")
    assert qualifications.name == "ul"
    assert [text(label) for label in elements(after, tag="span", within=qualifications)] == [
        "Government Community Cloud (GCC)"
    ]
    html = after.content.decode()
    assert "GovernmentCommunityCloud" not in html
    assert "government_community_cloud" not in html.lower()


@pytest.mark.parametrize(
    ("azure_gcc_tenant_id", "shown"),
    [(None, "Not set"), (uuid.UUID(int=7), str(uuid.UUID(int=7)))],
    ids=["empty", "set"],
)
def test_profile_shows_the_azure_gcc_tenant_id_or_not_set(
    client, admin_agent, azure_gcc_tenant_id, shown
):
    # given
    organization = admin_agent.membership.organization
    Organization.objects.filter(pk=organization.pk).update(azure_gcc_tenant_id=azure_gcc_tenant_id)
    client.force_login(admin_agent)

    # when
    response = client.get(reverse("partners:organization_profile"))

    # then: the value, or "Not set"; never a raw None
    assert f"Azure GCC tenant ID {shown} " in page_text(response)
    assert ">None<" not in response.content.decode()
    assert "Azure GCC tenant ID None" not in page_text(response)


# -- the list ------------------------------------------------------------------------------


def _closed_requests(organization, count: int) -> list[PartnerValidationRequest]:
    """`count` withdrawn requests, one hour apart (oldest first)."""
    submitter = MembershipFactory(organization=organization).user
    start = timezone.now() - timezone.timedelta(days=30)
    return [
        PartnerValidationRequestFactory(
            organization=organization,
            submitted_by=submitter,
            status=Status.WITHDRAWN,
            submitted_at=start + timezone.timedelta(hours=n),
            due_at=None,
        )
        for n in range(count)
    ]


def _listed_ids(response) -> list[int]:
    prefix = "/gcc/validations/"
    return [
        int(attr(a, "href").removeprefix(prefix).rstrip("/"))
        for a in elements(response, tag="a", within=elements(response, tag="tbody")[0])
    ]


def test_list_shows_20_requests_per_page_newest_first(
    client, admin_agent, organization, other_organization
):
    # given: 25 requests of the organization, and one of another organization
    mine = _closed_requests(organization, 25)
    _closed_requests(other_organization, 1)
    newest_first = [r.pk for r in reversed(mine)]
    client.force_login(admin_agent)

    # when
    first = client.get(reverse("partners:validation_list"))
    second = client.get(reverse("partners:validation_list"), {"page": 2})

    # then
    assert _listed_ids(first) == newest_first[:20]
    assert _listed_ids(second) == newest_first[20:]
    assert "Page 1 of 2" in page_text(first)
    assert "Page 2 of 2" in page_text(second)


def test_list_query_count_does_not_grow_with_rows(client, admin_agent, organization):
    # given: 3 requests
    _closed_requests(organization, 3)
    client.force_login(admin_agent)
    url = reverse("partners:validation_list")
    client.get(url)  # warm up (session, caches)

    # when: the list is shown with 3, then with 30 requests
    with CaptureQueriesContext(connection) as with_3:
        few = client.get(url)
    _closed_requests(organization, 27)
    with CaptureQueriesContext(connection) as with_30:
        many = client.get(url)

    # then: the same queries for a full page, and the count: a list that fits on its first
    # page is not counted (gccportal.views.page_get)
    assert (len(_listed_ids(few)), len(_listed_ids(many))) == (3, 20)
    counts = [q["sql"] for q in with_30.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1, counts
    assert not [q for q in with_3.captured_queries if "COUNT(" in q["sql"]]
    assert len(with_30.captured_queries) == len(with_3.captured_queries) + 1
    _closed_requests(organization, 30)
    with CaptureQueriesContext(connection) as with_60:
        client.get(url)
    assert len(with_60.captured_queries) == len(with_30.captured_queries)


def test_list_shows_only_own_organizations_requests(
    client, admin_agent, organization, other_organization
):
    # given
    mine = _closed_requests(organization, 2)
    _closed_requests(other_organization, 3)
    client.force_login(admin_agent)

    # when
    response = client.get(reverse("partners:validation_list"))

    # then
    assert _listed_ids(response) == [mine[1].pk, mine[0].pk]


def test_staff_without_membership_land_on_the_admin_from_the_dashboard(client, db):
    # given: a superuser with no partner membership (a reviewer's home is the admin)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)

    # when
    response = client.get(reverse("partners:dashboard"))

    # then: sent to the admin, never shown a partner's dashboard
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
