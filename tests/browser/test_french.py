"""The portal in French, in Chromium: a partner picks *Français* in the footer, and every
partner page is then in French (no English word outside names and IDs) and axe-clean; the
choice is saved on the profile, so it follows the user to another browser.

"English" is judged by a list of common English words that are not French words: a page
that still shows an English sentence or label has some of them.
"""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.browser.helpers import check_page, choose_french, english_words, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_partner_page_is_in_french_and_passes_axe(new_page, gcc_partner, partner_pages):
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
