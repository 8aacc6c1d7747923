"""The API's endpoints, Partner Center's paths under /v1/. Each reads through the same
selectors as the pages, scoped to the client's organization: another organization's
resource is 404, as one that does not exist."""

import logging
import uuid

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.codes.selectors import gcc_validation_list_visible, gcc_validation_visible_by_id
from customers.codes.services import CodeExhausted
from customers.models import Customer
from customers.selectors import customer_get_visible_for_org, customer_list_for_org
from customers.services import AlreadyQualified, PartnerNotQualified, customer_qualification_add
from orders.selectors import offer_list_active

from .errors import NO_RELATIONSHIP, PARTNER_NOT_QUALIFIED_FOR_OFFER, ApiError
from .idempotency import REQUEST_ID_HEADER, idempotent
from .pagination import collection, keyset_page
from .serializers import (
    CustomerQualificationSerializer,
    CustomerSerializer,
    GccValidationRelationshipSerializer,
    GccValidationSerializer,
    OfferSerializer,
    QualificationRequestSerializer,
)

logger = logging.getLogger(__name__)

CORRELATION_HEADER = "MS-CorrelationId"


def _guid_or_new(value: str | None) -> str:
    try:
        return str(uuid.UUID(value)) if value else str(uuid.uuid4())
    except ValueError:
        return str(uuid.uuid4())


class PartnerCenterView(APIView):
    """Every endpoint: `MS-CorrelationId` echoed (a new one when absent) and logged with the
    client and the outcome; nothing cached."""

    def initial(self, request, *args, **kwargs):
        request.correlation_id = _guid_or_new(request.headers.get(CORRELATION_HEADER))
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        correlation_id = getattr(request, "correlation_id", None) or _guid_or_new(
            request.headers.get(CORRELATION_HEADER)
        )
        response[CORRELATION_HEADER] = correlation_id
        if REQUEST_ID_HEADER in request.headers:
            response[REQUEST_ID_HEADER] = request.headers[REQUEST_ID_HEADER]
        response["Cache-Control"] = "no-store"
        client = getattr(request, "auth", None)
        logger.info(
            "api %s %s -> %s client=%s correlation=%s",
            request.method,
            request.path,
            response.status_code,
            getattr(client, "key_id", "-"),
            correlation_id,
        )
        return response

    @property
    def organization(self):
        return self.request.auth.organization

    def customer(self, customer_id) -> Customer:
        """A customer the organization sees, by its ID (the tenant ID), else 404."""
        try:
            return customer_get_visible_for_org(
                organization=self.organization, tenant_id=uuid.UUID(str(customer_id))
            )
        except (ValueError, Customer.DoesNotExist) as exc:
            raise ApiError(status.HTTP_404_NOT_FOUND, _("No such customer.")) from exc


class ValidationListView(PartnerCenterView):
    @extend_schema(
        summary="The partner's GCC validation codes",
        responses=GccValidationSerializer(many=True),
    )
    def get(self, request):
        codes = gcc_validation_list_visible(organization=self.organization).select_related(
            "partner"
        )
        return Response(GccValidationSerializer(codes, many=True).data)


class CustomerValidationView(PartnerCenterView):
    @extend_schema(
        summary="The GCC validation code a customer was qualified with",
        responses=GccValidationRelationshipSerializer,
    )
    def get(self, request, customer_id):
        customer = self.customer(customer_id)
        qualification = next(
            (q for q in customer.qualifications.all() if q.validation_id is not None), None
        )
        if qualification is None:
            raise ApiError(
                status.HTTP_404_NOT_FOUND,
                _("This customer was not qualified with a GCC validation code."),
            )
        qualification.customer = customer
        return Response(GccValidationRelationshipSerializer(qualification).data)


REQUEST_ID_PARAMETER = OpenApiParameter(
    "MS-RequestId",
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    required=True,
    description="A new GUID per request; the same one on a retry (the retry changes nothing).",
)


