"""Every email the portal sends exists in French: each template under templates/emails/,
rendered in French, shows no English word (its data, names and links aside)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
# Common English words that are not French words.
ENGLISH = re.compile(
    r"\b(the|and|your|you|with|for|this|that|from|are|was|has|have|been|not|request|"
    r"requests|order|customer|review|reviewer|submitted|approved|rejected|within|business|"
    r"days|sign|password|link|here|please|hello|thanks)\b",
    re.IGNORECASE,
)
# What the templates need beyond their data: the numbers their plurals count.
CONTEXT = {
    "base_url": "https://portal.example",
    "valid_minutes": 30,
    "code": {"remaining_creates": 2},
    "failures": 20,
    "count": 2,  # a bulk submission's requests
    "more": 3,
}
TEMPLATES = sorted(str(path.relative_to(EMAILS.parent)) for path in EMAILS.rglob("*.txt"))


def test_every_email_template_is_checked():
    assert len(TEMPLATES) > 40


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_email_reads_in_french(template):
    with translation.override("fr"):
        text = render_to_string(template, CONTEXT)

    # links and addresses are data
    words = re.sub(r"\S+://\S+|\S+@\S+", " ", text)
    assert not ENGLISH.findall(words), text
