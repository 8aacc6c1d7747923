"""What browser tests do on a page: sign in, screenshot and check with axe-core, fill the
Add customer form. Fixtures (the browser, pages, people) are in conftest.py."""

import os
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts.mfa import mfa_status
from accounts.models import User
from customers.forms import US_STATES
from customers.models import Customer
from orders.models import Offer
from partners.models import Membership, Organization
from tests.factories import TEST_PASSWORD, OrganizationFactory, ResellerQualificationFactory
from tests.helpers import agent_of
from tests.mfa import PortalClient, authenticator_of, totp_code

ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts"
LOGIN_PATH = "/accounts/login/"
ADMIN_LOGIN_PATH = "/admin/login/"
MFA_VERIFY_PATH = "/accounts/two-step/code/"

_axe = Axe()


def assert_no_axe_violations(page: Page) -> None:
    """Run axe-core on the page as it is now; fail with its readable report if anything."""
    results = _axe.run(page)
    if results.violations_count:
        pytest.fail(
            f"axe-core: {results.violations_count} violation(s) on {page.url}\n"
            f"{results.generate_report()}",
            pytrace=False,
        )


# Screenshots cost the CPU a run shares (a full page's PNG, for every check): taken when
# BROWSER_SCREENSHOTS=1 (to look at the pages), and always of a page that fails axe.
SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS", "") not in ("", "0")


def screenshot(page: Page, name: str, *, full_page: bool = True, always: bool = False) -> Path:
    """Save a PNG to test-artifacts/<name>.png (gitignored) when BROWSER_SCREENSHOTS=1 (or
    `always`) and return its path.

    The whole page by default; `full_page=False` for the viewport only, e.g. with a modal
    dialog open, whose backdrop covers the viewport only.
    """
    path = ARTIFACTS_DIR / f"{name}.png"
    if SCREENSHOTS or always:
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(path), full_page=full_page)
    return path


def check_page(page: Page, name: str, *, full_page: bool = True) -> None:
    """Check the page with axe (a failing page is screenshotted under `name`, whatever
    BROWSER_SCREENSHOTS says), and screenshot it."""
    try:
        assert_no_axe_violations(page)
    finally:
        screenshot(page, name, full_page=full_page, always=sys.exc_info()[0] is not None)


def sign_in(
    page: Page,
    email: str,
    password: str = TEST_PASSWORD,
    *,
    admin: bool = False,
    check_as: str | None = None,
    via_form: bool = False,
) -> None:
    """Signed in, on the page sign-in leads to (the dashboard, or the admin's index with
    `admin=True`).

    For a test about something else, the session is made on the server, second factor
    passed, and its cookie given to the browser: the same session the form makes, without
    the form's pages (and without waiting up to 30 s for a fresh authenticator code when
    the same user signed in a moment ago). Sign-in itself is tested through the form:
    `via_form=True` fills the real form, the portal's or the admin's, then, for a user with
    an authenticator app or who must have one (staff), the code step with the app's current
    code (such a user without an app gets the tests' one first, as ReviewerFactory's
    reviewers have). With `check_as` (the form too), the login page is screenshotted under
    that name and checked with axe before the form is filled.
    """
    if not (via_form or check_as) and password == TEST_PASSWORD:
        _session_sign_in(page, email, admin=admin)
        return
    path = ADMIN_LOGIN_PATH if admin else LOGIN_PATH
    user = User.objects.filter(email=email.lower()).first()
    second_factor = user is not None and any(mfa_status(user))
    device = authenticator_of(user) if second_factor else None
    page.goto(path)
    if check_as:
        check_page(page, check_as)
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in" if admin else "Sign in").click()
    expect(page).not_to_have_url(re.compile(re.escape(path)))
    if device is not None:
        enter_authenticator_code(page, device)


def _session_sign_in(page: Page, email: str, *, admin: bool) -> None:
    user = User.objects.get(email=email.lower())
    client = PortalClient()
    client.force_login(user)
    page.goto("/favicon.ico")  # on the portal's origin, to give it the cookie
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": urlsplit(page.url).hostname,
                "path": "/",
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
    page.goto("/admin/" if admin else "/")