class CustomerQualificationListView(PartnerCenterView):
    @extend_schema(
        summary="A customer's special qualifications",
        responses=CustomerQualificationSerializer(many=True),
    )
    def get(self, request, customer_id):
        customer = self.customer(customer_id)
        return Response(
            CustomerQualificationSerializer(customer.qualifications.all(), many=True).data
        )

    @extend_schema(
        summary="Qualify a customer for GCC with a validation code (irreversible)",
        request=QualificationRequestSerializer,
        parameters=[REQUEST_ID_PARAMETER],
        responses={201: CustomerQualificationSerializer},
    )
    def post(self, request, customer_id):
        customer = self.customer(customer_id)
        answers = QualificationRequestSerializer(data=request.data)
        answers.is_valid(raise_exception=True)

        def qualify() -> Response:
            code = gcc_validation_visible_by_id(
                organization=self.organization,
                validation_id=answers.validated_data["validationCode"],
            )
            if code is None:
                raise ApiError(
                    status.HTTP_400_BAD_REQUEST,
                    _("validationCode is not one of your GCC validation codes."),
                    data=["validationCode"],
                )
            try:
                granted = customer_qualification_add(
                    organization=self.organization,
                    actor=request.user,
                    customer_id=customer.pk,
                    qualification=answers.validated_data["qualification"],
                    gcc_validation=code,
                )
            except Customer.DoesNotExist as exc:
                raise ApiError(
                    status.HTTP_403_FORBIDDEN,
                    _(
                        "Your indirect reseller manages this customer: it sets its "
                        "qualification, not you."
                    ),
                    code=NO_RELATIONSHIP,
                ) from exc
            except PartnerNotQualified as exc:
                raise ApiError(
                    status.HTTP_403_FORBIDDEN, exc.message, code=PARTNER_NOT_QUALIFIED_FOR_OFFER
                ) from exc
            except AlreadyQualified as exc:
                raise ApiError(status.HTTP_409_CONFLICT, exc.message) from exc
            except CodeExhausted as exc:
                raise ApiError(status.HTTP_400_BAD_REQUEST, exc.message) from exc
            return Response(
                CustomerQualificationSerializer(granted).data, status=status.HTTP_201_CREATED
            )

        return idempotent(request, qualify)


class CustomerListView(PartnerCenterView):
    @extend_schema(
        operation_id="customers_list",
        summary="The partner's customers (a collection, continued with MS-ContinuationToken)",
        parameters=[
            OpenApiParameter("size", int, description="Customers per page, 1 to 500."),
            OpenApiParameter("seekOperation", str, enum=["Next"]),
            OpenApiParameter("MS-ContinuationToken", str, OpenApiParameter.HEADER),
        ],
        responses={200: {"type": "object"}},
    )
    def get(self, request):
        customers = customer_list_for_org(organization=self.organization)
        rows, next_link = keyset_page(
            request,
            customers,
            fields=("company_name", "pk"),
            scope=f"customers:{self.organization.pk}",
        )
        return Response(collection(CustomerSerializer(rows, many=True).data, next_link=next_link))


class CustomerDetailView(PartnerCenterView):
    @extend_schema(
        operation_id="customers_get", summary="One customer", responses=CustomerSerializer
    )
    def get(self, request, customer_id):
        return Response(CustomerSerializer(self.customer(customer_id)).data)


class OfferListView(PartnerCenterView):
    @extend_schema(
        summary="The catalogue: offers for a country (the portal sells in the US)",
        parameters=[OpenApiParameter("country", str, required=True, description="ISO-2")],
        responses={200: {"type": "object"}},
    )
    def get(self, request):
        country = request.query_params.get("country", "")
        if len(country) != 2 or not country.isalpha():
            raise ApiError(
                status.HTTP_400_BAD_REQUEST,
                _("country is required: the two-letter ISO code, e.g. US."),
            )
        offers = offer_list_active() if country.upper() == "US" else []
        return Response(collection(OfferSerializer(offers, many=True).data))
