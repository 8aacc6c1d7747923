from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("GCC Portal review")
admin.site.site_title = _("GCC Portal review")
admin.site.index_title = _("GCC review queues")

urlpatterns = [
    # Sign-in, sign-out, password reset and change, the session's status.
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("customers.urls")),
    path("", include("orders.urls")),
    path("", include("partners.urls")),
]
