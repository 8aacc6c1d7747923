"""Rate limits on the public pages whose POST sends email: per link and per client IP, each
its own setting; over either, a 429 page saying when to try again, and nothing sent."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from customers.invitations import services as invitation_services
from customers.validations import services as validation_services
from customers.validations.links import info_link_path
from customers.validations.models import CustomerValidationRequest
from notifications.models import OutboxMessage
from reviews.services import review_start
from tests.factories import customer_validation_answers, info_answer_form_data
from tests.html import attr, element, elements, text

pytestmark = pytest.mark.django_db

ANSWERS = {
    "company_name": "Springfield County",
    "primary_domain": "springfield.gov",
    "accepted_by_name": "Robin Clerk",
    "accepted_by_email": "robin@springfield.gov",
}
CONFIRMATION = "emails/customers/invitation_confirmation"
TOO_OFTEN = re.compile(r"^You have tried this too often\. Try again in (\d+) minutes?\.$")


@pytest.fixture
def limits(settings):
    """Set the two limits of a test: `limits(per_link="3/h", per_ip="100/h")`."""

    def set_limits(*, per_link: str = "100/h", per_ip: str = "100/h") -> None:
        settings.PUBLIC_EMAIL_RATE_PER_LINK = per_link
        settings.PUBLIC_EMAIL_RATE_PER_IP = per_ip

    return set_limits


@pytest.fixture
def frozen():
    """The clock stopped at a fixed instant (windows are fixed; Redis keys expire in real
    time, longer than any window here)."""
    with time_machine.travel(dt.datetime(2026, 3, 10, 14, 7, 30, tzinfo=dt.UTC), tick=False) as t:
        yield t


@pytest.fixture
def invitation_link(gcc_enabled, sales_agent):
    """Factory: the path of a new sent invitation's personalized link."""

    def new_link() -> str:
        invitation = invitation_services.invitation_create(
            organization=gcc_enabled, created_by=sales_agent
        )
        invitation = invitation_services.invitation_send(
            invitation_id=invitation.pk,
            organization=gcc_enabled,
            actor=sales_agent,
            subject=invitation.subject,
            body=invitation.body,
        )
        return urlsplit(invitation_services.invitation_link(invitation)).path

    return new_link


@pytest.fixture
def answer_url(gcc_enabled, admin_agent, reviewer) -> tuple[CustomerValidationRequest, str]:
    request = validation_services.customer_validation_submit(
        organization=gcc_enabled,
        submitted_by=admin_agent,
        **customer_validation_answers(gcc_enabled),
    )
    review_start(model=CustomerValidationRequest, request_id=request.pk, reviewer=reviewer)
    request = validation_services.customer_validation_request_info(
        request_id=request.pk, reviewer=reviewer, message="Send the county charter."
    )
    return request, info_link_path(request_id=request.pk, nonce=request.info_link_nonce)


def answers_of(mailbox: str) -> dict:
    return {**ANSWERS, "accepted_by_email": f"{mailbox}@springfield.gov"}


def confirmations() -> int:
    return OutboxMessage.objects.filter(template=CONFIRMATION).count()


def said(response) -> list[str]:
    """The paragraphs of the 429 page."""
    return [text(p) for p in elements(None, tag="p", within=element(response, id="rate-limited"))]


def minutes_of(response) -> int:
    """N of "Try again in N minutes." on a 429 page (which must say exactly that)."""
    match = TOO_OFTEN.match(said(response)[0])
    assert match, said(response)
    return int(match[1])


# -- per link ------------------------------------------------------------------------------


def test_confirmations_of_one_link_are_limited_per_hour(client, limits, frozen, invitation_link):
    limits(per_link="3/h")
    link = invitation_link()

    # (three people of the county, each mailed a link)
    sent = [client.post(link, answers_of(f"robin{n}")) for n in range(3)]
    refused = client.post(link, answers_of("robin3"))

    assert [r.status_code for r in sent] == [200, 200, 200]
    assert [text(elements(r, tag="h1")[0]) for r in sent] == ["Check your email"] * 3
    assert refused.status_code == 429
    assert confirmations() == 3  # the fourth was not sent
    # another link of the same client is not limited by this one's count
    assert client.post(invitation_link(), ANSWERS).status_code == 200


