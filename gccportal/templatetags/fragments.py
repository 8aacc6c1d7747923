"""What base.html writes the same on every page, done once a process: the navigation's URLs
(`{% portal_urls as urls %}`, reversed once per URL prefix: they take no argument) and the
fragments that show only constant text in the reader's language (`{% memo %}`). base.html
costs every page 1.5-3 ms before its content (eight reverses, many translate and static tags,
the language list), about a third of the signed-in view the benchmark compares pages with."""

import functools
import hashlib

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

register = template.Library()

# The pages base.html links to on every page: their URLs take no argument.
PORTAL_URL_NAMES = {
    "dashboard": "partners:dashboard",
    "customers": "customers:customer_list",
    "customer_validations": "customers:validation_list",
    "validations": "partners:validation_list",
    "profile": "partners:organization_profile",
    "mfa_settings": "accounts:mfa_settings",
    "password_change": "password_change",
    "logout": "logout",
    "set_language": "set_language",
}


@functools.lru_cache(maxsize=16)
def reversed_portal_urls(script_prefix: str, urlconf) -> dict[str, str]:
    """`PORTAL_URL_NAMES` reversed under `script_prefix` (the current one when called)."""
    return {key: reverse(name, urlconf=urlconf) for key, name in PORTAL_URL_NAMES.items()}


@register.simple_tag(takes_context=True)
def portal_urls(context) -> dict[str, str]:
    """The URLs by `PORTAL_URL_NAMES`' keys, and "active": the page's path when it is one of
    them (its link marked current), else ""."""
    urls = reversed_portal_urls(get_script_prefix(), get_urlconf())
    path = getattr(context.get("request"), "path", "")
    return {**urls, "active": path if path in urls.values() else ""}


# Rendered fragments: a few per language and active page; cleared when this many are kept
# (e.g. in development, where templates are parsed again on every change).
MEMO_LIMIT = 1024
_memo: dict[tuple, str] = {}


class MemoNode(template.Node):
    def __init__(self, nodelist, vary, identity):
        self.nodelist = nodelist
        self.vary = vary
        self.identity = identity

    def render(self, context) -> str:
        return memoized(
            (self.identity, *(value.resolve(context) for value in self.vary)),
            lambda: self.nodelist.render(context),
        )


def memoized(identity: tuple, render) -> str:
    """`render()`'s HTML, rendered once a process per `identity` (what makes it: never anything
    of the request's own, such as a CSRF token or a user's name), language, time zone, URL
    prefix and URLconf. `{% memo %}` and the reviewers' queue (its headers and filters) keep
    their fragments through it."""
    key = (
        identity,
        translation.get_language(),
        timezone.get_current_timezone_name(),
        get_script_prefix(),
        get_urlconf(),
    )
    html = _memo.get(key)
    if html is None:
        html = render()
        if len(_memo) >= MEMO_LIMIT:
            _memo.clear()
        _memo[key] = html
    return mark_safe(html)  # noqa: S308 (rendered by a template or format_html, escaped)


@register.tag
def memo(parser, token):
    """`{% memo value ... %}...{% endmemo %}`: the enclosed fragment rendered once a process
    per language, time zone, URL prefix and each `value` (e.g. the active page); its place
    (its template's source, its count and line there) identifies it. Only for what shows
    nothing else: never a CSRF token, a user's name or anything else of the request."""
    vary = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    origin = parser.origin
    source = origin.loader.get_contents(origin) if origin and origin.loader else ""
    count = parser.extra_data["memo_count"] = parser.extra_data.get("memo_count", 0) + 1
    identity = (
        getattr(origin, "name", None),
        count,
        token.lineno,
        hashlib.sha256(source.encode()).hexdigest(),
    )
    return MemoNode(nodelist, vary, identity)


@receiver(setting_changed)
def forget_on_setting_changed(**kwargs) -> None:
    """A changed setting (the URLconf, the languages, the static files' URL: in tests) may
    change what was kept."""
    reversed_portal_urls.cache_clear()
    _memo.clear()
