"""Supporting documents through Django's storage API, on local files and on S3.

Every test runs twice: with the embedded default's local files and with production's S3
storage against a local S3-compatible server (moto). Stored privately, served only to the
submitting organization and to reviewers, and nothing left behind by a rolled-back request.
"""

import stat
import uuid
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from customers.validations import services
from customers.validations.links import info_link_path
from customers.validations.models import CustomerValidationDocument, CustomerValidationRequest
from reviews.services import review_start
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ResellerQualificationFactory,
    customer_validation_answers,
    customer_validation_form_data,
)
from tests.helpers import PDF, pdf, stored_files
from tests.s3 import BUCKET, s3_keys

pytestmark = pytest.mark.django_db

PARTNER_DOCUMENT = "customers:validation_document"
ADMIN_DOCUMENT = "admin:customers_customervalidationrequest_document"


class LocalFiles:
    def __init__(self, root):
        self.root = root

    def names(self) -> list[str]:
        return [str(path.relative_to(self.root)) for path in stored_files(self.root)]


class S3Objects:
    def __init__(self, client):
        self.client = client

    def names(self) -> list[str]:
        return s3_keys(self.client)


@pytest.fixture(params=["local", "s3"])
def storage(request, settings, tmp_path):
    """Where documents go: local files (embedded default) or the S3 server (production)."""
    if request.param == "local":
        settings.MEDIA_ROOT = tmp_path / "media"
        return LocalFiles(settings.MEDIA_ROOT)
    return S3Objects(request.getfixturevalue("s3_documents"))


def download(client, url_name: str, document: CustomerValidationDocument):
    return client.get(reverse(url_name, args=[document.request_id, document.pk]))


def test_a_document_is_stored_privately_and_served_to_its_organization_and_reviewers(
    client, storage, gcc_enabled, admin_agent, sales_agent, reviewer, other_admin_agent
):
    # given: the admin agent submits a request with a PDF through the form
    client.force_login(admin_agent)
    response = client.post(
        reverse("customers:validation_create"),
        customer_validation_form_data(gcc_enabled, documents=pdf()),
    )
    assert response.status_code == 302
    document = CustomerValidationDocument.objects.get()

    # then: the file is in the storage under its random name, and only there
    assert storage.names() == [document.file.name]
    assert default_storage.open(document.file.name).read() == PDF

    # when: a Sales agent of the organization and a reviewer download it
    client.force_login(sales_agent)
    by_partner = download(client, PARTNER_DOCUMENT, document)
    client.force_login(reviewer)
    by_reviewer = download(client, ADMIN_DOCUMENT, document)
    # and an agent of another organization guesses its ids, on both addresses
    client.force_login(other_admin_agent)
    guessed = download(client, PARTNER_DOCUMENT, document)
    guessed_in_admin = download(client, ADMIN_DOCUMENT, document)
    client.logout()
    anonymous = download(client, PARTNER_DOCUMENT, document)

    # then: the two allowed get the bytes as an attachment; the others never do
    for allowed in (by_partner, by_reviewer):
        assert allowed.status_code == 200
        assert b"".join(allowed.streaming_content) == PDF
        assert allowed["Content-Disposition"] == 'attachment; filename="charter.pdf"'
    assert guessed.status_code == 404
    assert guessed_in_admin.status_code == 302
    assert guessed_in_admin["Location"].startswith(reverse("admin:login"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))


