"""Keyboard-only journeys in Chromium (Section 508, WCAG 2.1 AA 2.1.1, 2.1.2, 2.4.7).

After signing in (the helper's mouse-free form fill), every step is a key press: Tab,
Shift+Tab, Enter, Space, the arrow keys, Escape, and typing into the focused field. Each
journey checks that

- everything it needs is reachable with Tab (`tab_to` fails with the elements it went
  through when its target never gets the focus);
- every element the focus stops on shows it clearly (`assert_focus_visible`: an outline of
  2px or more, or a box-shadow, in a colour that contrasts 3:1 with what is behind it —
  WCAG 1.4.11 — which Bootstrap's faint 25%-opacity ring does not; and nothing painted over
  it);
- nothing traps the focus (`assert_no_keyboard_trap`: Tab from where the journey ends goes
  on through the page and leaves it).

The ring is in static/css/portal.css, and for the admin in static/css/admin.css.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import Locator, Page, expect

from customers.invitations.models import ResellerInvitation
from customers.models import Customer
from customers.validations import services as validation_services
from customers.validations.links import info_link_path
from customers.validations.models import CustomerValidationRequest
from orders.catalogue import catalogue_load
from orders.models import Offer, Order
from partners.models import PartnerValidationRequest
from reviews.services import review_start
from tests.browser.helpers import (
    CODE_LABEL,
    CUSTOMER_NAME,
    GCC_OPTION,
    field,
    screenshot,
    sign_in,
)
from tests.factories import (
    GccValidationFactory,
    OrganizationFactory,
    ReviewerFactory,
    customer_validation_answers,
)
from tests.helpers import customer_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAB_LIMIT = 80

# -- what the focus is on, and whether it shows -------------------------------------------

DESCRIBE_FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return "(page left)";
  let text = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "");
  if (e.type && e.tagName !== "BUTTON") text += "[" + e.type + "]";
  const label = e.getAttribute("aria-label") || (e.labels && e.labels[0] && e.labels[0].innerText)
    || e.innerText || e.value || "";
  const name = label.trim().replace(/\\s+/g, " ").slice(0, 50);
  return name ? `${text} "${name}"` : text;
}"""

