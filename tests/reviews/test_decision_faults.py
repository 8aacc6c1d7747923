"""A database failure during a reviewer's decision: the reviewer is told the truth, never a 500.

These tests break the real PostgreSQL connection (the request's own backend is terminated, as
an administrator or a failover would) at the moment that matters, so they run outside a test
transaction.
"""

from unittest import mock

import pytest
from django.contrib.admin.models import LogEntry
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.urls import reverse

from notifications.models import OutboxMessage
from partners.models import PartnerValidationRequest, ResellerQualification
from reviews.models import AuditEvent
from tests.factories import PartnerValidationRequestFactory, ReviewerFactory
from tests.html import attr, elements, messages_of, text

pytestmark = pytest.mark.django_db(transaction=True)

Status = PartnerValidationRequest.Status
CHANGE = "admin:partners_partnervalidationrequest_change"
DECIDE = "admin:partners_partnervalidationrequest_decide"
APPROVED = "Approved. The partner now holds the Government Community Cloud (GCC) qualification."
NOT_SAVED = (
    "Your decision was not saved. The connection to the database was lost before it could be "
    "recorded, so nothing was changed and no one was notified. You can make the decision again: "
    "what you entered is kept below."
)


# -- helpers -------------------------------------------------------------------------------


def connection_lost() -> None:
    """Terminate this process's own database backend: the statement fails with
    OperationalError and the connection is dead."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")


def commit_then_connection_lost():
    """A stand-in for the connection's commit() that commits, then loses the connection before
    the application hears back: the decision is saved, the view sees an OperationalError."""
    real_commit = connections[DEFAULT_DB_ALIAS].commit

    def commit() -> None:
        real_commit()
        connection_lost()

    return mock.patch.object(connections[DEFAULT_DB_ALIAS], "commit", commit)


def decision_events(validation) -> list[tuple[int, str]]:
    return list(
        AuditEvent.objects.for_subject(validation)
        .exclude(action="submitted")
        .values_list("actor", "to_status")
    )


# -- saved, then the connection was lost ---------------------------------------------------
@pytest.mark.parametrize(
    ("action", "status", "data", "expected", "done", "emails"),
    [
        (
            "start-review",
            Status.SUBMITTED,
            {},
            Status.IN_REVIEW,
            "Review started; the request is assigned to you.",
            0,
        ),
        ("approve", Status.IN_REVIEW, {"text": "Welcome to GCC."}, Status.APPROVED, APPROVED, 1),
        (
            "reject",
            Status.IN_REVIEW,
            {"text": "No government customers listed."},
            Status.REJECTED,
            "Rejected. The partner was told the reason.",
            1,
        ),
        (
            "request-info",
            Status.IN_REVIEW,
            {"text": "Send your GSA contract number."},
            Status.INFO_REQUESTED,
            "Information requested. The review clock is stopped until the partner answers.",
            1,
        ),
    ],
)
def test_connection_lost_at_commit_after_the_decision_was_saved_gives_the_success(
    client, action, status, data, expected, done, emails
):
    # given: a request awaiting this decision, and the connection lost just after COMMIT
    reviewer = ReviewerFactory()
    validation = PartnerValidationRequestFactory(status=status)
    client.force_login(reviewer)

    # when
    with commit_then_connection_lost():
        response = client.post(reverse(DECIDE, args=[validation.pk, action]), data)
    followed = client.get(response["Location"])

    # then: the success, as if nothing had happened; the decision is there once, with its log
    # entry, and its email waits in the outbox (the after-commit dispatch died with the
    # connection; the sweep sends it)
    assert (response.status_code, response["Location"]) == (
        302,
        reverse(CHANGE, args=[validation.pk]),
    )
    assert messages_of(followed) == [done]
    validation.refresh_from_db()
    assert validation.status == expected
    assert decision_events(validation) == [(reviewer.pk, expected)]
    assert [entry.get_change_message() for entry in LogEntry.objects.all()] == [done]
    assert OutboxMessage.objects.count() == emails


# -- lost before COMMIT --------------------------------------------------------------------
def test_connection_lost_before_commit_saves_nothing_says_so_and_the_decision_can_be_made_again(
    client,
):
    # given: a request in review, and the connection lost while the log entry is written
    reviewer = ReviewerFactory()
    validation = PartnerValidationRequestFactory(status=Status.IN_REVIEW)
    client.force_login(reviewer)
    url = reverse(DECIDE, args=[validation.pk, "approve"])

    # when
    with mock.patch.object(
        LogEntry.objects, "log_actions", side_effect=lambda **kwargs: connection_lost()
    ):
        response = client.post(url, {"text": "Welcome to GCC."})

    # then: a 503 that says the decision was not saved, and indeed nothing changed
    assert response.status_code == 503
    assert [text(note) for note in elements(response, tag="div", css_class="errornote")] == [
        NOT_SAVED
    ]
    assert [text(area) for area in elements(response, tag="textarea")] == ["Welcome to GCC."]
    validation.refresh_from_db()
    assert (validation.status, validation.decided_by) == (Status.IN_REVIEW, None)
    assert decision_events(validation) == []
    assert not LogEntry.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert not ResellerQualification.objects.exists()

    # when: the reviewer makes the decision again
    again = client.post(url, {"text": "Welcome to GCC."})

    # then: it is made, once
    assert again.status_code == 302
    validation.refresh_from_db()
    assert (validation.status, validation.decided_by) == (Status.APPROVED, reviewer)
    assert decision_events(validation) == [(reviewer.pk, Status.APPROVED)]
    assert [entry.get_change_message() for entry in LogEntry.objects.all()] == [APPROVED]
    assert OutboxMessage.objects.count() == 1


# -- the database is gone: nobody can tell -------------------------------------------------
def test_database_gone_at_commit_gives_a_page_that_says_the_decision_is_unconfirmed(client):
    # given: a request in review; the connection is lost just after COMMIT and no new
    # connection can be opened (the database is gone)
    reviewer = ReviewerFactory()
    validation = PartnerValidationRequestFactory(status=Status.IN_REVIEW)
    client.force_login(reviewer)
    refused = OperationalError("connection to server at 127.0.0.1, port 5432 failed")

    # when
    with (
        commit_then_connection_lost(),
        mock.patch.object(connections[DEFAULT_DB_ALIAS], "get_new_connection", side_effect=refused),
    ):
        response = client.post(
            reverse(DECIDE, args=[validation.pk, "approve"]), {"text": "Welcome to GCC."}
        )

    # then: a 503, rendered without the database, that neither claims nor denies the decision
    # and sends the reviewer to the request
    assert response.status_code == 503
    assert [text(h1) for h1 in elements(response, tag="h1")] == [
        "Your decision could not be confirmed"
    ]
    assert [text(note) for note in elements(response, tag="div", css_class="errornote")] == [
        "The connection to the database was lost while your decision “Approve” was being saved, "
        "and the portal could not check afterwards whether it was recorded."
    ]
    links = [(text(a), attr(a, "href")) for a in elements(response, tag="a", css_class="button")]
    assert links == [("Open the request", reverse(CHANGE, args=[validation.pk]))]
    # (here it had been saved: the page was right not to say otherwise)
    validation.refresh_from_db()
    assert validation.status == Status.APPROVED
