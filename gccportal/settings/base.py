"""Settings shared by every shape of the portal. Values come from the environment."""

from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from gccportal.env import BASE_DIR, env

# Local state of the embedded default (database, broker folders, emails, documents, logs).
VAR_DIR = Path(env("GCCPORTAL_VAR_DIR", default=str(BASE_DIR / "var"))).resolve()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# `demo_data` creates accounts whose password the README publishes: the embedded shape and the
# tests only (local.py, test.py turn it on), never production.
DEMO_DATA_ALLOWED = False
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin, on the portal's site (the app list built only where shown).
    "gccportal.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "simple_history",
    "csp",
    # Two-step verification: authenticator apps (TOTP) and single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # The project's own commands (makemessages with the portal's options).
    "gccportal",
    "accounts",
    "notifications",
    "webhooks",
    "reviews",
    "partners",
    "customers",
    "orders",
    "jobs",
    "api",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from static (no CDN)
]

MIDDLEWARE = [
    # First: answers /healthz before any Host check, redirect, session or CSRF.
    "gccportal.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below) on every response.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files stay cacheable): no-store for every signed-in response.
    "gccportal.caching.NoStoreForSignedInMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session passed the second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs out after the idle or absolute session timeout (needs the user and messages).
    "accounts.session_timeout.SessionTimeoutMiddleware",
    # A signed-in user's pages in their profile's language (after LocaleMiddleware's guess;
    # after the timeout, which reads the session first and answers a lost database).
    "gccportal.language.UserLanguageMiddleware",
    # A session yet to pass a second factor: its membership read now, which tells the check
    # below the user's verification status in the same query (partners/middleware.py).
    "partners.middleware.MembershipMiddleware",
    # A signed-in user who must pass the second factor reaches nothing else until done
    # (accounts/mfa.py): the admin included. After the timeout, which may sign out.
    "accounts.mfa.SecondFactorRequiredMiddleware",
    # Before any view (and CSRF) reads the body: an oversize upload is refused unread.
    "gccportal.uploads.UploadSizeLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A database lost during a view: a truthful 503, not a 500.
    "gccportal.errors.DatabaseUnavailableMiddleware",
    # Last, so it sees the outcome of authentication (django-axes requirement).
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): scripts from the portal's own static files only (no
# inline script, no event handler attribute, no eval), on every page, the admin's and the
# error pages included. Styles too; the few inline styles the templates have are allowed by
# their exact hash (tests/gccportal/test_security_headers.py checks they still match):
#   <style> of 500.html and 503.html (self-contained: no stylesheet) and of
#   admin/reviews/change_form.html; style="border-top: 0" of simple_history's admin history.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": [
            "'self'",
            "'sha256-33K9VGX0DAASBHeyjsKQmwTLIUPYao4c+pAQcjBj5AI='",
            "'sha256-dmeR08KvbINZLSkw4H3ggcU5za9fLFmFkjEQ81k10CI='",
        ],
        "style-src-attr": [
            "'unsafe-hashes'",
            "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",
        ],
        # data: for Bootstrap's inline SVG icons (form controls).
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # Forms post to the portal only; links (mailto: of a relationship request) are not
        # forms and are not restricted.
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

ROOT_URLCONF = "gccportal.urls"
WSGI_APPLICATION = "gccportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partners.context_processors.membership",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Counts failed sign-ins and locks the account/IP out (django-axes).
    "axes.backends.AxesStandaloneBackend",
    # Django's, with the permissions read in one query (accounts/backends.py).
    "accounts.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "partners:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Sign-in lockout (accounts/lockout.py): a username after AXES_FAILURE_LIMIT failures from any
# address, a client address (gccportal/client_ip.py) after AXES_IP_FAILURE_LIMIT failures for
# any usernames, each within the cool-off (hours, from the last failure). 429 page.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.username_of"
AXES_CLIENT_IP_CALLABLE = "gccportal.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Two-step verification (accounts/mfa.py, django-otp). The issuer authenticator apps show; the
# admin never shows a device's secret key, QR code or recovery codes (superusers may delete a
# lost device there). Wrong codes wait 1, 2, 4, 8 … seconds (times the factor) before the next try.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="GCC Portal")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_TOTP_THROTTLE_FACTOR", default=1)
OTP_STATIC_THROTTLE_FACTOR = env.int("OTP_STATIC_THROTTLE_FACTOR", default=1)
# Seconds a password reset link stays valid (it stops working once used: the password changed).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_SECONDS", default=60 * 60)

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
# Signed out after this long without a request, and this long after signing in whatever the
# activity (accounts/session_timeout.py); pages warn this long before (static/js/).
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT_SECONDS = env.int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", default=12 * 3600)
SESSION_TIMEOUT_WARNING_SECONDS = env.int("SESSION_TIMEOUT_WARNING_SECONDS", default=5 * 60)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Times are shown in the review time zone: that is the zone the two-business-day clock uses.
REVIEW_TIME_ZONE = env("REVIEW_TIME_ZONE", default="America/New_York")
TIME_ZONE = REVIEW_TIME_ZONE
# Hour (local to REVIEW_TIME_ZONE) at which a review falls due.
REVIEW_DUE_HOUR = 17