# The focus indicator of the active element: its outline and its box-shadow rings, each with
# its contrast ratio against the background behind it (the first ancestor with a background;
# the element's own for an inset ring). Semi-transparent colours are blended over it first.
FOCUS_STYLE = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (c, bg) => ({
    r: c.r * c.a + bg.r * (1 - c.a), g: c.g * c.a + bg.g * (1 - c.a),
    b: c.b * c.a + bg.b * (1 - c.a), a: 1,
  });
  const backgroundOf = (start) => {
    const layers = [];
    for (let n = start; n && n.nodeType === 1; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a === 1) break; }
    }
    return layers.reverse().reduce((bg, c) => over(c, bg), {r: 255, g: 255, b: 255, a: 1});
  };
  const luminance = (c) => {
    const ch = [c.r, c.g, c.b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const ratio = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  // What is painted right outside the element (left of it, or right of it at the edge of
  // the viewport), where its ring is drawn: the stack of boxes there, bottom to top. That is
  // the navbar for a skip link positioned over it, say, not its parent <body>.
  const behind = (distance) => {
    const r = e.getBoundingClientRect();
    let x = r.left - distance;
    if (x < 0) x = r.right + distance;
    const y = Math.min(Math.max(r.top + r.height / 2, 1), innerHeight - 1);
    const stack = document.elementsFromPoint(x, y).filter((n) => n !== e && !e.contains(n));
    if (!stack.length) return backgroundOf(e.parentElement);
    return stack.reverse().reduce((bg, n) => {
      const c = parse(getComputedStyle(n).backgroundColor);
      return c && c.a > 0 ? over(c, bg) : bg;
    }, {r: 255, g: 255, b: 255, a: 1});
  };
  const s = getComputedStyle(e);
  const inside = backgroundOf(e);
  const rings = [];
  if (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) {
    const c = parse(s.outlineColor);
    const outside = behind(
      Math.max(parseFloat(s.outlineOffset), 0) + parseFloat(s.outlineWidth) / 2
    );
    rings.push({
      kind: "outline", style: s.outlineStyle, width: parseFloat(s.outlineWidth),
      color: s.outlineColor, contrast: c ? ratio(over(c, outside), outside) : 0,
    });
  }
  if (s.boxShadow !== "none") {
    // "rgb(…) 0px 0px 0px 4px, rgba(…) 0px 0px 0px 2px inset"
    for (const shadow of s.boxShadow.split(/,(?![^(]*\\))/)) {
      const c = parse(shadow);
      const lengths = (shadow.replace(/rgba?\\([^)]*\\)/, "").match(/-?[\\d.]+px/g) || [])
        .map(parseFloat);
      const spread = lengths.length > 3 ? lengths[3] : 0;
      const blur = lengths.length > 2 ? lengths[2] : 0;
      const bg = /inset/.test(shadow) ? inside : behind(Math.max(spread, 1) / 2);
      rings.push({
        kind: "box-shadow", width: Math.max(spread, blur / 2), color: shadow.trim(),
        contrast: c ? ratio(over(c, bg), bg) : 0,
      });
    }
  }
  // Something painted over the element's middle hides the focus however strong its ring.
  const r = e.getBoundingClientRect();
  const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  const covered = top && top !== e && !e.contains(top) && !top.contains(e) ? top : null;
  const coveredBy = covered && (covered.tagName.toLowerCase() + (covered.id ? "#" + covered.id : "")
    + (covered.className ? "." + String(covered.className).trim().replace(/ +/g, ".") : ""));
  return {rings, background: s.backgroundColor, coveredBy};
}"""


def focused(page: Page) -> str:
    return page.evaluate(DESCRIBE_FOCUS)


# One round trip per Tab stop: is the target focused, what is, and how it shows.
TAB_STOP = f"""(target) => ({{
  reached: target === document.activeElement,
  name: ({DESCRIBE_FOCUS})(),
  style: ({FOCUS_STYLE})(),
}})"""


def assert_focus_visible(page: Page, style: dict | None = None) -> None:
    """The focused element shows it: an outline (any style but none) of 2px or more or a
    box-shadow ring of 2px or more, in a colour with 3:1 contrast against its background;
    and nothing is painted over it. `style`: FOCUS_STYLE's answer, when already read."""
    if style is None:
        style = page.evaluate(FOCUS_STYLE)
    assert style is not None, "Nothing has the focus."

    def shows(ring) -> bool:
        return ring["width"] >= 2 and ring["contrast"] >= 3

    visible = [ring for ring in style["rings"] if shows(ring)]
    if style["coveredBy"]:
        shot = screenshot(page, "keyboard-focus-covered", full_page=False, always=True)
        pytest.fail(
            f"The focus on {focused(page)} at {page.url} is hidden under {style['coveredBy']} "
            f"(see {shot}).",
            pytrace=False,
        )
    if not visible:
        shot = screenshot(page, "keyboard-focus-not-visible", full_page=False, always=True)
        pytest.fail(
            f"The focus on {focused(page)} at {page.url} is not visible enough (see {shot}): "
            f"{style['rings'] or 'no ring'}",
            pytrace=False,
        )


def tab_to(page: Page, locator: Locator, max_presses: int = TAB_LIMIT, *, back=False) -> None:
    """Press Tab (Shift+Tab with `back`) until `locator` has the focus, checking at every
    stop that the focus shows; fail with the stops on the way if it never gets there."""
    locator.wait_for(state="attached")
    key = "Shift+Tab" if back else "Tab"
    visited = []
    for presses in range(max_presses + 1):
        stop = locator.evaluate(TAB_STOP)
        if presses or stop["reached"]:
            visited.append(stop["name"])
            if stop["style"] is not None:
                assert_focus_visible(page, stop["style"])
        if stop["reached"]:
            return
        if presses < max_presses:
            page.keyboard.press(key)
    pytest.fail(
        f"{key} never reached {locator} in {max_presses} presses on {page.url}; it went "
        "through:\n  " + "\n  ".join(visited),
        pytrace=False,
    )


