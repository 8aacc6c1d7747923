"""Content-Security-Policy on every page and no-store for signed-in users (OWASP ASVS).

Every URL pattern (the admin's included) is requested as a partner member, a reviewer, a
superuser and an anonymous visitor, with its parameters filled with real objects: each
response has a policy whose scripts come from the portal only (no 'unsafe-inline', no
'unsafe-eval'), and each response to a signed-in user says `no-store`. The error pages and
the document downloads are checked on their own; the templates carry no inline script, and
their few inline styles are allowed by hash.
"""

import base64
import hashlib
import re
import uuid
from pathlib import Path

import pytest
import simple_history
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.test.client import BOUNDARY, MULTIPART_CONTENT, FakePayload
from django.urls import URLResolver, get_resolver, reverse

from customers.models import Customer
from customers.validations.models import CustomerValidationDocument
from orders.models import Order
from tests.factories import (
    CustomerValidationRequestFactory,
    PartnerValidationRequestFactory,
    ResellerInvitationFactory,
    UserFactory,
)
from tests.helpers import PDF, customer_of

pytestmark = pytest.mark.django_db

CSP = "Content-Security-Policy"
UNSAFE = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'"}
ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
REGEX_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
REGEX_GROUP = re.compile(r"\(\[\^/\]\+\)")


# -- reading the headers ----------------------------------------------------------------------


def directives(response) -> dict[str, list[str]]:
    assert CSP in response, f"no {CSP} header on {response.request['PATH_INFO']}"
    policy = {}
    for directive in response[CSP].split(";"):
        name, *values = directive.split()
        policy[name] = values
    return policy


def assert_strict_scripts(response, where: str) -> None:
    policy = directives(response)
    scripts = policy.get("script-src", policy.get("default-src"))
    assert scripts == ["'self'"], f"{where}: script-src {scripts}"
    assert not UNSAFE & set(policy["default-src"]), f"{where}: default-src {policy}"
    assert policy["object-src"] == ["'none'"], where
    assert policy["frame-ancestors"] == ["'none'"], where