def enter_authenticator_code(page: Page, device: TOTPDevice) -> None:
    """On the code step after the password: the app's current code, then Verify."""
    expect(page).to_have_url(re.compile(re.escape(MFA_VERIFY_PATH)))
    page.get_by_label("6-digit code").fill(totp_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page).not_to_have_url(re.compile(re.escape(MFA_VERIFY_PATH)))


# -- the Add customer form -----------------------------------------------------------------

ADD_CUSTOMER_PATH = "/customers/add/"
GCC_OPTION = "Government Community Cloud (GCC)"
CODE_LABEL = "GCC validation code"
CUSTOMER_NAME = "City of Springfield"
CONTACT_EMAIL = "robin.clerk@springfield.gov"


def field(page: Page, label: str):
    """The form field labelled `label` exactly (crispy-forms adds "*" to required ones)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def fill_customer_form(page: Page) -> None:
    """Everything but the Special qualifications section."""
    field(page, "Company name").fill(CUSTOMER_NAME)
    field(page, "Primary domain").fill("springfield.gov")
    field(page, "Address line 1").fill("800 East Monroe Street")
    field(page, "City").fill("Springfield")
    field(page, "State").select_option("IL")
    field(page, "ZIP code").fill("62701")
    field(page, "First name").fill("Robin")
    field(page, "Last name").fill("Clerk")
    field(page, "Email").fill(CONTACT_EMAIL)
    field(page, "Phone").fill("+1 217 555 0199")


# -- small screens -------------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}


def phone_page(new_page, **options) -> Page:
    page = new_page(**options)
    page.set_viewport_size(PHONE)
    return page


# The innermost elements sticking out on the right, for the failure message.
STICKING_OUT = """(limit) => [...document.querySelectorAll("body *")]
  .filter((el) => el.getBoundingClientRect().right > limit + 0.5)
  .filter((el) => ![...el.children].some((c) => c.getBoundingClientRect().right > limit + 0.5))
  .slice(0, 5)
  .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}">`
    + ` right=${Math.round(el.getBoundingClientRect().right)}`)"""


def assert_fits_the_width(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        culprits = page.evaluate(STICKING_OUT, PHONE["width"])
        pytest.fail(
            f"{page.url} is {width}px wide at {PHONE['width']}px: {culprits}", pytrace=False
        )


# -- French pages ----------------------------------------------------------------------------

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
    r"maxCreates|remainingCreates|GovernmentCommunityCloud)\b|English|"
    # webhook event types ("order.status_changed"): API names too
    r"\b[a-z_]+\.[a-z_]+\b"
)
WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
# Tenant IDs and other UUIDs: random hex whose letters can spell a word ("4add").
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)


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
    # The test settings' own request kind (tests/reviews_testapp), never in the portal: pages
    # that list every kind (the SLA page) name it in English.
    for model in apps.get_app_config("reviews_testapp").get_models():
        names += [str(model._meta.verbose_name_plural).capitalize()]
        names += [str(model._meta.verbose_name).capitalize()]
    return sorted((name for name in names if name), key=len, reverse=True)


def english_words(page: Page) -> list[str]:
    text = page.locator("body").inner_text()
    for name in data_names():
        text = text.replace(name, " ")
    text = UUID.sub(" ", BRANDS.sub(" ", re.sub(r"\S+@\S+", " ", text)))
    words = WORD.findall(text)
    return sorted({word for word in words if word.lower().replace("\u2019", "'") in ENGLISH})


def choose_french(page: Page) -> None:
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def admin_agent_signed_in(new_page):
    """A GCC-approved partner's Admin agent (Ada), signed in: (organization, agent, page)."""
    organization = OrganizationFactory(legal_name="Contoso Government Solutions LLC")
    ResellerQualificationFactory(organization=organization)
    admin = agent_of(organization, Membership.Role.ADMIN_AGENT, first_name="Ada")
    page = new_page()
    sign_in(page, admin.email)
    return organization, admin, page
