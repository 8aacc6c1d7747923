"""Uploads are limited while they stream in: nothing past the limit is read into memory or
written to disk, and the user is told, next to the field, with the rest of the form kept."""

import io

import pytest
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, FakePayload, encode_multipart
from django.test.html import parse_html
from django.urls import reverse

from customers.validations.models import CustomerValidationDocument, CustomerValidationRequest
from gccportal.uploads import DocumentSizeLimitUploadHandler, OversizeUpload
from tests.factories import (
    ResellerQualificationFactory,
    customer_validation_answers,
    customer_validation_form_data,
)
from tests.helpers import PDF, pdf, stored_files

MB = 1024 * 1024


def parse(body: bytes) -> tuple:
    """Parse a multipart body with the portal's upload handlers, as a request would."""
    handlers = [
        DocumentSizeLimitUploadHandler(),
        MemoryFileUploadHandler(),
        TemporaryFileUploadHandler(),
    ]
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    return MultiPartParser(meta, io.BytesIO(body), handlers).parse()


def test_a_file_over_the_limit_is_counted_not_kept(settings):
    # given: documents of at most 1 KB, and a 3 MB file beside a small one and a text field
    settings.CUSTOMER_DOCUMENT_MAX_BYTES = 1024
    big = PDF + b"0" * (3 * MB)
    body = encode_multipart(
        BOUNDARY,
        {"name": "City of Springfield", "big": pdf("big.pdf", big), "small": pdf("small.pdf")},
    )

    # when
    post, files = parse(body)

    # then: the big file arrives as its name and real size with no content (no memory, no
    # temporary file held it); the small file and the text field arrive whole
    oversize = files["big"]
    assert isinstance(oversize, OversizeUpload)
    assert (oversize.name, oversize.size, oversize.read()) == ("big.pdf", len(big), b"")
    assert not isinstance(files["small"], OversizeUpload)
    assert files["small"].read() == PDF
    assert post["name"] == "City of Springfield"


@pytest.mark.django_db
def test_a_body_larger_than_every_document_together_is_refused_unread(
    client, admin_agent, settings
):
    # given: 5 documents of 5 MB at most, and a 200 MB request announced by its length
    settings.CUSTOMER_DOCUMENT_MAX_BYTES = 5 * MB
    settings.CUSTOMER_DOCUMENT_MAX_FILES = 5
    client.force_login(admin_agent)
    payload = FakePayload(b"--" + BOUNDARY.encode() + b"--\r\n")

    # when
    response = client.generic(
        "POST",
        reverse("customers:validation_create"),
        content_type=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(200 * MB),
        **{"wsgi.input": payload},
    )

    # then: 413 with the sizes and a way back, before a byte of the body was read
    assert response.status_code == 413
    assert not payload.read_started
    page = parse_html(response.content.decode())
    text = " ".join(str(page).split())
    assert "You sent 200.0 MB at once; the portal accepts at most 26.0 MB in one form." in text
    assert "Nothing was saved." in text
    assert "A form takes up to 5 documents of at most 5.0 MB each." in text
    assert reverse("customers:validation_create") in response.content.decode()


@pytest.mark.django_db
def test_an_oversize_document_is_refused_next_to_its_field_and_the_form_is_kept(
    client, admin_agent, organization, settings, tmp_path
):
    # given: documents of at most 1 KB, and a GCC-approved partner
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CUSTOMER_DOCUMENT_MAX_BYTES = 1024
    ResellerQualificationFactory(organization=organization)
    client.force_login(admin_agent)
    answers = customer_validation_answers(organization)
    data = customer_validation_form_data(organization)

    # when: a 500 KB scan is attached (within the request's cap, over the document limit)
    response = client.post(
        reverse("customers:validation_create"),
        {**data, "documents": pdf("scan.pdf", PDF + b"0" * (500 * 1024 - len(PDF)))},
    )

    # then: the error is next to the documents field, what was typed is still in the form,
    # nothing was created or stored
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["documents"] == [
        "scan.pdf is 500.0\xa0KB; documents may be at most 1.0\xa0KB. Send a smaller file."
    ]
    assert 'id="error_1_id_documents"' in response.content.decode()
    assert form["organization_legal_name"].value() == "City of Springfield"
    assert form["contact_email"].value() == answers["contact_email"]
    assert CustomerValidationRequest.objects.count() == 0
    assert CustomerValidationDocument.objects.count() == 0
    assert stored_files(settings.MEDIA_ROOT) == []
