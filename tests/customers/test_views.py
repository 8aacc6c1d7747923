"""Partner-facing customer pages (Customers, Add customer, Account, customer validation
requests) and the customer contact's public answer page: access, tenant isolation, roles,
forms, uploads, the validation code menu and the signed link."""

import time
import uuid
from unittest import mock

import pytest
from django.core import mail, signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.defaultfilters import date as date_filter
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import localtime

from customers import selectors as customer_selectors
from customers import services as customer_services
from customers.codes.models import GccValidation
from customers.models import Customer, CustomerQualification, CustomerRelationship
from customers.validations import services
from customers.validations.links import SALT, info_link_path
from customers.validations.models import CustomerValidationRequest
from notifications.models import OutboxMessage
from orders.models import Order
from partners.models import Organization
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD as GCC
from reviews.models import AuditEvent
from reviews.services import review_start
from tests.factories import (
    CustomerValidationRequestFactory,
    GccValidationFactory,
    OrganizationFactory,
    ResellerQualificationFactory,
    customer_validation_answers,
    customer_validation_form_data,
    info_answer_form_data,
)
from tests.helpers import (
    INCOMPLETE,
    NOT_APPROVED,
    PDF,
    agent_of,
    customer_data,
    customer_of,
    pdf,
    reload,
    role_refusal,
    snapshot,
)
from tests.html import (
    assert_withdraw_form,
    attr,
    descendants,
    element,
    elements,
    error_of,
    has_attr,
    messages_of,
    options_of,
    page_text,
    text,
)

Status = CustomerValidationRequest.Status
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
SUBMITTED = (
    "The customer validation request was submitted. The GCC review team decides within two "
    "business days."
)

# -- helpers -------------------------------------------------------------------------------


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def other_gcc_enabled(other_organization):
    ResellerQualificationFactory(organization=other_organization)
    return other_organization


@pytest.fixture
def submit(gcc_enabled):
    """Submit a customer validation request through the service."""

    def submit(user, organization=None, **overrides):
        organization = organization or user.membership.organization
        transacting = organization.indirect_provider or organization
        return services.customer_validation_submit(
            organization=organization,
            submitted_by=user,
            **{**customer_validation_answers(transacting), **overrides},
        )

    return submit


@pytest.fixture
def info_requested(submit, admin_agent, reviewer):
    request = submit(admin_agent, documents=[pdf()])
    review_start(model=CustomerValidationRequest, request_id=request.pk, reviewer=reviewer)
    return services.customer_validation_request_info(
        request_id=request.pk, reviewer=reviewer, message="Send the county charter."
    )


@pytest.fixture
def answer_url(info_requested):
    return info_link_path(request_id=info_requested.pk, nonce=info_requested.info_link_nonce)


@pytest.fixture
def other_org_request(other_gcc_enabled, other_admin_agent, reviewer):
    """Organization B's request, waiting for the customer (so withdraw would work)."""
    request = services.customer_validation_submit(
        organization=other_gcc_enabled,
        submitted_by=other_admin_agent,
        documents=[pdf("b-secret.pdf")],
        **customer_validation_answers(other_gcc_enabled),
    )
    review_start(model=CustomerValidationRequest, request_id=request.pk, reviewer=reviewer)
    return services.customer_validation_request_info(
        request_id=request.pk, reviewer=reviewer, message="Which agency?"
    )


# -- anonymous -----------------------------------------------------------------------------

PARTNER_URLS = [
    ("get", "customers:customer_list", "none"),
    ("get", "customers:customer_create", "none"),
    ("post", "customers:customer_create", "none"),
    ("get", "customers:customer_account", "customer"),
    ("get", "customers:gcc_code_help", "none"),
    ("get", "customers:validation_list", "none"),
    ("get", "customers:validation_create", "none"),
    ("post", "customers:validation_create", "none"),
    ("get", "customers:validation_detail", "request"),
    ("post", "customers:validation_withdraw", "request"),
    ("get", "customers:validation_withdraw_confirm", "request"),
    ("get", "customers:validation_document", "document"),
]


@pytest.mark.parametrize(("method", "url_name", "takes"), PARTNER_URLS)
def test_anonymous_user_is_sent_to_sign_in_from_every_partner_page(
    client, gcc_enabled, info_requested, method, url_name, takes
):
    # given: an anonymous visitor, an existing customer and request with a document
    customer = customer_of(gcc_enabled)
    document = info_requested.documents.get()
    args = {
        "none": [],
        "customer": [customer.pk],
        "request": [info_requested.pk],
        "document": [info_requested.pk, document.pk],
    }[takes]
    url = reverse(url_name, args=args)
    before = snapshot()

    # when
    response = getattr(client, method)(
        url, customer_data() if method == "post" and "customer" in url_name else {}
    )

    # then: sign-in first, coming back here; nothing happened
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"
    assert snapshot() == before


# -- tenant isolation ----------------------------------------------------------------------


def test_guessing_another_organizations_customer_id_is_not_found(
    client, admin_agent, other_organization
):
    # given: organization B's customer
    theirs = customer_of(other_organization, company_name="Secret County")
    client.force_login(admin_agent)

    # when: A opens its account page
    response = client.get(reverse("customers:customer_account", args=[theirs.pk]))

    # then
    assert response.status_code == 404
    assert "Secret County" not in response.content.decode()


def test_a_customer_managed_by_both_organizations_is_visible_to_each(
    client, admin_agent, organization, other_organization
):
    # given: a customer in a reseller relationship with A and B
    shared = customer_of(other_organization, company_name="Shared County")
    CustomerRelationship.objects.create(organization=organization, customer=shared)
    client.force_login(admin_agent)

    # when
    response = client.get(reverse("customers:customer_account", args=[shared.pk]))

    # then
    assert response.status_code == 200
    assert response.context["customer"] == shared


@pytest.mark.parametrize(
    ("method", "url_name"),
    [
        ("get", "customers:validation_detail"),
        ("post", "customers:validation_withdraw"),
        ("get", "customers:validation_withdraw_confirm"),
    ],
)
def test_guessing_another_organizations_request_id_is_not_found(
    client, admin_agent, gcc_enabled, other_organization, other_org_request, method, url_name
):
    # given: an Admin agent of A, and B's request waiting for its customer
    before = snapshot()
    client.force_login(admin_agent)

    # when
    response = getattr(client, method)(reverse(url_name, args=[other_org_request.pk]))

    # then: not found, nothing of B shown, B's request untouched
    assert response.status_code == 404
    content = response.content.decode()
    assert other_organization.legal_name not in content
    assert other_org_request.organization_legal_name not in content
    assert snapshot() == before
    assert reload(other_org_request).status == Status.INFO_REQUESTED


def test_guessing_another_organizations_document_id_is_not_found(
    client, admin_agent, info_requested, other_org_request
):
    # given: A's request and B's document
    theirs = other_org_request.documents.get()
    client.force_login(admin_agent)

    # when: A asks for B's document under B's request, and under its own request
    under_theirs = client.get(
        reverse("customers:validation_document", args=[other_org_request.pk, theirs.pk])
    )
    under_mine = client.get(
        reverse("customers:validation_document", args=[info_requested.pk, theirs.pk])
    )

    # then: both not found, the file never sent
    assert under_theirs.status_code == 404
    assert under_mine.status_code == 404
    assert "b-secret.pdf" not in under_mine.content.decode()


def test_documents_are_downloaded_as_attachments_by_the_same_organization(
    client, sales_agent, info_requested
):
    # given: a document the partner attached, and a Sales agent of the same organization
    document = info_requested.documents.get()
    client.force_login(sales_agent)

    # when
    response = client.get(
        reverse("customers:validation_document", args=[info_requested.pk, document.pk])
    )

    # then: the stored bytes, as a download of the checked type
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="charter.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


# -- roles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url_name"),
    [
        ("get", "customers:customer_create"),
        ("post", "customers:customer_create"),
        ("get", "customers:validation_create"),
        ("post", "customers:validation_create"),
    ],
)
def test_non_gcc_role_gets_403_on_every_create(client, gcc_enabled, non_gcc_user, method, url_name):
    # given: a GCC-enabled organization, and a Helpdesk agent or Billing admin
    user, label = non_gcc_user
    before = snapshot()
    client.force_login(user)
    data = (
        customer_data()
        if "customer_create" in url_name
        else customer_validation_form_data(gcc_enabled, documents=pdf())
    )

    # when
    response = getattr(client, method)(reverse(url_name), data if method == "post" else {})

    # then: refused with the reason; nothing created
    assert response.status_code == 403
    assert role_refusal(label) in page_text(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "url_name"),
    [("post", "customers:validation_withdraw"), ("get", "customers:validation_withdraw_confirm")],
)
def test_non_gcc_role_cannot_withdraw(client, non_gcc_user, info_requested, method, url_name):
    # given
    user, label = non_gcc_user
    before = snapshot()
    client.force_login(user)

    # when
    response = getattr(client, method)(reverse(url_name, args=[info_requested.pk]))

    # then
    assert response.status_code == 403
    assert role_refusal(label) in page_text(response)
    assert snapshot() == before


def test_non_gcc_role_sees_customers_and_requests_without_action_buttons(
    client, non_gcc_user, gcc_enabled, info_requested
):
    # given
    user, _label = non_gcc_user
    customer_of(gcc_enabled, company_name="Springfield County")
    client.force_login(user)

    # when
    customers = client.get(reverse("customers:customer_list"))
    requests = client.get(reverse("customers:validation_list"))
    detail = client.get(reverse("customers:validation_detail", args=[info_requested.pk]))

    # then: they may look, not act
    assert (customers.status_code, requests.status_code, detail.status_code) == (200, 200, 200)
    assert reverse("customers:customer_create") not in customers.content.decode()
    assert reverse("customers:validation_create") not in requests.content.decode()
    withdraw = reverse("customers:validation_withdraw", args=[info_requested.pk])
    assert withdraw not in detail.content.decode()
    assert "Withdraw this request" not in page_text(detail)


# -- Customers list ------------------------------------------------------------------------


