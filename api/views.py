"""The API's endpoints, Partner Center's paths under /v1/. Each reads through the same
selectors as the pages, scoped to the client's organization: another organization's
resource is 404, as one that does not exist."""

import logging
import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.codes.selectors import gcc_validation_list_visible, gcc_validation_visible_by_id
from customers.codes.services import CodeExhausted
from customers.forms import CustomerForm
from customers.invitations.services import invitation_issue
from customers.models import Customer
from customers.selectors import customer_get_visible_for_org, customer_list_for_org
from customers.services import (
    NO_QUALIFICATION,
    AlreadyQualified,
    PartnerNotQualified,
    customer_create,
    customer_qualification_add,
)
from gccportal.exceptions import ActionNotAllowed
from orders.models import Order, OrderLine
from orders.selectors import offer_list_active, order_get_for_org
from orders.services import CustomerNotManaged, order_place
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD

from .errors import (
    CUSTOMER_NOT_QUALIFIED,
    NO_RELATIONSHIP,
    PARTNER_NOT_QUALIFIED_FOR_OFFER,
    ApiError,
)
from .idempotency import REQUEST_ID_HEADER, idempotent, request_id_of
from .models import ApiClient
from .pagination import PAGE_QUERY, collection, keyset_page
from .schema import collection_of, list_parameters
from .serializers import (
    CUSTOMER_ANSWER_PATHS,
    CustomerCreateSerializer,
    CustomerQualificationSerializer,
    CustomerSerializer,
    GccValidationRelationshipSerializer,
    GccValidationSerializer,
    OfferSerializer,
    OrderCreateSerializer,
    OrderSerializer,
    ProvisioningStatusSerializer,
    QualificationRequestSerializer,
    RelationshipRequestSerializer,
)

logger = logging.getLogger(__name__)

CORRELATION_HEADER = "MS-CorrelationId"


def _guid_or_new(value: str | None) -> str:
    try:
        return str(uuid.UUID(value)) if value else str(uuid.uuid4())
    except ValueError:
        return str(uuid.uuid4())


REQUEST_ID_PARAMETER = OpenApiParameter(
    "MS-RequestId",
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    required=True,
    description="A new GUID per request; the same one on a retry (the retry changes nothing).",
)


CORRELATION_ID_PARAMETER = OpenApiParameter(
    CORRELATION_HEADER,
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    description="A GUID per call, echoed back and logged (required to create a customer).",
)


class PartnerCenterView(APIView):
    """Every endpoint: `MS-CorrelationId` echoed (a new one when absent) and logged with the
    client and the outcome; nothing cached."""

    # The query parameters an endpoint reads; any other is refused (a misspelt `sise=` would
    # otherwise be ignored without a word).
    query_parameters: frozenset[str] = frozenset()

    def initial(self, request, *args, **kwargs):
        request.correlation_id = _guid_or_new(request.headers.get(CORRELATION_HEADER))
        super().initial(request, *args, **kwargs)
        unknown = sorted(set(request.query_params) - self.query_parameters)
        if unknown:
            raise ApiError(
                status.HTTP_400_BAD_REQUEST,
                _("Unknown query parameter: %(names)s.") % {"names": ", ".join(unknown)},
            )

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