def type_into(page: Page, locator: Locator, text: str) -> None:
    """Tab to a text field, replace what it holds with `text`, as typed."""
    tab_to(page, locator)
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)
    expect(locator).to_have_value(text)


def press_on(page: Page, locator: Locator, key: str = "Enter") -> None:
    """Tab to a control and press `key` on it (Enter for links and buttons, Space for
    checkboxes)."""
    tab_to(page, locator)
    page.keyboard.press(key)


def assert_no_keyboard_trap(page: Page, max_presses: int = TAB_LIMIT * 2) -> None:
    """From where the focus is, Tab goes on through the page and leaves it (to the browser's
    own controls): nothing holds the focus in a loop."""
    visited = []
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        here = focused(page)
        if here == "(page left)":
            return
        visited.append(here)
    pytest.fail(
        f"Tab stayed inside the page for {max_presses} presses on {page.url}:\n  "
        + "\n  ".join(visited[-20:]),
        pytrace=False,
    )


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def nav_link(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


@pytest.fixture
def keyboard_page(new_page) -> Page:
    """A page without transitions: the focus ring is read in its settled state."""
    return new_page(reduced_motion="reduce")


# -- 1. partner validation -----------------------------------------------------------------


def test_partner_applies_for_gcc_approval_with_the_keyboard(keyboard_page, admin_agent):
    page = keyboard_page
    organization = admin_agent.membership.organization
    sign_in(page, admin_agent.email)

    # The first stop is the skip link, shown over the navbar; Enter moves on to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    assert_focus_visible(page)
    screenshot(page, "keyboard-00-skip-link-focus", full_page=False)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    press_on(page, page.get_by_role("link", name="Apply for GCC approval").first)
    expect(heading(page)).to_have_text("Apply for GCC approval")
    tenant = page.get_by_label("Commercial tenant ID (Microsoft ID)")
    expect(tenant).to_have_value(str(organization.commercial_tenant_id))

    type_into(page, page.get_by_label("Contact phone"), "+1 202 555 0143")
    press_on(page, page.get_by_label("US federal agencies"), "Space")
    expect(page.get_by_label("US federal agencies")).to_be_checked()
    press_on(page, page.get_by_label("US state governments"), "Space")
    type_into(page, page.get_by_label("How you contract with them"), "GSA MAS; SEWP V")
    confirm = page.get_by_label(re.compile(r"I confirm that this information is accurate"))
    press_on(page, confirm, "Space")
    expect(confirm).to_be_checked()
    screenshot(page, "keyboard-01-validation-form-checkbox-focus", full_page=False)
    press_on(page, page.get_by_role("button", name="Submit request"))

    expect(page).to_have_url(re.compile(r"/gcc/validations/\d+/$"))
    expect(page.locator("#request-status")).to_contain_text("Submitted")
    validation = PartnerValidationRequest.objects.get(organization=organization)
    assert validation.contract_vehicles == "GSA MAS; SEWP V"
    assert_no_keyboard_trap(page)


# -- 2. add customer, with the "What's this?" dialog ---------------------------------------


def fill_customer_form_by_keyboard(page: Page) -> None:
    """Everything but the Special qualifications section, in the form's order."""
    type_into(page, field(page, "Company name"), CUSTOMER_NAME)
    type_into(page, field(page, "Primary domain"), "springfield.gov")
    type_into(page, field(page, "Address line 1"), "800 East Monroe Street")
    type_into(page, field(page, "City"), "Springfield")
    state = field(page, "State")
    tab_to(page, state)
    page.keyboard.type("Illinois")  # a closed menu's type-ahead
    expect(state).to_have_value("IL")
    type_into(page, field(page, "ZIP code"), "62701")
    type_into(page, field(page, "First name"), "Robin")
    type_into(page, field(page, "Last name"), "Clerk")
    type_into(page, field(page, "Email"), "robin.clerk@springfield.gov")
    type_into(page, field(page, "Phone"), "+1 217 555 0199")


def choose_gcc_and_code(page: Page, code_option: str) -> None:
    """GCC with the arrow keys (None → Education → Nonprofit → GCC), then the code."""
    tab_to(page, page.get_by_label("None", exact=True))
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label(GCC_OPTION)).to_be_checked()
    assert_focus_visible(page)
    menu = field(page, CODE_LABEL)
    expect(menu).to_be_visible()
    tab_to(page, menu)
    page.keyboard.type(CUSTOMER_NAME)  # type-ahead to the code issued for that name
    expect(menu.locator("option:checked")).to_have_text(code_option)


