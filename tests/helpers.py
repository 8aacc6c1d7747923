"""Helpers shared by test modules (a test module never imports another test module).

HTML pages are read with `tests.html`; two callers racing with `tests.race`.
"""

import csv
import datetime as dt
import io
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.invitations import services as invitation_services
from customers.models import Customer, CustomerQualification, CustomerRelationship
from notifications.models import OutboxMessage
from partners.models import Membership, Organization
from reviews.models import AuditEvent, ReviewStatus
from tests.factories import CustomerFactory, GccValidationFactory, MembershipFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "charter.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in Path(root).rglob("*") if path.is_file())


# Every variable the portal's settings read (and `make run`'s HOST/PORT).
SETTINGS_VARIABLE_PREFIXES = ("DJANGO_", "DATABASE_", "CELERY_", "REDIS_", "PORTAL_", "AWS_")
SETTINGS_VARIABLES = {"GCCPORTAL_VAR_DIR", "HOST", "PORT", "BEAT_HEARTBEAT_FILE"}


def environment_without_settings() -> dict[str, str]:
    """This process's environment less the portal's settings: a child process started with it
    (plus what a test adds) is configured by the test alone."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(SETTINGS_VARIABLE_PREFIXES) and key not in SETTINGS_VARIABLES
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.2, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")


def process_stop(process: subprocess.Popen, *, timeout: float = 15) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


# -- people, customers, requests -----------------------------------------------------------


def agent_of(organization: Organization, role=Membership.Role.SALES_AGENT, **user):
    """A new member of `organization` with `role`; `user` sets the user's fields."""
    return MembershipFactory(
        organization=organization, role=role, **{f"user__{k}": v for k, v in user.items()}
    ).user


def customer_of(
    organization: Organization | None = None, *, gcc: bool = False, **fields
) -> Customer:
    """A customer (`fields` for CustomerFactory), managed by `organization` when given.

    With `gcc`, it holds an approved GCC qualification, validated by a code of
    `organization` (of another partner when there is none) issued for its name.
    """
    customer = CustomerFactory(**fields)
    if organization is not None:
        CustomerRelationship.objects.create(organization=organization, customer=customer)
    if gcc:
        partner = {"partner": organization} if organization is not None else {}
        code = GccValidationFactory(organization_name=customer.company_name, **partner)
        CustomerQualification.objects.create(
            customer=customer,
            qualification=CustomerQualification.Qualification.GOVERNMENT_COMMUNITY_CLOUD,
            vetting_status=CustomerQualification.VettingStatus.APPROVED,
            validation=code,
            granted_at=code.created_at,
        )
    return customer


def invitation_accepted_by(
    run, invitation, *, company_name: str = "Ogden City", domain: str = "ogden-city.gov"
):
    """The customer (`company_name` at `domain`) accepts `invitation` through its link, as
    `run` runs a service (tests' `run` fixture); its contact a mailbox at the domain."""
    token = invitation_services.invitation_link(invitation).rstrip("/").rsplit("/", 1)[-1]
    return run(
        invitation_services.invitation_accept,
        token=token,
        answers={
            "company_name": company_name,
            "primary_domain": domain,
            "accepted_by_name": "Robin Clerk",
            "accepted_by_email": f"robin@{domain}",
        },
    )


def invitation_sent(organization: Organization, agent=None):
    """A reseller relationship request of `organization`, drafted and marked as sent through
    the services by `agent` (a new Admin agent when not given)."""
    agent = agent or agent_of(organization, Membership.Role.ADMIN_AGENT)
    draft = invitation_services.invitation_create(organization=organization, created_by=agent)
    return invitation_services.invitation_send(
        invitation_id=draft.pk,
        organization=organization,
        actor=agent,
        subject=draft.subject,
        body=draft.body,
    )


# -- what partner users are told -----------------------------------------------------------


def role_refusal(label: str) -> str:
    """What a partner user whose role (`label`) may not take GCC actions is told."""
    return (
        f"Your role ({label}) can't take GCC actions. Only Admin agents and Sales agents can; "
        "ask one of them."
    )


NOT_APPROVED = (
    "Your organization is not approved for GCC yet. Apply for GCC approval first; GCC "
    "customers and orders become available once it is approved."
)
INCOMPLETE = (
    "This form was incomplete, so nothing was submitted. Check the answers and submit the form "
    "again."
)


# -- what an action changed, and what a refused one must not -------------------------------


def reload(obj):
    """A fresh copy of `obj` from the database."""
    return type(obj)._default_manager.get(pk=obj.pk)


def _portal_models() -> list:
    """The models of the portal's own apps (not of installed packages), and the admin's log.
    Users are left out: signing in (the test client's too) writes their last_login."""
    base, packages = Path(settings.BASE_DIR).resolve(), Path(sys.prefix).resolve()
    models = [LogEntry]
    for app in apps.get_app_configs():
        path = Path(app.path).resolve()
        if path.is_relative_to(base) and not path.is_relative_to(packages):
            models += [model for model in app.get_models() if model._meta.label != "accounts.User"]
    return models


