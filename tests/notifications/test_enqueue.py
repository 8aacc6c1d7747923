"""Enqueueing an email to many recipients: rendered once per language, written in a constant
number of queries, deduplicated on a repeat, and safe when another transaction races on a key."""

import threading

import pytest
from django.core import mail
from django.db import IntegrityError, connections, transaction
from django.template.loader import render_to_string
from django.utils import translation

import notifications.services as services
from notifications.models import OutboxMessage
from notifications.services import email_enqueue

pytestmark = pytest.mark.django_db

TEMPLATE = "emails/partners/validation_rejected"


def _recipients(count: int, *, languages=("en", "fr")) -> list[tuple[str, str]]:
    return [(f"r{i}@gcc.example", languages[i % len(languages)]) for i in range(count)]


def _subject(context: dict, language: str) -> str:
    with translation.override(language):
        # on one line: whitespace (a French non-breaking space too) becomes one space
        return " ".join(render_to_string(f"{TEMPLATE}.subject.txt", context).split())


def test_each_template_is_rendered_once_per_language(context, monkeypatch):
    # Given five recipients, reading two languages
    renders = []

    def render(name, ctx):
        renders.append((name, translation.get_language()))
        return render_to_string(name, ctx)

    monkeypatch.setattr(services, "render_to_string", render)

    # When one email is enqueued to them
    messages = email_enqueue(
        template=TEMPLATE, recipients=_recipients(5), context=context, dedupe_key="once"
    )

    # Then five rows, from one subject and one body per language
    assert len(messages) == 5
    assert sorted(renders) == [
        (f"{TEMPLATE}.subject.txt", "en"),
        (f"{TEMPLATE}.subject.txt", "fr"),
        (f"{TEMPLATE}.txt", "en"),
        (f"{TEMPLATE}.txt", "fr"),
    ]


def test_french_and_english_recipients_each_get_their_own_language(context):
    # When one email goes to an English and a French recipient
    email_enqueue(
        template=TEMPLATE,
        recipients=[("ann@gcc.example", "en"), ("claire@gcc.example", "fr")],
        context=context,
        dedupe_key="languages",
    )

    # Then each row is in its recipient's language
    english = OutboxMessage.objects.get(to_email="ann@gcc.example")
    french = OutboxMessage.objects.get(to_email="claire@gcc.example")
    assert (english.language, french.language) == ("en", "fr")
    assert english.subject == _subject(context, "en")
    assert french.subject == _subject(context, "fr")
    assert english.subject != french.subject
    assert "Missing GSA contract number." in english.body_text
    assert "Missing GSA contract number." in french.body_text
    assert english.body_text != french.body_text


@pytest.mark.parametrize("count", [2, 20])
def test_the_queries_do_not_grow_with_the_recipients(
    context, count, django_assert_num_queries, django_capture_on_commit_callbacks
):
    # Given the context's data already read (the templates read the request's fields)
    _subject(context, "en")

    # When an email is enqueued to 2 or 20 recipients
    # (the existing keys, and one insert in a savepoint)
    with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(4):
        messages = email_enqueue(
            template=TEMPLATE,
            recipients=_recipients(count),
            context=context,
            dedupe_key=f"many-{count}",
        )

    # Then every recipient has its row, and one dispatch is scheduled for all of them
    assert len(messages) == count
    assert OutboxMessage.objects.filter(dedupe_key__startswith=f"many-{count}:").count() == count
    assert len(callbacks) == 1


def test_a_repeat_queues_nothing_and_a_new_recipient_only_its_own(
    context, django_assert_num_queries, django_capture_on_commit_callbacks
):
    # Given an email already queued to three recipients
    email_enqueue(template=TEMPLATE, recipients=_recipients(3), context=context, dedupe_key="rep")
    before = set(OutboxMessage.objects.values_list("pk", flat=True))

    # When the same call is made again
    with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(1):
        again = email_enqueue(
            template=TEMPLATE, recipients=_recipients(3), context=context, dedupe_key="rep"
        )

    # Then nothing is queued, nothing dispatched
    assert again == []
    assert callbacks == []
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == before

    # When a fourth recipient joins
    [added] = email_enqueue(
        template=TEMPLATE, recipients=_recipients(4), context=context, dedupe_key="rep"
    )

    # Then only that recipient gets a new row
    assert added.to_email == "r3@gcc.example"
    assert OutboxMessage.objects.filter(dedupe_key__startswith="rep:").count() == 4