def open_add_customer_by_keyboard(page: Page) -> None:
    tab_to(page, nav_link(page, "Customers"))
    screenshot(page, "keyboard-04-navbar-focus", full_page=False)
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Customers")
    press_on(page, page.get_by_role("link", name="Add customer").first)
    expect(heading(page)).to_have_text("Add customer")


def test_partner_adds_a_gcc_customer_with_the_keyboard(keyboard_page, gcc_partner):
    page = keyboard_page
    organization, agent = gcc_partner
    code = GccValidationFactory(
        partner=organization, organization_name=CUSTOMER_NAME, max_creates=2
    )
    sign_in(page, agent.email)
    open_add_customer_by_keyboard(page)
    fill_customer_form_by_keyboard(page)

    tab_to(page, page.get_by_label("None", exact=True))
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label(GCC_OPTION)).to_be_checked()
    assert_focus_visible(page)

    # "What's this?": Enter opens the dialog with the focus inside; Escape gives it back.
    help_link = page.get_by_role("link", name="What's this?")
    press_on(page, help_link)
    dialog = page.get_by_role("dialog", name="GCC validation codes")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="GCC validation codes")).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Submit a new request")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    assert_focus_visible(page)
    screenshot(page, "keyboard-02-help-dialog-close-focus", full_page=False)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(help_link).to_be_focused()
    assert_focus_visible(page)
    # Shift+Tab goes back to the chosen option, Tab forward to the link again.
    tab_to(page, page.get_by_label(GCC_OPTION), 1, back=True)
    tab_to(page, help_link, 1)
    # A quick Shift+Tab, before the dialog's "close" event has come, is not undone by it.
    moved_to = page.get_by_label(GCC_OPTION).evaluate(
        """async (option) => {
            const dialog = document.getElementById("gcc-help-dialog");
            const closed = new Promise((done) =>
                dialog.addEventListener("close", () => setTimeout(done, 0), {once: true}));
            document.getElementById("gcc-help-link").click();
            dialog.close();
            option.focus();
            await closed;
            return document.activeElement === option;
        }"""
    )
    assert moved_to, "the dialog's close handler took the focus back from the chosen option"
    tab_to(page, help_link, 1)

    menu = field(page, CODE_LABEL)
    tab_to(page, menu)
    page.keyboard.type(CUSTOMER_NAME)
    expect(menu.locator("option:checked")).to_have_text(f"{CUSTOMER_NAME} — 2 creates left")
    screenshot(page, "keyboard-03-code-menu-focus", full_page=False)
    press_on(page, page.get_by_role("button", name="Add customer", exact=True))

    expect(page).to_have_url(re.compile(r"/customers/\d+/account/$"))
    expect(page.get_by_role("status").first).to_contain_text(
        f"{CUSTOMER_NAME} was added with the Government Community Cloud (GCC) qualification."
    )
    customer = Customer.objects.get(primary_domain="springfield.gov")
    assert customer.qualifications.get().validation == code
    assert_no_keyboard_trap(page)


# -- 3. the customer contact's answer link -------------------------------------------------