class CustomerQualificationListView(PartnerCenterView):
    # `code`: the 2021 contract's validation code (POST …/qualifications?code=…).
    query_parameters = frozenset({"code"})

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
        description=(
            'Partner Center\'s request, `{"qualification": "GovernmentCommunityCloud", '
            '"validationCode": "…"}`; its 2021 contract too: the code as `?code=` and '
            'the body `{"Qualification": "GovernmentCommunityCloud"}`.'
        ),
        request=QualificationRequestSerializer,
        parameters=[
            REQUEST_ID_PARAMETER,
            OpenApiParameter("code", str, description="The 2021 contract's validation code."),
        ],
        responses={201: CustomerQualificationSerializer},
    )
    def post(self, request, customer_id):
        customer = self.customer(customer_id)
        body = request.data if isinstance(request.data, dict) else {}
        if "code" in request.query_params:
            body = {
                "qualification": body.get("Qualification", body.get("qualification")),
                "validationCode": request.query_params["code"],
            }
        answers = QualificationRequestSerializer(data=body)
        answers.is_valid(raise_exception=True)
        return idempotent(
            request,
            lambda: Response(
                CustomerQualificationSerializer(
                    self.qualify(customer, answers.validated_data["validationCode"])
                ).data,
                status=status.HTTP_201_CREATED,
            ),
        )

    def qualify(self, customer: Customer, validation_code: str):
        """GCC for `customer` with the code, by Partner Center's rules and errors."""
        code = gcc_validation_visible_by_id(
            organization=self.organization, validation_id=validation_code
        )
        if code is None:
            raise ApiError(
                status.HTTP_400_BAD_REQUEST,
                _("validationCode is not one of your GCC validation codes."),
                data=["validationCode"],
            )
        try:
            return customer_qualification_add(
                organization=self.organization,
                actor=self.request.user,
                customer_id=customer.pk,
                qualification=GOVERNMENT_COMMUNITY_CLOUD,
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


# The legacy synchronous contract's bare strings.
LEGACY_GCC = "governmentcommunitycloud"
LEGACY_NONE = "none"


class LegacyCustomerQualificationView(CustomerQualificationListView):
    """Partner Center's legacy `GET`/`PUT /v1/customers/{id}/qualification[?code=]`: the
    qualification as a bare string. Kept for integrations written against it; the same rules
    and errors as …/qualifications."""

    @extend_schema(
        summary="Legacy: the customer's qualification as a bare string",
        responses={200: {"type": "string", "enum": [LEGACY_GCC, LEGACY_NONE]}},
    )
    def get(self, request, customer_id):
        customer = self.customer(customer_id)
        qualified = any(
            q.qualification == GOVERNMENT_COMMUNITY_CLOUD for q in customer.qualifications.all()
        )
        return Response(LEGACY_GCC if qualified else LEGACY_NONE)

    @extend_schema(
        summary='Legacy: qualify for GCC (body "governmentcommunitycloud", the code as ?code=)',
        request={"application/json": {"type": "string", "enum": [LEGACY_GCC]}},
        parameters=[
            REQUEST_ID_PARAMETER,
            OpenApiParameter("code", str, required=True, description="The validation code."),
        ],
        responses={201: {"type": "string", "enum": [LEGACY_GCC]}},
    )
    def put(self, request, customer_id):
        customer = self.customer(customer_id)
        if not isinstance(request.data, str) or request.data.lower() != LEGACY_GCC:
            raise ApiError(
                status.HTTP_400_BAD_REQUEST,
                _('The body must be the string "governmentcommunitycloud".'),
            )
        validation_code = request.query_params.get("code", "")
        if not validation_code:
            raise ApiError(
                status.HTTP_400_BAD_REQUEST,
                _(
                    "GovernmentCommunityCloud needs the validationCode of one of your GCC "
                    "validation codes."
                ),
            )

        def qualify() -> Response:
            self.qualify(customer, validation_code)
            return Response(LEGACY_GCC, status=status.HTTP_201_CREATED)

        return idempotent(request, qualify)


def _form_errors_as_api(form) -> list[str]:
    """The Add customer form's messages, each named by its Partner Center JSON path."""
    messages = []
    for field, errors in form.errors.items():
        name = ".".join(CUSTOMER_ANSWER_PATHS.get(field, ())) or field
        messages += [f"{name}: {error}" if field != "__all__" else error for error in errors]
    return messages


class CustomerListView(PartnerCenterView):
    query_parameters = PAGE_QUERY

    @extend_schema(
        operation_id="customers_list",
        summary="The partner's customers (a collection, continued with MS-ContinuationToken)",
        parameters=list_parameters("Customers"),
        responses={200: collection_of("Customer", CustomerSerializer)},
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

    @extend_schema(
        operation_id="customers_create",
        summary="Create a customer (its qualification: POST …/qualifications)",
        request=CustomerCreateSerializer,
        parameters=[REQUEST_ID_PARAMETER, CORRELATION_ID_PARAMETER],
        responses={201: CustomerSerializer},
    )
    def post(self, request):
        if CORRELATION_HEADER not in request.headers:
            raise ApiError(
                status.HTTP_400_BAD_REQUEST,
                _("Creating a customer needs an %(header)s header (a GUID).")
                % {"header": CORRELATION_HEADER},
            )
        request_id = request_id_of(request)
        answers = CustomerCreateSerializer(data=request.data)
        answers.is_valid(raise_exception=True)

        def create() -> Response:
            # The Add customer form's own rules (domain, state, ZIP code, phone, …).
            form = CustomerForm(
                data={
                    **answers.answers(),
                    "idempotency_key": str(request_id),
                    "special_qualification": NO_QUALIFICATION,
                },
                organization=self.organization,
            )
            if form.is_valid():
                try:
                    customer = customer_create(
                        organization=self.organization,
                        created_by=request.user,
                        associated_partner_id=answers.validated_data.get("associatedPartnerId", ""),
                        **form.cleaned_data,
                    )
                except ValidationError as exc:
                    associated = exc.message_dict.pop("associated_partner_id", None)
                    if associated:
                        raise ApiError(
                            status.HTTP_400_BAD_REQUEST,
                            _("The request is not valid: see data."),
                            data=[f"associatedPartnerId: {message}" for message in associated],
                        ) from exc
                    form.add_service_error(exc)
                else:
                    created = customer_get_visible_for_org(
                        organization=self.organization, customer_id=customer.pk
                    )
                    return Response(
                        CustomerSerializer(created).data, status=status.HTTP_201_CREATED
                    )
            raise ApiError(
                status.HTTP_400_BAD_REQUEST,
                _("The request is not valid: see data."),
                data=_form_errors_as_api(form),
            )

        return idempotent(request, create)


class CustomerDetailView(PartnerCenterView):
    @extend_schema(
        operation_id="customers_get", summary="One customer", responses=CustomerSerializer
    )
    def get(self, request, customer_id):
        return Response(CustomerSerializer(self.customer(customer_id)).data)


class OfferListView(PartnerCenterView):
    query_parameters = frozenset({"country"})

    @extend_schema(
        summary="The catalogue: offers for a country (the portal sells in the US)",
        parameters=[OpenApiParameter("country", str, required=True, description="ISO-2")],
        responses={200: collection_of("Offer", OfferSerializer)},
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


class RelationshipRequestView(PartnerCenterView):
    @extend_schema(
        operation_id="relationship_request_get",
        summary="The link that invites a customer into a reseller relationship",
        responses={200: RelationshipRequestSerializer},
    )
    def get(self, request):
        """A link the client's tool sends itself: the same one while it can be accepted (30
        days, once), then a new one. The customer who opens it accepts the reseller
        relationship; it shows on the Reseller relationship requests page, revocable."""
        if request.auth.scope != ApiClient.Scope.WRITE:
            raise ApiError(
                status.HTTP_403_FORBIDDEN,
                _(
                    "A relationship request link is made for the caller: it needs a "
                    "read-and-write client."
                ),
            )
        invitation = invitation_issue(organization=self.organization, actor=request.user)
        return Response(RelationshipRequestSerializer(invitation).data)


class OrderListView(PartnerCenterView):
    @extend_schema(
        operation_id="orders_create",
        summary="Place an order for a customer",
        request=OrderCreateSerializer,
        parameters=[REQUEST_ID_PARAMETER],
        responses={201: OrderSerializer},
    )
    def post(self, request, customer_id):
        customer = self.customer(customer_id)
        answers = OrderCreateSerializer(data=request.data)
        answers.is_valid(raise_exception=True)
        request_id = request_id_of(request)
        reference = answers.validated_data.get("referenceCustomerId")
        if reference is not None and reference != customer.tenant_id:
            raise ApiError(
                status.HTTP_400_BAD_REQUEST,
                _("referenceCustomerId is not the customer of the order's path."),
            )
        lines = [
            OrderLine(
                offer_id=item["offerId"],
                quantity=item["quantity"],
                friendly_name=item.get("friendlyName", ""),
            )
            for item in answers.validated_data["lineItems"]
        ]

        def place() -> Response:
            try:
                order = order_place(
                    organization=self.organization,
                    created_by=request.user,
                    customer_id=customer.pk,
                    lines=lines,
                    idempotency_key=request_id,
                )
            except CustomerNotManaged as exc:
                raise ApiError(
                    status.HTTP_403_FORBIDDEN, exc.message, code=NO_RELATIONSHIP
                ) from exc
            except ActionNotAllowed as exc:
                raise ApiError(
                    status.HTTP_403_FORBIDDEN, exc.message, code=PARTNER_NOT_QUALIFIED_FOR_OFFER
                ) from exc
            except ValidationError as exc:
                raise ApiError(
                    status.HTTP_400_BAD_REQUEST,
                    _("The order can't be placed: see data."),
                    code=CUSTOMER_NOT_QUALIFIED if _gcc_refusal(exc) else None,
                    data=[m for messages in exc.message_dict.values() for m in messages],
                ) from exc
            placed = order_get_for_org(organization=self.organization, order_id=order.pk)
            return Response(OrderSerializer(placed).data, status=status.HTTP_201_CREATED)

        return idempotent(request, place)


def _gcc_refusal(exc: ValidationError) -> bool:
    """A commercial offer refused for a GCC tenant, or a GCC offer for a commercial one: the
    customer lacks (or holds) the qualification the offer needs (Partner Center's 800086)."""
    return any(key.startswith("quantity_") for key in exc.message_dict)


class OrderDetailView(PartnerCenterView):
    def order(self, customer_id, order_id):
        customer = self.customer(customer_id)
        try:
            order = order_get_for_org(organization=self.organization, order_id=int(order_id))
        except (ValueError, Order.DoesNotExist) as exc:
            raise ApiError(status.HTTP_404_NOT_FOUND, _("No such order.")) from exc
        if order.customer_id != customer.pk:
            raise ApiError(status.HTTP_404_NOT_FOUND, _("No such order."))
        return order

    @extend_schema(operation_id="orders_get", summary="One order", responses=OrderSerializer)
    def get(self, request, customer_id, order_id):
        return Response(OrderSerializer(self.order(customer_id, order_id)).data)


class OrderProvisioningStatusView(OrderDetailView):
    @extend_schema(
        operation_id="orders_provisioning_status",
        summary="Each line's provisioning",
        responses={200: {"type": "object"}},
    )
    def get(self, request, customer_id, order_id):
        order = self.order(customer_id, order_id)
        lines = ProvisioningStatusSerializer(order.line_items.all(), many=True).data
        return Response(collection(lines))
