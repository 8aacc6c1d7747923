"""The figures fault tests report (runs / expected / delivered / lost / duplicated), printed
at the end of the run by conftest.py, whether or not the test passed."""

from collections import Counter

FIGURES: list[tuple[str, dict]] = []


def figures_record(name: str, **figures) -> None:
    FIGURES.append((name, figures))


def email_figures(*, expected_ids: list[str], received_ids: list[str]) -> dict:
    """How the emails the database expected fared at the SMTP server, by Message-ID."""
    expected = set(expected_ids)
    counts = Counter(received_id for received_id in received_ids if received_id in expected)
    return {
        "expected": len(expected),
        "delivered": len(counts),
        "lost": len(expected - set(counts)),
        "duplicated": sum(count - 1 for count in counts.values()),
        "stray": sum(1 for received_id in received_ids if received_id not in expected),
    }