def test_customer_contact_answers_with_the_keyboard(keyboard_page, gcc_partner):
    page = keyboard_page
    organization, agent = gcc_partner
    reviewer = ReviewerFactory()
    validation = validation_services.customer_validation_submit(
        organization=organization, submitted_by=agent, **customer_validation_answers(organization)
    )
    review_start(model=CustomerValidationRequest, request_id=validation.pk, reviewer=reviewer)
    validation = validation_services.customer_validation_request_info(
        request_id=validation.pk, reviewer=reviewer, message="Send the county charter."
    )

    page.goto(info_link_path(request_id=validation.pk, nonce=validation.info_link_nonce))
    expect(heading(page)).to_have_text("Information for your GCC validation")
    type_into(page, page.get_by_label("Your answer"), "Charter of 1965, section 4.")
    # The documents picker is reachable too (choosing files is the system's dialog).
    tab_to(page, page.get_by_label("Documents (optional)"))
    press_on(page, page.get_by_role("button", name="Submit"))

    expect(heading(page)).to_have_text("Thank you")
    expect(page.locator("#answer-sent")).to_contain_text("Your answer was sent")
    validation.refresh_from_db()
    assert validation.info_response == "Charter of 1965, section 4."
    assert_no_keyboard_trap(page)


# -- 4. invitation and acceptance -----------------------------------------------------------


@pytest.fixture
def gcc_customer_of_another_partner(db):
    other = OrganizationFactory(legal_name="Litware Federal Inc")
    return customer_of(
        other, gcc=True, company_name=CUSTOMER_NAME, primary_domain="springfield.gov"
    )


def on_live_server(link: str, live_server) -> str:
    return f"{live_server.url}{urlsplit(link).path}"


def test_invitation_sent_and_accepted_with_the_keyboard(
    new_page, live_server, gcc_partner, gcc_customer_of_another_partner
):
    organization, agent = gcc_partner
    partner = new_page(reduced_motion="reduce")
    sign_in(partner, agent.email)
    press_on(partner, nav_link(partner, "Customers"))
    expect(heading(partner)).to_have_text("Customers")
    press_on(partner, partner.get_by_role("button", name="Request a reseller relationship"))
    expect(heading(partner)).to_have_text("Request a reseller relationship")
    expect(partner.locator("#invitation-status")).to_have_text("Status: Draft")

    # The draft's fields and tools are all on the way to Done.
    tab_to(partner, partner.get_by_label("Subject"))
    tab_to(partner, partner.get_by_label("Message"))
    tab_to(partner, partner.get_by_role("button", name="Copy to clipboard"))
    press_on(partner, partner.get_by_role("button", name="Done"))
    expect(partner.locator("#invitation-status")).to_have_text("Status: Sent")
    assert ResellerInvitation.objects.get().status == ResellerInvitation.Status.SENT
    link = partner.locator("#invitation-link").input_value()
    assert_no_keyboard_trap(partner)

    # -- The customer, in a fresh browser: the accept page, then the confirmation link -----
    customer = new_page(reduced_motion="reduce")
    customer.goto(on_live_server(link, live_server))
    expect(heading(customer)).to_have_text("Reseller relationship request")
    type_into(customer, customer.get_by_label("Organization name"), CUSTOMER_NAME)
    type_into(customer, customer.get_by_label("Primary domain"), "springfield.gov")
    type_into(customer, customer.get_by_label("Your name"), "Robin Clerk")
    type_into(customer, customer.get_by_label("Your email"), "robin.clerk@springfield.gov")
    press_on(customer, customer.get_by_role("button", name="Continue"))
    expect(heading(customer)).to_have_text("Check your email")

    (message,) = [m for m in mail.outbox if "Confirm that" in m.subject]
    confirm = next(w for w in message.body.split() if "/reseller-relationship/confirm/" in w)
    customer.goto(on_live_server(confirm, live_server))
    expect(heading(customer)).to_have_text("Confirm the reseller relationship")
    press_on(customer, customer.get_by_role("button", name="Accept"))
    expect(heading(customer)).to_have_text("Request accepted")
    assert organization.customer_relationships.filter(
        customer=gcc_customer_of_another_partner
    ).exists()
    assert_no_keyboard_trap(customer)