def test_list_shows_own_customers_by_name_with_their_special_qualifications(
    client, admin_agent, gcc_enabled, other_organization
):
    # given: three customers of A (one GCC, one Education), one of B
    code = GccValidationFactory(partner=gcc_enabled, organization_name="Springfield")
    gcc = customer_of(gcc_enabled, company_name="Springfield", primary_domain="springfield.gov")
    CustomerQualification.objects.create(
        customer=gcc,
        qualification=GCC,
        vetting_status=CustomerQualification.VettingStatus.APPROVED,
        validation=code,
        granted_at=code.created_at,
    )
    school = customer_of(gcc_enabled, company_name="Adams School", primary_domain="adams.edu")
    CustomerQualification.objects.create(
        customer=school,
        qualification=CustomerQualification.Qualification.EDUCATION,
        vetting_status=CustomerQualification.VettingStatus.IN_REVIEW,
        granted_at=code.created_at,
    )
    customer_of(gcc_enabled, company_name="Bolton Bakery", primary_domain="bolton.example")
    customer_of(other_organization, company_name="Other Partner's County")
    client.force_login(admin_agent)

    # when
    response = client.get(reverse("customers:customer_list"))

    # then
    rows = [
        [text(cell) for cell in elements(None, tag="td", within=row)]
        for row in elements(None, tag="tr", within=element(response, id="customer-table"))[1:]
    ]
    assert rows == [
        ["Adams School", "adams.edu", "Education · in review"],
        ["Bolton Bakery", "bolton.example", "None"],
        ["Springfield", "springfield.gov", "Government Community Cloud (GCC)"],
    ]
    links = [attr(a, "href") for a in elements(response, tag="a")]
    assert reverse("customers:customer_account", args=[school.pk]) in links
    assert reverse("customers:customer_create") in links
    assert reverse("customers:validation_list") in links


def test_list_search_matches_name_or_domain_case_insensitively(client, admin_agent, organization):
    # given
    customer_of(organization, company_name="City of Springfield", primary_domain="springfield.gov")
    customer_of(organization, company_name="Shelbyville", primary_domain="shelby-spring.org")
    customer_of(organization, company_name="Ogdenville", primary_domain="ogden.gov")
    client.force_login(admin_agent)

    # when
    by_name = client.get(reverse("customers:customer_list"), {"q": " SPRING "})
    by_domain = client.get(reverse("customers:customer_list"), {"q": "ogden.GOV"})

    # then
    assert [c.company_name for c in by_name.context["page"]] == [
        "City of Springfield",
        "Shelbyville",
    ]
    assert text(element(by_name, id="search-summary")) == "2 customers match “SPRING”."
    assert attr(element(by_name, id="customer-search"), "value") == "SPRING"
    assert [c.company_name for c in by_domain.context["page"]] == ["Ogdenville"]


def test_list_paginates_20_per_page_and_keeps_the_search_in_page_links(
    client, admin_agent, organization
):
    # given: 25 matching customers and one that doesn't match
    for number in range(25):
        customer_of(organization, company_name=f"County {number:02}")
    customer_of(organization, company_name="Zenith City")
    client.force_login(admin_agent)
    url = reverse("customers:customer_list")

    # when
    first = client.get(url, {"q": "county"})
    second = client.get(url, {"q": "county", "page": 2})

    # then
    assert len(first.context["page"]) == 20
    assert [c.company_name for c in second.context["page"]] == [
        f"County {number}" for number in range(20, 25)
    ]
    assert attr(elements(first, tag="nav")[-1], "aria-label") == "Pages"
    next_links = [a for a in elements(first, tag="a") if text(a) == "Next"]
    assert [attr(a, "href") for a in next_links] == ["?q=county&page=2"]
    previous = [a for a in elements(second, tag="a") if text(a) == "Previous"]
    assert [attr(a, "href") for a in previous] == ["?q=county&page=1"]


def test_a_search_matching_more_than_the_limit_lists_the_first_and_says_so(
    client, admin_agent, organization, monkeypatch
):
    # given: 5 matching customers, and searches that count up to 3 (1,000 in production)
    monkeypatch.setattr(customer_selectors, "SEARCH_COUNT_LIMIT", 3)
    for number in range(5):
        customer_of(organization, company_name=f"County {number}")
    client.force_login(admin_agent)

    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("customers:customer_list"), {"q": "county"})

    # then: up to 4 matches read (in list order, counted by their number); the first 3 are
    # listed, and the page says so
    [matches] = [q["sql"] for q in queries.captured_queries if "LIKE" in q["sql"]]
    assert "LIMIT 4" in matches, matches
    assert [c.company_name for c in response.context["page"]] == [
        f"County {number}" for number in range(3)
    ]
    assert text(element(response, id="search-summary")) == (
        "More than 3 customers match “county”: the first 3 are listed. Type more of the name "
        "or domain to narrow the search."
    )
    # Within the limit, the count as ever.
    monkeypatch.setattr(customer_selectors, "SEARCH_COUNT_LIMIT", 5)
    within = client.get(reverse("customers:customer_list"), {"q": "county"})
    assert text(element(within, id="search-summary")) == "5 customers match “county”."


def test_list_empty_state_differs_for_no_customer_and_no_match(client, admin_agent, organization):
    # given: no customer yet
    client.force_login(admin_agent)
    url = reverse("customers:customer_list")

    # when
    empty = client.get(url)
    customer_of(organization, company_name="Springfield")
    no_match = client.get(url, {"q": "zzz"})

    # then
    assert text(element(empty, id="customers-empty")).startswith("No customer yet.")
    assert text(element(no_match, id="customers-empty")).startswith("No customer matches “zzz”.")
    assert elements(no_match, id="customer-table") == []


def test_list_query_count_does_not_grow_with_rows(client, admin_agent, gcc_enabled):
    # given: customers, every other one with a GCC qualification
    code = GccValidationFactory(partner=gcc_enabled, max_creates=30)

    def add(count):
        for _ in range(count):
            customer = customer_of(gcc_enabled)
            if customer.pk % 2:
                CustomerQualification.objects.create(
                    customer=customer,
                    qualification=GCC,
                    vetting_status=CustomerQualification.VettingStatus.APPROVED,
                    validation=code,
                    granted_at=code.created_at,
                )

    client.force_login(admin_agent)
    url = reverse("customers:customer_list")
    add(3)
    client.get(url)  # warm the session

    # when
    with CaptureQueriesContext(connection) as with_3:
        assert client.get(url).status_code == 200
    add(27)
    with CaptureQueriesContext(connection) as with_30:
        assert client.get(url).status_code == 200

    # then
    assert len(with_3) == len(with_30)


# -- Add customer: the form ------------------------------------------------------------------


def test_add_form_lists_the_organizations_codes_with_whats_this_leading_to_help(
    client, sales_agent, gcc_enabled, other_gcc_enabled
):
    # given: two available codes, an exhausted one, and another organization's
    two = GccValidationFactory(partner=gcc_enabled, organization_name="Springfield", max_creates=2)
    one = GccValidationFactory(partner=gcc_enabled, organization_name="Adams County")
    GccValidationFactory(partner=gcc_enabled, organization_name="Used Up", remaining_creates=0)
    GccValidationFactory(partner=other_gcc_enabled, organization_name="Not Yours")
    client.force_login(sales_agent)

    # when
    response = client.get(reverse("customers:customer_create"))

    # then: the menu, with organizationName and remaining creates
    assert response.status_code == 200
    assert options_of(response, "id_gcc_validation") == [
        ("", "Choose a validation code"),
        (str(one.pk), "Adams County — 1 create left"),
        (str(two.pk), "Springfield — 2 creates left"),
    ]
    # the form leaves messages to the server, GCC may be chosen
    assert has_attr(element(response, id="customer-form"), "novalidate")
    radios = [
        radio
        for radio in elements(response, tag="input")
        if attr(radio, "name") == "special_qualification"
    ]
    assert [(attr(r, "value"), has_attr(r, "disabled")) for r in radios] == [
        ("none", False),
        ("Education", False),
        ("Nonprofit", False),
        ("GovernmentCommunityCloud", False),
    ]
    # "What's this?" works without JavaScript: a link to the help page, and a dialog for JS
    link = element(response, id="gcc-help-link")
    assert text(link) == "What's this?"
    assert attr(link, "href") == reverse("customers:gcc_code_help")
    dialog = element(response, id="gcc-help-dialog")
    assert dialog.name == "dialog"
    assert attr(dialog, "aria-labelledby") == "gcc-help-title"
    # its "Submit a new request" posts the Add customer form (the answers are kept)
    new_request = element(response, id="gcc-help-new-request")
    assert new_request in list(descendants(dialog))
    assert (attr(new_request, "type"), attr(new_request, "form")) == ("submit", "customer-form")
    assert attr(new_request, "formaction") == reverse("customers:customer_draft_to_validation")
    assert '<script src="/static/js/customers.js" defer>' in response.content.decode()


def test_help_page_explains_codes_and_links_to_a_new_request(client, helpdesk_agent):
    # given
    client.force_login(helpdesk_agent)

    # when
    response = client.get(reverse("customers:gcc_code_help"))

    # then
    assert response.status_code == 200
    assert text(elements(response, tag="h1")[0]) == "GCC validation codes"
    submit_links = [a for a in elements(response, tag="a") if text(a) == "Submit a new request"]
    assert [attr(a, "href") for a in submit_links] == [reverse("customers:validation_create")]


def test_add_form_with_no_code_says_how_to_get_one(client, admin_agent, gcc_enabled):
    # given: a GCC-enabled organization without codes
    client.force_login(admin_agent)

    # when
    response = client.get(reverse("customers:customer_create"))

    # then
    assert elements(response, id="id_gcc_validation") == []
    assert text(element(response, id="gcc-no-code")) == (
        "No validation code is available yet. Submit a customer validation request for this "
        "customer: the GCC review team decides within two business days, and the code then "
        "appears in this menu. Your answers on this page are kept. Submit a customer validation "
        "request"
    )
    # the button posts the answers (kept while the request is made)
    button = element(response, id="no-code-new-request")
    assert attr(button, "formaction") == reverse("customers:customer_draft_to_validation")


