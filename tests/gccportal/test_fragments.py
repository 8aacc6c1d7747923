"""base.html's navigation with its URLs reversed once and its constant parts rendered once
(gccportal/templatetags/fragments.py): each page still marks its own link current, in the
reader's language, under the URL prefix it is served under, with a CSRF token of its own."""

import re

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse, set_script_prefix
from django.utils import translation

from gccportal.templatetags import fragments

NAV_PAGES = [
    ("partners:dashboard", "Dashboard"),
    ("customers:customer_list", "Customers"),
    ("customers:validation_list", "Customer validations"),
    ("partners:validation_list", "GCC validation"),
    ("partners:organization_profile", "Organization profile"),
    ("accounts:mfa_settings", "Two-step verification"),
    ("password_change", "Change password"),
]


def current_links(html: str) -> list[str]:
    return re.findall(r'active" aria-current="page" href="([^"]*)"', html)


def csrf_tokens(html: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', html)


@pytest.mark.parametrize(("url_name", "label"), NAV_PAGES)
def test_each_page_marks_its_own_link_current_and_no_other(
    client, admin_agent, gcc_enabled, url_name, label
):
    client.force_login(admin_agent)
    url = reverse(url_name)
    for name, _label in NAV_PAGES:  # the memo holds each page's navigation
        client.get(reverse(name))

    html = client.get(url).content.decode()

    assert current_links(html) == [url]
    assert f'href="{url}">{label}</a>' in html


def test_the_navigation_is_the_readers_language_after_another_language(client, admin_agent):
    client.force_login(admin_agent)
    url = reverse("customers:customer_list")
    english = client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "fr", "next": url})
    french = client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": url})
    english_again = client.get(url).content.decode()

    assert ">Customer validations</a>" in english
    assert ">Customer validations</a>" not in french
    assert '<option value="fr" lang="fr" selected>' in french
    assert '<option value="en" lang="en" selected>' in english_again
    assert current_links(french) == current_links(english) == [url]


def test_each_page_has_its_own_csrf_token(client, admin_agent):
    client.force_login(admin_agent)
    url = reverse("customers:customer_list")
    first = csrf_tokens(client.get(url).content.decode())
    second = csrf_tokens(client.get(url).content.decode())

    assert len(first) >= 2  # sign-out and the language picker
    assert set(first).isdisjoint(second)


def test_the_links_follow_the_url_prefix():
    template = Template(
        "{% load fragments %}{% portal_urls as urls %}"
        "{% memo urls.active %}{{ urls.customers }}{% endmemo %}"
    )
    try:
        set_script_prefix("/portal/")
        prefixed = template.render(Context({}))
    finally:
        set_script_prefix("/")
    plain = template.render(Context({}))

    assert prefixed == "/portal" + reverse("customers:customer_list")
    assert plain == reverse("customers:customer_list")


def test_a_memo_is_rendered_once_per_language_and_value():
    template = Template(
        "{% load i18n fragments %}{% memo shown %}{% translate 'Customers' %} {{ shown }} "
        "{{ hidden }}{% endmemo %}"
    )

    def render(language, **context):
        with translation.override(language):
            return template.render(Context(context))

    assert render("en", shown=1, hidden="a") == "Customers 1 a"
    assert render("en", shown=1, hidden="b") == "Customers 1 a"  # not a value it varies on
    assert render("en", shown=2, hidden="b") == "Customers 2 b"
    assert render("fr", shown=1, hidden="c") != "Customers 1 a"


def test_two_memos_of_a_template_are_two_fragments():
    template = Template("{% load fragments %}{% memo %}one{% endmemo %}{% memo %}two{% endmemo %}")

    assert template.render(Context({})) == "onetwo"


def test_a_changed_setting_forgets_what_was_kept():
    fragments.reversed_portal_urls("/", None)
    with override_settings(LANGUAGE_CODE="en"):
        assert fragments.reversed_portal_urls.cache_info().currsize == 0
        assert not fragments._memo
