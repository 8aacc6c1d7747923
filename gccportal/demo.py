"""The demo scenario `make run` loads (partners' `demo_data` command): every state a user
meets, made through the services, so that audit trails, emails and relationships are real.

For an indirect reseller (Northwind, acting through its provider's GCC approval), by its Sales
agent, with a GCC reviewer deciding:

- Springfield County: a validation request approved with 3 creates, the GCC customer created
  with its code (2 creates left), and an order of GCC offers provisioned → completed, with
  its subscriptions;
- Adams County Schools: a validation request submitted, waiting for a reviewer;
- Lakeview Water District: a validation request whose reviewer asked for information;
- a reseller relationship request sent (not answered yet), and one Ogden City accepted.

Loaded once: the Springfield County customer marks it. The walk-throughs of the README start
from a clean action (a new request, customer, order or invitation), and use no name of these.
"""

import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from customers.invitations.links import invitation_token
from customers.invitations.services import (
    AcceptanceAnswers,
    invitation_accept,
    invitation_confirmation_send,
    invitation_create,
    invitation_send,
)
from customers.models import Customer
from customers.selectors import transacting_partner_for
from customers.services import customer_create
from customers.validations.models import CustomerValidationRequest
from customers.validations.services import (
    customer_validation_approve,
    customer_validation_request_info,
    customer_validation_submit,
)
from orders.models import Order, OrderLine
from orders.services import order_place, order_provision
from partners.models import Organization
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD
from reviews.services import review_start

# The scenario's data (names and domains are data, not text of the pages).
GCC_CUSTOMER = {
    "company_name": "Springfield County",
    "primary_domain": "springfield-county.gov",
    "address_line1": "100 Courthouse Square",
    "city": "Springfield",
    "state": "IL",
    "postal_code": "62701",
    "contact_first_name": "Jordan",
    "contact_last_name": "Hale",
    "contact_email": "jordan.hale@springfield-county.gov",
    "contact_phone": "+1 217 555 0142",
}
GCC_CUSTOMER_MAX_CREATES = 3
GCC_ORDER = [("gcc-o365-g3", 25, "County staff"), ("gcc-ems-e3", 25, "County staff devices")]
PENDING_VALIDATION = {
    "organization_legal_name": "Adams County Schools",
    "government_domain": "adams-county-schools.gov",
    "contact_name": "Casey Morgan",
    "contact_email": "casey.morgan@adams-county-schools.gov",
    "contact_phone": "+1 303 555 0117",
}
INFO_REQUESTED_VALIDATION = {
    "organization_legal_name": "Lakeview Water District",
    "government_domain": "lakeview-water.gov",
    "contact_name": "Pat Lindqvist",
    "contact_email": "pat.lindqvist@lakeview-water.gov",
    "contact_phone": "+1 541 555 0163",
}
INFO_REQUEST = (
    "Please send the district's enabling legislation or charter showing that it is a local "
    "government entity."
)
ACCEPTED_INVITATION = AcceptanceAnswers(
    company_name="Ogden City",
    primary_domain="ogden-city.gov",
    accepted_by_name="Morgan Reyes",
    accepted_by_email="morgan.reyes@ogden-city.gov",
)


def demo_summary() -> str:
    """One line saying what the demo holds, for the command's output."""
    return _(
        "Demo scenario (sign in as sales@northwind.example): GCC customer Springfield County "
        "with a completed order and a validation code with creates left; validation requests "
        "pending (Adams County Schools) and waiting for information (Lakeview Water District); "
        "reseller relationship requests sent and accepted (Ogden City)."
    )


def demo_scenario_loaded() -> bool:
    return Customer.objects.filter(primary_domain=GCC_CUSTOMER["primary_domain"]).exists()


@transaction.atomic
def demo_scenario_load(*, reseller: Organization, agent, reviewer) -> bool:
    """Load the scenario for `reseller` (an organization that may take GCC actions, through
    its own or its provider's approval), acting as `agent` (its Admin or Sales agent), decided
    by `reviewer`. Once: False, and nothing changed, when it is there already."""
    if demo_scenario_loaded():
        return False
    _gcc_customer_with_order(reseller, agent, reviewer)
    _validation_submit(reseller, agent, PENDING_VALIDATION)
    waiting = _validation_submit(reseller, agent, INFO_REQUESTED_VALIDATION)
    review_start(model=CustomerValidationRequest, request_id=waiting.pk, reviewer=reviewer)
    customer_validation_request_info(request_id=waiting.pk, reviewer=reviewer, message=INFO_REQUEST)
    _invitation_sent(reseller, agent)
    _invitation_accepted(reseller, agent)
    return True


def _validation_submit(reseller, agent, answers: dict) -> CustomerValidationRequest:
    return customer_validation_submit(
        organization=reseller,
        submitted_by=agent,
        organization_type=CustomerValidationRequest.OrganizationType.LOCAL,
        regulated_data=[],
        # The transacting partner's: the provider's, for an indirect reseller.
        commercial_tenant_id=str(
            transacting_partner_for(organization=reseller).commercial_tenant_id
        ),
        idempotency_key=uuid.uuid4(),
        **answers,
    )


def _gcc_customer_with_order(reseller, agent, reviewer) -> Order:
    request = _validation_submit(
        reseller,
        agent,
        {
            "organization_legal_name": GCC_CUSTOMER["company_name"],
            "government_domain": GCC_CUSTOMER["primary_domain"],
            "contact_name": "{contact_first_name} {contact_last_name}".format(**GCC_CUSTOMER),
            "contact_email": GCC_CUSTOMER["contact_email"],
            "contact_phone": GCC_CUSTOMER["contact_phone"],
        },
    )
    review_start(model=CustomerValidationRequest, request_id=request.pk, reviewer=reviewer)
    request = customer_validation_approve(
        request_id=request.pk, reviewer=reviewer, max_creates=GCC_CUSTOMER_MAX_CREATES
    )
    customer = customer_create(
        organization=reseller,
        created_by=agent,
        idempotency_key=uuid.uuid4(),
        special_qualification=GOVERNMENT_COMMUNITY_CLOUD,
        gcc_validation=request.validation_code,
        **GCC_CUSTOMER,
    )
    order = order_place(
        organization=reseller,
        created_by=agent,
        customer_id=customer.pk,
        lines=[OrderLine(offer_id=o, quantity=q, friendly_name=n) for o, q, n in GCC_ORDER],
        idempotency_key=uuid.uuid4(),
    )
    # What the worker does after the commit, done now: the order is completed, with its
    # subscriptions, when the portal starts (the task queued on commit then finds it done).
    # (Failed instead, with its reason, if the settings make one of its offers fail.)
    return order_provision(order_id=order.pk)


def _invitation_sent(reseller, agent):
    draft = invitation_create(organization=reseller, created_by=agent)
    return invitation_send(
        invitation_id=draft.pk,
        organization=reseller,
        actor=agent,
        subject=draft.subject,
        body=draft.body,
    )


def _invitation_accepted(reseller, agent):
    invitation = _invitation_sent(reseller, agent)
    token = invitation_token(invitation_id=invitation.pk, nonce=invitation.nonce)
    # Both steps of the customer's: the confirmation mailed to its domain, then acceptance.
    invitation_confirmation_send(token=token, answers=ACCEPTED_INVITATION)
    return invitation_accept(token=token, answers=ACCEPTED_INVITATION)