def snapshot() -> dict[str, list]:
    """Every row of the portal's tables (see `_portal_models`), by table: what a refused
    action must leave exactly as it was."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in _portal_models()
    }


def assert_nothing_changed(before: dict[str, list]) -> None:
    """No row changed, none added or removed since `before` (a `snapshot`); no email sent."""
    after = snapshot()
    for table, rows in before.items():
        assert after[table] == rows, table
    assert mail.outbox == []


def audit_ids(subject) -> set[int]:
    return set(AuditEvent.objects.for_subject(subject).values_list("pk", flat=True))


def outbox_ids() -> set[int]:
    return set(OutboxMessage.objects.values_list("pk", flat=True))


def the_one_new_audit_event(subject, before: set[int]) -> AuditEvent:
    """The audit event of `subject` written since `before` (its `audit_ids`); fails unless
    there is exactly one."""
    (event,) = AuditEvent.objects.for_subject(subject).exclude(pk__in=before)
    return event


# -- what every reviewed request shares: its moves and its clock, written out ---------------

NEW_YORK = ZoneInfo("America/New_York")
# Monday 2026-06-15 10:00 EDT: due Wednesday 2026-06-17 17:00 EDT.
MONDAY = dt.datetime(2026, 6, 15, 10, 0, tzinfo=NEW_YORK)
MONDAY_DUE = dt.datetime(2026, 6, 17, 17, 0, tzinfo=NEW_YORK)
MONDAY_DUE_TEXT = "June 17, 2026, 5 p.m. EDT"
# Thursday 2026-06-18 10:00 EDT: due Tuesday 2026-06-23 17:00 EDT (Friday is Juneteenth).
THURSDAY = dt.datetime(2026, 6, 18, 10, 0, tzinfo=NEW_YORK)
THURSDAY_DUE = dt.datetime(2026, 6, 23, 17, 0, tzinfo=NEW_YORK)

OPEN = [ReviewStatus.SUBMITTED, ReviewStatus.IN_REVIEW, ReviewStatus.INFO_REQUESTED]
ALL_STATUSES = [*OPEN, ReviewStatus.APPROVED, ReviewStatus.REJECTED, ReviewStatus.WITHDRAWN]
ACTIONS = ["start_review", "request_info", "answer_info", "approve", "reject", "withdraw"]
# (status, action) → the status it leads to; every other pair is refused.
ALLOWED = {
    (ReviewStatus.SUBMITTED, "start_review"): ReviewStatus.IN_REVIEW,
    (ReviewStatus.IN_REVIEW, "request_info"): ReviewStatus.INFO_REQUESTED,
    (ReviewStatus.INFO_REQUESTED, "answer_info"): ReviewStatus.IN_REVIEW,
    (ReviewStatus.IN_REVIEW, "approve"): ReviewStatus.APPROVED,
    (ReviewStatus.IN_REVIEW, "reject"): ReviewStatus.REJECTED,
    (ReviewStatus.SUBMITTED, "withdraw"): ReviewStatus.WITHDRAWN,
    (ReviewStatus.IN_REVIEW, "withdraw"): ReviewStatus.WITHDRAWN,
    (ReviewStatus.INFO_REQUESTED, "withdraw"): ReviewStatus.WITHDRAWN,
}
FORBIDDEN = [
    (status, action)
    for status in ALL_STATUSES
    for action in ACTIONS
    if (status, action) not in ALLOWED
]
STATUS_LABELS = {
    ReviewStatus.SUBMITTED: "submitted",
    ReviewStatus.IN_REVIEW: "in review",
    ReviewStatus.INFO_REQUESTED: "information requested",
    ReviewStatus.APPROVED: "approved",
    ReviewStatus.REJECTED: "rejected",
    ReviewStatus.WITHDRAWN: "withdrawn",
}


def review_refusal(status: str) -> str:
    """What a move not allowed from `status` is refused with."""
    return (
        f"This request is {STATUS_LABELS[status]}; that action is no longer possible. "
        "Nothing was changed."
    )


def customer_data(**overrides) -> dict:
    """The Add customer form, as the browser posts it, with the form's one-time key (a fresh
    one per call: each call is a new form)."""
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "company_name": "City of Springfield",
        "primary_domain": "Springfield.GOV",
        "address_line1": "800 E Monroe St",
        "address_line2": "",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "627011234",
        "contact_first_name": "Robin",
        "contact_last_name": "Clerk",
        "contact_email": "robin@springfield.example",
        "contact_phone": "+1 217 555 0199",
        "special_qualification": "none",
        **overrides,
    }
    return {key: value for key, value in data.items() if value is not None}


# -- bulk submission of customer validation requests (a CSV file) ---------------------------

# The template's columns, as documented (README): the customer validation form's fields but
# the documents.
BULK_COLUMNS = [
    "organization_legal_name",
    "organization_type",
    "regulated_data",
    "government_domain",
    "contact_name",
    "contact_email",
    "contact_phone",
    "commercial_tenant_id",
]


def bulk_row(n: int = 1, **overrides) -> dict[str, str]:
    """A valid row (customer number `n`: its own name and domain), with `overrides`; the
    tenant ID left empty (filled in)."""
    domain = overrides.get("government_domain", f"city{n}.gov")
    return {
        "organization_legal_name": f"City of Springfield {n}",
        "organization_type": "local",
        "regulated_data": "",
        "government_domain": domain,
        "contact_name": "Robin Clerk",
        "contact_email": f"robin.clerk@{domain}",
        "contact_phone": "+1 217 555 0199",
        "commercial_tenant_id": "",
        **overrides,
    }


def bulk_csv(
    rows: list[dict[str, str]], *, columns: list[str] | None = None, delimiter: str = ","
) -> str:
    """The text of a CSV file of `rows` (Excel's quoting), header first."""
    columns = columns or BULK_COLUMNS
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return out.getvalue()


def bulk_file(
    rows: list[dict[str, str]] | None = None,
    *,
    name: str = "customers.csv",
    content: bytes | None = None,
    bom: bool = True,
    **options,
) -> SimpleUploadedFile:
    """An uploaded CSV of `rows` (UTF-8 with Excel's byte order mark), or of `content`."""
    if content is None:
        content = ("\ufeff" if bom else "").encode() + bulk_csv(rows or [], **options).encode()
    return SimpleUploadedFile(name, content, content_type="text/csv")
