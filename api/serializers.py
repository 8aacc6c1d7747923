"""Partner Center's resource shapes, with its JSON names (camelCase) and `attributes`."""

import hashlib

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.invitations.services import invitation_link
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD


def weak_etag(*parts) -> str:
    """A weak eTag of the values a client can change or see change."""
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:20]
    return f'W/"{digest}"'


@extend_schema_field(
    {"type": "object", "properties": {"objectType": {"type": "string"}}, "required": ["objectType"]}
)
class ObjectType(serializers.Field):
    """`"attributes": {"objectType": "<name>"}`, as on every Partner Center resource."""

    def __init__(self, name: str, **kwargs):
        self.name = name
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value) -> dict:
        return {"objectType": self.name}


class GccValidationSerializer(serializers.Serializer):
    partnerId = serializers.UUIDField(source="partner.commercial_tenant_id")
    organizationName = serializers.CharField(source="organization_name")
    validationId = serializers.CharField(source="validation_id")
    maxCreates = serializers.IntegerField(source="max_creates", allow_null=True)
    remainingCreates = serializers.IntegerField(source="remaining_creates", allow_null=True)
    eTag = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_eTag(self, code) -> str:
        return weak_etag(code.validation_id, code.max_creates, code.remaining_creates)


class GccValidationRelationshipSerializer(serializers.Serializer):
    """The code one customer was qualified with (`instance`: its CustomerQualification)."""

    customerId = serializers.UUIDField(source="customer.tenant_id")
    partnerId = serializers.UUIDField(source="validation.partner.commercial_tenant_id")
    validationId = serializers.CharField(source="validation.validation_id")
    organizationName = serializers.CharField(source="validation.organization_name")
    eTag = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_eTag(self, qualification) -> str:
        return weak_etag(qualification.customer.tenant_id, qualification.validation.validation_id)


class CustomerQualificationSerializer(serializers.Serializer):
    qualification = serializers.CharField()
    vettingStatus = serializers.CharField(source="vetting_status")
    vettingCreatedDate = serializers.DateTimeField(source="granted_at")
    attributes = ObjectType("CustomerQualification")


class CompanyProfileSerializer(serializers.Serializer):
    tenantId = serializers.UUIDField(source="tenant_id")
    domain = serializers.CharField(source="primary_domain")
    companyName = serializers.CharField(source="company_name")
    attributes = ObjectType("CustomerCompanyProfile")


class AddressSerializer(serializers.Serializer):
    country = serializers.CharField()
    city = serializers.CharField()
    state = serializers.CharField()
    addressLine1 = serializers.CharField(source="address_line1")
    addressLine2 = serializers.CharField(source="address_line2")
    postalCode = serializers.CharField(source="postal_code")
    firstName = serializers.CharField(source="contact_first_name")
    lastName = serializers.CharField(source="contact_last_name")
    phoneNumber = serializers.CharField(source="contact_phone")


class BillingProfileSerializer(serializers.Serializer):
    email = serializers.CharField(source="contact_email")
    culture = serializers.SerializerMethodField()
    language = serializers.SerializerMethodField()
    companyName = serializers.CharField(source="company_name")
    defaultAddress = AddressSerializer(source="*")
    attributes = ObjectType("CustomerBillingProfile")

    def get_culture(self, customer) -> str:
        return "en-US"

    def get_language(self, customer) -> str:
        return "en"


class CustomerSerializer(serializers.Serializer):
    """A customer as `customer_list_for_org` gives it (`indirect_reseller_partner_id`: the
    reseller an indirect provider sees it through, else None)."""

    id = serializers.UUIDField(source="tenant_id")
    commerceId = serializers.UUIDField(source="tenant_id")
    companyProfile = CompanyProfileSerializer(source="*")
    billingProfile = BillingProfileSerializer(source="*")
    relationshipToPartner = serializers.SerializerMethodField()
    associatedPartnerId = serializers.CharField(
        source="indirect_reseller_partner_id", allow_null=True
    )
    links = serializers.SerializerMethodField()
    attributes = ObjectType("Customer")

    def get_relationshipToPartner(self, customer) -> str:
        return "reseller"

    @extend_schema_field({"type": "object"})
    def get_links(self, customer) -> dict:
        return {
            "self": {"uri": f"/v1/customers/{customer.tenant_id}", "method": "GET", "headers": []}
        }


