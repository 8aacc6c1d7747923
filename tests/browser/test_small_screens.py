"""Small screens (390 x 844, a phone): every partner page fits the width (no horizontal
scrolling) and passes axe; the main navigation collapses behind its "Menu" toggler, which
opens it (the account block, Sign out included, is inside); without JavaScript the menu is
simply open.
"""

import re

import pytest
from playwright.sync_api import expect

from orders.catalogue import catalogue_load
from orders.models import Offer
from tests.browser.helpers import PHONE, assert_fits_the_width, check_page, phone_page, sign_in
from tests.helpers import customer_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_partner_page_fits_a_phone_and_passes_axe(new_page, gcc_partner, partner_pages):
    _, agent = gcc_partner
    page = phone_page(new_page)
    sign_in(page, agent.email)

    for name, path in partner_pages:
        response = page.goto(path)
        assert response is not None and response.status == 200, f"{path}: {response.status}"
        assert_fits_the_width(page)
        check_page(page, f"small-screen-{name}")


def test_add_subscriptions_fits_a_phone_with_each_quantity_in_view(new_page, gcc_partner):
    organization, agent = gcc_partner
    catalogue_load(Offer)
    customer = customer_of(organization, gcc=True, company_name="Springfield County")
    page = phone_page(new_page)
    sign_in(page, agent.email)

    page.goto(f"/customers/{customer.pk}/subscriptions/add/")

    # The offers are stacked: no horizontal scrolling, each Quantity input within the width
    assert_fits_the_width(page)
    expect(page.get_by_role("heading", level=2, name="Office 365", exact=True)).to_be_visible()
    quantity = page.get_by_label("Quantity of Office 365 G3 GCC")
    quantity.scroll_into_view_if_needed()
    expect(quantity).to_be_in_viewport(ratio=1)
    for offer_id in ("gcc-o365-g3", "gcc-d365-sales"):
        box = page.locator(f"#id_quantity_{offer_id}").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # An error next to its row fits too
    quantity.fill("0")
    page.get_by_role("button", name="Review order").click()
    expect(page.locator("#id_quantity_gcc-o365-g3_error")).to_have_text(
        "Order between 1 and 10000 of Office 365 G3 GCC."
    )
    assert_fits_the_width(page)
    check_page(page, "small-screen-subscriptions-add-error")


def test_the_menu_collapses_behind_the_toggler_and_opens(new_page, gcc_partner):
    _, agent = gcc_partner
    page = phone_page(new_page)
    sign_in(page, agent.email)
    nav = page.get_by_role("navigation", name="Main")
    toggler = nav.get_by_role("button", name="Menu")
    customers = nav.get_by_role("link", name="Customers", exact=True)
    sign_out = nav.get_by_role("button", name="Sign out")

    # Collapsed: the sections and the account block are hidden behind the toggler.
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(customers).to_be_hidden()
    expect(sign_out).to_be_hidden()
    assert_fits_the_width(page)

    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    # Opened once Bootstrap's transition has ended ("collapsing" until then).
    expect(page.locator("#main-menu")).to_have_class(re.compile(r"\bshow\b"))
    expect(customers).to_be_visible()
    expect(nav.get_by_text(agent.email)).to_be_visible()
    expect(nav.get_by_role("link", name="Two-step verification")).to_be_visible()
    expect(nav.get_by_role("link", name="Change password")).to_be_visible()
    expect(sign_out).to_be_visible()
    assert_fits_the_width(page)
    check_page(page, "small-screen-menu-open", full_page=False)

    customers.click()
    expect(page).to_have_url(re.compile(r"/customers/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers")
    # A new page: the menu starts collapsed again; Sign out works from the opened menu.
    expect(toggler).to_have_attribute("aria-expanded", "false")
    toggler.click()
    sign_out.click()
    expect(page).to_have_url(re.compile(r"/accounts/"))


def test_without_javascript_the_menu_is_open(new_page, gcc_partner):
    _, agent = gcc_partner
    # Signed in with JavaScript, then the same session without it.
    page = phone_page(new_page)
    sign_in(page, agent.email)
    cookies = page.context.cookies()
    plain = phone_page(new_page, java_script_enabled=False)
    plain.context.add_cookies(cookies)

    plain.goto("/")
    nav = plain.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("button", name="Menu")).to_be_hidden()
    expect(nav.get_by_role("button", name="Sign out")).to_be_visible()
    nav.get_by_role("link", name="Organization profile").click()
    expect(plain.get_by_role("heading", level=1)).to_have_text("Organization profile")
    assert_fits_the_width(plain)


def test_wide_screens_show_the_menu_without_toggler(new_page, gcc_partner):
    _, agent = gcc_partner
    page = new_page()  # 1280 x 900
    sign_in(page, agent.email)
    nav = page.get_by_role("navigation", name="Main")

    expect(nav.get_by_role("button", name="Menu")).to_be_hidden()
    expect(nav.get_by_role("link", name="Customers", exact=True)).to_be_visible()
    expect(nav.get_by_role("button", name="Sign out")).to_be_visible()