def test_add_form_of_an_organization_not_gcc_enabled_disables_gcc_and_says_why(client, admin_agent):
    # given: an organization not approved for GCC
    client.force_login(admin_agent)

    # when
    response = client.get(reverse("customers:customer_create"))

    # then
    (gcc,) = [
        radio
        for radio in elements(response, tag="input")
        if attr(radio, "value") == "GovernmentCommunityCloud"
    ]
    assert has_attr(gcc, "disabled")
    assert attr(gcc, "aria-describedby") == "gcc-block-reason"
    assert text(element(response, id="gcc-block-reason")) == NOT_APPROVED
    assert elements(response, id="gcc-validation-group") == []


# -- Add customer: posting -------------------------------------------------------------------


def test_add_customer_without_gcc(client, sales_agent, organization):
    # given
    client.force_login(sales_agent)

    # when
    response = client.post(reverse("customers:customer_create"), customer_data())

    # then: created for this organization, domain lower-cased, ZIP+4 formatted
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer_account", args=[customer.pk])
    assert (customer.company_name, customer.primary_domain, customer.postal_code) == (
        "City of Springfield",
        "springfield.gov",
        "62701-1234",
    )
    assert list(customer.relationships.values_list("organization", flat=True)) == [organization.pk]
    assert customer.qualifications.count() == 0
    assert customer.created_by == sales_agent
    page = client.get(response["Location"])
    assert messages_of(page) == ["City of Springfield was added to your customers."]
    assert text(element(page, id="special-qualifications")).startswith(
        "Special qualifications None. This customer doesn't have the Government Community "
        "Cloud (GCC) qualification."
    )


def test_add_customer_with_gcc_and_a_code(client, admin_agent, gcc_enabled):
    # given: a code for two customers
    code = GccValidationFactory(partner=gcc_enabled, organization_name="Springfield", max_creates=2)
    client.force_login(admin_agent)

    # when
    response = client.post(
        reverse("customers:customer_create"),
        customer_data(special_qualification=GCC, gcc_validation=code.pk),
    )

    # then: the qualification with the code, one create used
    customer = Customer.objects.get()
    assert response.status_code == 302
    qualification = customer.qualifications.get()
    assert (
        qualification.qualification,
        qualification.vetting_status,
        qualification.validation,
    ) == (
        GCC,
        CustomerQualification.VettingStatus.APPROVED,
        code,
    )
    code.refresh_from_db()
    assert code.remaining_creates == 1
    # and the account page shows it, with the date and the code used
    page = client.get(response["Location"])
    assert messages_of(page) == [
        "City of Springfield was added with the Government Community Cloud (GCC) qualification."
    ]
    assert text(element(page, id="special-qualifications")) == (
        "Special qualifications Government Community Cloud (GCC) "
        f"Validated {date_filter(localtime(qualification.granted_at), 'DATE_FORMAT')} "
        f"Validation code used {code.validation_id} Validated organization Springfield"
    )
    assert "GovernmentCommunityCloud" not in page.content.decode()
    assert "government_community_cloud" not in page.content.decode().lower()


def test_gcc_posted_by_an_organization_not_gcc_enabled_is_refused(client, admin_agent):
    # given: a code issued to the organization before (the server must still refuse)
    organization = admin_agent.membership.organization
    code = GccValidationFactory(partner=organization)
    before = snapshot()
    client.force_login(admin_agent)

    # when: GCC is posted anyway
    response = client.post(
        reverse("customers:customer_create"),
        customer_data(special_qualification=GCC, gcc_validation=code.pk),
    )

    # then: a form error with the reason, nothing created, the answers kept
    assert response.status_code == 200
    assert error_of(response, "special_qualification") == NOT_APPROVED
    assert attr(element(response, id="id_company_name"), "value") == "City of Springfield"
    assert snapshot() == before


def test_another_organizations_code_is_an_invalid_choice(
    client, admin_agent, gcc_enabled, other_gcc_enabled
):
    # given: B's code
    theirs = GccValidationFactory(partner=other_gcc_enabled)
    before = snapshot()
    client.force_login(admin_agent)

    # when: A posts B's code ID
    response = client.post(
        reverse("customers:customer_create"),
        customer_data(special_qualification=GCC, gcc_validation=theirs.pk),
    )

    # then
    assert response.status_code == 200
    assert error_of(response, "gcc_validation") == (
        "This validation code is not available to your organization. Choose one of the codes "
        "in the menu."
    )
    assert snapshot() == before


def test_gcc_without_a_code_asks_for_one(client, admin_agent, gcc_enabled):
    # given
    GccValidationFactory(partner=gcc_enabled)
    before = snapshot()
    client.force_login(admin_agent)

    # when
    response = client.post(
        reverse("customers:customer_create"), customer_data(special_qualification=GCC)
    )

    # then
    assert error_of(response, "gcc_validation") == (
        "Choose the GCC validation code for this customer. No code yet? Submit a customer "
        "validation request first."
    )
    assert snapshot() == before


def test_a_code_left_selected_without_gcc_is_ignored(client, admin_agent, gcc_enabled):
    # given: the code was chosen, then the qualification switched back to None
    code = GccValidationFactory(partner=gcc_enabled)
    client.force_login(admin_agent)

    # when
    response = client.post(
        reverse("customers:customer_create"),
        customer_data(special_qualification="Nonprofit", gcc_validation=code.pk),
    )

    # then: a Nonprofit customer, the code untouched
    assert response.status_code == 302
    assert list(Customer.objects.get().qualifications.values_list("qualification", flat=True)) == [
        "Nonprofit"
    ]
    code.refresh_from_db()
    assert code.remaining_creates == 1


def test_last_create_taken_meanwhile_is_a_clear_error_and_nothing_is_created(
    client, admin_agent, gcc_enabled
):
    # given: the form saw the code with one create; another agent used it meanwhile
    code = GccValidationFactory(partner=gcc_enabled, organization_name="Springfield")
    GccValidation.objects.filter(pk=code.pk).update(remaining_creates=0)
    before = snapshot()
    client.force_login(admin_agent)

    # when: the service's conditional decrement finds nothing left
    with mock.patch(
        "customers.forms.gcc_validation_list_available",
        return_value=GccValidation.objects.filter(partner=gcc_enabled),
    ):
        response = client.post(
            reverse("customers:customer_create"),
            customer_data(special_qualification=GCC, gcc_validation=code.pk),
        )

    # then
    assert response.status_code == 200
    assert error_of(response, "gcc_validation") == (
        "The validation code for Springfield has no creates left: another customer used the "
        "last one. Nothing was created. Choose another code or submit a new validation request."
    )
    assert snapshot() == before


def test_duplicate_domain_is_shown_next_to_the_field(
    client, admin_agent, organization, other_organization
):
    # given: the domain is already another organization's customer
    customer_of(other_organization, primary_domain="springfield.gov")
    before = snapshot()
    client.force_login(admin_agent)

    # when: entered in another case
    response = client.post(
        reverse("customers:customer_create"), customer_data(primary_domain=" SpringField.gov ")
    )

    # then
    assert response.status_code == 200
    assert error_of(response, "primary_domain") == (
        "A new customer can't be created with springfield.gov. If the organization already "
        "works with Microsoft, send it a reseller relationship request instead. Request a "
        "reseller relationship"
    )
    # and the field's help leads to the reseller relationship requests
    links = [
        text(link)
        for link in elements(response, tag="a")
        if attr(link, "href") == reverse("customers:invitation_list")
    ]
    assert "Send it a reseller relationship request." in links
    assert attr(element(response, id="id_primary_domain"), "aria-invalid") == "true"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "primary_domain",
            "https://springfield.gov",
            "Enter a domain name such as contoso.gov: letters, digits and hyphens, with at least "
            "one dot, and no http://, @, slash or space.",
        ),
        (
            "primary_domain",
            "springfield",
            "Enter a domain name such as contoso.gov: letters, digits and hyphens, with at least "
            "one dot, and no http://, @, slash or space.",
        ),
        (
            "primary_domain",
            "-bad-.gov",
            "Enter a domain name such as contoso.gov: letters, digits and hyphens, with at least "
            "one dot, and no http://, @, slash or space.",
        ),
        (
            "postal_code",
            "1234",
            "Enter a ZIP code of 5 digits, or 9 digits (ZIP+4), for example 20500-0003.",
        ),
        (
            "state",
            "ZZ",
            "Select a valid choice. ZZ is not one of the available choices.",
        ),
        ("state", "", "Choose the state or territory."),
        (
            "contact_phone",
            "call me",
            "Enter a phone number with its area code, for example +1 202 555 0143.",
        ),
    ],
)
def test_add_form_says_what_to_enter_and_keeps_the_other_answers(
    client, admin_agent, field, value, message
):
    # given
    client.force_login(admin_agent)

    # when
    response = client.post(reverse("customers:customer_create"), customer_data(**{field: value}))

    # then
    assert response.status_code == 200
    assert error_of(response, field) == message
    assert attr(element(response, id="id_company_name"), "value") == "City of Springfield"
    assert attr(element(response, id="id_contact_email"), "value") == "robin@springfield.example"
    assert Customer.objects.count() == 0


def test_add_form_names_every_missing_answer(client, admin_agent):
    # given
    client.force_login(admin_agent)

    # when
    response = client.post(reverse("customers:customer_create"), {})

    # then
    required = [
        "company_name",
        "primary_domain",
        "address_line1",
        "city",
        "postal_code",
        "contact_first_name",
        "contact_last_name",
        "contact_email",
        "contact_phone",
        "special_qualification",
    ]
    assert {name: error_of(response, name) for name in required} == dict.fromkeys(
        required, "This field is required."
    )
    assert error_of(response, "state") == "Choose the state or territory."
    assert Customer.objects.count() == 0


# -- Add customer: the form's one-time key, a re-post lands on the first customer ------------

ADDED = "City of Springfield was added to your customers."
ADDED_GCC = "City of Springfield was added with the Government Community Cloud (GCC) qualification."


