"""The server error page: truthful about what may have been saved, and renderable with no
database and no context processors (Django's handler renders it with an empty context)."""

from django.utils import translation
from django.views.defaults import server_error

from tests.html import descendants, page_of, text


def test_server_error_page_says_a_submission_may_or_may_not_have_been_saved(rf):
    # given: a failed request (no database marker: any query here would fail the test)
    request = rf.post("/customers/new/")

    # when: Django's handler renders the page
    with translation.override("en"):
        response = server_error(request)

    # then: an accessible page that tells the truth and says how to check
    assert response.status_code == 500
    page = page_of(response)
    nodes = [page, *descendants(page)]
    (html,) = [node for node in nodes if node.name == "html"]
    assert dict(html.attributes)["lang"] == "en"
    assert [text(node) for node in nodes if node.name == "title"] == ["Server error · GCC Portal"]
    (main,) = [node for node in nodes if node.name == "main"]
    assert [text(node) for node in descendants(main) if node.name == "h1"] == [
        "Something went wrong"
    ]
    assert [text(node) for node in descendants(main) if node.name == "p"] == [
        "The error was recorded.",
        "If you were submitting something, it may or may not have been saved. Open the page "
        "again to check before you repeat it. A request, a customer, an order or an answer "
        "sent again from the same form is recognised and not created twice.",
    ]
    assert "saved twice" not in response.content.decode()


def test_database_lost_during_a_view_is_a_truthful_503(rf, monkeypatch):
    from django.db import OperationalError

    from gccportal.errors import DatabaseUnavailableMiddleware

    # given: a view whose database connection was terminated
    request = rf.post("/customers/validations/new/")
    middleware = DatabaseUnavailableMiddleware(lambda request: None)

    # when
    with translation.override("en"):
        response = middleware.process_exception(
            request, OperationalError("terminating connection due to administrator command")
        )

    # then: 503, to be retried, with a page that says what may have happened
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = page_of(response)
    nodes = [page, *descendants(page)]
    (main,) = [node for node in nodes if node.name == "main"]
    assert [text(node) for node in descendants(main) if node.name == "h1"] == [
        "Temporarily unavailable"
    ]
    assert "it may or may not have been saved" in text(main)


def test_other_errors_are_left_to_the_500_page(rf):
    from gccportal.errors import DatabaseUnavailableMiddleware

    middleware = DatabaseUnavailableMiddleware(lambda request: None)

    assert middleware.process_exception(rf.get("/"), ValueError("a bug")) is None


def test_the_middleware_answers_for_every_view(client, monkeypatch, admin_agent):
    from django.db import OperationalError

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    # given: the dashboard's first read fails as a lost connection would
    monkeypatch.setattr("partners.views.render", lost)
    client.force_login(admin_agent)

    response = client.get("/")

    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()