STATIC_URL = "static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from npm (package.json), never a CDN.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"
# Documents go through Django's storage API (local files here, S3 in production) and are
# served only through views that check who asks. Local files are readable by the portal's
# user alone.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
FILE_UPLOAD_HANDLERS = [
    # First: counts each file as it streams in and keeps nothing past the document limit.
    "gccportal.uploads.DocumentSizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env(
    "DJANGO_DEFAULT_FROM_EMAIL", default="GCC Portal <no-reply@gccportal.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The SMTP server (production's backend; any shape may point at one).
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds for each SMTP step, and for the server's answer to a whole message (no answer in
# time: "maybe sent"; notifications/backends.py). Below the send task's 120 s soft limit.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
EMAIL_DATA_TIMEOUT = env.int("EMAIL_DATA_TIMEOUT", default=60)
# Where every link in an email or an invitation points to: emails are rendered by workers,
# outside any request, so links come from this one setting, never from a request's host.
# `make run` derives it from HOST/PORT (settings/local.py); production requires it.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# Celery: app in gccportal/celery.py reads every CELERY_* setting.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A message whose task kills its worker is put back in the queue (above); a task built on
# jobs.guard.GuardedTask runs at most this many times for one message, then gives up, marks
# its record failed and is acknowledged (admin: Task deliveries).
CELERY_TASK_MAX_DELIVERIES = env.int("CELERY_TASK_MAX_DELIVERIES", default=5)
# Defaults for a task that declares none (every task of the portal declares its own). The
# soft limit raises SoftTimeLimitExceeded in the task; the hard limit kills the worker child.
# Enforced by the prefork pool only (not --pool=solo).
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="gccportal")
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
# Publishing happens after commit; if the broker is down we give up fast and let the
# outbox sweep re-dispatch, rather than hold the web request.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# The worker's connection: bounded socket waits (a paused or half-open Redis), and the
# visibility timeout after which Redis hands an unacknowledged message (a worker that died
# with it) to another worker: longer than the longest hard time limit (300 s), so a running
# task is never delivered twice. Web requests publish on their own, tighter connection
# (gccportal/broker.py).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 5,
    "socket_connect_timeout": 2,
    "visibility_timeout": 900,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Beat writes a heartbeat file on every tick (gccportal/beat.py); its healthcheck reads it.
