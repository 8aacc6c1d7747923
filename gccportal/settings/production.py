"""Production shape: PostgreSQL, Redis, gunicorn, Celery worker and beat."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from gccportal.storages import s3_document_storage

from .base import *  # noqa: F403
from .base import env

DEBUG = False
# No default: the process refuses to start without a real secret.
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

DATABASES = {"default": env.db("DATABASE_URL")}
# Keep connections open: a new PostgreSQL connection per request makes a page ~5x slower.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A web request's query runs in its own process: parallel workers only contend for the same
# cores with the other requests' queries (measured: make bench, docs/benchmarks-history.md).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c max_parallel_workers_per_gather=0"

# Links in emails and invitations: required, there is no request to take a host from.
PORTAL_BASE_URL = env("PORTAL_BASE_URL")
_base = urlsplit(PORTAL_BASE_URL)
if _base.scheme not in {"http", "https"} or not _base.netloc:
    raise ImproperlyConfigured(
        "Set PORTAL_BASE_URL to the portal's public address, e.g. https://gccportal.example.gov"
    )

REDIS_URL = env("REDIS_URL", default=env("CELERY_BROKER_URL"))
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
}

# Supporting documents in S3-compatible object storage (MinIO in docker-compose): shared by
# every web replica and worker, nothing kept on a container's disk. Private objects, served
# only through the portal's views that check who asks. Credentials from the usual AWS
# variables (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) or the instance's role.
STORAGES = {
    "default": s3_document_storage(
        bucket_name=env("AWS_STORAGE_BUCKET_NAME"),
        endpoint_url=env("AWS_S3_ENDPOINT_URL", default=None),
        region_name=env("AWS_S3_REGION_NAME", default=None),
        addressing_style=env("AWS_S3_ADDRESSING_STYLE", default="path"),
        object_parameters=env.json("AWS_S3_OBJECT_PARAMETERS", default={}),
    ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Django's SMTP backend, telling "maybe sent" (no answer after DATA) from "not sent".
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="notifications.backends.EmailBackend")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
