"""Bulk submission of customer validation requests (a CSV upload): the template, the upload's
refusals, the preview's per-row checks (the single form's rules), the submit of the valid
rows, idempotency, who may, tenant isolation, and queries that do not grow with the rows."""

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from api import webhook_services
from customers.tasks import bulk_submission_purge_task
from customers.validations.bulk import services as bulk_services
from customers.validations.bulk import views
from customers.validations.bulk.forms import BulkRowForm
from customers.validations.bulk.models import BulkSubmission
from customers.validations.bulk.selectors import (
    RowStatus,
    bulk_row_key,
    bulk_row_key_after,
    bulk_rows_check,
)
from customers.validations.models import CustomerValidationRequest
from gccportal.exceptions import ActionNotAllowed
from gccportal.review_clock import review_due_at
from notifications.models import OutboxMessage
from partners.models import Membership, Organization
from reviews.models import AuditEvent, ReviewStatus
from tests.factories import (
    CustomerValidationRequestFactory,
    OrganizationFactory,
    ResellerQualificationFactory,
)
from tests.helpers import (
    BULK_COLUMNS,
    agent_of,
    assert_nothing_changed,
    bulk_file,
    bulk_row,
    snapshot,
)
from tests.html import attr, element, elements, error_of, messages_of, page_text, text
from webhooks.events import EventType
from webhooks.models import WebhookMessage

UPLOAD = reverse("customers:validation_bulk_upload")


def detail_url(bulk, rows: str = "") -> str:
    """The upload's page; `rows`: the filter (problems first by default when there are any)."""
    url = reverse("customers:validation_bulk_detail", args=[bulk.pk])
    return f"{url}?rows={rows}" if rows else url


def submit_url(bulk) -> str:
    return reverse("customers:validation_bulk_submit", args=[bulk.pk])


@pytest.fixture
def admin(gcc_enabled, admin_agent, client):
    """The GCC-approved organization's Admin agent, signed in."""
    client.force_login(admin_agent)
    return admin_agent


def upload(client, file):
    return client.post(UPLOAD, {"file": file})


def uploaded(client, rows, **options) -> BulkSubmission:
    response = upload(client, bulk_file(rows, **options))
    assert response.status_code == 302, page_text(response)
    bulk = BulkSubmission.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert response.url == detail_url(bulk)
    return bulk


def result(*, request: int | None, created: bool = False, status="submitted", **more) -> dict:
    """One row's entry in a submitted upload's results."""
    return {
        "status": status,
        "request": request,
        "created": created,
        "repeats_line": None,
        "errors": [],
        **more,
    }


def row_statuses(response) -> dict[int, str]:
    return {
        int(attr(row, "id").removeprefix("row-")): attr(row, "data-status")
        for row in elements(response, tag="tr")
        if (attr(row, "id") or "").startswith("row-")
    }


# -- the template ----------------------------------------------------------------------------


def test_the_template_is_the_form_columns_with_excel_byte_order_mark(client, admin):
    response = client.get(reverse("customers:validation_bulk_template"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="customer-validation-requests.csv"'
    )
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(body.removeprefix("\ufeff")))) == [BULK_COLUMNS]


def test_the_bulk_pages_share_the_portals_csv_download_and_the_unavailable_page():
    from customers.validations import views as single_views
    from gccportal import spreadsheets

    # One CSV download (its byte order mark, its formula-safe cells) and one "unavailable"
    # page for the single and the bulk submit.
    assert views.csv_response is spreadsheets.csv_response
    assert views.validation_unavailable is single_views.validation_unavailable


def test_the_allowed_values_file_lists_each_column_and_every_choice(client, admin):
    response = client.get(reverse("customers:validation_bulk_allowed_values"))

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Column", "Required", "Allowed value", "Meaning"]
    assert [row[0] for row in rows[1:] if row[2] == ""] == BULK_COLUMNS
    assert ["organization_type", "", "federal", "US federal government entity"] in rows
    assert [
        "organization_type",
        "",
        "private_regulated",
        "Private organization that handles regulated government data",
    ] in rows
    assert ["regulated_data", "", "itar", "ITAR (International Traffic in Arms Regulations)"] in (
        rows
    )
    required = {row[0]: row[1] for row in rows[1:] if row[2] == ""}
    assert required == {
        "organization_legal_name": "Yes",
        "organization_type": "Yes",
        "regulated_data": "No",
        "government_domain": "Yes",
        "contact_name": "Yes",
        "contact_email": "Yes",
        "contact_phone": "Yes",
        "commercial_tenant_id": "No",
    }


