"""Issue 16's "submitting a request costs at most twice a page view", measured in this process.

The bench reseller's Admin agent, signed in past the second factor, submits customer
validation requests through Django's test client: the real form (`/customers/validations/new/`)
read once for its fields, then posted whole, each time with a new one-time key and a new
customer domain, and one small PDF document, as the page sends it. Between submits the same
client GETs two page views: the requests list and one request's page. Every request runs the
full stack (middleware, session, view, templates, the database), but no server or network:
the figures compare the two kinds of request, not a deployment.

The submit's emails go to every reviewer (benchmarks/dataset.py loads 20); its documents go
to Django's InMemoryStorage when the configured storage is S3 (the bench has no bucket), and
its tasks to the configured broker (nothing consumes them there).
"""

import statistics
import time
import uuid
from html.parser import HTMLParser

FORM_PATH = "/customers/validations/new/"
LIST_PATH = "/customers/validations/"
RUNS = 20
# The smallest document the form accepts: its content says PDF, and so does its name.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class _FormFields(HTMLParser):
    """The values a browser would post from the form `form_id`: text and hidden inputs, the
    checked radio buttons and boxes (file inputs and buttons aside)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields: dict[str, list[str]] = {}
        self.radios: dict[str, str] = {}  # the first option of each radio group

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or tag not in ("input", "textarea") or "name" not in attrs:
            return
        kind = attrs.get("type", "text")
        name = attrs["name"]
        if kind in ("file", "submit", "button"):
            return
        if kind == "radio":
            self.radios.setdefault(name, attrs.get("value", ""))
            if "checked" not in attrs:
                return
        if kind == "checkbox" and "checked" not in attrs:
            return
        self.fields.setdefault(name, []).append(attrs.get("value", ""))

    def handle_endtag(self, tag) -> None:
        if tag == "form":
            self.inside = False


def form_fields(html: str) -> dict[str, list[str]]:
    parser = _FormFields("customer-validation-form")
    parser.feed(html)
    fields = parser.fields
    for name, first in parser.radios.items():
        fields.setdefault(name, [first])
    return fields


def submission(fields: dict[str, list[str]], *, n: int) -> dict:
    """The form as the agent fills it in for the `n`th submit: what the page filled in (the
    transacting partner's tenant ID), a new one-time key, a new customer and its contact."""
    run = uuid.uuid4().hex[:12]
    domain = f"bench-{run}.gov"
    document = _upload(f"charter-{n}.pdf", PDF)
    return {
        **fields,
        "idempotency_key": str(uuid.uuid4()),
        "organization_legal_name": f"Bench County {run}",
        "organization_type": "local",
        "government_domain": domain,
        "contact_name": "Robin Clerk",
        "contact_email": f"it@{domain}",
        "contact_phone": "+1 217 555 0199",
        "documents": [document],
    }


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    response = call()
    return (time.perf_counter() - started) * 1000, response


def _queries(call) -> tuple[int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = call()
    return len(queries), response


def _document_storage():
    """InMemoryStorage for the documents when the configured storage is S3 (no bucket here);
    the configured one otherwise."""
    from django.conf import settings
    from django.test import override_settings

    backend = settings.STORAGES["default"]["BACKEND"]
    if "s3" not in backend.lower():
        return override_settings()
    return override_settings(
        STORAGES={
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        }
    )


def measure(loaded, *, runs: int = RUNS) -> dict:
    """Median milliseconds of a submit and of each page view (the same client, turns taken),
    their ratios, and each request's query count."""
    from django.contrib.auth import get_user_model

    from customers.validations.models import CustomerValidationRequest
    from reviews.selectors import reviewer_users
    from tests.mfa import PortalClient

    agent = get_user_model().objects.get(email=loaded.reseller_agent_email)
    client = PortalClient()
    client.force_login(agent)
    request = (
        CustomerValidationRequest.objects.filter(organization_id=loaded.reseller_id)
        .order_by("pk")
        .first()
    )
    detail_path = f"/customers/validations/{request.pk}/"

    def get(path):
        def call():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response

        return call

    with _document_storage():
        form = get(FORM_PATH)()  # also the session's first request (its activity recorded)
        fields = form_fields(form.content.decode())

        def submit(n: int):
            def call():
                response = client.post(FORM_PATH, submission(fields, n=n))
                assert response.status_code == 302, (
                    response.status_code,
                    response.content.decode()[-3000:],
                )
                return response

            return call

        # Warm up (templates, translations, connections), then count each request's queries.
        for call in (get(LIST_PATH), get(detail_path), submit(0)):
            call()
        counts = {
            "submit": _queries(submit(1))[0],
            "list": _queries(get(LIST_PATH))[0],
            "detail": _queries(get(detail_path))[0],
        }
        times: dict[str, list[float]] = {"submit": [], "list": [], "detail": []}
        for n in range(runs):
            times["submit"].append(_timed(submit(n + 2))[0])
            times["list"].append(_timed(get(LIST_PATH))[0])
            times["detail"].append(_timed(get(detail_path))[0])

    submit_ms = statistics.median(times["submit"])
    list_ms = statistics.median(times["list"])
    detail_ms = statistics.median(times["detail"])
    page_ms = statistics.median(times["list"] + times["detail"])
    return {
        "runs": runs,
        "reviewers": reviewer_users().count(),
        "submit_ms": round(submit_ms, 1),
        "page_ms": round(page_ms, 1),  # both page views' runs together
        "list_ms": round(list_ms, 1),
        "detail_ms": round(detail_ms, 1),
        "ratio": round(submit_ms / page_ms, 2),
        "ratio_to_list": round(submit_ms / list_ms, 2),
        "ratio_to_detail": round(submit_ms / detail_ms, 2),
        "queries": counts,
    }