class OfferSerializer(serializers.Serializer):
    id = serializers.CharField(source="offer_id")
    name = serializers.CharField()
    minimumQuantity = serializers.IntegerField(source="min_quantity")
    maximumQuantity = serializers.IntegerField(source="max_quantity")
    country = serializers.SerializerMethodField()
    billing = serializers.SerializerMethodField()
    isAvailableForPurchase = serializers.BooleanField(source="is_active")
    category = serializers.SerializerMethodField()
    reselleeQualifications = serializers.SerializerMethodField()
    resellerQualifications = serializers.SerializerMethodField()
    attributes = ObjectType("Offer")

    def get_country(self, offer) -> str:
        return "US"

    def get_billing(self, offer) -> str:
        return "license"

    @extend_schema_field({"type": "object"})
    def get_category(self, offer) -> dict:
        return {"id": offer.family, "name": str(offer.get_family_display())}

    def get_reselleeQualifications(self, offer) -> list[str]:
        return [GOVERNMENT_COMMUNITY_CLOUD] if offer.requires_gcc else []

    def get_resellerQualifications(self, offer) -> list[str]:
        return [GOVERNMENT_COMMUNITY_CLOUD] if offer.requires_gcc else []


class QualificationRequestSerializer(serializers.Serializer):
    """Partner Center's request: `{"qualification": "GovernmentCommunityCloud",
    "validationCode": "…"}`. The portal sets the GCC qualification only."""

    qualification = serializers.ChoiceField(choices=[GOVERNMENT_COMMUNITY_CLOUD])
    validationCode = serializers.CharField(max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualification"].error_messages["invalid_choice"] = _(
            "The portal sets only the GovernmentCommunityCloud qualification."
        )
        self.fields["validationCode"].error_messages["required"] = _(
            "GovernmentCommunityCloud needs the validationCode of one of your GCC validation codes."
        )


class RelationshipRequestSerializer(serializers.Serializer):
    """Partner Center's `{"url": "…", "attributes": {"objectType": "RelationshipRequest"}}`:
    here, the portal's link of one invitation (an absolute URL)."""

    url = serializers.SerializerMethodField()
    attributes = ObjectType("RelationshipRequest")

    def get_url(self, invitation) -> str:
        return invitation_link(invitation)


# -- customer create: Partner Center's request, checked by the Add customer form's rules ----

# Partner Center's JSON path of each Add customer answer.
CUSTOMER_ANSWER_PATHS = {
    "primary_domain": ("companyProfile", "domain"),
    "company_name": ("billingProfile", "companyName"),
    "contact_email": ("billingProfile", "email"),
    "contact_first_name": ("billingProfile", "defaultAddress", "firstName"),
    "contact_last_name": ("billingProfile", "defaultAddress", "lastName"),
    "address_line1": ("billingProfile", "defaultAddress", "addressLine1"),
    "address_line2": ("billingProfile", "defaultAddress", "addressLine2"),
    "city": ("billingProfile", "defaultAddress", "city"),
    "state": ("billingProfile", "defaultAddress", "state"),
    "postal_code": ("billingProfile", "defaultAddress", "postalCode"),
    "contact_phone": ("billingProfile", "defaultAddress", "phoneNumber"),
}


class NewAddressSerializer(serializers.Serializer):
    firstName = serializers.CharField(max_length=50)
    lastName = serializers.CharField(max_length=50)
    addressLine1 = serializers.CharField(max_length=200)
    addressLine2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100)
    state = serializers.CharField(max_length=2)
    postalCode = serializers.CharField(max_length=10)
    country = serializers.CharField(max_length=2)
    phoneNumber = serializers.CharField(max_length=30)

    def validate_country(self, value: str) -> str:
        if value.upper() != "US":
            raise serializers.ValidationError(_("The portal serves customers in the US (US)."))
        return value.upper()


class NewBillingProfileSerializer(serializers.Serializer):
    email = serializers.EmailField()
    culture = serializers.CharField(required=False)
    language = serializers.CharField(required=False)
    companyName = serializers.CharField(max_length=200)
    defaultAddress = NewAddressSerializer()


class NewCompanyProfileSerializer(serializers.Serializer):
    domain = serializers.CharField(max_length=253)