def cache_control(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Cache-Control", "").split(",")}


# -- every URL pattern ------------------------------------------------------------------------


def admin_models() -> dict[str, type]:
    return {
        f"admin/{model._meta.app_label}/{model._meta.model_name}/": model
        for model in admin.site._registry
    }


def url_patterns(resolver=None, prefix: str = "", namespace: str = "", model=None):
    """(route, qualified name, the admin's model) of every URL pattern, recursively."""
    resolver = resolver or get_resolver()
    models = admin_models()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from url_patterns(entry, route, inner, models.get(route, model))
        else:
            name = f"{namespace}:{entry.name}" if entry.name else f"{namespace}:<unnamed>"
            yield route, name, model


@pytest.fixture
def world(settings, tmp_path, gcc_enabled, admin_agent):
    """One of each object the URLs name, all of `admin_agent`'s organization."""
    settings.MEDIA_ROOT = tmp_path / "media"
    customer = customer_of(gcc_enabled, gcc=True)
    validation = CustomerValidationRequestFactory(
        organization=gcc_enabled, submitted_by=admin_agent
    )
    document = CustomerValidationDocument.objects.create(
        request=validation,
        file=ContentFile(PDF, name="charter.pdf"),
        original_name="charter.pdf",
        content_type="application/pdf",
        size=len(PDF),
        source=CustomerValidationDocument.Source.PARTNER,
    )
    order = Order.objects.create(
        organization=gcc_enabled,
        customer=customer,
        idempotency_key=uuid.uuid4(),
        partner_id_on_record=gcc_enabled.partner_id,
        created_by=admin_agent,
    )
    return {
        "organization": gcc_enabled,
        "customer": customer,
        "customer_validation": validation,
        "document": document,
        "invitation": ResellerInvitationFactory(organization=gcc_enabled),
        "order": order,
        "partner_validation": PartnerValidationRequestFactory(organization=gcc_enabled),
    }


def path_of(route: str, name: str, model, world: dict) -> str:
    """`route` with its parameters filled: real objects where known, else ids that exist
    nowhere (the page is then a 404 or a redirect, whose headers count as much)."""
    objects_by_model = {type(obj): obj for obj in world.values()}
    obj = objects_by_model.get(model) or (model and model.objects.order_by("pk").first())
    pk_by_name = {
        "customers:customer_": world["customer"],
        "customers:validation_": world["customer_validation"],
        "customers:invitation_": world["invitation"],
        "orders:order_": world["order"],
        "partners:validation_": world["partner_validation"],
    }
    own = next((o for start, o in pk_by_name.items() if name.startswith(start)), None)
    values = {
        "pk": own.pk if own else 0,
        "customer_id": world["customer"].pk,
        "document_id": world["document"].pk,
        "token": "not-a-valid-token",
        "object_id": obj.pk if obj else 0,
        "id": obj.pk if obj else 0,
        "action": "reject",
        "app_label": "partners",
        "url": "no-such-page/",
    }
    if name == "admin:view_on_site":
        values["content_type_id"] = ContentType.objects.get_for_model(Customer).pk
        values["object_id"] = world["customer"].pk
    organization = world["organization"]
    positional = [organization.pk, organization.history.latest().history_id]  # simple_history

    route = ROUTE_PARAMETER.sub(lambda match: str(values.get(match[1], 0)), route)
    route = REGEX_NAMED_GROUP.sub(lambda match: str(values.get(match[1], 0)), route)
    route = REGEX_GROUP.sub(lambda match: str(positional.pop(0) if positional else 0), route)
    return "/" + route.replace("^", "").replace("$", "")


@pytest.fixture(params=["partner member", "reviewer", "superuser", "anonymous"])
def visitor(request, admin_agent, reviewer):
    return {
        "partner member": admin_agent,
        "reviewer": reviewer,
        "superuser": UserFactory(is_staff=True, is_superuser=True),
        "anonymous": None,
    }[request.param]


# Pages that must really be shown (not a 404 or a redirect) to each of them: the walk fills
# their parameters with real objects.
MUST_BE_SHOWN = {
    "partner member": [
        "customers:customer_account",
        "customers:validation_detail",
        "customers:validation_document",
        "customers:invitation_detail",
        "orders:order_detail",
        "orders:subscriptions_add",
        "partners:validation_detail",
    ],
    "reviewer": [
        "admin:index",
        "reviews:sla",
        "reviews:sla_csv",
        "admin:customers_customervalidationrequest_change",
        "admin:customers_customervalidationrequest_document",
    ],
    "superuser": [
        "admin:index",
        "reviews:sla",
        "reviews:sla_csv",
        "admin:partners_organization_history",
        "admin:partners_organization_simple_history",
        "admin:customers_customervalidationrequest_change",
        "admin:customers_customervalidationrequest_document",
        "admin:accounts_user_change",
    ],
}


def test_every_url_has_a_strict_policy_and_is_not_stored_for_signed_in_users(
    client, world, visitor, request
):
    role = request.node.callspec.params["visitor"]
    if visitor is not None:
        client.force_login(visitor)
    patterns = list(url_patterns())
    assert len(patterns) > 100  # the admin's are there

    statuses = {}
    for route, name, model in patterns:
        path = path_of(route, name, model, world)
        response = client.get(path)
        where = f"{role} GET {path} ({name}) → {response.status_code}"
        assert response.status_code < 500, where
        assert_strict_scripts(response, where)
        if visitor is not None:
            assert "no-store" in cache_control(response), (
                f"{where}: {response.get('Cache-Control')}"
            )
        statuses[name] = response.status_code

    for name in MUST_BE_SHOWN.get(role, []):
        assert statuses[name] == 200, (name, statuses[name])


# -- error pages ------------------------------------------------------------------------------


def test_the_404_and_403_pages_have_the_policy(client, admin_agent, reviewer):
    client.force_login(admin_agent)
    not_found = client.get("/customers/999999/account/")
    client.force_login(reviewer)
    refused = client.get(reverse("admin:auth_group_add"))

    assert not_found.status_code == 404
    assert refused.status_code == 403
    for response in (not_found, refused):
        assert_strict_scripts(response, response.request["PATH_INFO"])
        assert "no-store" in cache_control(response)


def test_the_413_page_has_the_policy(client, admin_agent, settings):
    client.force_login(admin_agent)

    response = client.generic(
        "POST",
        reverse("customers:validation_create"),
        content_type=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(200 * 1024 * 1024),
        **{"wsgi.input": FakePayload(b"--" + BOUNDARY.encode() + b"--\r\n")},
    )

    assert response.status_code == 413
    assert_strict_scripts(response, "413")
    assert "no-store" in cache_control(response)


def test_the_500_page_has_the_policy(client, admin_agent, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("partners.views.render", broken)
    client.raise_request_exception = False
    client.force_login(admin_agent)

    response = client.get(reverse("partners:dashboard"))

    assert response.status_code == 500
    assert_strict_scripts(response, "500")
    assert "no-store" in cache_control(response)


def test_the_503_page_has_the_policy(client, admin_agent, monkeypatch):
    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("partners.views.render", lost)
    client.force_login(admin_agent)

    response = client.get(reverse("partners:dashboard"))

    assert response.status_code == 503
    assert_strict_scripts(response, "503")
    assert response["Cache-Control"] == "no-store"


# -- caching ----------------------------------------------------------------------------------


def test_documents_are_never_stored(client, world, admin_agent, reviewer):
    document = world["document"]
    client.force_login(admin_agent)
    by_partner = client.get(
        reverse("customers:validation_document", args=[document.request_id, document.pk])
    )
    client.force_login(reviewer)
    by_reviewer = client.get(
        reverse(
            "admin:customers_customervalidationrequest_document",
            args=[document.request_id, document.pk],
        )
    )

    for response in (by_partner, by_reviewer):
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert {"no-store", "private"} <= cache_control(response)


def test_signed_in_pages_are_not_stored_and_anonymous_responses_left_alone(
    client, admin_agent, reviewer
):
    # anonymous: a page that needs sign-in redirects; nothing is added to the redirect
    anonymous = client.get(reverse("customers:gcc_code_help"))
    client.force_login(admin_agent)
    signed_in = client.get(reverse("customers:gcc_code_help"))
    client.force_login(reviewer)
    # the admin's own never_cache header is kept as it is
    admin_index = client.get(reverse("admin:index"))

    assert anonymous.status_code == 302
    assert "Cache-Control" not in anonymous
    assert signed_in.status_code == 200
    assert cache_control(signed_in) == {"no-store", "private"}
    assert admin_index.status_code == 200
    assert admin_index["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_a_signed_in_redirect_made_before_authentication_is_not_stored(client, admin_agent):
    client.force_login(admin_agent)

    # CommonMiddleware's APPEND_SLASH redirect, answered before authentication runs
    response = client.get("/customers")

    assert response.status_code == 301
    assert "no-store" in cache_control(response)
    assert_strict_scripts(response, "/customers")


# -- the templates ----------------------------------------------------------------------------

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
THIRD_PARTY_TEMPLATES = [
    # the admin's history of a simple_history model
    Path(simple_history.__file__).parent
    / "templates"
    / "simple_history"
    / "object_history_list.html",
]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style>", re.IGNORECASE | re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)


def page_templates() -> list[Path]:
    emails = TEMPLATES_DIR / "emails"
    return [path for path in TEMPLATES_DIR.rglob("*.html") if emails not in path.parents]


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_policy_allows_no_inline_script_and_no_eval():
    policy = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]

    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"] + policy["style-src-attr"]
    assert not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)


def test_templates_have_no_inline_script_or_event_handler():
    found = []
    for path in page_templates():
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL):
            found += [f"{path.relative_to(TEMPLATES_DIR)}: {m[0]}" for m in pattern.finditer(text)]

    assert found == []


def test_every_inline_style_of_the_templates_is_allowed_by_its_hash():
    """A changed inline style needs its new hash in CONTENT_SECURITY_POLICY (base.py); better,
    a class in static/css."""
    policy = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    missing = []
    for path in [*page_templates(), *THIRD_PARTY_TEMPLATES]:
        text = path.read_text()
        for match in STYLE_ELEMENT.finditer(text):
            if sha256(match[1]) not in policy["style-src"]:
                missing.append(f"{path.name} <style>: {sha256(match[1])}")
        for match in STYLE_ATTRIBUTE.finditer(text):
            if sha256(match[2]) not in policy["style-src-attr"]:
                missing.append(f'{path.name} style="{match[2]}": {sha256(match[2])}')

    assert missing == []
