"""The portal's URLs and the benchmark's two references, served the same way:

- `/bench/bare/`: a Django view that answers a constant (the framework's floor);
- `/bench/signed-in/`: login required, the database session read, a one-line template (the
  floor of any signed-in page; the ratios are to this one).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from gccportal.urls import urlpatterns as portal_urlpatterns

ONE_LINE = engines["django"].from_string("<p>Signed in as {{ request.user.email }}</p>")


def bare(request):
    return HttpResponse("ok")


@login_required
def signed_in(request):
    return HttpResponse(ONE_LINE.render({"request": request}))


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/signed-in/", signed_in),
    *portal_urlpatterns,
]
