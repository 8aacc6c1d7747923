"""What the outbox's tests share: an email's context."""

import pytest


@pytest.fixture
def context(in_review_validation):
    in_review_validation.decision_note = "Missing GSA contract number."
    return {
        "request": in_review_validation,
        "organization": in_review_validation.organization,
        "request_path": "/gcc/validations/1/",
    }
