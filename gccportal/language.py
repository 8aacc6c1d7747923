"""Which language a page is in: a signed-in user's is the one on their profile (chosen with
the footer's picker, which saves it there), so that it follows them to any browser and their
emails are in it too; a visitor's is the one they picked (a cookie), or the browser's.

The public link pages (a reseller relationship request, a customer's answer page) are in the
language the link was sent in unless the visitor picked one (`link_language_activate`).
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.views.i18n import set_language

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


class UserLanguageMiddleware:
    """After LocaleMiddleware and AuthenticationMiddleware: a signed-in user's pages are in
    their profile's language (LocaleMiddleware still sets Content-Language and Vary)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in LANGUAGE_CODES:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


def language_set(request: HttpRequest):
    """The footer's language picker (Django's set_language: the cookie, the redirect back),
    which also saves a signed-in user's choice on their profile."""
    response = set_language(request)
    language = request.POST.get("language")
    user = request.user
    if (
        request.method == "POST"
        and language in LANGUAGE_CODES
        and user.is_authenticated
        and user.language != language
    ):
        user.language = language
        user.save(update_fields=["language"])
    return response


def link_language_activate(request: HttpRequest, language: str) -> None:
    """A public link page: in the language the link was sent in, unless the visitor picked
    one with the footer's picker (its cookie)."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES or language not in LANGUAGE_CODES:
        return
    translation.activate(language)
    request.LANGUAGE_CODE = language
