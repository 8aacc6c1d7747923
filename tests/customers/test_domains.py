"""The mailbox rule: a mailbox proves control of exactly its own domain."""

import pytest

from customers.domains import email_domain, email_is_at_domain


@pytest.mark.parametrize(
    ("email", "domain", "at_domain"),
    [
        ("robin@springfield.gov", "springfield.gov", True),
        ("Robin@Springfield.GOV", "springfield.gov", True),
        (" robin@springfield.gov ", "SPRINGFIELD.gov", True),
        # a subdomain's mailbox proves nothing about the parent domain, nor the reverse
        ("mallory@mail.springfield.gov", "springfield.gov", False),
        ("robin@springfield.gov", "it.springfield.gov", False),
        ("robin@springfield.gov.evil.example", "springfield.gov", False),
        ("robin@notspringfield.gov", "springfield.gov", False),
        ("robin@partner.example", "springfield.gov", False),
        ("robin@springfield.gov", "", False),
        ("springfield.gov", "springfield.gov", False),
        ("@springfield.gov", "springfield.gov", False),
    ],
)
def test_an_email_is_at_exactly_its_domain(email, domain, at_domain):
    assert email_is_at_domain(email, domain) is at_domain


def test_the_domain_of_an_address_is_what_follows_its_last_at_sign():
    assert email_domain('"odd@name"@Springfield.GOV') == "springfield.gov"
    assert email_domain("no-at-sign") == ""
