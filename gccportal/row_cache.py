"""Table rows rendered once (template fragment caching), as the reviewers' queue does
(reviews/templatetags/review_queue.py): the portal's lists are template-bound (each row's
link, translated texts and times cost more than the page's queries), and a row looks the same
until what it shows changes.

A row is cached under a key made of everything it is made of: the database, the row template
(its name, its source and its includes' sources) and the template tags' code (a deploy that
changes either renders afresh), the language, the time zone, the URL prefix and URLconf its
links are reversed under, the few values of the page the row reads (e.g. read-only), and
each value the row shows (`shows(item)`: the caller lists them). So a change of any of those
is a new row, never a stale one; a page's rows are one cache read (`get_many`), and the rows
not found one write (`set_many`).

What is per request (a CSRF token, the user's membership) must never be in a row template."""

import hashlib
import logging
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path

from django.core.cache import cache
from django.db import connection
from django.template.loader import get_template, render_to_string
from django.template.loader_tags import IncludeNode
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

ROW_SECONDS = 24 * 60 * 60


# Each loaded row template's source digested once: the cached template loader keeps a template
# until a deploy (or, in development, until its file changes: a new template, a new digest).
_digests: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def template_digest(template_name: str) -> str:
    """The digest of the source `template_name` is rendered from, the templates it includes
    by name (e.g. a status badge) with it."""
    template = get_template(template_name).template
    digest = _digests.get(template)
    if digest is None:
        sources = [template.source] + [
            get_template(node.template.var).template.source
            for node in template.nodelist.get_nodes_by_type(IncludeNode)
            if isinstance(node.template.var, str)
        ]
        digest = _digests[template] = hashlib.sha256("\0".join(sources).encode()).hexdigest()
    return digest


def _code_digest() -> str:
    """The digest of the project's template tags (every app's `templatetags/*.py`): what a row
    template calls (`{% moment %}`, `{% status_badge %}`, ...) writes HTML too, so a deploy
    that changes one renders every row afresh, as a changed template does."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.glob("*/templatetags/*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


CODE_DIGEST = _code_digest()


def row_key(template_name: str, digest: str, page_values: dict, shown: tuple) -> str:
    """The cache key of a row of `template_name` (its source digested: `digest`) showing
    `shown`: it changes whenever the row's HTML would."""
    made_of = repr(
        (
            connection.settings_dict["NAME"],
            template_name,
            digest,
            CODE_DIGEST,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            get_script_prefix(),
            get_urlconf(),
            sorted(page_values.items()),
            shown,
        )
    )
    return "row:" + hashlib.sha256(made_of.encode()).hexdigest()


def fragments_cached(
    keys: list[str],
    items: list,
    render: Callable[[object], str],
    *,
    what: str,
    prepare: Callable[[list], None] | None = None,
) -> list[str]:
    """Each item's HTML under its key (`keys`, in the items' order): from the cache when
    rendered before (one read for them all), else `render(item)`, stored (one write);
    `prepare`, if given, is called first with the items to render (to read what they need in
    one go). The cache unavailable, every item is rendered (the page still shows; the failure
    logged, naming `what`). The portal's rows (`cached_rows`) and the reviewers' queue rows
    (reviews/templatetags/review_queue.py) both read their rows through it."""
    try:
        found = cache.get_many(keys)
    except Exception:
        logger.warning("Rows of %s not read from the cache", what, exc_info=True)
        found = {}
    missing = [item for key, item in zip(keys, items, strict=True) if key not in found]
    if missing and prepare is not None:
        prepare(missing)
    rendered = {}
    fragments = []
    for key, item in zip(keys, items, strict=True):
        fragment = found.get(key)
        if fragment is None:
            fragment = rendered[key] = render(item)
        fragments.append(fragment)
    if rendered:
        try:
            cache.set_many(rendered, ROW_SECONDS)
        except Exception:
            logger.warning("Rows of %s not kept in the cache", what, exc_info=True)
    return fragments


def cached_rows(
    template_name: str,
    items: Iterable,
    shows: Callable[[object], tuple],
    page_values: dict | None = None,
) -> SafeString:
    """Each item's row (`template_name` rendered with `item` and `page_values`), from the
    cache when rendered before, else rendered and stored. The cache unavailable, every row is
    rendered (the page still shows; the failure logged)."""
    page_values = page_values or {}
    items = list(items)
    digest = template_digest(template_name)
    keys = [row_key(template_name, digest, page_values, shows(item)) for item in items]
    rows = fragments_cached(
        keys,
        items,
        lambda item: render_to_string(template_name, {**page_values, "item": item}),
        what=template_name,
    )
    return mark_safe("".join(rows))  # noqa: S308 (rendered by our templates, autoescaped)