def test_each_add_customer_form_shown_carries_its_own_key(client, admin_agent, gcc_enabled):
    # given
    client.force_login(admin_agent)

    # when: the form is opened twice
    pages = [client.get(reverse("customers:customer_create")) for _ in range(2)]

    # then: each page has its own well-formed key, inside the form
    keys = [hidden_key(page) for page in pages]
    assert len({str(uuid.UUID(key)) for key in keys}) == 2
    assert elements(pages[0], id="id_idempotency_key", within=element(pages[0], id="customer-form"))


@pytest.mark.parametrize("gcc", [False, True], ids=["no-qualification", "gcc-last-create"])
def test_posting_the_same_add_customer_form_twice_gives_one_customer_and_the_first_message(
    client, admin_agent, gcc_enabled, gcc
):
    # given: an Add customer form (with GCC: using the code's last create), posted once
    code = GccValidationFactory(partner=gcc_enabled, max_creates=1)
    data = customer_data(
        **({"special_qualification": GCC, "gcc_validation": code.pk} if gcc else {})
    )
    client.force_login(admin_agent)
    url = reverse("customers:customer_create")
    first = client.post(url, data)
    customer = Customer.objects.get()
    first_page = client.get(first["Location"])
    before = snapshot()

    # when: the same form is posted again (a retry after a timeout or a dropped connection)
    again = client.post(url, data)

    # then: the first customer's Account page with the first message, not "already a
    # customer" (nor, with GCC, "no creates left")
    assert first.status_code == again.status_code == 302
    assert (
        again["Location"]
        == first["Location"]
        == reverse("customers:customer_account", args=[customer.pk])
    )
    message = ADDED_GCC if gcc else ADDED
    assert messages_of(first_page) == [message]
    assert messages_of(client.get(again["Location"])) == [message]
    # and nothing twice: one customer and relationship, the code's create taken once, no email
    assert snapshot() == before
    assert list(GccValidation.objects.values_list("remaining_creates", flat=True)) == [
        0 if gcc else 1
    ]
    assert list(
        CustomerRelationship.objects.values_list("organization", "customer", "idempotency_key")
    ) == [(gcc_enabled.pk, customer.pk, uuid.UUID(data["idempotency_key"]))]
    assert OutboxMessage.objects.count() == 0


def test_a_replayed_add_customer_form_with_other_answers_still_lands_on_the_first_customer(
    client, admin_agent, organization
):
    # given: a customer created with key K
    client.force_login(admin_agent)
    url = reverse("customers:customer_create")
    data = customer_data()
    first = client.post(url, data)
    before = snapshot()

    # when: a page with K is posted again with answers that would now be refused
    again = client.post(url, {**data, "primary_domain": "shelbyville.gov", "contact_phone": "x"})

    # then: the first customer, unchanged; no form errors, nothing created
    assert again.status_code == 302
    assert again["Location"] == first["Location"]
    assert snapshot() == before
    assert Customer.objects.get().primary_domain == "springfield.gov"


def test_an_add_customer_form_shown_again_with_errors_keeps_its_key_and_makes_one_customer(
    client, admin_agent, organization
):
    # given
    client.force_login(admin_agent)
    url = reverse("customers:customer_create")
    data = customer_data()

    # when: the form comes back with an error, then is corrected and submitted (twice)
    refused = client.post(url, {**data, "postal_code": "1234"})
    kept = hidden_key(refused)
    corrected = client.post(url, {**data, "idempotency_key": kept})
    replayed = client.post(url, {**data, "idempotency_key": kept})

    # then: the page shown again carried the posted key; the correction made one customer
    assert refused.status_code == 200
    assert kept == data["idempotency_key"]
    customer = Customer.objects.get()
    assert (
        corrected["Location"]
        == replayed["Location"]
        == reverse("customers:customer_account", args=[customer.pk])
    )


@pytest.mark.parametrize("key", [None, "", "not-a-key", "1234", "{" + "0" * 40 + "}"])
def test_a_missing_or_malformed_add_customer_key_is_a_form_error_and_the_page_gets_a_fresh_one(
    client, admin_agent, gcc_enabled, key
):
    # given
    code = GccValidationFactory(partner=gcc_enabled)
    client.force_login(admin_agent)
    url = reverse("customers:customer_create")
    answers = {"special_qualification": GCC, "gcc_validation": code.pk}
    before = snapshot()

    # when: the form is posted without a usable key (the answers are right)
    response = client.post(url, customer_data(idempotency_key=key, **answers))

    # then: not a server error: the form again, saying so, the answers kept; nothing created
    assert response.status_code == 200
    assert text(element(response, id="form-errors")) == INCOMPLETE
    assert attr(element(response, id="id_company_name"), "value") == "City of Springfield"
    assert snapshot() == before
    # and the page holds a new key, with which the next submit goes through
    fresh = hidden_key(response)
    assert fresh != key
    uuid.UUID(fresh)
    added = client.post(url, customer_data(idempotency_key=fresh, **answers))
    assert added["Location"] == reverse(
        "customers:customer_account", args=[Customer.objects.get().pk]
    )
    assert list(GccValidation.objects.values_list("remaining_creates", flat=True)) == [0]


def test_a_key_another_organization_used_gives_this_organization_its_own_customer(
    client, admin_agent, organization, other_organization, other_admin_agent
):
    # given: organization B's customer, created with form key K
    key = uuid.uuid4()
    theirs = customer_services.customer_create(
        organization=other_organization,
        created_by=other_admin_agent,
        idempotency_key=key,
        company_name="Shelbyville Water District",
        primary_domain="shelbyville.gov",
        address_line1="1 Water St",
        city="Shelbyville",
        state="IL",
        postal_code="62565",
        contact_first_name="Sam",
        contact_last_name="Pump",
        contact_email="sam@shelbyville.example",
        contact_phone="+1 217 555 0111",
    )
    client.force_login(admin_agent)

    # when: organization A posts its Add customer form with the same key
    response = client.post(
        reverse("customers:customer_create"), customer_data(idempotency_key=str(key))
    )

    # then: A lands on its own new customer; B's is neither returned nor shown
    mine = Customer.objects.get(relationships__organization=organization)
    assert mine.pk != theirs.pk
    assert response["Location"] == reverse("customers:customer_account", args=[mine.pk])
    page = client.get(response["Location"])
    assert messages_of(page) == [ADDED]
    assert "Shelbyville" not in page.content.decode()
    assert list(
        CustomerRelationship.objects.order_by("pk").values_list(
            "organization", "customer", "idempotency_key"
        )
    ) == [(other_organization.pk, theirs.pk, key), (organization.pk, mine.pk, key)]


def test_the_add_customer_key_stays_off_the_new_customer_order_pages(
    client, admin_agent, gcc_enabled
):
    # given: the Add customer page (its key K) filled in for a GCC customer with a code
    code = GccValidationFactory(partner=gcc_enabled, max_creates=2)
    client.force_login(admin_agent)
    url = reverse("customers:customer_create")
    form_key = hidden_key(client.get(url))
    data = customer_data(
        idempotency_key=form_key, special_qualification=GCC, gcc_validation=code.pk
    )

    # when: Next: Subscriptions, then back to the customer's details
    offers = client.post(reverse("orders:new_customer_subscriptions"), data)
    carried = dict(offers.context["customer_values"])
    back = client.post(reverse("orders:new_customer_details"), carried)

    # then: K doesn't travel with the answers (on the review page that name is the order's
    # key); the Add customer page shown again has a fresh key of its own, and no error
    assert offers.templates[0].name == "orders/subscriptions_add.html"
    assert "idempotency_key" not in carried
    assert carried["company_name"] == "City of Springfield"
    assert back.templates[0].name == "customers/customer_form.html"
    assert not back.context["form"].errors
    assert hidden_key(back) not in (form_key, "")
    uuid.UUID(hidden_key(back))

    # when: Review order, then its Submit posted twice (a double click)
    review = client.post(
        reverse("orders:new_customer_review"), {**carried, "quantity_gcc-o365-g3": "10"}
    )
    submit_form = element(review, id="submit-form")
    posted = {
        attr(node, "name"): attr(node, "value")
        for node in elements(None, tag="input", within=submit_form)
        if attr(node, "type") == "hidden"
    }
    keys = [
        attr(node, "value")
        for node in elements(None, tag="input", within=submit_form)
        if attr(node, "name") == "idempotency_key"
    ]
    first = client.post(reverse("orders:new_customer_order_submit"), posted)
    again = client.post(reverse("orders:new_customer_order_submit"), posted)

    # then: the Submit carries one key, the order's; one customer and one order, whose
    # relationship holds the order's key; one create of the code used
    assert keys == [str(review.context["idempotency_key"])]
    order = Order.objects.get()
    assert first["Location"] == again["Location"] == reverse("orders:order_detail", args=[order.pk])
    assert list(
        CustomerRelationship.objects.values_list("organization", "customer", "idempotency_key")
    ) == [(gcc_enabled.pk, order.customer_id, order.idempotency_key)]
    assert order.idempotency_key == uuid.UUID(keys[0])
    code.refresh_from_db()
    assert code.remaining_creates == 1


# -- indirect resellers ----------------------------------------------------------------------


def test_indirect_reseller_sees_the_providers_codes_from_its_own_requests_only(
    client, provider_and_reseller
):
    # given: codes issued to the provider from the reseller's request, another reseller's
    # request and the provider's own request
    provider, reseller = provider_and_reseller
    other_reseller = OrganizationFactory(
        partner_type=Organization.PartnerType.INDIRECT_RESELLER, indirect_provider=provider
    )
    mine = GccValidationFactory(
        partner=provider, source_request__organization=reseller, organization_name="Mine"
    )
    theirs = GccValidationFactory(
        partner=provider, source_request__organization=other_reseller, organization_name="Theirs"
    )
    GccValidationFactory(partner=provider, organization_name="Provider's own")
    agent = agent_of(reseller)
    client.force_login(agent)

    # when
    form = client.get(reverse("customers:customer_create"))
    refused = client.post(
        reverse("customers:customer_create"),
        customer_data(special_qualification=GCC, gcc_validation=theirs.pk),
    )
    created = client.post(
        reverse("customers:customer_create"),
        customer_data(special_qualification=GCC, gcc_validation=mine.pk),
    )

    # then
    assert options_of(form, "id_gcc_validation") == [
        ("", "Choose a validation code"),
        (str(mine.pk), "Mine — 1 create left"),
    ]
    assert error_of(refused, "gcc_validation").startswith("This validation code is not available")
    assert created.status_code == 302
    customer = Customer.objects.get()
    assert customer.qualifications.get().validation == mine
    # the reseller's customer, and its provider's through it (the partner of record)
    assert set(customer.relationships.values_list("organization", "indirect_reseller")) == {
        (reseller.pk, None),
        (provider.pk, reseller.pk),
    }


