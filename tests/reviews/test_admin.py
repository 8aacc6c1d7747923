"""What the review admin reads from the models: the transition behind each decision."""

import pytest
from django.contrib import admin

from customers.validations.models import CustomerValidationRequest
from partners.models import PartnerValidationRequest
from reviews.models import ReviewStatus
from reviews.selectors import review_move_targets


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
