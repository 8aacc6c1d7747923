"""The favicon: every page links the SVG icon, and /favicon.ico (which browsers ask for
anyway) redirects to it."""

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from tests.html import attr, elements


def test_favicon_svg_is_a_static_file():
    path = finders.find("favicon.svg")
    assert path is not None
    with open(path, encoding="utf-8") as file:
        assert file.read().lstrip().startswith("<svg")


def test_favicon_ico_redirects_to_the_svg_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == static("favicon.svg")
    assert "max-age=86400" in response["Cache-Control"]


def test_favicon_ico_target_is_served(client):
    response = client.get("/favicon.ico", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(static("favicon.svg"), 302)]
    assert b"".join(response.streaming_content).lstrip().startswith(b"<svg")


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_pages_link_the_svg_favicon(client, admin_agent, signed_in):
    if signed_in:
        client.force_login(admin_agent)
    response = client.get(reverse("partners:dashboard" if signed_in else "login"))

    (icon,) = [link for link in elements(response, tag="link") if attr(link, "rel") == "icon"]
    assert attr(icon, "href") == static("favicon.svg")
    assert attr(icon, "type") == "image/svg+xml"
