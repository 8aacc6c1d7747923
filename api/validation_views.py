"""GCC validation requests, partner and customer (a portal extension, tagged so in the
schema): list, create (a customer request's documents as multipart/form-data), read with the
status and the timeline, and withdraw (PATCH, with If-Match). The pages' forms check what is
sent, and the pages' services act."""

from collections.abc import Callable, Mapping

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from customers.selectors import gcc_block_reason
from customers.validations import services as customer_validation_services
from customers.validations.forms import CustomerValidationForm
from customers.validations.models import CustomerValidationRequest
from customers.validations.selectors import customer_validation_list_for_org
from gccportal.exceptions import ActionNotAllowed, InvalidTransition
from gccportal.forms import errors_onto_form
from gccportal.views import audit_trail
from partners import services as partner_services
from partners.forms import PartnerValidationForm
from partners.models import PartnerValidationRequest
from partners.selectors import partner_validation_block_reason, partner_validation_list_for_org

from .errors import ApiError, PreconditionFailed
from .idempotency import idempotent, request_id_of
from .pagination import PAGE_QUERY, collection, keyset_page
from .schema import collection_of, list_parameters
from .validation_serializers import (
    CUSTOMER_REQUEST_FIELDS,
    PARTNER_REQUEST_FIELDS,
    CustomerValidationRequestCreateSerializer,
    CustomerValidationRequestDetailSerializer,
    CustomerValidationRequestSerializer,
    PartnerValidationRequestCreateSerializer,
    PartnerValidationRequestDetailSerializer,
    PartnerValidationRequestSerializer,
    StatusChangeSerializer,
    request_etag,
)
from .views import CORRELATION_ID_PARAMETER, REQUEST_ID_PARAMETER, PartnerCenterView

TAG = "Portal extension: GCC validation requests"
IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="The eTag last read: a request changed since is not changed (412).",
)
LIST_PARAMETERS = list_parameters("Requests")


class _ValidationRequestViews(PartnerCenterView):
    """What both kinds' endpoints share; a kind's views say which model, selector, form,
    services and serializers are its own."""

    model: type
    list_selector: Callable[..., QuerySet]
    serializer: type
    detail_serializer: type
    form_class: type
    fields: dict[str, str]
    list_fields = {"government_segments", "regulated_data"}
    query_parameters = PAGE_QUERY

    def requests(self):
        return self.list_selector(organization=self.organization)

    def one(self, request_id):
        try:
            return self.requests().get(pk=int(request_id))
        except (ValueError, self.model.DoesNotExist) as exc:
            raise ApiError(status.HTTP_404_NOT_FOUND, _("No such validation request.")) from exc

    def detail(self, validation, *, http_status=status.HTTP_200_OK) -> Response:
        validation.events = audit_trail(self.organization, validation)["events"]
        body = self.detail_serializer(validation).data
        response = Response(body, status=http_status)
        response["ETag"] = body["eTag"]
        return response

    def listing(self, request) -> Response:
        rows, next_link = keyset_page(
            request,
            self.requests(),
            fields=("submitted_at", "pk"),
            scope=f"{self.model._meta.model_name}:{self.organization.pk}",
            descending=True,
        )
        return Response(collection(self.serializer(rows, many=True).data, next_link=next_link))

    def form_data(self, request) -> tuple[dict, dict]:
        """The form's data and files from the request's JSON names."""
        data, files = {}, {}
        raw = request.data
        if not isinstance(raw, Mapping):
            raise ApiError(
                status.HTTP_400_BAD_REQUEST, _("The request's body must be a JSON object.")
            )
        for json_name, field in self.fields.items():
            if field == "documents":
                files[field] = request.FILES.getlist(json_name) if request.FILES else []
            elif field in self.list_fields:
                value = raw.getlist(json_name) if hasattr(raw, "getlist") else raw.get(json_name)
                data[field] = value or []
            elif json_name in raw:
                data[field] = raw.get(json_name)
        return data, files

    def refused(self, form) -> ApiError:
        names = {field: json_name for json_name, field in self.fields.items()}
        messages = []
        for field, errors in form.errors.items():
            if field == "idempotency_key":
                continue
            name = names.get(field)
            messages += [f"{name}: {error}" if name else error for error in errors]
        return ApiError(
            status.HTTP_400_BAD_REQUEST, _("The request is not valid: see data."), data=messages
        )

    def create(self, request, *, block_reason, submit) -> Response:
        request_id = request_id_of(request)

        def perform() -> Response:
            reason = block_reason(organization=self.organization)
            if reason:
                raise ApiError(status.HTTP_409_CONFLICT, reason)
            data, files = self.form_data(request)
            form = self.form_class(
                data={**data, "idempotency_key": str(request_id)},
                files=files,
                organization=self.organization,
            )
            if form.is_valid():
                try:
                    validation = submit(
                        organization=self.organization,
                        submitted_by=request.user,
                        **form.cleaned_data,
                    )
                except ValidationError as exc:
                    errors_onto_form(form, exc)
                else:
                    return self.detail(self.one(validation.pk), http_status=201)
            raise self.refused(form)

        return idempotent(request, perform)

    def withdraw(self, request, request_id, *, service) -> Response:
        validation = self.one(request_id)
        change = StatusChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        expected = request.headers.get("If-Match")
        if expected and expected.strip() not in ("*", request_etag(validation)):
            raise PreconditionFailed()
        try:
            service(request_id=validation.pk, organization=self.organization, actor=request.user)
        except InvalidTransition as exc:
            raise ApiError(status.HTTP_409_CONFLICT, exc.message) from exc
        except ActionNotAllowed as exc:
            raise ApiError(status.HTTP_403_FORBIDDEN, exc.message) from exc
        return self.detail(self.one(validation.pk))