def test_the_upload_page_links_the_downloads_and_lists_the_columns(client, admin):
    response = client.get(UPLOAD)

    assert response.status_code == 200
    assert attr(element(response, id="bulk-template-link"), "href") == reverse(
        "customers:validation_bulk_template"
    )
    assert attr(element(response, id="bulk-allowed-values-link"), "href") == reverse(
        "customers:validation_bulk_allowed_values"
    )
    codes = [text(code) for code in elements(response, tag="code")]
    for column in BULK_COLUMNS:
        assert column in codes
    assert "tribal" in codes


def test_the_validation_list_links_the_bulk_page_for_admin_agents_only(client, admin, sales_agent):
    listed = client.get(reverse("customers:validation_list"))
    assert attr(element(listed, id="bulk-upload-link"), "href") == UPLOAD

    client.force_login(sales_agent)
    assert elements(client.get(reverse("customers:validation_list")), id="bulk-upload-link") == []


# -- the upload's refusals -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        pytest.param(
            lambda: bulk_file([bulk_row()], name="customers.xlsx"),
            'Choose a CSV file (.csv). In Excel, choose Save As and the file type "CSV UTF-8 '
            '(Comma delimited)".',
            id="not-csv-name",
        ),
        pytest.param(
            lambda: bulk_file(content=b"PK\x03\x04\x14\x00\x06\x00workbook"),
            "This is an Excel workbook, not a CSV file. In Excel, choose Save As and the file "
            'type "CSV UTF-8 (Comma delimited)", then upload that file.',
            id="excel-workbook",
        ),
        pytest.param(
            lambda: bulk_file(
                content=",".join(BULK_COLUMNS).encode()
                + "\r\nVille de Québec,local".encode("cp1252")
            ),
            'This file is not UTF-8 text. In Excel, choose Save As and the file type "CSV UTF-8 '
            '(Comma delimited)"; in another program, choose the UTF-8 encoding.',
            id="not-utf8",
        ),
        pytest.param(
            lambda: bulk_file(content=",".join(BULK_COLUMNS).encode("utf-16")),
            'This file is not UTF-8 text. In Excel, choose Save As and the file type "CSV UTF-8 '
            '(Comma delimited)"; in another program, choose the UTF-8 encoding.',
            id="utf16",
        ),
        *[
            pytest.param(
                lambda content=content: bulk_file(content=content),
                "This file is empty. Start from the template: its first row names the columns.",
                id=name,
            )
            for name, content in [
                ("empty", b""),
                ("blank", b"\xef\xbb\xbf\r\n \r\n"),
                # Only empty cells: nothing to read a header from.
                ("empty-cells-commas", b",,,\r\n"),
                ("empty-cells-semicolons", b";;;\r\n;;;"),
            ]
        ],
        pytest.param(
            lambda: bulk_file([]),
            "This file has no request: add one row per customer under the header row.",
            id="header-only",
        ),
        pytest.param(
            lambda: bulk_file(
                [bulk_row()],
                columns=[c for c in BULK_COLUMNS if c != "contact_email"] + ["customer_email"],
            ),
            "The first row must name the template's columns (see Columns). Unknown columns: "
            "customer_email. Missing columns: contact_email.",
            id="bad-header",
        ),
        pytest.param(
            lambda: bulk_file([bulk_row()], columns=[*BULK_COLUMNS, "contact_name"]),
            "The first row must name the template's columns (see Columns). Columns named "
            "twice: contact_name.",
            id="repeated-column",
        ),
        pytest.param(
            lambda: bulk_file(content=b'organization_legal_name\r\n"City of\x00'),
            'This file is not UTF-8 text. In Excel, choose Save As and the file type "CSV UTF-8 '
            '(Comma delimited)"; in another program, choose the UTF-8 encoding.',
            id="binary",
        ),
    ],
)
def test_a_file_that_is_not_the_template_in_csv_is_refused_next_to_the_field(
    client, admin, make_file, message
):
    before = snapshot()

    response = upload(client, make_file())

    assert response.status_code == 200
    assert error_of(response, "file") == message
    assert response.context["form"].errors == {"file": [message]}
    assert_nothing_changed(before)


def test_more_rows_than_the_limit_are_refused(client, admin, settings):
    settings.CUSTOMER_VALIDATION_BULK_MAX_ROWS = 3
    before = snapshot()

    response = upload(client, bulk_file([bulk_row(n) for n in range(4)]))

    assert error_of(response, "file") == (
        "This file has 4 rows; at most 3 rows can be sent at once. Split it into smaller files."
    )
    assert_nothing_changed(before)
    # The limit itself is allowed (blank lines do not count).
    assert upload(client, bulk_file([bulk_row(n) for n in range(3)] + [{}])).status_code == 302


def test_a_file_larger_than_the_limit_is_refused(client, admin, settings):
    settings.CUSTOMER_VALIDATION_BULK_MAX_BYTES = 1024
    before = snapshot()

    response = upload(client, bulk_file([bulk_row(n) for n in range(20)]))

    assert error_of(response, "file").endswith(
        "a file can be at most 1.0 KB. Split it into smaller files."
    )
    assert_nothing_changed(before)