class CustomerCreateSerializer(serializers.Serializer):
    """Partner Center's customer create request (the portal's customers are US customers)."""

    companyProfile = NewCompanyProfileSerializer()
    billingProfile = NewBillingProfileSerializer()
    associatedPartnerId = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text=_(
            "An indirect provider only: the partner ID of the indirect reseller the customer is "
            "created for (it manages the customer; the provider sees it through the reseller)."
        ),
    )

    def answers(self) -> dict:
        """The Add customer form's data, from the validated request."""
        data = self.validated_data
        answers = {}
        for field, path in CUSTOMER_ANSWER_PATHS.items():
            value = data
            for key in path:
                value = value.get(key, "") if isinstance(value, dict) else ""
            answers[field] = value
        return answers


# -- orders -----------------------------------------------------------------------------------

# Partner Center's order status for each of the portal's (the portal's own is `portalStatus`).
ORDER_STATUSES = {
    "submitted": "pending",
    "provisioning": "pending",
    "completed": "completed",
    "failed": "cancelled",
}


class NewLineItemSerializer(serializers.Serializer):
    lineItemNumber = serializers.IntegerField(min_value=0)
    offerId = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1)
    friendlyName = serializers.CharField(max_length=100, required=False, allow_blank=True)
    partnerIdOnRecord = serializers.CharField(max_length=20, required=False, allow_blank=True)


class OrderCreateSerializer(serializers.Serializer):
    referenceCustomerId = serializers.UUIDField(required=False)
    billingCycle = serializers.CharField(required=False)
    lineItems = NewLineItemSerializer(many=True, allow_empty=False)

    def validate_lineItems(self, items):
        numbers = sorted(item["lineItemNumber"] for item in items)
        if numbers != list(range(len(items))):
            raise serializers.ValidationError(
                _("lineItemNumber runs 0, 1, 2, … with each number once.")
            )
        return sorted(items, key=lambda item: item["lineItemNumber"])


class LineItemSerializer(serializers.Serializer):
    lineItemNumber = serializers.IntegerField(source="line_item_number")
    offerId = serializers.CharField(source="offer.offer_id")
    quantity = serializers.IntegerField()
    friendlyName = serializers.CharField(source="friendly_name")
    partnerIdOnRecord = serializers.CharField(source="order.partner_id_on_record")
    subscriptionId = serializers.SerializerMethodField()

    def get_subscriptionId(self, line) -> str | None:
        subscription = getattr(line, "subscription", None)
        return str(subscription.subscription_id) if subscription else None


class OrderSerializer(serializers.Serializer):
    id = serializers.CharField(source="pk")
    referenceCustomerId = serializers.UUIDField(source="customer.tenant_id")
    billingCycle = serializers.SerializerMethodField()
    creationDate = serializers.DateTimeField(source="created_at")
    status = serializers.SerializerMethodField()
    portalStatus = serializers.CharField(source="status")
    failureReason = serializers.CharField(source="failure_reason")
    lineItems = LineItemSerializer(source="line_items", many=True)
    links = serializers.SerializerMethodField()
    attributes = ObjectType("Order")

    def get_billingCycle(self, order) -> str:
        cycles = {line.offer.billing_cycle for line in order.line_items.all()}
        return cycles.pop() if len(cycles) == 1 else "none"

    def get_status(self, order) -> str:
        return ORDER_STATUSES[order.status]

    @extend_schema_field({"type": "object"})
    def get_links(self, order) -> dict:
        base = f"/v1/customers/{order.customer.tenant_id}/orders/{order.pk}"
        return {
            "self": {"uri": base, "method": "GET", "headers": []},
            "provisioningStatus": {
                "uri": f"{base}/provisioningstatus",
                "method": "GET",
                "headers": [],
            },
        }


class ProvisioningStatusSerializer(serializers.Serializer):
    """One line's provisioning (Partner Center: fulfilled / unfulfilled / pending)."""

    lineItemNumber = serializers.IntegerField(source="line_item_number")
    status = serializers.SerializerMethodField()
    portalStatus = serializers.CharField(source="status")
    quantityProvisioned = serializers.SerializerMethodField()
    subscriptionId = serializers.SerializerMethodField()
    error = serializers.CharField()

    def get_status(self, line) -> str:
        return {"provisioned": "fulfilled", "failed": "unfulfilled"}.get(line.status, "pending")

    def get_quantityProvisioned(self, line) -> int:
        return line.quantity if line.status == "provisioned" else 0

    def get_subscriptionId(self, line) -> str | None:
        subscription = getattr(line, "subscription", None)
        return str(subscription.subscription_id) if subscription else None