def test_indirect_reseller_request_form_carries_the_providers_tenant_id(
    client, provider_and_reseller
):
    # given
    provider, reseller = provider_and_reseller
    client.force_login(agent_of(reseller))

    # when
    response = client.get(reverse("customers:validation_create"))

    # then: prefilled with the provider's tenant ID, and the form says so
    assert attr(element(response, id="id_commercial_tenant_id"), "value") == str(
        provider.commercial_tenant_id
    )
    assert text(element(response, id="indirect-reseller-note")) == (
        "As an indirect reseller, you submit this request with the commercial tenant ID of your "
        "indirect provider, Fabrikam Distribution, and the validation code is issued to your "
        "provider. You see the code in your Add customer menu."
    )


def test_indirect_reseller_is_told_its_providers_tenant_id_by_the_providers_name(
    client, provider_and_reseller
):
    # given: another organization whose tenant ID the reseller might type
    provider, reseller = provider_and_reseller
    other = OrganizationFactory(legal_name="Tailspin Toys")
    client.force_login(agent_of(reseller))
    url = reverse("customers:validation_create")

    # when: the form, then a malformed ID, another organization's ID, and a random GUID
    form = client.get(url)
    answers = {
        "malformed": "not-a-guid",
        "other": str(other.commercial_tenant_id),
        "random": str(uuid.UUID(int=42)),
    }
    errors = {
        name: error_of(
            client.post(url, customer_validation_form_data(provider, commercial_tenant_id=value)),
            "commercial_tenant_id",
        )
        for name, value in answers.items()
    }

    # then: the help text and every message name the provider as the owner of the ID asked
    # for; a wrong ID is only "not the expected one", whoever it belongs to
    assert text(element(form, id="id_commercial_tenant_id_helptext")) == (
        "Do not use an Azure GCC tenant ID. Enter the commercial tenant ID of Fabrikam "
        "Distribution, your indirect provider: its Microsoft ID, not your own organization's. "
        "It is filled in for you."
    )
    enter = (
        "Enter the commercial tenant ID of Fabrikam Distribution, your indirect provider: "
        f"{provider.commercial_tenant_id}."
    )
    assert errors == {
        "malformed": "This is not a valid tenant ID. A tenant ID is a GUID of 32 hexadecimal "
        f"digits, like 00000000-0000-0000-0000-000000000000. {enter}",
        "other": f"This is not the expected tenant ID. {enter}",
        "random": f"This is not the expected tenant ID. {enter}",
    }
    assert all("your organization's" not in message for message in errors.values())
    assert all("another organization" not in message for message in errors.values())
    assert CustomerValidationRequest.objects.count() == 0


def test_indirect_reseller_submits_with_the_providers_tenant_id(client, provider_and_reseller):
    # given
    provider, reseller = provider_and_reseller
    agent = agent_of(reseller)
    client.force_login(agent)

    # when: its own tenant ID first, then the provider's
    own = client.post(
        reverse("customers:validation_create"), customer_validation_form_data(reseller)
    )  # the reseller's own tenant ID
    response = client.post(
        reverse("customers:validation_create"), customer_validation_form_data(provider)
    )

    # then
    assert error_of(own, "commercial_tenant_id") == (
        "This is your own organization's tenant ID. Requests of an indirect reseller carry its "
        "indirect provider's: enter the commercial tenant ID of Fabrikam Distribution, your "
        f"indirect provider: {provider.commercial_tenant_id}."
    )
    request = CustomerValidationRequest.objects.get()
    assert response["Location"] == reverse("customers:validation_detail", args=[request.pk])
    assert (request.organization, request.transacting_partner, request.commercial_tenant_id) == (
        reseller,
        provider,
        provider.commercial_tenant_id,
    )


# -- customer validation request form --------------------------------------------------------


def test_request_form_prefills_the_tenant_id_and_warns_about_azure_gcc(
    client, admin_agent, gcc_enabled
):
    # given
    client.force_login(admin_agent)

    # when
    response = client.get(reverse("customers:validation_create"))

    # then
    tenant = element(response, id="id_commercial_tenant_id")
    assert attr(tenant, "value") == str(gcc_enabled.commercial_tenant_id)
    assert attr(tenant, "aria-describedby") == "id_commercial_tenant_id_helptext"
    assert text(element(response, id="id_commercial_tenant_id_helptext")) == (
        "Do not use an Azure GCC tenant ID. Enter the commercial (global) tenant ID of the "
        "transacting partner: the Microsoft ID shown on its organization profile. It is filled "
        "in for you."
    )
    documents = element(response, id="id_documents")
    assert (attr(documents, "type"), has_attr(documents, "multiple")) == ("file", True)
    assert attr(element(response, id="customer-validation-form"), "enctype") == (
        "multipart/form-data"
    )
    assert elements(response, id="indirect-reseller-note") == []


def test_request_with_documents_is_submitted_and_its_page_lists_them(
    client, sales_agent, gcc_enabled
):
    # given
    client.force_login(sales_agent)

    # when
    response = client.post(
        reverse("customers:validation_create"),
        customer_validation_form_data(
            gcc_enabled,
            documents=[pdf(), SimpleUploadedFile("seal.png", PNG, content_type="image/png")],
        ),
    )

    # then
    request = CustomerValidationRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:validation_detail", args=[request.pk])
    assert (request.status, request.organization, request.transacting_partner) == (
        Status.SUBMITTED,
        gcc_enabled,
        gcc_enabled,
    )
    assert list(request.documents.values_list("original_name", "content_type", "source")) == [
        ("charter.pdf", "application/pdf", "partner"),
        ("seal.png", "image/png", "partner"),
    ]
    page = client.get(response["Location"])
    assert messages_of(page) == [
        "The customer validation request was submitted. The GCC review team decides within "
        "two business days."
    ]
    assert text(element(page, id="request-status")) == "Status: Submitted"
    links = elements(None, tag="a", within=element(page, id="documents"))
    assert [(text(a), attr(a, "href")) for a in links] == [
        (d.original_name, reverse("customers:validation_document", args=[request.pk, d.pk]))
        for d in request.documents.all()
    ]


def test_a_contact_outside_the_government_domain_is_shown_next_to_its_field(
    client, admin_agent, gcc_enabled
):
    # Given the form filled in with a contact address at the partner's own domain
    client.force_login(admin_agent)
    data = customer_validation_form_data(gcc_enabled, contact_email="sales@northwind.example")

    # When it is submitted
    response = client.post(reverse("customers:validation_create"), data)

    # Then the page says so next to the contact's email, the answers kept; nothing is created
    assert response.status_code == 200
    assert [text(e) for e in elements(response, id="error_1_id_contact_email")] == [
        "Enter the customer contact's address at springfield.gov: the review team's "
        "questions and the link to answer them go there."
    ]
    assert "sales@northwind.example" in response.content.decode()
    assert not CustomerValidationRequest.objects.exists()


def test_private_organization_must_say_which_regulated_data(client, admin_agent, gcc_enabled):
    # given
    client.force_login(admin_agent)
    url = reverse("customers:validation_create")

    # when
    missing = client.post(
        url, customer_validation_form_data(gcc_enabled, organization_type="private_regulated")
    )
    given = client.post(
        url,
        customer_validation_form_data(
            gcc_enabled, organization_type="private_regulated", regulated_data=["itar", "cui"]
        ),
    )

    # then
    assert error_of(missing, "regulated_data") == (
        "Say which regulated government data the organization handles."
    )
    assert given.status_code == 302
    assert CustomerValidationRequest.objects.get().regulated_data == ["itar", "cui"]


def test_regulated_data_ticked_for_a_government_entity_is_ignored(client, admin_agent, gcc_enabled):
    # given
    client.force_login(admin_agent)

    # when
    response = client.post(
        reverse("customers:validation_create"),
        customer_validation_form_data(
            gcc_enabled, organization_type="state", regulated_data=["itar"]
        ),
    )

    # then
    assert response.status_code == 302
    assert CustomerValidationRequest.objects.get().regulated_data == []


def test_request_form_catches_the_azure_gcc_tenant_id(client, admin_agent, gcc_enabled):
    # given
    client.force_login(admin_agent)

    # when
    response = client.post(
        reverse("customers:validation_create"),
        customer_validation_form_data(
            gcc_enabled, commercial_tenant_id=str(gcc_enabled.azure_gcc_tenant_id)
        ),
    )

    # then
    assert error_of(response, "commercial_tenant_id") == (
        "This is an Azure GCC tenant ID, not the commercial (global) one. Enter your "
        "organization's commercial tenant ID, the Microsoft ID on your profile: "
        f"{gcc_enabled.commercial_tenant_id}."
    )
    assert attr(element(response, id="id_contact_name"), "value") == "Robin Clerk"
    assert CustomerValidationRequest.objects.count() == 0


def test_request_page_when_gcc_is_blocked_says_why(client, admin_agent):
    # given: an organization not approved for GCC
    client.force_login(admin_agent)
    url = reverse("customers:validation_create")
    before = snapshot()

    # when
    shown = client.get(url)
    posted = client.post(url, customer_validation_form_data(admin_agent.membership.organization))

    # then
    assert shown.status_code == 200
    assert posted.status_code == 409
    for response in (shown, posted):
        assert text(elements(response, tag="h1")[0]) == (
            "You can't submit a customer validation request now"
        )
        assert text(element(response, id="unavailable-reason")) == NOT_APPROVED
    assert snapshot() == before