def test_no_file_is_asked_for(client, admin):
    response = client.post(UPLOAD, {})

    assert error_of(response, "file") == "Choose the CSV file to upload."
    assert BulkSubmission.objects.count() == 0


# -- the preview -----------------------------------------------------------------------------


def test_the_preview_lists_each_row_with_the_forms_errors_and_creates_nothing(
    client, admin, gcc_enabled
):
    rows = [
        bulk_row(1),
        bulk_row(2, government_domain="https://city2.gov/", contact_email="a@city2.gov"),
        bulk_row(3, contact_name=""),
        bulk_row(4, organization_type="county"),
        bulk_row(5, contact_email="robin@gmail.com"),
        bulk_row(6, organization_type="private_regulated"),
        bulk_row(7, commercial_tenant_id="not-a-guid"),
        bulk_row(8, organization_type="PRIVATE_REGULATED", regulated_data="ITAR; cui"),
    ]
    bulk = uploaded(client, rows)
    before = snapshot()

    response = client.get(detail_url(bulk, "all"))

    assert response.status_code == 200
    # Rows are numbered as in the spreadsheet: the header is row 1.
    assert row_statuses(response) == {
        2: "ready",
        3: "errors",
        4: "errors",
        5: "errors",
        6: "errors",
        7: "errors",
        8: "errors",
        9: "ready",
    }
    checks = {check.line: check for check in response.context["checks"]}
    errors = {line: [(e.column, e.message) for e in check.errors] for line, check in checks.items()}
    assert errors[3] == [
        (
            "government_domain",
            "Enter a domain name such as contoso.gov: letters, digits and hyphens, with at least "
            "one dot, and no http://, @, slash or space.",
        )
    ]
    assert errors[4] == [("contact_name", "This field is required.")]
    assert errors[5] == [
        ("organization_type", "Select a valid choice. county is not one of the available choices.")
    ]
    assert errors[6] == [
        (
            "contact_email",
            "Enter the customer contact's address at city5.gov: the review team's questions and "
            "the link to answer them go there.",
        )
    ]
    assert errors[7] == [
        ("regulated_data", "Say which regulated government data the organization handles.")
    ]
    assert errors[8][0][0] == "commercial_tenant_id"
    assert errors[8][0][1].startswith("This is not a valid tenant ID.")
    checked = bulk_rows_check(bulk=bulk, organization=gcc_enabled)
    assert checked[-1].cleaned["regulated_data"] == ["itar", "cui"]
    assert attr(element(response, id="row-5"), "data-status") == "errors"
    row_text = text(element(response, id="row-5"))
    assert "Organization type" in row_text
    assert "organization_type" in row_text
    assert "Select a valid choice. county is not one of the available choices." in row_text
    summary = text(element(response, id="bulk-summary"))
    assert "8 rows" in summary
    assert "2 rows ready to submit" in summary
    assert "6 rows with problems, not submitted" in summary
    assert text(element(response, id="bulk-submit-form")).startswith("Submit 2 requests")
    # Nothing was created by the upload or the preview: no request, no audit, no email.
    assert CustomerValidationRequest.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert_nothing_changed(before)


def test_semicolons_no_byte_order_mark_and_values_in_capitals_are_read(client, admin):
    bulk = uploaded(client, [bulk_row(1, organization_type="Federal")], delimiter=";", bom=False)

    [check] = bulk_rows_check(bulk=bulk, organization=admin.membership.organization)

    assert check.status == RowStatus.READY
    assert check.cleaned["organization_type"] == "federal"


def test_cells_past_the_header_are_a_problem_of_the_row(client, admin):
    content = ("\ufeff" + ",".join(BULK_COLUMNS) + "\r\n").encode()
    content += ",".join(bulk_row(1).values()).encode() + b",surprise\r\n"
    bulk = uploaded(client, None, content=content)

    [check] = bulk_rows_check(bulk=bulk, organization=admin.membership.organization)

    assert [(e.column, e.message) for e in check.errors] == [
        ("", "This row has more cells than the first row has columns: remove them.")
    ]


def test_empty_cells_after_the_last_column_are_ignored(client, admin):
    """Excel writes them once a cell beyond the last column was touched."""
    content = ("\ufeff" + ",".join(BULK_COLUMNS) + ",,\r\n").encode()
    content += ",".join(bulk_row(1).values()).encode() + b",,\r\n,,,,,,,,,\r\n"
    bulk = uploaded(client, None, content=content)

    [check] = bulk_rows_check(bulk=bulk, organization=admin.membership.organization)

    assert check.status == RowStatus.READY


