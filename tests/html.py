"""Reading the HTML of a test client's response: elements by id, tag and class, their visible
text and attributes, the messages, the form errors; the admin's review pages.

Pages are parsed with Django's own `parse_html`, which keeps elements and text, not the
spacing around inline tags: `text` puts it back as the reader sees it.
"""

import re

from django.test.html import Element, parse_html


def page_of(response) -> Element:
    return parse_html(response.content.decode())


def descendants(node):
    """Every element below `node`, depth first (text children left out)."""
    for child in node.children:
        if not isinstance(child, str):
            yield child
            yield from descendants(child)


def attr(node, name):
    return dict(node.attributes).get(name)


def has_attr(node, name) -> bool:
    """For boolean attributes (disabled, multiple...), which parse with the value None."""
    return name in dict(node.attributes)


def elements(response, *, id=None, tag=None, css_class=None, within=None):
    """Elements of the page (or of `within`) matching id, tag name and/or one CSS class (a
    whole class name, not part of one)."""
    root = within if within is not None else page_of(response)
    return [
        element
        for element in descendants(root)
        if (id is None or attr(element, "id") == id)
        and (tag is None or element.name == tag)
        and (css_class is None or css_class in (attr(element, "class") or "").split())
    ]


def element(response, **kwargs):
    """The one element matching (see `elements`); fails if there are none or several."""
    (found,) = elements(response, **kwargs)
    return found


def text(node) -> str:
    """The visible text of an element, whitespace collapsed (no space before punctuation:
    the parsed tree has lost the spacing around inline tags)."""
    parts = [child if isinstance(child, str) else text(child) for child in node.children]
    return re.sub(r" ([.,;:)])", r"\1", " ".join(" ".join(parts).split()))


def page_text(response) -> str:
    return text(page_of(response))


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def alert_texts(response) -> list[str]:
    """The Bootstrap alerts announced to screen readers (role alert or status)."""
    return [
        text(node)
        for node in elements(response, css_class="alert")
        if attr(node, "role") in ("alert", "status")
    ]


def error_of(response, field: str) -> str:
    return text(element(response, id=f"id_{field}_error"))


def options_of(response, select_id: str) -> list[tuple[str, str]]:
    select = element(response, id=select_id)
    return [(attr(option, "value"), text(option)) for option in elements(None, within=select)]


# -- the admin's review pages --------------------------------------------------------------


def decision_panel(response):
    (panel,) = [
        section
        for section in elements(response, tag="section", css_class="review-panel")
        if attr(section, "aria-labelledby") == "decision-heading"
    ]
    return panel


def readonly(response, field: str) -> str:
    """The value shown for a read-only field of an admin change page."""
    row = element(response, tag="div", css_class=f"field-{field}")
    return text(element(response, tag="div", css_class="readonly", within=row))


def queue_ids(response) -> list[int]:
    """The rows of an admin changelist, in order."""
    return [obj.pk for obj in response.context["cl"].result_list]


def assert_withdraw_form(page, *, action: str, cancel_href: str) -> None:
    """A withdrawal's confirmation page: its one form posts to `action` with only the CSRF
    token, its button says "Withdraw request", and its Cancel link goes to `cancel_href`."""
    (form,) = [f for f in elements(page, tag="form") if attr(f, "action") == action]
    assert attr(form, "method") == "post"
    names = [attr(i, "name") for i in elements(None, tag="input", within=form)]
    assert names == ["csrfmiddlewaretoken"]
    assert [text(b) for b in elements(None, tag="button", within=form)] == ["Withdraw request"]
    (cancel,) = [a for a in elements(None, tag="a", within=form) if text(a) == "Cancel"]
    assert attr(cancel, "href") == cancel_href
