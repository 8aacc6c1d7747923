"""What the review admin reads from the models: the transition behind each decision, the
decisions offered from each status; what a kind's admin declares and what it shares."""

import pytest
from django.apps import apps
from django.contrib import admin

from customers.validations.models import CustomerValidationRequest
from partners.models import PartnerValidationRequest
from reviews.admin import REVIEW_DECISIONS, ReviewAdminMixin, review_decisions
from reviews.models import ReviewableRequest, ReviewStatus
from reviews.selectors import review_move_targets
from reviews.services import review_reject
from tests.helpers import ALL_STATUSES, ALLOWED
from tests.reviews_testapp.models import MinimalRequest


@pytest.mark.parametrize(
    ("model", "action", "target"),
    [
        (model, action, target)
        for model in (PartnerValidationRequest, CustomerValidationRequest)
        for action, target in [
            ("start-review", ReviewStatus.IN_REVIEW),
            ("approve", ReviewStatus.APPROVED),
            ("reject", ReviewStatus.REJECTED),
            ("request-info", ReviewStatus.INFO_REQUESTED),
        ]
    ],
)
def test_each_decision_is_a_transition_of_its_model(model, action, target):
    # given: the model's review admin
    model_admin = admin.site._registry[model]

    # when
    move = model_admin.decision_move(action)

    # then: the status it leads to is what tells whether the decision was recorded
    assert review_move_targets(model=model, move=move) == {target}


def test_every_decision_of_the_review_admins_is_covered():
    # given / when
    actions = {
        model: set(admin.site._registry[model].decisions)
        for model in (PartnerValidationRequest, CustomerValidationRequest)
    }

    # then: a new decision must be added to the test above
    assert actions == {
        PartnerValidationRequest: {"start-review", "approve", "reject", "request-info"},
        CustomerValidationRequest: {"start-review", "approve", "reject", "request-info"},
    }


# -- the decisions follow the declared moves ------------------------------------------------


class MinimalRequestAdmin(ReviewAdminMixin, admin.ModelAdmin):
    """A kind's admin: its own services (here: never called), given in another order than
    the buttons', and nothing else."""

    decisions = review_decisions(
        MinimalRequest,
        {action: {"service": lambda **kwargs: None} for action in ("request-info", "approve")},
    )


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_the_decisions_offered_are_the_moves_the_model_allows_from_the_status(status):
    # Given a request in `status` and its kind's admin
    model_admin = MinimalRequestAdmin(MinimalRequest, admin.site)

    # When the decisions are listed
    offered = [d["action"] for d in model_admin.available_decisions(MinimalRequest(status=status))]

    # Then they are the declared moves from that status, in the admin's order
    allowed = {action for (source, action) in ALLOWED if source == status}
    assert offered == [
        action
        for action in ("start-review", "approve", "reject", "request-info")
        if action.replace("-", "_") in allowed
    ]


def test_a_kinds_decision_is_the_shared_one_with_its_own_service_and_words():
    # Given the partner and customer admins
    partner = admin.site._registry[PartnerValidationRequest].decisions
    customer = admin.site._registry[CustomerValidationRequest].decisions

    # Then a decision they word alike is the shared one, with the shared service for the kind
    for decisions, model in (
        (partner, PartnerValidationRequest),
        (customer, CustomerValidationRequest),
    ):
        spec = dict(decisions["reject"])
        service = spec.pop("service")
        assert spec == REVIEW_DECISIONS["reject"]
        assert (service.func, service.keywords) == (review_reject, {"model": model})
    # and the buttons come in the same order for every kind
    assert list(partner) == list(customer) == ["start-review", "approve", "reject", "request-info"]
    # and one they word differently keeps the shared parts
    assert customer["request-info"]["label"] == "Request information from the customer"
    assert customer["request-info"]["argument"] == "message"
    # and every decision has what its pages need
    for decisions in (partner, customer):
        for spec in decisions.values():
            assert {"label", "service", "text_label", "text_required", "done"} <= set(spec)


@pytest.mark.parametrize(
    ("action", "cleaned_data", "arguments"),
    [
        ("start-review", {"text": "Mine."}, {"note": "Mine."}),
        ("approve", {"text": "", "max_creates": 2}, {"note": "", "max_creates": 2}),
        ("reject", {"text": "No."}, {"reason": "No."}),
        ("request-info", {"text": "Why?"}, {"message": "Why?"}),
    ],
)
def test_the_forms_text_reaches_the_service_under_the_services_name(
    action, cleaned_data, arguments
):
    # Given the customer admin (its approval form adds the number of creates)
    model_admin = admin.site._registry[CustomerValidationRequest]

    # When / Then
    assert model_admin.decision_arguments(action, cleaned_data) == arguments


def test_every_kind_declares_the_permission_its_review_needs():
    # Given every kind of reviewed request installed
    kinds = [model for model in apps.get_models() if issubclass(model, ReviewableRequest)]

    # Then each declares the permission the services, the admin and the reviewer groups read
    assert {model._meta.label for model in kinds} == {
        "partners.PartnerValidationRequest",
        "customers.CustomerValidationRequest",
        "reviews_testapp.MinimalRequest",
    }
    for model in kinds:
        codename = model.review_decide_permission().split(".")[1]
        assert codename in dict(model._meta.permissions), model
