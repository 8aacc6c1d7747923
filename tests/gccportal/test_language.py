"""Which language the pages are in: a signed-in user's profile language (the footer's picker
saves it there, so it follows them to another browser, and their emails use it); a visitor's
pick (a cookie) or browser; the public link pages in the language the link was sent in,
unless the visitor picked one."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from customers.invitations import services as invitation_services
from customers.invitations.services import invitation_link
from customers.validations import services as validation_services
from customers.validations.links import info_link_path
from customers.validations.models import CustomerValidationRequest
from gccportal.templatetags.moments import moment_html
from notifications.models import OutboxMessage
from orders.templatetags.orders_tags import usd
from partners.models import Membership
from reviews.services import review_start
from tests.factories import customer_validation_answers
from tests.helpers import agent_of, invitation_sent, reload
from tests.html import attr, element, elements, text
from tests.mfa import PortalClient

pytestmark = pytest.mark.django_db


def lang_of(response) -> str:
    """The page's language, as its <html lang> says."""
    return re.search(r'<html lang="([a-z-]+)"', response.content.decode())[1]


def pick(client, language: str, next_url: str = "/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def test_the_picker_saves_a_signed_in_users_choice_on_the_profile(client, admin_agent):
    client.force_login(admin_agent)

    response = pick(client, "fr", "/customers/")

    assert response.status_code == 302 and response["Location"] == "/customers/"
    assert reload(admin_agent).language == "fr"
    page = client.get("/customers/")
    assert (lang_of(page), page["Content-Language"]) == ("fr", "fr")
    assert text(element(page, tag="h1")) == "Clients"


def test_the_profiles_language_follows_the_user_to_another_browser(admin_agent):
    User.objects.filter(pk=admin_agent.pk).update(language="fr")
    browser = PortalClient(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    browser.force_login(admin_agent)

    page = browser.get("/customers/")

    assert lang_of(page) == "fr"


def test_a_visitors_pick_is_a_cookie_and_the_browsers_language_the_default(client):
    assert lang_of(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr-FR")) == "fr"
    assert lang_of(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US")) == "en"

    pick(client, "fr")

    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert lang_of(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US")) == "fr"


def test_an_unknown_language_changes_nothing(client, admin_agent):
    client.force_login(admin_agent)

    pick(client, "de")

    assert reload(admin_agent).language == "en"
    assert lang_of(client.get("/customers/")) == "en"


def test_the_picker_names_each_language_in_itself(client):
    page = client.get(reverse("login"))

    options = elements(None, tag="option", within=element(page, id="language-select"))
    assert [(attr(o, "value"), attr(o, "lang"), text(o)) for o in options] == [
        ("en", "en", "English"),
        ("fr", "fr", "Français"),
    ]


def test_an_invitation_link_opens_in_the_language_it_was_sent_in(client, organization, db):
    invitation = invitation_sent(organization)
    invitation.language = "fr"
    invitation.save(update_fields=["language"])
    path = invitation_link(invitation).removeprefix(settings.PORTAL_BASE_URL.rstrip("/"))

    page = client.get(path, HTTP_ACCEPT_LANGUAGE="en-US")

    assert lang_of(page) == "fr"
    # unless the visitor picked another
    pick(client, "en")
    assert lang_of(client.get(path)) == "en"


def test_a_validation_request_asks_the_contact_in_the_submitters_language(
    gcc_enabled, admin_agent, reviewer, client, run
):
    User.objects.filter(pk=admin_agent.pk).update(language="fr")
    admin_agent.refresh_from_db()
    request = run(
        validation_services.customer_validation_submit,
        organization=gcc_enabled,
        submitted_by=admin_agent,
        **customer_validation_answers(gcc_enabled),
    )
    assert request.contact_language == "fr"
    review_start(model=CustomerValidationRequest, request_id=request.pk, reviewer=reviewer)
    run(
        validation_services.customer_validation_request_info,
        request_id=request.pk,
        reviewer=reviewer,
        message="Send your charter.",
    )
    request.refresh_from_db()

    (to_contact,) = OutboxMessage.objects.filter(to_email=request.contact_email)
    assert to_contact.language == "fr"
    page = client.get(info_link_path(request_id=request.pk, nonce=request.info_link_nonce))
    assert lang_of(page) == "fr"


# A few English words that are not French: an email in French has none of them.
ENGLISH_WORDS = re.compile(r"\b(the|your|request|submitted|review|within|business days)\b")


def test_emails_go_out_in_each_recipients_language(
    submit_validation, admin_agent, reviewer, organization
):
    # Given a French-speaking Admin agent and an English-speaking reviewer
    User.objects.filter(pk=admin_agent.pk).update(language="fr")
    admin_agent.refresh_from_db()

    # When the agent applies for GCC approval
    submit_validation(admin_agent)

    # Then the agent's confirmation is in French, the reviewers' notice in English
    to_agent = OutboxMessage.objects.get(to_email=admin_agent.email)
    to_reviewer = OutboxMessage.objects.get(to_email=reviewer.email)
    assert to_agent.language == "fr"
    assert not ENGLISH_WORDS.search(to_agent.subject + to_agent.body_text), to_agent.body_text
    assert "demande" in to_agent.body_text
    assert to_reviewer.language == "en"
    assert "request" in to_reviewer.subject.lower() + to_reviewer.body_text.lower()


def test_an_email_in_another_language_is_marked_with_its_language(
    client, organization, admin_agent
):
    # Given a draft written in French, opened by an English-speaking colleague
    french = agent_of(organization, Membership.Role.ADMIN_AGENT, language="fr")
    draft = invitation_services.invitation_create(organization=organization, created_by=french)
    client.force_login(admin_agent)

    page = client.get(reverse("customers:invitation_detail", args=[draft.pk]))

    assert lang_of(page) == "en"
    assert attr(element(page, id="id_subject"), "lang") == "fr"
    assert attr(element(page, id="id_body"), "lang") == "fr"
    # and once sent
    sent = invitation_sent(organization, french)
    page = client.get(reverse("customers:invitation_detail", args=[sent.pk]))
    assert attr(element(page, id="sent-subject"), "lang") == "fr"
    assert attr(element(page, id="sent-body"), "lang") == "fr"


@pytest.mark.parametrize(
    ("language", "price", "moment"),
    [
        ("en", "$1,234.50", "Nov. 30, 2026, 5 p.m. (EST)"),
        ("fr", "1 234,50 $ US", "30 novembre 2026 17:00 (EST)"),
    ],
)
def test_prices_and_times_are_written_the_languages_way(language, price, moment):
    when = dt.datetime(2026, 11, 30, 22, 0, tzinfo=dt.UTC)  # 5 p.m. in the review time zone
    with translation.override(language):
        shown_price = usd(Decimal("1234.5"))
        shown_moment = moment_html(when)

    assert shown_price.replace("\u00a0", " ") == price
    # the moment, with the review time zone named
    assert re.sub(r"<[^>]+>", "", shown_moment).strip() == moment


def test_a_used_invitation_link_says_so_in_the_language_it_was_sent_in(client, organization):
    invitation = invitation_sent(organization)
    path = invitation_link(invitation).removeprefix(settings.PORTAL_BASE_URL.rstrip("/"))
    invitation_services.invitation_revoke(
        invitation_id=invitation.pk, organization=organization, actor=invitation.created_by
    )
    type(invitation).objects.filter(pk=invitation.pk).update(language="fr")

    page = client.get(path, HTTP_ACCEPT_LANGUAGE="en-US")

    assert page.status_code == 410
    assert lang_of(page) == "fr"
