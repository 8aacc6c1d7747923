import datetime as dt
import os
import smtplib
import uuid

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import translation

from notifications.models import OutboxMessage
from notifications.services import Outcome, email_enqueue, outbox_message_send
from partners import services
from partners.models import Membership, Organization, PartnerValidationRequest
from reviews.services import review_start
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ResellerQualificationFactory,
    ReviewerFactory,
    UserFactory,
    validation_answers,
)
from tests.mfa import PortalClient
from tests.s3 import s3_bucket, s3_documents, s3_server  # noqa: F401 (fixtures)
from tests.services import own_redis, smtp_sink, webhook_receiver  # noqa: F401 (fixtures)
from tests.worker import (  # noqa: F401 (fixtures)
    celery_not_eager,
    celery_worker_factory,
    celery_worker_process,
)


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=os.environ.get("TEST_CLOCK", ""),
        metavar="HH:MM",
        help=(
            "Run with this process's clock moved to HH:MM UTC today (it keeps ticking), e.g. "
            "02:30, when the review time zone's date is still yesterday. Not for tests that "
            "start other processes (worker, browser): their clocks stay real."
        ),
    )


def pytest_collection_modifyitems(config, items):
    """The longest tests first (the fault tests, the production processes): pytest-xdist
    hands tests out in this order, and a long test handed out last keeps its worker busy
    after the other has finished. The order is otherwise kept."""
    items.sort(key=lambda item: 0 if {"faults", "processes"} & set(item.keywords) else 1)


@pytest.fixture(scope="session", autouse=True)
def _clock(request):
    """`--clock HH:MM`: the suite must pass at any hour, so it can be run at the hard ones."""
    value = request.config.getoption("--clock")
    if not value:
        yield None
        return
    hour, minute = (int(part) for part in value.split(":"))
    destination = dt.datetime.now(dt.UTC).replace(hour=hour, minute=minute, second=0)
    with time_machine.travel(destination, tick=True):
        yield destination


@pytest.fixture(autouse=True)
def _catalogue_present(request):
    """A transactional test's flush empties what the data migrations filled (the offers): a
    later test of the same worker, whichever it is, finds the catalogue again."""
    uses_database = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
    } & set(request.fixturenames)
    if uses_database:
        request.getfixturevalue("_django_db_helper")  # the database first, as the test has it
        from orders.catalogue import catalogue_load
        from orders.models import Offer

        if not Offer.objects.exists():
            catalogue_load(Offer)


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts in the default language: a page requested by a French user leaves
    French active in the thread (Django's middleware activates, nothing deactivates), which
    a later test's messages would otherwise be in."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def client() -> PortalClient:
    """pytest-django's `client`, whose force_login is a session past sign-in, second factor
    included (tests/mfa.py)."""
    return PortalClient()


@pytest.fixture
def admin_client(db, admin_user) -> PortalClient:
    client = PortalClient()
    client.force_login(admin_user)
    return client


@pytest.fixture
def organization(db) -> Organization:
    return OrganizationFactory()


@pytest.fixture
def admin_agent(organization):
    return MembershipFactory(organization=organization, role=Membership.Role.ADMIN_AGENT).user


@pytest.fixture
def sales_agent(organization):
    return MembershipFactory(organization=organization, role=Membership.Role.SALES_AGENT).user


@pytest.fixture
def helpdesk_agent(organization):
    return MembershipFactory(organization=organization, role=Membership.Role.HELPDESK_AGENT).user


@pytest.fixture
def billing_admin(organization):
    return MembershipFactory(organization=organization, role=Membership.Role.BILLING_ADMIN).user


@pytest.fixture
def reviewer(db):
    return ReviewerFactory()


@pytest.fixture
def staff_without_decide(db):
    """Staff who may look at the customer validation queue but not decide (not in the
    reviewer group)."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="customers", codename="view_customervalidationrequest"
        )
    )
    return user


@pytest.fixture
def lead(settings):
    """A reviewer lead (sends failed emails again, sees the tasks given up)."""
    return ReviewerFactory(groups=[settings.REVIEWER_LEAD_GROUP_NAME])


@pytest.fixture
def gcc_enabled(organization) -> Organization:
    """`organization` (a direct reseller) approved for GCC."""
    ResellerQualificationFactory(organization=organization)
    return organization


@pytest.fixture(params=["helpdesk_agent", "billing_admin"])
def non_gcc_user(request):
    """A signed-in partner user whose role may not take GCC actions, and the role's label."""
    label = {"helpdesk_agent": "Helpdesk agent", "billing_admin": "Billing admin"}[request.param]
    return request.getfixturevalue(request.param), label


@pytest.fixture
def other_organization(db) -> Organization:
    return OrganizationFactory()


@pytest.fixture
def other_admin_agent(other_organization):
    return MembershipFactory(organization=other_organization, role=Membership.Role.ADMIN_AGENT).user


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service the way a view does: emails leave after the commit."""

    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return call


@pytest.fixture
def submit_validation(django_capture_on_commit_callbacks):
    """Submit a partner validation as `user` (emails sent after commit), then clear the outbox."""

    def submit(user, **overrides):
        organization = user.membership.organization
        with django_capture_on_commit_callbacks(execute=True):
            request = services.partner_validation_submit(
                organization=organization,
                submitted_by=user,
                **{**validation_answers(organization), **overrides},
            )
        mail.outbox.clear()
        return request

    return submit


@pytest.fixture
def in_review_validation(submit_validation, admin_agent, reviewer):
    request = submit_validation(admin_agent)
    return review_start(model=PartnerValidationRequest, request_id=request.pk, reviewer=reviewer)


@pytest.fixture
def failed_message(monkeypatch) -> OutboxMessage:
    """An email the mail server refused for good: failed, with the reason."""
    [message] = email_enqueue(
        template="emails/partners/validation_submitted",
        recipients=[("gone@partner.example", "en")],
        context={"request": None, "organization": None, "request_path": "/"},
        dedupe_key="failed",
    )
    # (in a transactional test, sent once already by its on-commit dispatch: made pending
    # again, as if never sent)
    OutboxMessage.objects.filter(pk=message.pk).update(status="pending", attempts=0, sent_at=None)

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"gone@partner.example": (550, b"No such user")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert outbox_message_send(message_id=message.pk) is Outcome.FAILED
    monkeypatch.undo()
    message.refresh_from_db()
    return message


@pytest.fixture(autouse=True)
def rate_limit_counts_of_its_own(settings):
    """Each test counts its public POSTs (gccportal/ratelimits.py) from zero: its own key
    prefix in the shared Redis cache, whose keys expire on their own. Not a flush: that Redis
    database is also the Celery broker's. Also keeps runs of the suite within the hour from
    adding up."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl:test-{uuid.uuid4().hex}:"