# -- 5. both order paths ---------------------------------------------------------------------


@pytest.fixture
def gcc_partner_and_customer(gcc_partner):
    catalogue_load(Offer)  # the test's flushes removed what the data migration loaded
    organization, agent = gcc_partner
    return organization, agent, customer_of(organization, gcc=True)


def review_and_submit_by_keyboard(page: Page, quantity: str) -> Order:
    type_into(page, page.get_by_label("Quantity of Office 365 G3 GCC"), quantity)
    press_on(page, page.get_by_role("button", name="Review order"))
    expect(heading(page)).to_contain_text("Review the order")
    press_on(page, page.get_by_role("button", name="Submit"))
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))
    expect(page.locator("#order-status")).to_have_text("Status: Completed")
    return Order.objects.get()


def test_order_for_an_existing_customer_with_the_keyboard(keyboard_page, gcc_partner_and_customer):
    page = keyboard_page
    _, agent, customer = gcc_partner_and_customer
    sign_in(page, agent.email)
    press_on(page, nav_link(page, "Customers"))
    press_on(page, page.get_by_role("link", name=customer.company_name))
    expect(heading(page)).to_have_text(customer.company_name)
    press_on(page, page.get_by_role("link", name="Add subscriptions"))
    expect(heading(page)).to_have_text(f"Add subscriptions for {customer.company_name}")

    order = review_and_submit_by_keyboard(page, "25")
    assert order.customer == customer
    assert order.line_items.get().quantity == 25
    assert_no_keyboard_trap(page)


def test_order_for_a_new_customer_with_the_keyboard(keyboard_page, gcc_partner_and_customer):
    page = keyboard_page
    organization, agent, _ = gcc_partner_and_customer
    GccValidationFactory(partner=organization, organization_name=CUSTOMER_NAME, max_creates=2)
    sign_in(page, agent.email)
    open_add_customer_by_keyboard(page)
    fill_customer_form_by_keyboard(page)
    choose_gcc_and_code(page, f"{CUSTOMER_NAME} — 2 creates left")
    press_on(page, page.get_by_role("button", name="Next: Subscriptions"))
    expect(page.locator("#offer-gcc-o365-g3")).to_contain_text("Office 365 G3 GCC")

    order = review_and_submit_by_keyboard(page, "40")
    assert order.customer.primary_domain == "springfield.gov"
    assert order.line_items.get().quantity == 40
    assert_no_keyboard_trap(page)


# -- 6. a reviewer's decision in the admin ---------------------------------------------------


def test_reviewer_approves_in_the_admin_with_the_keyboard(
    keyboard_page, submit_validation, admin_agent, reviewer
):
    page = keyboard_page
    validation = submit_validation(admin_agent)
    name = validation.organization.legal_name
    sign_in(page, reviewer.email, admin=True)

    press_on(page, page.get_by_role("link", name="Partner validation requests").first)
    tab_to(page, page.locator("#result_list").get_by_role("link", name=name))
    screenshot(page, "keyboard-06-admin-queue-focus", full_page=False)
    page.keyboard.press("Enter")
    expect(page.locator("#decision-heading")).to_be_visible()
    press_on(page, page.get_by_role("button", name="Start review"))
    expect(page.locator(".messagelist")).to_contain_text("Review started")

    press_on(page, page.get_by_role("link", name="Approve…"))
    expect(heading(page)).to_have_text("Approve")
    type_into(page, page.get_by_label("Note to the partner (optional)"), "Welcome to GCC.")
    press_on(page, page.get_by_role("button", name="Approve"))
    expect(page.locator(".messagelist")).to_contain_text("Approved. The partner now holds")
    validation.refresh_from_db()
    assert validation.status == PartnerValidationRequest.Status.APPROVED
    assert_no_keyboard_trap(page)
