"""GCC validation requests in the API: a portal extension (Partner Center has no such
resource; its GCC validation is a form and an email). camelCase like Partner Center's."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.validations.models import CustomerValidationRequest
from partners.models import PartnerValidationRequest

from .serializers import ObjectType, weak_etag

# Who did a step of the timeline, as the request's page says it.
ACTOR_REVIEW_TEAM = "reviewTeam"
ACTOR_CUSTOMER_CONTACT = "customerContact"
ACTOR_SYSTEM = "system"
ACTOR_MEMBER = "member"
CUSTOMER_CONTACT_ACTIONS = {"info_provided", "invitation_accepted"}
# A time as every field of the API writes it (inside a method field).
DATE = serializers.DateTimeField()


def request_etag(request) -> str:
    """Changes with every move of the request (its status, its information exchange)."""
    return weak_etag(request.pk, request.status, request.updated_at.isoformat())


class TimelineEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    description = serializers.CharField(source="label")
    fromStatus = serializers.CharField(source="from_status", allow_blank=True)
    toStatus = serializers.CharField(source="to_status", allow_blank=True)
    date = serializers.DateTimeField(source="created_at")
    by = serializers.SerializerMethodField()
    note = serializers.CharField()

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "type": {
                    "type": "string",
                    "enum": [ACTOR_MEMBER, ACTOR_REVIEW_TEAM, ACTOR_CUSTOMER_CONTACT, ACTOR_SYSTEM],
                },
                "email": {"type": "string"},
            },
        }
    )
    def get_by(self, event) -> dict:
        """A member of the caller's organization by email; anyone else by role, as on the
        request's page (a reviewer's name is not the partner's to know)."""
        if event.by_member:
            return {"type": ACTOR_MEMBER, "email": event.actor.email}
        if event.actor_id:
            return {"type": ACTOR_REVIEW_TEAM}
        if event.action in CUSTOMER_CONTACT_ACTIONS:
            return {"type": ACTOR_CUSTOMER_CONTACT}
        return {"type": ACTOR_SYSTEM}


class _RequestSerializer(serializers.Serializer):
    """What both kinds share: the state, the review clock, the information exchange."""

    id = serializers.CharField(source="pk")
    status = serializers.CharField()
    submittedDate = serializers.DateTimeField(source="submitted_at")
    submittedBy = serializers.EmailField(source="submitted_by.email")
    dueDate = serializers.DateTimeField(source="due_at", allow_null=True)
    decidedDate = serializers.DateTimeField(source="decided_at", allow_null=True)
    decisionNote = serializers.SerializerMethodField()
    informationRequested = serializers.SerializerMethodField()
    eTag = serializers.SerializerMethodField()

    def get_decisionNote(self, request) -> str:
        # The reason a rejection gives, as the request's page shows it.
        return request.decision_note if request.status == request.Status.REJECTED else ""

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "message": {"type": "string"},
                "requestedDate": {"type": "string", "format": "date-time"},
                "response": {"type": "string"},
                "respondedDate": {"type": "string", "format": "date-time", "nullable": True},
            },
        }
    )
    def get_informationRequested(self, request) -> dict | None:
        if request.info_requested_at is None:
            return None
        return {
            "message": request.info_request_message,
            "requestedDate": DATE.to_representation(request.info_requested_at),
            "response": request.info_response,
            "respondedDate": (
                DATE.to_representation(request.info_responded_at)
                if request.info_responded_at
                else None
            ),
        }

    @extend_schema_field(OpenApiTypes.STR)
    def get_eTag(self, request) -> str:
        return request_etag(request)


class PartnerValidationRequestSerializer(_RequestSerializer):
    tenantId = serializers.UUIDField(source="commercial_tenant_id")
    contactName = serializers.CharField(source="contact_name")
    contactEmail = serializers.EmailField(source="contact_email")
    contactPhone = serializers.CharField(source="contact_phone")
    governmentSegments = serializers.ListField(
        source="government_segments", child=serializers.CharField()
    )
    contractVehicles = serializers.CharField(source="contract_vehicles")
    attributes = ObjectType("PartnerValidationRequest")