# -- the form's one-time key: a re-post finds the first request ---------------------------


def hidden_key(response) -> str:
    field = element(response, id="id_idempotency_key")
    assert (attr(field, "type"), attr(field, "name")) == ("hidden", "idempotency_key")
    return attr(field, "value")


def test_each_request_form_shown_carries_its_own_key(client, admin_agent, gcc_enabled):
    # given
    client.force_login(admin_agent)

    # when: the form is opened twice
    keys = [hidden_key(client.get(reverse("customers:validation_create"))) for _ in range(2)]

    # then: each page has its own well-formed key, inside the form
    assert len({str(uuid.UUID(key)) for key in keys}) == 2


def test_posting_the_same_request_form_twice_gives_one_request_and_one_set_of_emails(
    client, admin_agent, gcc_enabled, reviewer, django_capture_on_commit_callbacks
):
    # given: one form with a document, posted once
    client.force_login(admin_agent)
    key = uuid.uuid4()
    url = reverse("customers:validation_create")

    def post():
        data = customer_validation_form_data(gcc_enabled, idempotency_key=key, documents=pdf())
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    first = post()
    request = CustomerValidationRequest.objects.get()
    first_page = client.get(first["Location"])
    before = snapshot()

    # when: the same form is posted again (a retry after a timeout or a dropped connection)
    again = post()

    # then: it lands on the first request with the same message as the first time
    assert first.status_code == again.status_code == 302
    assert (
        again["Location"]
        == first["Location"]
        == (reverse("customers:validation_detail", args=[request.pk]))
    )
    assert messages_of(first_page) == [SUBMITTED]
    assert messages_of(client.get(again["Location"])) == [SUBMITTED]
    # and nothing else: one request, one document, one audit event, one set of emails
    assert snapshot() == before
    assert (request.idempotency_key, request.documents.count()) == (key, 1)
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["submitted"]
    assert sorted(OutboxMessage.objects.values_list("template", "to_email")) == sorted(
        [
            ("emails/customers/validation_submitted", admin_agent.email),
            ("emails/customers/validation_new_for_reviewers", reviewer.email),
        ]
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin_agent.email, reviewer.email])


def test_a_replayed_request_form_with_other_answers_still_lands_on_the_first_request(
    client, admin_agent, gcc_enabled
):
    # given: a request submitted with key K
    client.force_login(admin_agent)
    url = reverse("customers:validation_create")
    data = customer_validation_form_data(gcc_enabled)
    first = client.post(url, data)
    before = snapshot()

    # when: a page with K is posted again with answers that would now be refused
    again = client.post(url, {**data, "contact_phone": "call me", "organization_type": ""})

    # then: the first request, unchanged; no form errors, nothing created
    assert again.status_code == 302
    assert again["Location"] == first["Location"]
    assert snapshot() == before
    assert CustomerValidationRequest.objects.get().contact_phone == "+1 217 555 0199"


def test_a_valid_request_form_looks_its_key_and_the_organization_up_once_in_the_service(
    client, admin_agent, gcc_enabled
):
    # given
    client.force_login(admin_agent)
    url = reverse("customers:validation_create")
    data = customer_validation_form_data(gcc_enabled)

    # when: a valid form is posted, then posted again (a replay)
    with CaptureQueriesContext(connection) as first:
        created = client.post(url, data)
    with CaptureQueriesContext(connection) as again:
        replayed = client.post(url, data)

    # then: the one-time key read once each time, by the service (in its transaction), and
    # the organization's approval read once, for the submit only (a replay stops at its key)
    def reads(queries, table: str) -> list[str]:
        return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and table in q["sql"]]

    by_key = '"customers_customervalidationrequest"."idempotency_key" = '
    assert created.status_code == replayed.status_code == 302
    assert created["Location"] == replayed["Location"]
    assert len([s for s in reads(first, "customers_customervalidationrequest") if by_key in s]) == 1
    assert len([s for s in reads(again, "customers_customervalidationrequest") if by_key in s]) == 1
    assert len(reads(first, '"partners_resellerqualification"')) == 1
    assert reads(again, '"partners_resellerqualification"') == []


def test_a_request_form_shown_again_with_errors_keeps_its_key_and_its_correction_is_one_request(
    client, admin_agent, gcc_enabled
):
    # given
    client.force_login(admin_agent)
    url = reverse("customers:validation_create")
    data = customer_validation_form_data(gcc_enabled)

    # when: the form comes back with an error, then is corrected and submitted (twice)
    refused = client.post(url, {**data, "government_domain": "not a domain"})
    kept = hidden_key(refused)
    corrected = client.post(url, {**data, "idempotency_key": kept})
    replayed = client.post(url, {**data, "idempotency_key": kept})

    # then: the page shown again carried the posted key; the correction made one request
    assert refused.status_code == 200
    assert kept == str(data["idempotency_key"])
    request = CustomerValidationRequest.objects.get()
    assert request.idempotency_key == data["idempotency_key"]
    assert (
        corrected["Location"]
        == replayed["Location"]
        == (reverse("customers:validation_detail", args=[request.pk]))
    )


@pytest.mark.parametrize("key", [None, "", "not-a-key", "1234", "{" + "0" * 40 + "}"])
def test_a_missing_or_malformed_request_form_key_is_a_form_error_and_the_page_gets_a_fresh_one(
    client, admin_agent, gcc_enabled, media_root, key
):
    # given
    client.force_login(admin_agent)
    url = reverse("customers:validation_create")
    before = snapshot()

    # when: the form is posted without a usable key (the answers and the document are right)
    response = client.post(
        url, customer_validation_form_data(gcc_enabled, idempotency_key=key, documents=pdf())
    )

    # then: not a server error: the form again, saying so; nothing created, nothing stored
    assert response.status_code == 200
    assert text(element(response, id="form-errors")) == INCOMPLETE
    assert snapshot() == before
    assert not media_root.exists() or not any(media_root.rglob("*.*"))
    # and the page holds a new key, with which the next submit goes through
    fresh = hidden_key(response)
    assert fresh != key
    uuid.UUID(fresh)
    submitted = client.post(url, customer_validation_form_data(gcc_enabled, idempotency_key=fresh))
    assert submitted["Location"] == reverse(
        "customers:validation_detail", args=[CustomerValidationRequest.objects.get().pk]
    )


def test_a_key_another_organization_used_gives_this_organization_its_own_request(
    client, admin_agent, gcc_enabled, other_gcc_enabled, other_admin_agent
):
    # given: organization B's request, submitted with key K
    key = uuid.uuid4()
    theirs = services.customer_validation_submit(
        organization=other_gcc_enabled,
        submitted_by=other_admin_agent,
        **{
            **customer_validation_answers(other_gcc_enabled),
            "organization_legal_name": "Shelbyville Water District",
            "idempotency_key": key,
        },
    )
    client.force_login(admin_agent)

    # when: organization A posts its form with the same key
    response = client.post(
        reverse("customers:validation_create"),
        customer_validation_form_data(gcc_enabled, idempotency_key=key),
    )

    # then: A lands on its own new request; B's is neither returned nor shown
    mine = CustomerValidationRequest.objects.get(organization=gcc_enabled)
    assert mine.pk != theirs.pk
    assert response["Location"] == reverse("customers:validation_detail", args=[mine.pk])
    page = client.get(response["Location"])
    assert page.context["validation"] == mine
    assert "Shelbyville Water District" not in page.content.decode()
    assert list(
        CustomerValidationRequest.objects.order_by("pk").values_list(
            "organization", "idempotency_key"
        )
    ) == [(other_gcc_enabled.pk, key), (gcc_enabled.pk, key)]


# -- uploads -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            lambda: SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + b"\x00" * 60),
            "setup.exe is not a PDF, PNG or JPEG file. Send the document in one of those formats.",
        ),
        (
            lambda: SimpleUploadedFile("notes.txt", b"Our charter, typed in.", "text/plain"),
            "notes.txt is not a PDF, PNG or JPEG file. Send the document in one of those formats.",
        ),
        (
            lambda: SimpleUploadedFile("charter.pdf", b"Plain text named .pdf", "application/pdf"),
            "charter.pdf is not a PDF, PNG or JPEG file. Send the document in one of those "
            "formats.",
        ),
        (
            lambda: SimpleUploadedFile("charter.pdf", PNG, "application/pdf"),
            "charter.pdf is not what its name says. Send PDF, PNG or JPEG files named after their "
            "real type.",
        ),
    ],
    ids=["exe", "text", "text-renamed-pdf", "png-renamed-pdf"],
)
def test_request_form_refuses_a_document_by_its_content(
    client, admin_agent, gcc_enabled, media_root, upload, message
):
    # given
    client.force_login(admin_agent)
    before = snapshot()

    # when
    response = client.post(
        reverse("customers:validation_create"),
        customer_validation_form_data(gcc_enabled, documents=upload()),
    )

    # then: the message next to the field; nothing created, nothing stored
    assert response.status_code == 200
    assert error_of(response, "documents") == message
    assert attr(element(response, id="id_organization_legal_name"), "value") == (
        "City of Springfield"
    )
    assert snapshot() == before
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_request_form_refuses_an_oversize_document_and_too_many(
    client, admin_agent, gcc_enabled, settings
):
    # given: small limits
    settings.CUSTOMER_DOCUMENT_MAX_BYTES = 1024
    settings.CUSTOMER_DOCUMENT_MAX_FILES = 2
    client.force_login(admin_agent)
    before = snapshot()
    url = reverse("customers:validation_create")

    # when
    big = client.post(
        url, customer_validation_form_data(gcc_enabled, documents=pdf("big.pdf", PDF + b"0" * 2048))
    )
    many = client.post(
        url,
        customer_validation_form_data(
            gcc_enabled, documents=[pdf("a.pdf"), pdf("b.pdf"), pdf("c.pdf")]
        ),
    )

    # then
    assert error_of(big, "documents") == (
        "big.pdf is 2.0 KB; documents may be at most 1.0 KB. Send a smaller file."
    )
    assert error_of(many, "documents") == "Attach at most 2 documents; you chose 3."
    assert text(element(big, id="id_documents_helptext")) == (
        "PDF, PNG or JPEG files, at most 2, each up to 1.0 KB. Only your organization and the "
        "GCC review team can see them."
    )
    assert snapshot() == before


