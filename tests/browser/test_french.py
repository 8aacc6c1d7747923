"""The portal in French, in Chromium: a partner picks *Français* in the footer, and every
partner page is then in French (no English word outside names and IDs) and axe-clean; the
choice is saved on the profile, so it follows the user to another browser.

"English" is judged by a list of common English words that are not French words: a page
that still shows an English sentence or label has some of them.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from customers.forms import US_STATES
from customers.models import Customer
from orders.models import Offer
from partners.models import Organization
from tests.browser.helpers import check_page, sign_in
from tests.browser.test_small_screens import partner_pages  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Common English words, none of them a French word.
ENGLISH = frozenset(
    " ".join(
        [
            "the and your you with for this that from are was were will have has been not yet",
            "any all its it's can't don't isn't customer customers request requests order",
            "orders add submit submitted sign signed out password account accounts search show",
            "settings approved rejected withdrawn review reviewed profile dashboard organization",
            "organizations partner partners subscriptions subscription offer offers none back",
            "next previous of to is by in at no new help what's here there when who which how",
            "why required optional email phone first last name address city state",
        ]
    ).split()
)
# Brands and API names, the same in every language.
BRANDS = re.compile(
    r"Microsoft|Office 365|Partner Center|Azure|\b(?:validationId|organizationName|"
    r"maxCreates|remainingCreates|GovernmentCommunityCloud)\b|English"
)
WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")


def data_names() -> list[str]:
    """What the pages show as it was entered or is named: the data, never translated (the
    offers' and states' names, organizations, customers, people, addresses)."""
    names = [offer.name for offer in Offer.objects.all()]
    names += [name for _code, name in US_STATES]
    names += list(Organization.objects.values_list("legal_name", flat=True))
    for customer in Customer.objects.all():
        names += [customer.company_name, customer.primary_domain, customer.contact_first_name]
        names += [customer.contact_last_name]
        names += [customer.address_line1, customer.address_line2, customer.city]
    for user in User.objects.all():
        names += [user.email, user.first_name, user.last_name]
    return sorted((name for name in names if name), key=len, reverse=True)


def english_words(page: Page) -> list[str]:
    text = page.locator("body").inner_text()
    for name in data_names():
        text = text.replace(name, " ")
    text = BRANDS.sub(" ", re.sub(r"\S+@\S+", " ", text))
    words = WORD.findall(text)
    return sorted({word for word in words if word.lower().replace("\u2019", "'") in ENGLISH})


def choose_french(page: Page) -> None:
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_every_partner_page_is_in_french_and_passes_axe(new_page, gcc_partner, partner_pages):  # noqa: F811
    _, agent = gcc_partner
    page = new_page()
    sign_in(page, agent.email)
    choose_french(page)

    found = {}
    for name, path in partner_pages:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        english = english_words(page)
        if english:
            found[path] = english
        check_page(page, f"fr-{name}")
    assert found == {}, found

    # saved on the profile: another browser signs in (in English) to French pages
    assert User.objects.get(pk=agent.pk).language == "fr"
    other = new_page()
    sign_in(other, agent.email)
    expect(other.locator("html")).to_have_attribute("lang", "fr")
