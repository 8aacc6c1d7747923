"""A refused partner page (a Helpdesk agent's GCC action, a non-member) is logged as one line
at WARNING on the portal's logger, not as a traceback: refusals are expected, not errors."""

import logging

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.html import alert_texts

pytestmark = pytest.mark.django_db

ROLE_REFUSAL = (
    "Your role (Helpdesk agent) can't take GCC actions. Only Admin agents and Sales agents "
    "can; ask one of them."
)


def records_at_warning_or_above(caplog):
    return [record for record in caplog.records if record.levelno >= logging.WARNING]


@pytest.mark.parametrize("method", ["get", "post"])
def test_helpdesk_gcc_action_logs_one_line_without_traceback(
    client, helpdesk_agent, caplog, method
):
    client.force_login(helpdesk_agent)
    caplog.set_level(logging.INFO)

    response = getattr(client, method)(reverse("partners:validation_create"))

    assert response.status_code == 403
    assert ROLE_REFUSAL in alert_texts(response)
    (record,) = records_at_warning_or_above(caplog)
    assert record.name == "partners.access"
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert record.getMessage() == (
        "Forbidden (role helpdesk_agent can't take GCC actions): "
        f"{method.upper()} /gcc/validations/new/, user {helpdesk_agent.pk}"
    )
    assert "\n" not in caplog.text.strip()


def test_non_member_refusal_logs_one_line_without_traceback(client, caplog):
    client.force_login(UserFactory())
    caplog.set_level(logging.INFO)

    response = client.get(reverse("partners:organization_profile"))

    assert response.status_code == 403
    (record,) = records_at_warning_or_above(caplog)
    assert record.name == "partners.access"
    assert record.exc_info is None
    assert record.getMessage().startswith("Forbidden (not a partner organization member): GET /")


def test_allowed_role_logs_nothing(client, sales_agent, caplog):
    client.force_login(sales_agent)
    caplog.set_level(logging.INFO)

    response = client.get(reverse("partners:validation_list"))

    assert response.status_code == 200
    assert records_at_warning_or_above(caplog) == []
