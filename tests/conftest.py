import datetime as dt
import os

import pytest
import time_machine
from django.core import mail

from partners import services
from partners.models import Membership, Organization
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ResellerQualificationFactory,
    ReviewerFactory,
    validation_answers,
)
from tests.s3 import s3_bucket, s3_documents, s3_server  # noqa: F401 (fixtures)
from tests.services import own_redis, smtp_sink  # noqa: F401 (fixtures)
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
def gcc_enabled(organization) -> Organization:
    """`organization` (a direct reseller) approved for GCC."""
    ResellerQualificationFactory(organization=organization)
    return organization


@pytest.fixture
def other_organization(db) -> Organization:
    return OrganizationFactory()


@pytest.fixture
def other_admin_agent(other_organization):
    return MembershipFactory(organization=other_organization, role=Membership.Role.ADMIN_AGENT).user


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
    return services.partner_validation_start_review(request_id=request.pk, reviewer=reviewer)
