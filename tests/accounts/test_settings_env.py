"""The lockout, reset-link and session limits are read from the environment."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.helpers import environment_without_settings

NAMES = {
    "AXES_FAILURE_LIMIT": ("AXES_FAILURE_LIMIT", "3", "3"),
    "AXES_IP_FAILURE_LIMIT": ("AXES_IP_FAILURE_LIMIT", "7", "7"),
    "AXES_COOLOFF_TIME": ("AXES_COOLOFF_HOURS", "2", "2.0"),
    "PASSWORD_RESET_TIMEOUT": ("PASSWORD_RESET_TIMEOUT_SECONDS", "900", "900"),
    "SESSION_IDLE_TIMEOUT_SECONDS": ("SESSION_IDLE_TIMEOUT_SECONDS", "600", "600"),
    "SESSION_ABSOLUTE_TIMEOUT_SECONDS": ("SESSION_ABSOLUTE_TIMEOUT_SECONDS", "3600", "3600"),
    "SESSION_TIMEOUT_WARNING_SECONDS": ("SESSION_TIMEOUT_WARNING_SECONDS", "120", "120"),
}


def test_limits_come_from_the_environment():
    env = {
        **environment_without_settings(),
        **{variable: value for variable, value, _ in NAMES.values()},
        "DJANGO_SETTINGS_MODULE": "gccportal.settings.local",
    }
    expression = ", ".join(f"s.{name}" for name in NAMES)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            f"from django.conf import settings as s; print({expression})",
        ],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-len(NAMES) :] == [expected for *_, expected in NAMES.values()]
