"""Embedded default: no services needed. SQLite, a filesystem Celery broker, emails to files."""

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
DEMO_DATA_ALLOWED = True
# Webhooks to a receiver on this machine (http://127.0.0.1:…).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-development-key-change-me")

# DATABASES: base's (DATABASE_URL, else SQLite in var/).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker and beat write beside the web server: wait for locks, write-ahead log.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }

# A real Celery worker and beat on the filesystem transport: no Redis needed.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
_BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "data_folder_in": str(_BROKER_DIR / "queue"),
    "data_folder_out": str(_BROKER_DIR / "queue"),
    "processed_folder": str(_BROKER_DIR / "processed"),
    # kombu's exchange tables; unset, it writes ./control wherever the process started.
    "control_folder": str(_BROKER_DIR / "control"),
    "store_processed": False,
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE["outbox-sweep"]["schedule"] = 30.0  # noqa: F405

# `make run` serves on HOST:PORT; every emailed link and invitation link points there.
_LINK_HOST = env("HOST", default="127.0.0.1")
if _LINK_HOST in {"0.0.0.0", "::", "[::]"}:  # noqa: S104 (listening everywhere: link to loopback)
    _LINK_HOST = "127.0.0.1"
PORTAL_BASE_URL = env(
    "PORTAL_BASE_URL", default=f"http://{_LINK_HOST}:{env.int('PORT', default=8000)}"
)

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", default=str(VAR_DIR / "emails"))

# Files in var/, shared by every process of the embedded default (the rate limits' counts,
# gccportal/ratelimits.py). Its increments are not atomic: under simultaneous requests a count
# may come out low; production's Redis counts exactly.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