CELERY_BEAT_SCHEDULER = "gccportal.beat:HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 30
BEAT_HEARTBEAT_FILE = env("BEAT_HEARTBEAT_FILE", default=str(VAR_DIR / "beat-heartbeat"))
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "notifications.tasks.outbox_sweep_task",
        "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=60.0),
    },
    "review-sla-sweep": {
        "task": "reviews.tasks.review_sla_sweep_task",
        "schedule": crontab(minute="*/15"),
    },
    "invitation-expiry-sweep": {
        "task": "customers.tasks.invitation_expire_sweep_task",
        "schedule": crontab(minute=5),
    },
    "webhook-sweep": {
        "task": "webhooks.tasks.webhook_sweep_task",
        "schedule": env.float("WEBHOOK_SWEEP_SECONDS", default=60.0),
    },
    "order-provisioning-sweep": {
        "task": "orders.tasks.order_provisioning_sweep_task",
        "schedule": env.float("ORDERS_SWEEP_SECONDS", default=60.0),
    },
    "bulk-submission-purge": {
        "task": "customers.tasks.bulk_submission_purge_task",
        "schedule": crontab(minute=50),
    },
    "task-delivery-purge": {
        "task": "jobs.tasks.task_delivery_purge_task",
        "schedule": crontab(minute=35, hour=3),
    },
}
# Publishing from a web request gives up after this (connect, then each socket wait); the
# outbox and provisioning sweeps dispatch what was not published (gccportal/broker.py).
CELERY_PUBLISH_TIMEOUT_SECONDS = env.float("CELERY_PUBLISH_TIMEOUT_SECONDS", default=1.0)
# All the tasks of one commit are published within this, or left to the sweeps.
CELERY_PUBLISH_DEADLINE_SECONDS = env.float("CELERY_PUBLISH_DEADLINE_SECONDS", default=1.5)
# After a failed or too slow publish, this process leaves tasks to the sweeps for this long.
CELERY_PUBLISH_PAUSE_SECONDS = env.float("CELERY_PUBLISH_PAUSE_SECONDS", default=5.0)
# The outbox ledger (notifications/services.py). A new row is left to its on-commit dispatch
# for this long before the sweep dispatches it.
OUTBOX_REDISPATCH_AFTER_SECONDS = env.int("OUTBOX_REDISPATCH_AFTER_SECONDS", default=60)
# A claimed row is someone's for this long; longer than the send task's hard time limit.
OUTBOX_SEND_LEASE_SECONDS = env.int("OUTBOX_SEND_LEASE_SECONDS", default=300)
# Transient failures: retried after 30 s, 1 min, 2 min … (capped at 1 h), failed after 8.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_RETRY_BASE_SECONDS = env.float("OUTBOX_RETRY_BASE_SECONDS", default=30.0)
OUTBOX_RETRY_MAX_SECONDS = env.float("OUTBOX_RETRY_MAX_SECONDS", default=3600.0)
# No answer after DATA ("maybe sent"): one more try this much later, with the same Message-ID.
OUTBOX_UNCERTAIN_RETRY_SECONDS = env.float("OUTBOX_UNCERTAIN_RETRY_SECONDS", default=900.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

REVIEWER_GROUP_NAME = "GCC reviewers"
REVIEWER_LEAD_GROUP_NAME = "GCC reviewer leads"

# Customer validation: supporting documents and the customer's answer link.
CUSTOMER_DOCUMENT_MAX_BYTES = env.int("CUSTOMER_DOCUMENT_MAX_BYTES", default=5 * 1024 * 1024)
CUSTOMER_DOCUMENT_MAX_FILES = 5
CUSTOMER_INFO_LINK_MAX_AGE_SECONDS = env.int(
    "CUSTOMER_INFO_LINK_MAX_AGE_SECONDS", default=7 * 24 * 3600
)
# Bulk submission of customer validation requests (a CSV upload): its rows and bytes at most.
# The SLA page's figures (reviews.selectors.review_sla_figures_recent) are aggregates over every
# open request and 90 days of decisions: a user's are kept this many seconds in the cache, so a
# reload does not run them again (the page says when they were computed); 0: every view.
REVIEW_SLA_CACHE_SECONDS = env.int("REVIEW_SLA_CACHE_SECONDS", default=60)
CUSTOMER_VALIDATION_BULK_MAX_ROWS = env.int("CUSTOMER_VALIDATION_BULK_MAX_ROWS", default=1000)
CUSTOMER_VALIDATION_BULK_MAX_BYTES = env.int(
    "CUSTOMER_VALIDATION_BULK_MAX_BYTES", default=1024 * 1024
)
# Days an upload keeps its rows' contacts (names, emails, phones): not submitted, it is deleted
# after the first; submitted, its rows keep only the customer's name and domain after the
# second (customers.tasks.bulk_submission_purge_task).
CUSTOMER_VALIDATION_BULK_UNSUBMITTED_DAYS = env.int(
    "CUSTOMER_VALIDATION_BULK_UNSUBMITTED_DAYS", default=7
)
CUSTOMER_VALIDATION_BULK_SUBMITTED_DAYS = env.int(
    "CUSTOMER_VALIDATION_BULK_SUBMITTED_DAYS", default=30
)
# Reseller-relationship requests: days a sent invitation link stays valid.
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=30)
# Orders: offers whose simulated provisioning fails (to exercise the failure path).
ORDERS_SIMULATED_FAILING_OFFER_IDS = env.list("ORDERS_SIMULATED_FAILING_OFFER_IDS", default=[])
# Fault tests only: offers whose simulated provisioning kills the process running it
# (os._exit), as a crashing worker would. Never set it where tasks run inline (web).
ORDERS_SIMULATED_CRASHING_OFFER_IDS = env.list("ORDERS_SIMULATED_CRASHING_OFFER_IDS", default=[])
# Provisioning claims one line at a time for this long (its lease): longer than the
# provisioning task's hard time limit (300 s), so a live worker's claim never runs out. A line
# whose worker died is claimed again when the lease ends (at once by the same task, redelivered).
ORDERS_LINE_LEASE_SECONDS = env.int("ORDERS_LINE_LEASE_SECONDS", default=360)
# A line claimed this many times without an outcome fails ("gave up after N attempts").
ORDERS_LINE_MAX_ATTEMPTS = env.int("ORDERS_LINE_MAX_ATTEMPTS", default=3)
# Orders still "submitted" this long after creation are re-dispatched by the sweep.
ORDERS_REDISPATCH_AFTER_SECONDS = env.int("ORDERS_REDISPATCH_AFTER_SECONDS", default=120)
# Seconds the acceptance confirmation link (mailed to the accepting customer) stays valid.
INVITATION_CONFIRMATION_MAX_AGE_SECONDS = env.int(
    "INVITATION_CONFIRMATION_MAX_AGE_SECONDS", default=24 * 3600
)