# -- request detail, withdraw ----------------------------------------------------------------


def test_detail_shows_the_question_sent_to_the_customer_and_the_stopped_clock(
    client, admin_agent, info_requested
):
    # given
    client.force_login(admin_agent)

    # when
    response = client.get(reverse("customers:validation_detail", args=[info_requested.pk]))

    # then
    assert text(element(response, id="request-status")) == "Status: Information requested"
    assert text(element(response, id="due-at")) == "Clock stopped while the customer answers"
    info = text(element(response, id="info-request"))
    assert info.startswith(
        "The review team asked the customer for more information Sent to the customer contact, "
        "Robin Clerk (robin.clerk@springfield.gov), on "
    )
    assert "Send the county charter." in info
    assert [e.label for e in response.context["events"]] == [
        "Request submitted",
        "Review started",
        "Information requested",
    ]


def test_detail_of_an_approved_request_shows_the_code_and_links_to_add_customer(
    client, admin_agent, submit, reviewer
):
    # given: approved for three creates
    request = submit(admin_agent)
    review_start(model=CustomerValidationRequest, request_id=request.pk, reviewer=reviewer)
    services.customer_validation_approve(request_id=request.pk, reviewer=reviewer, max_creates=3)
    code = GccValidation.objects.get()
    client.force_login(admin_agent)

    # when
    response = client.get(reverse("customers:validation_detail", args=[request.pk]))

    # then
    section = element(response, id="validation-code")
    assert text(section) == (
        "Approved: validation code issued "
        f"Validation ID (validationId) {code.validation_id} "
        "Organization name (organizationName) City of Springfield "
        "Max creates (maxCreates) 3 Remaining creates (remainingCreates) 3 "
        "Choose this code in the GCC validation code menu when you add the customer. "
        "Add customer"
    )
    assert [attr(a, "href") for a in elements(None, tag="a", within=section)] == [
        reverse("customers:customer_create")
    ]
    assert [e.label for e in response.context["events"]][-2:] == [
        "Approved",
        "Validation code issued",
    ]


def test_withdraw_closes_an_open_request_once(client, sales_agent, info_requested):
    # given
    client.force_login(sales_agent)
    url = reverse("customers:validation_withdraw", args=[info_requested.pk])

    # when
    first = client.post(url)
    after_first = snapshot()
    second = client.post(url)

    # then: withdrawn, the customer's link dead; the second time an error, nothing changes
    assert first["Location"] == reverse("customers:validation_detail", args=[info_requested.pk])
    withdrawn = reload(info_requested)
    assert (withdrawn.status, withdrawn.info_link_nonce) == (Status.WITHDRAWN, "")
    last = AuditEvent.objects.for_subject(info_requested).last()
    assert (last.action, last.from_status, last.actor) == (
        "withdrawn",
        "info_requested",
        sales_agent,
    )
    assert messages_of(client.get(second["Location"])) == [
        "The request was withdrawn. You can submit a new one at any time.",
        "This request is withdrawn; that action is no longer possible. Nothing was changed.",
    ]
    assert snapshot() == after_first


def test_withdraw_asks_first_on_a_page_that_posts_the_withdrawal(
    client, sales_agent, info_requested
):
    # given: a Sales agent on a request waiting for the customer
    client.force_login(sales_agent)
    detail_url = reverse("customers:validation_detail", args=[info_requested.pk])
    confirm_url = reverse("customers:validation_withdraw_confirm", args=[info_requested.pk])
    withdraw_url = reverse("customers:validation_withdraw", args=[info_requested.pk])
    detail = client.get(detail_url)
    before = snapshot()

    # then: the request offers a link (not a form) to the question
    (link,) = [a for a in elements(detail, tag="a") if text(a) == "Withdraw this request"]
    assert attr(link, "href") == confirm_url
    assert [f for f in elements(detail, tag="form") if attr(f, "action") == withdraw_url] == []

    # when: the agent follows it
    page = client.get(confirm_url)

    # then: a question, saying what can't be undone; nothing changed yet
    assert page.status_code == 200
    assert text(elements(page, tag="h1")[0]) == f"Withdraw request #{info_requested.pk}?"
    assert text(element(page, id="confirm-subject")) == (
        f"GCC customer validation request #{info_requested.pk} for "
        f"{info_requested.organization_legal_name} · Status: Information requested"
    )
    assert text(element(page, id="confirm-consequence")) == (
        "The GCC review team stops reviewing it and the customer contact's answer link stops "
        "working. A withdrawn request can't be reopened; you can submit a new one."
    )
    assert snapshot() == before
    # and its form posts the withdrawal (CSRF-protected); Cancel goes back to the request
    assert_withdraw_form(page, action=withdraw_url, cancel_href=detail_url)

    # when: the agent confirms
    response = client.post(withdraw_url)

    # then: withdrawn, back on the request
    assert response["Location"] == detail_url
    assert reload(info_requested).status == Status.WITHDRAWN
    # and, withdrawn, the confirmation page only says it is no longer possible
    again = client.get(confirm_url)
    assert again["Location"] == detail_url
    assert messages_of(client.get(detail_url)) == [
        "The request was withdrawn. You can submit a new one at any time.",
        "This request is withdrawn; that action is no longer possible. Nothing was changed.",
    ]


def test_withdraw_needs_post(client, admin_agent, info_requested):
    client.force_login(admin_agent)
    response = client.get(reverse("customers:validation_withdraw", args=[info_requested.pk]))
    assert response.status_code == 405


def test_request_list_shows_own_requests_newest_first(
    client, admin_agent, gcc_enabled, other_organization
):
    # given
    older = CustomerValidationRequestFactory(organization=gcc_enabled, organization_legal_name="A")
    newer = CustomerValidationRequestFactory(
        organization=gcc_enabled,
        organization_legal_name="B",
        status=Status.INFO_REQUESTED,
        due_at=None,
    )
    CustomerValidationRequestFactory(organization=other_organization)
    client.force_login(admin_agent)

    # when
    response = client.get(reverse("customers:validation_list"))

    # then
    assert list(response.context["page"]) == [newer, older]
    assert "Clock stopped while the customer answers" in response.content.decode()


def test_request_list_query_count_does_not_grow_with_rows(client, admin_agent, gcc_enabled):
    client.force_login(admin_agent)
    url = reverse("customers:validation_list")
    for _ in range(3):
        CustomerValidationRequestFactory(organization=gcc_enabled)
    client.get(url)
    with CaptureQueriesContext(connection) as with_3:
        client.get(url)
    for _ in range(17):
        CustomerValidationRequestFactory(organization=gcc_enabled)
    with CaptureQueriesContext(connection) as with_20:
        client.get(url)
    assert len(with_3) == len(with_20)


# -- the customer contact's page (public, signed link) -------------------------------------


def test_answer_page_shows_only_the_question_and_both_names(client, info_requested, answer_url):
    # given: an anonymous visitor with the link

    # when
    response = client.get(answer_url)

    # then: who asks, for whom, the question; nothing else about the request
    assert response.status_code == 200
    content = response.content.decode()
    assert text(element(response, id="info-context")) == (
        f"{info_requested.organization.legal_name} asked for the Office 365 Government "
        "Community Cloud (GCC) validation of City of Springfield. The GCC review team needs "
        "more information."
    )
    assert text(element(response, id="info-question")) == "Send the county charter."
    for secret in [
        info_requested.contact_email,
        info_requested.contact_phone,
        info_requested.government_domain,
        str(info_requested.commercial_tenant_id),
        info_requested.submitted_by.email,
        "charter.pdf",
        f'href="{reverse("partners:dashboard")}"',  # no partner navigation
        f'href="{reverse("customers:customer_list")}"',
    ]:
        assert secret not in content
    assert response["Cache-Control"].startswith("max-age=0")
    assert '<meta name="robots" content="noindex, nofollow">' in content


def test_answer_works_once(client, info_requested, answer_url, reviewer):
    # given
    url = answer_url

    # when: the customer answers with a document
    done = client.post(
        url, info_answer_form_data("  Charter attached.  ", documents=[pdf("county-charter.pdf")])
    )

    # then: thank-you page; back in review with a new due time; the link is spent
    assert done.status_code == 200
    assert text(element(done, id="answer-sent")) == (
        "Your answer was sent to the GCC review team. The review continues; a decision is due "
        "within two business days."
    )
    info_requested.refresh_from_db()
    assert (info_requested.status, info_requested.info_response) == (
        Status.IN_REVIEW,
        "Charter attached.",
    )
    assert info_requested.due_at is not None
    assert list(
        info_requested.documents.filter(source="customer").values_list("original_name", flat=True)
    ) == ["county-charter.pdf"]
    last = AuditEvent.objects.for_subject(info_requested).last()
    assert (last.action, last.actor) == ("info_provided", None)
    after = snapshot()

    # and when: the link is used again
    again_get = client.get(url)
    again_post = client.post(url, info_answer_form_data("Once more."))

    # then: "already used", nothing changes, nothing revealed
    for response in (again_get, again_post):
        assert response.status_code == 410
        assert text(elements(response, tag="h1")[0]) == "This link was already used"
        assert "Send the county charter." not in response.content.decode()
        assert info_requested.organization.legal_name not in response.content.decode()
    assert snapshot() == after


def test_answer_link_replaced_by_a_newer_question_is_already_used(
    client, info_requested, answer_url, reviewer, admin_agent
):
    # given: the customer answered, then the reviewer asked again (a new link was sent)
    old_url = answer_url
    assert client.post(old_url, info_answer_form_data("First answer.")).status_code == 200
    services.customer_validation_request_info(
        request_id=info_requested.pk, reviewer=reviewer, message="And the seal?"
    )

    # when: the first link is opened
    response = client.get(old_url)

    # then
    assert response.status_code == 410
    assert text(elements(response, tag="h1")[0]) == "This link was already used"


