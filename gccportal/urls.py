from django.contrib import admin
from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _

from .language import language_set

admin.site.site_header = _("GCC Portal review")
admin.site.site_title = _("GCC Portal review")
admin.site.index_title = _("GCC review queues")


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG icon.
    Its static URL is hashed in production and changes with the file: a temporary redirect,
    cached for a day, not a permanent one."""
    response = HttpResponseRedirect(static("favicon.svg"))
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return response


urlpatterns = [
    path("favicon.ico", favicon),
    # Sign-in, sign-out, password reset and change, the session's status.
    path("accounts/", include("accounts.urls")),
    # The footer's language picker: Django's set_language, saving a user's choice on the
    # profile too.
    path("i18n/setlang/", language_set, name="set_language"),
    # The reviewers' SLA page, before the admin's own URLs (whose app pages match any name).
    path("admin/", include("reviews.urls")),
    path("admin/", admin.site.urls),
    # The REST API (/v1/, Partner Center's paths) and its OpenAPI description.
    path("", include("api.urls")),
    path("", include("customers.urls")),
    path("", include("orders.urls")),
    path("", include("partners.urls")),
]
