"""Partner Center's resource shapes, with its JSON names (camelCase) and `attributes`."""

import hashlib

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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