def test_a_row_repeating_an_earlier_one_is_skipped(client, admin):
    bulk = uploaded(
        client,
        [
            bulk_row(1),
            bulk_row(
                1, organization_legal_name="CITY OF  SPRINGFIELD 1", government_domain="City1.GOV"
            ),
        ],
    )

    response = client.get(detail_url(bulk))

    assert row_statuses(response) == {2: "ready", 3: "repeated"}
    assert "The same request as row 2." in text(element(response, id="row-3"))


def test_the_preview_shows_problems_first_then_each_filter_a_page_at_a_time(
    client, admin, monkeypatch
):
    rows = [bulk_row(n) for n in range(1, 151)]
    rows[149] = bulk_row(150, contact_name="")
    bulk = uploaded(client, rows)
    formed = []
    monkeypatch.setattr(BulkRowForm, "full_clean", lambda form: formed.append(form))

    problems = client.get(detail_url(bulk))
    ready = client.get(detail_url(bulk, "ready"))
    second = client.get(detail_url(bulk, "all") + "&page=2")

    # No row is checked again by the page: the checks stored at the upload are shown.
    assert formed == []
    assert row_statuses(problems) == {151: "errors"}
    assert "This field is required." in text(element(problems, id="row-151"))
    assert len(row_statuses(ready)) == views.ROWS_PER_PAGE
    assert set(row_statuses(ready).values()) == {"ready"}
    assert list(row_statuses(second)) == list(range(102, 152))
    [next_link] = [a for a in elements(ready, tag="a") if text(a) == "Next"]
    assert attr(next_link, "href") == "?rows=ready&page=2"


def test_a_page_of_rows_costs_the_same_queries_whatever_the_upload_size(client, admin):
    counts = []
    for size in (5, 300):
        rows = [bulk_row(n, government_domain=f"s{size}-city{n}.gov") for n in range(size)]
        bulk = uploaded(client, rows)
        counts.append(_queries(lambda bulk=bulk: client.get(detail_url(bulk, "all"))))
    assert counts[0] == counts[1], counts


def test_the_page_reads_the_stored_problems_in_its_readers_language(client, admin):
    bulk = uploaded(client, [bulk_row(1, contact_name="")])
    admin.language = "fr"
    admin.save(update_fields=["language"])

    page = client.get(detail_url(bulk))

    row = text(element(page, id="row-2"))
    assert "contact_name" in row
    assert "Ce champ est obligatoire." in row, row


def test_a_submitted_uploads_page_shows_what_its_submit_found_not_todays_rules(
    client, admin, monkeypatch
):
    bulk = uploaded(client, [bulk_row(1), bulk_row(2, contact_name="")])
    client.post(submit_url(bulk))

    def refused(form):
        raise AssertionError("the form ran")

    monkeypatch.setattr(BulkRowForm, "full_clean", refused)
    page = client.get(detail_url(bulk, "all"))

    assert row_statuses(page) == {2: "submitted", 3: "errors"}
    assert "This field is required." in text(element(page, id="row-3"))


def test_a_problem_is_one_translated_sentence_so_a_language_may_space_its_colon(
    client, admin, monkeypatch
):
    bulk = uploaded(client, [bulk_row(1, contact_name="")])
    msgid = "<strong>%(label)s</strong> (<code>%(column)s</code>): %(message)s"
    gettext = translation.gettext
    monkeypatch.setattr(
        translation,
        "gettext",
        lambda message: (
            "<strong>%(label)s</strong> (<code>%(column)s</code>) : %(message)s"
            if message == msgid
            else gettext(message)
        ),
    )

    page = client.get(detail_url(bulk))

    assert (
        "<li><strong>Customer contact name</strong> (<code>contact_name</code>) : This field is "
        "required.</li>"
    ) in page.content.decode()


def test_nothing_ready_says_so_without_a_submit_button(client, admin):
    bulk = uploaded(client, [bulk_row(1, contact_phone="call me")])

    response = client.get(detail_url(bulk))

    assert elements(response, id="bulk-submit-form") == []
    assert text(element(response, id="nothing-ready")) == (
        "No row is ready to submit. Correct the rows listed below and upload the file again."
    )


# -- the submit ------------------------------------------------------------------------------