class _PartnerKind:
    model = PartnerValidationRequest
    list_selector = staticmethod(partner_validation_list_for_org)
    serializer = PartnerValidationRequestSerializer
    detail_serializer = PartnerValidationRequestDetailSerializer
    form_class = PartnerValidationForm
    fields = PARTNER_REQUEST_FIELDS


class _CustomerKind:
    model = CustomerValidationRequest
    list_selector = staticmethod(customer_validation_list_for_org)
    serializer = CustomerValidationRequestSerializer
    detail_serializer = CustomerValidationRequestDetailSerializer
    form_class = CustomerValidationForm
    fields = CUSTOMER_REQUEST_FIELDS

    def requests(self):
        return super().requests().prefetch_related("documents")


class PartnerValidationRequestListView(_PartnerKind, _ValidationRequestViews):
    @extend_schema(
        tags=[TAG],
        operation_id="partner_validation_requests_list",
        summary="The organization's GCC validation requests, newest first",
        parameters=LIST_PARAMETERS,
        responses={
            200: collection_of("PartnerValidationRequest", PartnerValidationRequestSerializer)
        },
    )
    def get(self, request):
        return self.listing(request)

    @extend_schema(
        tags=[TAG],
        operation_id="partner_validation_requests_create",
        summary="Apply for GCC approval (the Admin agent's or a Sales agent's client)",
        request=PartnerValidationRequestCreateSerializer,
        parameters=[REQUEST_ID_PARAMETER, CORRELATION_ID_PARAMETER],
        responses={201: PartnerValidationRequestDetailSerializer},
    )
    def post(self, request):
        return self.create(
            request,
            block_reason=partner_validation_block_reason,
            submit=partner_services.partner_validation_submit,
        )


class PartnerValidationRequestDetailView(_PartnerKind, _ValidationRequestViews):
    @extend_schema(
        tags=[TAG],
        operation_id="partner_validation_requests_get",
        summary="One request, with its status and timeline",
        responses=PartnerValidationRequestDetailSerializer,
    )
    def get(self, request, request_id):
        return self.detail(self.one(request_id))

    @extend_schema(
        tags=[TAG],
        operation_id="partner_validation_requests_withdraw",
        summary='Withdraw an open request ({"status": "withdrawn"})',
        request=StatusChangeSerializer,
        parameters=[IF_MATCH_PARAMETER],
        responses=PartnerValidationRequestDetailSerializer,
    )
    def patch(self, request, request_id):
        return self.withdraw(
            request, request_id, service=partner_services.partner_validation_withdraw
        )


class CustomerValidationRequestListView(_CustomerKind, _ValidationRequestViews):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="customer_validation_requests_list",
        summary="The organization's customer validation requests, newest first",
        parameters=LIST_PARAMETERS,
        responses={
            200: collection_of("CustomerValidationRequest", CustomerValidationRequestSerializer)
        },
    )
    def get(self, request):
        return self.listing(request)

    @extend_schema(
        tags=[TAG],
        operation_id="customer_validation_requests_create",
        summary="Submit a customer validation request, its documents as multipart/form-data",
        request={
            "multipart/form-data": CustomerValidationRequestCreateSerializer,
            "application/json": CustomerValidationRequestCreateSerializer,
        },
        parameters=[REQUEST_ID_PARAMETER, CORRELATION_ID_PARAMETER],
        responses={201: CustomerValidationRequestDetailSerializer},
    )
    def post(self, request):
        return self.create(
            request,
            block_reason=gcc_block_reason,
            submit=customer_validation_services.customer_validation_submit,
        )


class CustomerValidationRequestDetailView(_CustomerKind, _ValidationRequestViews):
    @extend_schema(
        tags=[TAG],
        operation_id="customer_validation_requests_get",
        summary="One request, with its documents, status and timeline",
        responses=CustomerValidationRequestDetailSerializer,
    )
    def get(self, request, request_id):
        return self.detail(self.one(request_id))

    @extend_schema(
        tags=[TAG],
        operation_id="customer_validation_requests_withdraw",
        summary='Withdraw an open request ({"status": "withdrawn"})',
        request=StatusChangeSerializer,
        parameters=[IF_MATCH_PARAMETER],
        responses=CustomerValidationRequestDetailSerializer,
    )
    def patch(self, request, request_id):
        return self.withdraw(
            request, request_id, service=customer_validation_services.customer_validation_withdraw
        )