def test_try_again_in_n_minutes_is_when_the_link_works_again(
    client, limits, frozen, invitation_link
):
    limits(per_link="1/h")
    link = invitation_link()
    assert client.post(link, ANSWERS).status_code == 200

    refused = client.post(link, ANSWERS)
    wait = int(refused["Retry-After"])
    minutes = minutes_of(refused)

    # then: N is the wait in whole minutes, within the hour's window
    assert 1 <= wait <= 3600
    assert minutes == -(-wait // 60)
    # a second before the wait is over: still refused; at its end: sent
    frozen.shift(wait - 1)
    assert client.post(link, ANSWERS).status_code == 429
    frozen.shift(1)
    assert client.post(link, ANSWERS).status_code == 200
    assert confirmations() == 2


def test_every_post_counts_even_a_form_with_errors_but_showing_the_page_does_not(
    client, limits, frozen, invitation_link
):
    limits(per_link="2/h")
    link = invitation_link()

    shown = [client.get(link) for _ in range(5)]
    with_errors = [client.post(link, {**ANSWERS, "accepted_by_email": "robin@elsewhere.example"})]
    with_errors.append(client.post(link, {}))
    refused = client.post(link, ANSWERS)

    assert [r.status_code for r in shown] == [200] * 5
    assert [r.status_code for r in with_errors] == [200, 200]
    assert refused.status_code == 429
    assert confirmations() == 0


# -- per IP --------------------------------------------------------------------------------


def test_one_client_ip_is_limited_across_links(client, limits, frozen, invitation_link):
    limits(per_ip="3/h")
    links = [invitation_link() for _ in range(4)]

    first_three = [client.post(link, ANSWERS) for link in links[:3]]
    fourth = client.post(links[3], ANSWERS)
    other_client = client.post(links[3], ANSWERS, REMOTE_ADDR="198.51.100.7")

    assert [r.status_code for r in first_three] == [200, 200, 200]
    assert fourth.status_code == 429
    assert other_client.status_code == 200
    assert confirmations() == 4


def test_x_forwarded_for_is_ignored_unless_the_request_comes_from_a_trusted_proxy(
    client, limits, frozen, invitation_link, settings
):
    limits(per_ip="2/h")
    link = invitation_link()

    # given: no trusted proxy (the default): a client can't pose as many by the header
    forged = [
        client.post(link, ANSWERS, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") for n in range(1, 4)
    ]
    assert [r.status_code for r in forged] == [200, 200, 429]

    # when: the request comes through the configured proxy, its header names the client
    settings.TRUSTED_PROXY_IPS = ["10.0.0.1"]
    other_link = invitation_link()
    via_proxy = [
        client.post(
            other_link, ANSWERS, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        )
        for n in range(1, 4)
    ]
    # each client counts apart; the one posting twice more is limited
    same_client = [
        client.post(other_link, ANSWERS, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1")
        for _ in range(2)
    ]
    # the header from an address that is not the proxy is still ignored
    not_proxy = client.post(
        other_link, ANSWERS, REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="203.0.113.99"
    )

    assert [r.status_code for r in via_proxy] == [200, 200, 200]
    assert [r.status_code for r in same_client] == [200, 429]
    assert not_proxy.status_code == 200


# -- the other public pages that send email ------------------------------------------------


def test_the_customer_contacts_answer_page_is_limited_per_link(client, limits, frozen, answer_url):
    limits(per_link="2/h")
    request, url = answer_url
    emails_before = OutboxMessage.objects.count()

    with_errors = [client.post(url, info_answer_form_data("")) for _ in range(2)]
    refused = client.post(url, info_answer_form_data("Charter attached."))

    assert [r.status_code for r in with_errors] == [200, 200]
    assert refused.status_code == 429
    request.refresh_from_db()
    assert request.status == CustomerValidationRequest.Status.INFO_REQUESTED
    assert OutboxMessage.objects.count() == emails_before  # reviewers were not emailed
    assert client.get(url).status_code == 200  # the page still shows


def test_the_confirmation_page_is_limited_per_ip(client, limits, frozen, invitation_link):
    limits(per_ip="1/h")
    confirm = reverse("customers:invitation_confirm", args=["not-a-token"])

    first = client.post(confirm)
    second = client.post(confirm)

    assert first.status_code == 404  # an invalid link, counted all the same
    assert second.status_code == 429


# -- the page ------------------------------------------------------------------------------


def test_the_429_page_says_when_to_try_again_and_links_back(
    client, limits, frozen, invitation_link
):
    limits(per_link="1/h")
    link = invitation_link()
    client.post(link, ANSWERS)

    response = client.post(link, ANSWERS)

    assert response.status_code == 429
    assert text(elements(response, tag="h1")[0]) == "Too many attempts"
    paragraphs = said(response)
    assert TOO_OFTEN.match(paragraphs[0])
    assert paragraphs[1] == (
        "Nothing was sent this time: the limit protects the people who receive the portal's emails."
    )
    back = element(response, tag="a", within=element(response, id="rate-limited"))
    assert (text(back), attr(back, "href")) == ("Back to the page", link)
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()
    assert "Springfield" not in response.content.decode()


def test_one_minute_is_said_in_the_singular(client, limits, frozen, invitation_link):
    limits(per_link="1/m")
    link = invitation_link()
    client.post(link, ANSWERS)

    response = client.post(link, ANSWERS)

    assert response.status_code == 429
    assert "Try again in 1 minute." in text(element(response, id="rate-limited"))


# -- configuration and failure -------------------------------------------------------------


@pytest.mark.parametrize("rate", ["5", "five/h", "0/h", "5/0h", "5/w"])
def test_a_malformed_rate_is_refused_naming_its_setting(client, limits, invitation_link, rate):
    limits(per_ip=rate)

    with pytest.raises(ImproperlyConfigured, match="PUBLIC_EMAIL_RATE_PER_IP"):
        client.post(invitation_link(), ANSWERS)


def test_a_failing_cache_lets_the_customer_through(client, limits, invitation_link, monkeypatch):
    limits(per_link="1/h", per_ip="1/h")

    def cache_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr("gccportal.ratelimits.get_usage", cache_down)
    link = invitation_link()

    assert [client.post(link, ANSWERS).status_code for _ in range(3)] == [200, 200, 200]