# The client's address (gccportal/client_ip.py, for rate limits and the sign-in lockout):
# X-Forwarded-For is believed only when REMOTE_ADDR is one of these proxies (addresses or
# networks, comma-separated, e.g. "10.0.0.0/8"); empty (the default), REMOTE_ADDR is the client.
TRUSTED_PROXY_IPS = env.list("TRUSTED_PROXY_IPS", default=[])
# Public pages whose POST sends email (the invitation's acceptance and confirmation, the
# customer contact's answer): every POST counts, per link and per client IP, in the default
# cache (gccportal/ratelimits.py, django-ratelimit). "count/period", period s, m, h or d
# (e.g. "20/15m").
PUBLIC_EMAIL_RATE_PER_LINK = env("PUBLIC_EMAIL_RATE_PER_LINK", default="5/h")
PUBLIC_EMAIL_RATE_PER_IP = env("PUBLIC_EMAIL_RATE_PER_IP", default="20/h")
# django-ratelimit's "ip" key is the portal's one helper; a failing cache lets requests
# through (logged) rather than locking every customer out.
RATELIMIT_IP_META_KEY = "gccportal.client_ip.client_ip"
RATELIMIT_FAIL_OPEN = True

# The REST API (api/): Django REST Framework, API clients' bearer tokens only (no session:
# nothing a browser holds can call it), Partner Center's error body, 429 per client.
# Requests per API client ("count/period": s, m, h or d), Partner Center's 500 a minute.
API_RATE_LIMIT = env("API_RATE_LIMIT", default="500/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiClientAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ClientScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GCC Portal API",
    "DESCRIPTION": (
        "Partner Center's GCC resources (/v1/, the same JSON names) for a partner's own "
        "tools. Authenticate with an API client's token: `Authorization: Bearer <token>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.error_responses",
    ],
}

# Webhooks (webhooks/): Standard Webhooks signatures, a ledger written with the change,
# delivered by Celery with an exponential backoff (base * 2^(n-1), capped, ±20 %).
# Private, loopback and link-local targets, and plain http://, only where this is on (the
# embedded shape and the tests; never in production: SSRF).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
# 12 attempts, 60 s doubling, capped at 6 h: the last about 20 hours after the first.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=12)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=60.0)
WEBHOOK_RETRY_MAX_SECONDS = env.float("WEBHOOK_RETRY_MAX_SECONDS", default=6 * 3600.0)
# Failed attempts in a row (any success resets it) after which an endpoint is disabled and
# its Admin agents are told.
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=20)
WEBHOOK_CONNECT_TIMEOUT_SECONDS = env.float("WEBHOOK_CONNECT_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_READ_TIMEOUT_SECONDS = env.float("WEBHOOK_READ_TIMEOUT_SECONDS", default=15.0)
# A delivery claimed but not settled (a dead worker) is sent again after this; longer than
# webhook_delivery_send_task's hard limit (jobs.E001).
WEBHOOK_SEND_LEASE_SECONDS = env.int("WEBHOOK_SEND_LEASE_SECONDS", default=120)
# A first dispatch lost (the broker down at commit) is picked up by the sweep after this.
WEBHOOK_REDISPATCH_AFTER_SECONDS = env.int("WEBHOOK_REDISPATCH_AFTER_SECONDS", default=60)
# How long the previous secret still signs after a rotation.
WEBHOOK_SECRET_OVERLAP_HOURS = env.int("WEBHOOK_SECRET_OVERLAP_HOURS", default=24)