def test_local_documents_are_readable_by_the_portal_user_alone(client, settings, tmp_path):
    # given: local storage (the embedded default)
    settings.MEDIA_ROOT = tmp_path / "media"
    organization = OrganizationFactory()
    ResellerQualificationFactory(organization=organization)
    agent = MembershipFactory(organization=organization).user
    client.force_login(agent)

    # when
    client.post(
        reverse("customers:validation_create"),
        customer_validation_form_data(organization, documents=pdf()),
    )

    # then: the file is 0600 and its folders 0700 (no other local user reads a document)
    document = CustomerValidationDocument.objects.get()
    path = settings.MEDIA_ROOT / document.file.name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (path.parent, path.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_s3_documents_are_private_objects(client, s3_documents, gcc_enabled, admin_agent):
    # given: production's S3 storage
    client.force_login(admin_agent)

    # when
    client.post(
        reverse("customers:validation_create"),
        customer_validation_form_data(gcc_enabled, documents=pdf()),
    )

    # then: the object grants nothing to anybody but its owner (no public URL works)
    document = CustomerValidationDocument.objects.get()
    grants = s3_documents.get_object_acl(Bucket=BUCKET, Key=document.file.name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert grants[0]["Grantee"]["Type"] == "CanonicalUser"


def test_a_replayed_submission_stores_its_documents_once(client, storage, gcc_enabled, admin_agent):
    # given: a request submitted through the form with two documents
    client.force_login(admin_agent)
    key = uuid.uuid4()

    def post():
        return client.post(
            reverse("customers:validation_create"),
            customer_validation_form_data(
                gcc_enabled, idempotency_key=key, documents=[pdf("a.pdf"), pdf("b.pdf")]
            ),
        )

    first = post()
    stored = storage.names()

    # when: the same form, with the same files, is posted again (a retry after a timeout)
    again = post()

    # then: the retry lands on the first request and writes no file: no orphan in the storage
    assert again["Location"] == first["Location"]
    request = CustomerValidationRequest.objects.get()
    assert len(stored) == 2
    assert storage.names() == stored
    assert sorted(request.documents.values_list("file", flat=True)) == stored


def test_a_replayed_submission_through_the_service_stores_nothing(
    storage, gcc_enabled, admin_agent
):
    # given: a request submitted with key K and one document
    answers = customer_validation_answers(gcc_enabled)
    first = services.customer_validation_submit(
        organization=gcc_enabled, submitted_by=admin_agent, documents=[pdf("a.pdf")], **answers
    )
    stored = storage.names()

    # when: the service is called again with K and other documents
    again = services.customer_validation_submit(
        organization=gcc_enabled,
        submitted_by=admin_agent,
        documents=[pdf("b.pdf"), pdf("c.pdf")],
        **answers,
    )

    # then: the first request, with its one document; no file written
    assert again == first
    assert list(CustomerValidationDocument.objects.values_list("original_name", flat=True)) == [
        "a.pdf"
    ]
    assert len(stored) == 1
    assert storage.names() == stored


def test_a_rolled_back_submission_leaves_no_document_behind(storage, gcc_enabled, admin_agent):
    # given: a failure after the documents were stored (here: while queuing the emails)
    with (
        mock.patch.object(services.review_emails, "submitted", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        # when
        services.customer_validation_submit(
            organization=gcc_enabled,
            submitted_by=admin_agent,
            documents=[pdf("a.pdf"), pdf("b.pdf")],
            **customer_validation_answers(gcc_enabled),
        )

    # then: no request, no document row, and no file in the storage
    assert CustomerValidationRequest.objects.count() == 0
    assert CustomerValidationDocument.objects.count() == 0
    assert storage.names() == []


def test_a_rolled_back_answer_removes_its_documents_and_keeps_the_earlier_ones(
    client, storage, gcc_enabled, admin_agent, reviewer
):
    # given: a request with one document, waiting for the customer's answer
    request = services.customer_validation_submit(
        organization=gcc_enabled,
        submitted_by=admin_agent,
        documents=[pdf("charter.pdf")],
        **customer_validation_answers(gcc_enabled),
    )
    review_start(model=CustomerValidationRequest, request_id=request.pk, reviewer=reviewer)
    request = services.customer_validation_request_info(
        request_id=request.pk, reviewer=reviewer, message="Send the county charter."
    )
    before = storage.names()
    token = info_link_path(request_id=request.pk, nonce=request.info_link_nonce).rstrip("/")
    token = token.rsplit("/", 1)[-1]

    # when: the answer fails after its document was stored
    with (
        mock.patch.object(
            services.review_emails, "info_answered", side_effect=RuntimeError("boom")
        ),
        pytest.raises(RuntimeError),
    ):
        services.customer_validation_answer_info(
            token=token,
            response="Attached.",
            documents=[pdf("answer.pdf")],
            idempotency_key=uuid.uuid4(),
        )

    # then: the earlier document is still there, the answer's is gone, the request waits
    assert storage.names() == before
    assert len(before) == 1
    request.refresh_from_db()
    assert request.status == CustomerValidationRequest.Status.INFO_REQUESTED
    assert request.documents.count() == 1