def test_submit_creates_the_valid_rows_only_with_their_audit_and_one_email_each_side(
    client, admin, gcc_enabled, reviewer, django_capture_on_commit_callbacks
):
    second_reviewer = type(reviewer).objects.get(pk=reviewer.pk)  # (one reviewer is enough)
    bulk = uploaded(
        client,
        [bulk_row(1), bulk_row(2, contact_email="x@elsewhere.gov"), bulk_row(3)],
        name="springfield-batch.csv",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(submit_url(bulk))

    assert response.status_code == 302
    assert response.url == detail_url(bulk)
    requests = list(CustomerValidationRequest.objects.order_by("government_domain"))
    assert [r.government_domain for r in requests] == ["city1.gov", "city3.gov"]
    first = requests[0]
    assert first.organization == gcc_enabled
    assert first.transacting_partner == gcc_enabled
    assert first.commercial_tenant_id == gcc_enabled.commercial_tenant_id
    assert first.submitted_by == admin
    assert first.status == ReviewStatus.SUBMITTED
    assert first.organization_legal_name == "City of Springfield 1"
    assert first.organization_type == "local"
    assert first.contact_email == "robin.clerk@city1.gov"
    assert first.contact_language == admin.language
    assert first.due_at == review_due_at(first.submitted_at)
    # The review clock's next action is set as save() would (the SLA sweep finds it).
    assert first.sla_action_at is not None
    assert first.sla_action_at == CustomerValidationRequest.objects.get(pk=first.pk).sla_action_at
    first.save()
    assert CustomerValidationRequest.objects.get(pk=first.pk).sla_action_at == first.sla_action_at
    for request in requests:
        [event] = AuditEvent.objects.for_subject(request)
        assert (event.action, event.actor, event.organization, event.to_status) == (
            "submitted",
            admin,
            gcc_enabled,
            "submitted",
        )
    assert AuditEvent.objects.for_subject(requests[1]).get().note == (
        "Submitted in bulk from springfield-batch.csv, row 4."
    )
    # One email to the submitter and one to each reviewer for the batch, not per request.
    assert sorted((m.to_email, m.template) for m in OutboxMessage.objects.all()) == sorted(
        [
            (admin.email, "emails/customers/validation_bulk_submitted"),
            (second_reviewer.email, "emails/customers/validation_bulk_new_for_reviewers"),
        ]
    )
    submitted_mail = next(m for m in mail.outbox if m.to == [admin.email])
    assert submitted_mail.subject == "2 GCC customer validation requests received"
    assert f"#{requests[0].pk} City of Springfield 1 (city1.gov)" in submitted_mail.body
    assert detail_url(bulk) in submitted_mail.body
    reviewers_mail = next(m for m in mail.outbox if m.to == [reviewer.email])
    assert reviewers_mail.subject == (
        f"{gcc_enabled.legal_name}: 2 new GCC customer validation requests"
    )
    bulk.refresh_from_db()
    assert bulk.submitted_at is not None
    assert bulk.submitted_by == admin
    assert bulk.results == {
        "2": result(request=requests[0].pk, created=True),
        "3": result(
            request=None,
            status="errors",
            errors=[
                {
                    "column": "contact_email",
                    # Kept in every language: the page reads them in its reader's.
                    "label": {"en": "Customer contact email", "fr": "E-mail du contact du client"},
                    "message": {
                        "en": "Enter the customer contact's address at city2.gov: the review "
                        "team's questions and the link to answer them go there.",
                        "fr": "Entrez l\u2019adresse du contact du client dans le domaine "
                        "city2.gov\xa0: les questions de l\u2019équipe de révision et le lien "
                        "pour y répondre y sont envoyés.",
                    },
                }
            ],
        ),
        "4": result(request=requests[1].pk, created=True),
    }

    page = client.get(detail_url(bulk, "all"))
    assert messages_of(page) == [
        "2 requests were submitted. The GCC review team decides within two business days."
    ]
    assert row_statuses(page) == {2: "submitted", 3: "errors", 4: "submitted"}
    [link] = elements(None, tag="a", within=element(page, id="row-2"))
    assert attr(link, "href") == reverse("customers:validation_detail", args=[requests[0].pk])
    assert text(link) == f"Request #{requests[0].pk}"
    assert "Skipped: problems" in text(element(page, id="row-3"))
    assert elements(page, id="bulk-submit-form") == []


def test_the_submit_reposted_creates_nothing_more(client, admin, reviewer):
    bulk = uploaded(client, [bulk_row(1), bulk_row(2)])
    client.get(client.post(submit_url(bulk)).url)  # (its message shown)
    before = snapshot()
    mail.outbox.clear()

    response = client.post(submit_url(bulk))

    assert response.status_code == 302
    assert_nothing_changed(before)
    assert messages_of(client.get(response.url)) == []


def test_the_same_file_uploaded_again_submits_nothing_twice(client, admin, reviewer):
    rows = [bulk_row(1), bulk_row(2)]
    first = uploaded(client, rows)
    assert uploaded(client, rows) == first  # before its submit: the same upload
    client.post(submit_url(first))
    created = set(CustomerValidationRequest.objects.values_list("pk", flat=True))

    # The same rows (a third row added, another file name) after the submit.
    again = uploaded(client, [*rows, bulk_row(3)], name="customers (1).csv")
    assert again != first
    preview = client.get(detail_url(again))
    assert row_statuses(preview) == {2: "submitted", 3: "submitted", 4: "ready"}
    assert "Already submitted" in text(element(preview, id="row-2"))
    assert text(element(preview, id="summary-submitted-before")) == "2 rows already submitted"
    client.post(submit_url(again))

    assert CustomerValidationRequest.objects.count() == 3
    assert created < set(CustomerValidationRequest.objects.values_list("pk", flat=True))
    again.refresh_from_db()
    assert [again.results[line]["created"] for line in ("2", "3", "4")] == [False, False, True]
    result = client.get(detail_url(again))
    assert text(element(result, id="summary-created")) == "1 request submitted by this upload"


def test_a_rows_key_is_made_of_the_request_fields_only(admin):
    fields = {
        "organization_legal_name": "City of Springfield",
        "organization_type": "local",
        "regulated_data": [],
        "government_domain": "springfield.gov",
        "contact_name": "Robin Clerk",
        "contact_email": "robin@springfield.gov",
        "contact_phone": "+1 217 555 0199",
        "commercial_tenant_id": "00000000-0000-0000-0000-000000000001",
    }

    key = bulk_row_key(organization_id=1, cleaned=fields)

    # A field the form has but the submit does not write (the pre-check's answers) is no part.
    assert bulk_row_key(organization_id=1, cleaned={**fields, "eligibility_answers": {"a": 1}}) == (
        key
    )
    assert bulk_row_key(organization_id=1, cleaned={**fields, "contact_name": "Sam"}) != key
    assert (
        "eligibility_answers" not in BulkRowForm(organization=admin.membership.organization).fields
    )


@pytest.mark.parametrize("closed", [ReviewStatus.REJECTED, ReviewStatus.WITHDRAWN])
def test_a_row_whose_request_was_rejected_or_withdrawn_is_submitted_again_once(
    client, admin, reviewer, closed
):
    rows = [bulk_row(1), bulk_row(2)]
    first = uploaded(client, rows)
    client.post(submit_url(first))
    old = CustomerValidationRequest.objects.get(government_domain="city1.gov")
    CustomerValidationRequest.objects.filter(pk=old.pk).update(status=closed)

    # The same file after the decision: row 2's request stands, row 1 may go again.
    again = uploaded(client, rows, name="again.csv")
    preview = client.get(detail_url(again, "all"))
    assert row_statuses(preview) == {2: "ready", 3: "submitted"}
    assert f"Submitted again after request #{old.pk}" in text(element(preview, id="row-2"))
    assert "(Submitted)" in text(element(preview, id="row-3"))
    client.post(submit_url(again))

    new = CustomerValidationRequest.objects.exclude(pk=old.pk).get(government_domain="city1.gov")
    assert new.status == ReviewStatus.SUBMITTED
    assert new.idempotency_key == bulk_row_key_after(key=old.idempotency_key, request_id=old.pk)
    assert CustomerValidationRequest.objects.count() == 3
    # Uploaded a third time: the new request is found, nothing is made twice.
    third = uploaded(client, rows, name="third.csv")
    assert row_statuses(client.get(detail_url(third, "all"))) == {2: "submitted", 3: "submitted"}
    client.post(submit_url(third))
    assert CustomerValidationRequest.objects.count() == 3
    # Rejected again: the chain goes on, one step at a time.
    CustomerValidationRequest.objects.filter(pk=new.pk).update(status=closed)
    fourth = uploaded(client, rows, name="fourth.csv")
    client.post(submit_url(fourth))
    assert CustomerValidationRequest.objects.filter(government_domain="city1.gov").count() == 3


def test_a_rows_request_fields_are_built_as_the_single_submit_builds_them(
    client, admin, monkeypatch
):
    built = []
    fields = bulk_services.customer_validation_request_fields
    monkeypatch.setattr(
        bulk_services,
        "customer_validation_request_fields",
        lambda **kwargs: (
            built.append(kwargs["values"]["organization_legal_name"]) or fields(**kwargs)
        ),
    )
    bulk = uploaded(client, [bulk_row(1, government_domain="City1.GOV")])

    client.post(submit_url(bulk))

    assert built == ["City of Springfield 1"]
    request = CustomerValidationRequest.objects.get()
    assert (request.government_domain, request.contact_email) == (
        "city1.gov",
        "robin.clerk@city1.gov",
    )


def test_a_row_submitted_meanwhile_by_another_upload_is_not_created_twice(
    client, admin, gcc_enabled, monkeypatch
):
    """Two uploads of the same rows submitted at the same moment: the other transaction's
    insert of a key makes this batch's insert fail; its rows then go one by one, and the
    request already there is taken, not created again."""
    bulk = uploaded(client, [bulk_row(1), bulk_row(2)])
    checked = bulk_services.bulk_rows_check

    def checked_then_raced(**kwargs):
        checks = checked(**kwargs)
        # The other upload's request for row 3, inserted after this one read the keys.
        CustomerValidationRequestFactory(
            organization=gcc_enabled,
            idempotency_key=checks[1].key,
            government_domain="city2.gov",
        )
        return checks

    monkeypatch.setattr(bulk_services, "bulk_rows_check", checked_then_raced)

    client.post(submit_url(bulk))

    raced = CustomerValidationRequest.objects.get(government_domain="city2.gov")
    created = CustomerValidationRequest.objects.get(government_domain="city1.gov")
    assert CustomerValidationRequest.objects.count() == 2
    bulk.refresh_from_db()
    assert bulk.results == {
        "2": result(request=created.pk, created=True),
        "3": result(request=raced.pk),
    }
    assert AuditEvent.objects.for_subject(created).count() == 1
    assert AuditEvent.objects.for_subject(raced).count() == 0


def test_an_organization_no_longer_approved_submits_nothing(client, admin, gcc_enabled):
    bulk = uploaded(client, [bulk_row(1)])
    gcc_enabled.reseller_qualifications.all().delete()
    before = snapshot()

    response = client.post(submit_url(bulk))

    assert response.status_code == 302
    assert messages_of(client.get(response.url))[0].startswith(
        "Your organization is not approved for GCC yet."
    )
    assert_nothing_changed(before)


def test_webhook_events_are_recorded_for_each_created_request(client, admin, gcc_enabled, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    webhook_services.webhook_endpoint_register(
        organization=gcc_enabled,
        actor=admin,
        url="http://127.0.0.1:9/hook",
        description="",
        event_types=[EventType.CUSTOMER_VALIDATION_STATUS_CHANGED],
    )
    bulk = uploaded(client, [bulk_row(1), bulk_row(2)])

    client.post(submit_url(bulk))

    requests = {str(r.pk): r for r in CustomerValidationRequest.objects.all()}
    messages = list(
        WebhookMessage.objects.filter(event_type=EventType.CUSTOMER_VALIDATION_STATUS_CHANGED)
    )
    assert sorted(m.payload["data"]["validationRequestId"] for m in messages) == sorted(requests)
    data = messages[0].payload["data"]
    assert data["action"] == "submitted"
    assert data["previousStatus"] is None
    assert data["status"] == "submitted"
    assert data["domain"] == requests[data["validationRequestId"]].government_domain
    assert all(m.deliveries.count() == 1 for m in messages)


def test_an_indirect_resellers_rows_carry_its_providers_tenant_id(client, db):
    provider = OrganizationFactory(partner_type=Organization.PartnerType.INDIRECT_PROVIDER)
    ResellerQualificationFactory(organization=provider)
    reseller = OrganizationFactory(
        partner_type=Organization.PartnerType.INDIRECT_RESELLER, indirect_provider=provider
    )
    client.force_login(agent_of(reseller, Membership.Role.ADMIN_AGENT))
    bulk = uploaded(
        client,
        [
            bulk_row(1),
            bulk_row(1, commercial_tenant_id=str(provider.commercial_tenant_id)),
            bulk_row(3, commercial_tenant_id=str(reseller.commercial_tenant_id)),
        ],
    )

    preview = client.get(detail_url(bulk, "all"))
    assert row_statuses(preview) == {2: "ready", 3: "repeated", 4: "errors"}
    assert "This is your own organization's tenant ID." in text(element(preview, id="row-4"))
    client.post(submit_url(bulk))

    [request] = CustomerValidationRequest.objects.all()
    assert request.organization == reseller
    assert request.transacting_partner == provider
    assert request.commercial_tenant_id == provider.commercial_tenant_id


# -- who may ---------------------------------------------------------------------------------


def test_a_sales_agent_is_refused_every_bulk_page_and_action(
    client, admin, sales_agent, gcc_enabled
):
    bulk = uploaded(client, [bulk_row(1)])
    client.force_login(sales_agent)
    before = snapshot()
    refusal = (
        "Only an Admin agent can submit customer validation requests in bulk. Submit them one "
        "at a time, or ask an Admin agent of your organization."
    )

    for response in [
        client.get(UPLOAD),
        client.get(reverse("customers:validation_bulk_template")),
        client.get(detail_url(bulk)),
        upload(client, bulk_file([bulk_row(2)])),
        client.post(submit_url(bulk)),
    ]:
        assert response.status_code == 403
        assert refusal in page_text(response)
    assert_nothing_changed(before)
    with pytest.raises(ActionNotAllowed, match="Only an Admin agent"):
        bulk_services.customer_validation_bulk_submit(
            organization=gcc_enabled, actor=sales_agent, bulk_id=bulk.pk
        )
    assert_nothing_changed(before)


def test_an_organization_not_approved_for_gcc_is_told_why(client, organization, admin_agent):
    client.force_login(admin_agent)

    response = client.get(UPLOAD)

    assert text(element(response, id="unavailable-reason")).startswith(
        "Your organization is not approved for GCC yet."
    )
    assert upload(client, bulk_file([bulk_row(1)])).status_code == 409
    assert BulkSubmission.objects.count() == 0


def test_another_organizations_upload_is_not_found(
    client, admin, other_organization, other_admin_agent
):
    ResellerQualificationFactory(organization=other_organization)
    bulk = uploaded(client, [bulk_row(1)])
    client.force_login(other_admin_agent)
    before = snapshot()

    assert client.get(detail_url(bulk)).status_code == 404
    assert client.post(submit_url(bulk)).status_code == 404
    with pytest.raises(BulkSubmission.DoesNotExist):
        bulk_services.customer_validation_bulk_submit(
            organization=other_organization, actor=other_admin_agent, bulk_id=bulk.pk
        )
    assert_nothing_changed(before)


# -- queries ---------------------------------------------------------------------------------


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code in (200, 302)
    return len(queries)


def test_queries_do_not_grow_with_the_rows(client, admin, reviewer, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    webhook_services.webhook_endpoint_register(
        organization=admin.membership.organization,
        actor=admin,
        url="http://127.0.0.1:9/hook",
        description="",
        event_types=[EventType.CUSTOMER_VALIDATION_STATUS_CHANGED],
    )
    counts = {}
    for size in (5, 50):
        rows = [bulk_row(n, government_domain=f"size{size}-city{n}.gov") for n in range(size)]
        file = bulk_file(rows)
        uploaded_count = _queries(lambda file=file: upload(client, file))
        bulk = BulkSubmission.objects.latest("pk")
        preview = _queries(lambda bulk=bulk: client.get(detail_url(bulk)))
        submit = _queries(lambda bulk=bulk: client.post(submit_url(bulk)))
        result = _queries(lambda bulk=bulk: client.get(detail_url(bulk)))
        counts[size] = (uploaded_count, preview, submit, result)
        assert (
            CustomerValidationRequest.objects.filter(
                government_domain__startswith=f"size{size}-"
            ).count()
            == size
        )

    # Ten times the rows, not one query more (the first round also fills Django's caches).
    assert all(c50 <= c5 for c5, c50 in zip(counts[5], counts[50], strict=True)), counts


# -- the purge of contacts -------------------------------------------------------------------


def test_the_purge_deletes_old_unsubmitted_uploads_and_trims_old_submitted_ones(client, admin):
    # given: an upload left unsubmitted, one submitted, one just uploaded
    left = uploaded(client, [bulk_row(1)], name="left.csv")
    sent = uploaded(client, [bulk_row(2), bulk_row(3, contact_name="")], name="sent.csv")
    client.post(submit_url(sent))
    sent.refresh_from_db()
    results = sent.results
    day = dt.timedelta(days=1)

    # when: 6 days later, nothing is due
    assert bulk_services.bulk_submission_purge(now=left.created_at + 6 * day) == 0
    # 7 days after: the unsubmitted upload goes; the submitted one is kept whole
    assert bulk_services.bulk_submission_purge(now=left.created_at + 8 * day) == 1
    assert not BulkSubmission.objects.filter(pk=left.pk).exists()
    assert BulkSubmission.objects.get(pk=sent.pk).rows == sent.rows
    # 30 days after the submit: its contacts go
    assert bulk_services.bulk_submission_purge(now=sent.submitted_at + 30 * day) == 1

    # then
    sent.refresh_from_db()
    assert sent.rows == [
        {
            "line": 2,
            "values": {
                "organization_legal_name": "City of Springfield 2",
                "government_domain": "city2.gov",
            },
        },
        {
            "line": 3,
            "values": {
                "organization_legal_name": "City of Springfield 3",
                "government_domain": "city3.gov",
            },
        },
    ]
    assert sent.results == results
    assert sent.rows_purge_at is None
    # Idempotent: the next run finds nothing more to do.
    assert bulk_services.bulk_submission_purge(now=sent.submitted_at + 31 * day) == 0
    page = client.get(detail_url(sent, "all"))
    assert row_statuses(page) == {2: "submitted", 3: "errors"}
    assert "robin" not in page_text(page).lower()
    assert text(element(page, id="rows-removed")) == (
        "This upload's contacts were removed 30 days after its submit; each row keeps its "
        "customer and what it became."
    )


def test_the_purge_task_is_scheduled(settings):
    [entry] = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "customers.tasks.bulk_submission_purge_task"
    ]
    assert bulk_submission_purge_task.name == entry["task"]
    assert bulk_submission_purge_task.acks_late is True