class DocumentSerializer(serializers.Serializer):
    id = serializers.CharField(source="pk")
    name = serializers.CharField(source="original_name")
    contentType = serializers.CharField(source="content_type")
    size = serializers.IntegerField()
    source = serializers.CharField()
    uploadedDate = serializers.DateTimeField(source="uploaded_at")


class CustomerValidationRequestSerializer(_RequestSerializer):
    organizationName = serializers.CharField(source="organization_legal_name")
    organizationType = serializers.CharField(source="organization_type")
    regulatedData = serializers.ListField(source="regulated_data", child=serializers.CharField())
    domain = serializers.CharField(source="government_domain")
    contactName = serializers.CharField(source="contact_name")
    contactEmail = serializers.EmailField(source="contact_email")
    contactPhone = serializers.CharField(source="contact_phone")
    transactingPartnerId = serializers.UUIDField(source="commercial_tenant_id")
    validationId = serializers.SerializerMethodField()
    eligibilityOutcome = serializers.CharField(
        source="eligibility_outcome",
        read_only=True,
        help_text=(
            "The outcome of the eligibility pre-check the partner answered on the portal's "
            "pages before submitting: likely_eligible or likely_ineligible; empty when no "
            "check was made (always, for a request made through the API)."
        ),
    )
    attributes = ObjectType("CustomerValidationRequest")

    def get_validationId(self, request) -> str | None:
        # The code an approval issued (GET /v1/customers/all/validations lists it).
        code = getattr(request, "validation_code", None)
        return str(code.validation_id) if code is not None else None


class PartnerValidationRequestDetailSerializer(PartnerValidationRequestSerializer):
    timeline = TimelineEventSerializer(many=True, source="events")


class CustomerValidationRequestDetailSerializer(CustomerValidationRequestSerializer):
    documents = DocumentSerializer(many=True, source="documents.all")
    timeline = TimelineEventSerializer(many=True, source="events")


# -- what a create request carries: the pages' form fields, by their JSON names ------------

PARTNER_REQUEST_FIELDS = {
    "tenantId": "commercial_tenant_id",
    "contactName": "contact_name",
    "contactEmail": "contact_email",
    "contactPhone": "contact_phone",
    "governmentSegments": "government_segments",
    "contractVehicles": "contract_vehicles",
    "attested": "attested",
}
CUSTOMER_REQUEST_FIELDS = {
    "organizationName": "organization_legal_name",
    "organizationType": "organization_type",
    "regulatedData": "regulated_data",
    "domain": "government_domain",
    "contactName": "contact_name",
    "contactEmail": "contact_email",
    "contactPhone": "contact_phone",
    "transactingPartnerId": "commercial_tenant_id",
    "documents": "documents",
}


class PartnerValidationRequestCreateSerializer(serializers.Serializer):
    """Documented for the schema; the pages' form checks the values."""

    tenantId = serializers.UUIDField()
    contactName = serializers.CharField(max_length=100)
    contactEmail = serializers.EmailField()
    contactPhone = serializers.CharField(max_length=30)
    governmentSegments = serializers.MultipleChoiceField(
        choices=PartnerValidationRequest.GovernmentSegment.choices
    )
    contractVehicles = serializers.CharField()
    attested = serializers.BooleanField()


class CustomerValidationRequestCreateSerializer(serializers.Serializer):
    """Documented for the schema (multipart/form-data, or JSON without documents); the
    pages' form checks the values."""

    organizationName = serializers.CharField(max_length=200)
    organizationType = serializers.ChoiceField(
        choices=CustomerValidationRequest.OrganizationType.choices
    )
    regulatedData = serializers.MultipleChoiceField(
        choices=CustomerValidationRequest.RegulatedData.choices, required=False
    )
    domain = serializers.CharField(max_length=253)
    contactName = serializers.CharField(max_length=100)
    contactEmail = serializers.EmailField()
    contactPhone = serializers.CharField(max_length=30)
    transactingPartnerId = serializers.UUIDField()
    documents = serializers.ListField(child=serializers.FileField(), required=False)


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["withdrawn"])
