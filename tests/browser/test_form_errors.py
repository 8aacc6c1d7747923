"""After a form error, focus lands on the error summary; its links lead to the fields."""

import re

import pytest
from playwright.sync_api import Page, expect

from .helpers import ADD_CUSTOMER_PATH, check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def submit_empty_add_customer(page: Page) -> None:
    page.goto(ADD_CUSTOMER_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text("Add customer")
    page.get_by_role("button", name="Add customer").click()
    expect(page.locator("#form-errors")).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_the_error_summary_takes_focus_and_links_to_each_field(new_page, gcc_partner, viewport):
    # given
    _, agent = gcc_partner
    page = new_page()
    page.set_viewport_size(viewport)
    sign_in(page, agent.email)

    # when: Add customer submitted empty
    submit_empty_add_customer(page)

    # then: the summary has focus and lists every field error as a link to the field
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Some answers need your attention.")
    company = summary.get_by_role("link", name=re.compile(r"^Company name: "))
    expect(company).to_have_attribute("href", "#id_company_name")
    expect(summary.get_by_role("link", name=re.compile(r"^Email: "))).to_have_attribute(
        "href", "#id_contact_email"
    )
    check_page(page, f"form-errors-add-customer-{viewport['width']}")

    # when: a link is followed, with the mouse, then with the keyboard
    company.click()

    # then: focus is on its field
    expect(page.locator("#id_company_name")).to_be_focused()
    summary.get_by_role("link", name=re.compile(r"^City: ")).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#id_city")).to_be_focused()