def test_expired_link_says_so_and_changes_nothing(client, info_requested):
    # given: a link signed eight days ago (links live seven)
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 8 * 24 * 3600):
        url = info_link_path(request_id=info_requested.pk, nonce=info_requested.info_link_nonce)
    before = snapshot()

    # when
    shown = client.get(url)
    posted = client.post(url, {"response": "Late answer."})

    # then
    for response in (shown, posted):
        assert response.status_code == 410
        assert text(element(response, id="link-problem")) == (
            "This link has expired Links to answer the GCC review team work for a limited time. "
            "Ask the partner who requested your GCC validation to have a new link sent to you."
        )
    assert snapshot() == before


def test_link_expiry_follows_the_setting(client, info_requested, answer_url, settings):
    settings.CUSTOMER_INFO_LINK_MAX_AGE_SECONDS = -1
    response = client.get(answer_url)
    assert response.status_code == 410
    assert text(elements(response, tag="h1")[0]) == "This link has expired"


@pytest.mark.parametrize(
    "forge",
    [
        lambda r, url: url[:-6] + ("A" if url[-6] != "A" else "B") + url[-5:],  # signature
        lambda r, url: info_link_path(request_id=r.pk + 1000, nonce=r.info_link_nonce),
        lambda r, url: reverse(
            "customers:info_answer",
            args=[signing.dumps({"r": r.pk, "n": r.info_link_nonce}, salt="another-salt")],
        ),
        lambda r, url: reverse(
            "customers:info_answer", args=[signing.dumps({"x": r.pk}, salt=SALT)]
        ),
        lambda r, url: reverse("customers:info_answer", args=["not-a-token"]),
    ],
    ids=["tampered-signature", "unknown-request", "other-salt", "bad-payload", "garbage"],
)
def test_forged_or_tampered_link_is_not_found_and_reveals_nothing(
    client, info_requested, answer_url, forge
):
    # given
    url = forge(info_requested, answer_url)
    before = snapshot()

    # when
    shown = client.get(url)
    posted = client.post(url, {"response": "Forged."})

    # then
    for response in (shown, posted):
        assert response.status_code == 404
        assert text(elements(response, tag="h1")[0]) == "This link isn't valid"
        content = response.content.decode()
        assert "Send the county charter." not in content
        assert info_requested.organization.legal_name not in content
        assert "City of Springfield" not in content
    assert snapshot() == before


def test_wrong_nonce_in_an_authentic_link_is_not_accepted(client, info_requested):
    url = info_link_path(request_id=info_requested.pk, nonce=uuid.uuid4().hex)
    before = snapshot()
    response = client.post(url, {"response": "Guessing."})
    assert response.status_code == 410
    assert snapshot() == before


def test_answer_page_refuses_an_empty_answer_and_a_bad_document(client, info_requested, answer_url):
    # given
    before = snapshot()

    # when
    response = client.post(
        answer_url,
        info_answer_form_data("  ", documents=[SimpleUploadedFile("charter.pdf", b"just text")]),
    )

    # then: both messages next to their fields; nothing changes and the link still works
    assert response.status_code == 200
    assert error_of(response, "response") == "Enter the information the reviewer asked for."
    assert error_of(response, "documents") == (
        "charter.pdf is not a PDF, PNG or JPEG file. Send the document in one of those formats."
    )
    assert snapshot() == before
    assert client.get(answer_url).status_code == 200


def test_partner_sees_the_customers_answer(client, admin_agent, info_requested, answer_url):
    # given
    client.post(answer_url, info_answer_form_data("Charter attached."))
    client.force_login(admin_agent)

    # when
    response = client.get(reverse("customers:validation_detail", args=[info_requested.pk]))

    # then
    assert text(element(response, id="info-response")) == "Charter attached."
    assert text(element(response, id="request-status")) == "Status: In review"
    labels = [e.label for e in response.context["events"]]
    assert labels[-1] == "Information provided"
    assert "Customer contact" in response.content.decode()


# -- navigation ----------------------------------------------------------------------------


# -- the answer form's one-time key: a re-post gets the same thank-you ------------------------

ANSWER_SENT = (
    "Your answer was sent to the GCC review team. The review continues; a decision is due "
    "within two business days."
)


def test_each_answer_page_shown_carries_its_own_key(client, info_requested, answer_url):
    # when: the customer contact opens the link twice
    keys = [hidden_key(client.get(answer_url)) for _ in range(2)]

    # then: each form has its own well-formed key
    assert len({str(uuid.UUID(key)) for key in keys}) == 2


def test_posting_the_same_answer_twice_shows_the_same_thank_you_and_records_one_answer(
    client, info_requested, answer_url, reviewer, media_root, django_capture_on_commit_callbacks
):
    # given: the answer form, with a document, posted once
    key = str(uuid.uuid4())

    def post():
        data = info_answer_form_data(
            "Charter attached.", idempotency_key=key, documents=[pdf("county-charter.pdf")]
        )
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(answer_url, data)

    first = post()
    after = snapshot()
    files = sorted(media_root.rglob("*.*"))

    # when: the same form is posted again (a retry after a timeout or a dropped connection)
    again = post()

    # then: the same thank-you as the first time, not "this link was already used"
    assert first.status_code == again.status_code == 200
    assert text(element(first, id="answer-sent")) == text(element(again, id="answer-sent"))
    assert text(element(again, id="answer-sent")) == ANSWER_SENT
    # and nothing twice: one answer, one document, one audit event, one email
    assert snapshot() == after
    assert sorted(media_root.rglob("*.*")) == files
    assert list(
        info_requested.documents.filter(source="customer").values_list("original_name", flat=True)
    ) == ["county-charter.pdf"]
    assert [e.action for e in AuditEvent.objects.for_subject(info_requested)].count(
        "info_provided"
    ) == 1
    assert list(
        OutboxMessage.objects.filter(
            template="emails/customers/validation_info_answered"
        ).values_list("to_email", flat=True)
    ) == [reviewer.email]
    assert [m.to for m in mail.outbox] == [[reviewer.email]]

    # and when: another form is posted through the used link
    other = client.post(answer_url, info_answer_form_data("A second thought."))

    # then: the existing refusal; the first answer stands
    assert other.status_code == 410
    assert text(elements(other, tag="h1")[0]) == "This link was already used"
    assert snapshot() == after


def test_a_late_repost_of_the_previous_answer_is_not_the_answer_to_the_new_question(
    client, info_requested, answer_url, reviewer
):
    # given: the customer answered with form K; then the reviewer asked again (a new link)
    data = info_answer_form_data("First answer.")
    assert client.post(answer_url, data).status_code == 200
    services.customer_validation_request_info(
        request_id=info_requested.pk, reviewer=reviewer, message="And the seal?"
    )
    before = snapshot()

    # when: form K is posted again through the first link (a retry arriving late)
    response = client.post(answer_url, data)

    # then: the first post's thank-you; the new question still waits for its own answer
    assert response.status_code == 200
    assert text(element(response, id="answer-sent")) == ANSWER_SENT
    assert snapshot() == before
    info_requested.refresh_from_db()
    assert (info_requested.status, info_requested.info_response) == (Status.INFO_REQUESTED, "")


@pytest.mark.parametrize("key", [None, "", "not-a-key", "1234", "{" + "0" * 40 + "}"])
def test_a_missing_or_malformed_answer_key_is_a_form_error_and_the_page_gets_a_fresh_one(
    client, info_requested, answer_url, key
):
    # given
    before = snapshot()

    # when: the answer is posted without a usable key
    data = {k: v for k, v in {"idempotency_key": key, "response": "Here."}.items() if v is not None}
    response = client.post(answer_url, data)

    # then: not a server error: the form again, saying so, the answer kept; nothing recorded
    assert response.status_code == 200
    assert text(element(response, id="form-errors")) == INCOMPLETE
    assert text(element(response, id="id_response")) == "Here."
    assert snapshot() == before
    # and the form holds a new key, with which the next submit goes through
    fresh = hidden_key(response)
    assert fresh != key
    uuid.UUID(fresh)
    sent = client.post(answer_url, {"idempotency_key": fresh, "response": "Here."})
    assert text(element(sent, id="answer-sent")) == ANSWER_SENT
    info_requested.refresh_from_db()
    assert (info_requested.status, info_requested.info_answer_key) == (
        Status.IN_REVIEW,
        uuid.UUID(fresh),
    )


def test_a_key_another_organizations_contact_answered_with_is_a_new_answer_here(
    client, info_requested, answer_url, other_org_request
):
    # given: organization B's customer contact answered through B's link with form key K
    key = str(uuid.uuid4())
    theirs_url = info_link_path(
        request_id=other_org_request.pk, nonce=other_org_request.info_link_nonce
    )
    answered = client.post(theirs_url, info_answer_form_data("B's answer.", idempotency_key=key))
    assert text(element(answered, id="answer-sent")) == ANSWER_SENT

    # when: A's customer contact answers through A's link with a form carrying the same key
    response = client.post(answer_url, info_answer_form_data("A's answer.", idempotency_key=key))

    # then: A's answer is recorded on A's request; nothing of B's is shown or changed
    assert text(element(response, id="answer-sent")) == ANSWER_SENT
    assert other_org_request.organization.legal_name not in response.content.decode()
    mine, theirs = info_requested, other_org_request
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, mine.info_response, mine.info_answer_key) == (
        Status.IN_REVIEW,
        "A's answer.",
        uuid.UUID(key),
    )
    assert (theirs.info_response, theirs.info_answer_key) == ("B's answer.", uuid.UUID(key))


def test_navigation_and_dashboard_lead_to_the_customer_pages(client, admin_agent):
    client.force_login(admin_agent)
    response = client.get(reverse("partners:dashboard"))
    nav_links = [
        (text(a), attr(a, "href"))
        for a in elements(None, tag="a", within=elements(response, tag="nav")[0])
    ]
    assert ("Customers", reverse("customers:customer_list")) in nav_links
    assert ("Customer validations", reverse("customers:validation_list")) in nav_links
    card = text(element(response, id="customers-heading"))
    assert card == "Customers"