def test_a_recipient_listed_twice_gets_one_row(context):
    messages = email_enqueue(
        template=TEMPLATE,
        recipients=[("ann@gcc.example", "en"), ("ann@gcc.example", "en")],
        context=context,
        dedupe_key="twice",
    )

    assert [m.to_email for m in messages] == ["ann@gcc.example"]
    assert OutboxMessage.objects.filter(dedupe_key__startswith="twice:").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_key_queued_by_another_transaction_meanwhile_is_left_to_it(context, monkeypatch):
    # Given another transaction that queues one of the keys after this one read them
    create = services._outbox_rows_create
    attempts = []

    def racing_create(rows):
        def other():  # another thread: its own connection, committed at once
            try:
                OutboxMessage.objects.create(
                    dedupe_key="race:b@gcc.example",
                    template=TEMPLATE,
                    to_email="b@gcc.example",
                    language="en",
                    subject="theirs",
                    body_text="theirs",
                )
            finally:
                connections.close_all()

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        attempts.append([row.dedupe_key for row in rows])
        return create(rows)

    monkeypatch.setattr(services, "_outbox_rows_create", racing_create)
    original_bulk_create = OutboxMessage.objects.bulk_create
    clashes = []

    def bulk_create(*args, **kwargs):
        try:
            return original_bulk_create(*args, **kwargs)
        except IntegrityError:
            clashes.append(True)
            raise

    monkeypatch.setattr(OutboxMessage.objects, "bulk_create", bulk_create)

    sent_before = len(mail.outbox)

    # When this transaction enqueues the email to both recipients, and goes on writing
    with transaction.atomic():
        messages = email_enqueue(
            template=TEMPLATE,
            recipients=[("a@gcc.example", "en"), ("b@gcc.example", "en")],
            context=context,
            dedupe_key="race",
        )
        still_usable = OutboxMessage.objects.filter(dedupe_key__startswith="race:").count()

    # Then the batch clashed, and the fallback queued only the key nobody else had
    assert attempts == [["race:a@gcc.example", "race:b@gcc.example"]]
    assert clashes == [True]
    assert [m.to_email for m in messages] == ["a@gcc.example"]
    assert still_usable == 2
    rows = dict(
        OutboxMessage.objects.filter(dedupe_key__startswith="race:").values_list(
            "to_email", "subject"
        )
    )
    assert rows == {"a@gcc.example": _subject(context, "en"), "b@gcc.example": "theirs"}
    # and, after commit, its own row alone was dispatched (and sent, inline in the tests)
    assert [m.to for m in mail.outbox[sent_before:]] == [["a@gcc.example"]]


def test_the_request_publishes_once_whatever_the_recipients(
    context, monkeypatch, django_capture_on_commit_callbacks
):
    # Given a broker that records what is published
    published = []
    monkeypatch.setattr(
        services,
        "task_publish_many",
        lambda task, calls, **kwargs: published.append((task.name, calls)) or len(calls),
    )

    # When one email goes to twenty recipients, and another to one
    with django_capture_on_commit_callbacks(execute=True):
        many = email_enqueue(
            template=TEMPLATE, recipients=_recipients(20), context=context, dedupe_key="pub"
        )
        [lone] = email_enqueue(
            template=TEMPLATE, recipients=_recipients(1), context=context, dedupe_key="pub-1"
        )

    # Then one publish each: the twenty sends dispatched from a worker, the lone send itself
    assert published == [
        ("notifications.tasks.outbox_messages_dispatch_task", [([m.pk for m in many],)]),
        ("notifications.tasks.outbox_message_send_task", [(lone.pk,)]),
    ]


def test_the_dispatch_task_sends_each_recipients_email(context, django_capture_on_commit_callbacks):
    # When an email to three recipients commits (tasks run inline in the tests)
    with django_capture_on_commit_callbacks(execute=True):
        messages = email_enqueue(
            template=TEMPLATE, recipients=_recipients(3), context=context, dedupe_key="fan"
        )

    # Then each one was sent, once
    assert sorted(m.to[0] for m in mail.outbox if m.to[0].endswith("@gcc.example")) == [
        "r0@gcc.example",
        "r1@gcc.example",
        "r2@gcc.example",
    ]
    assert {m.status for m in OutboxMessage.objects.filter(pk__in=[m.pk for m in messages])} == {
        OutboxMessage.Status.SENT
    }
