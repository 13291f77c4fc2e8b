"""Settings for the ICT Strategy Delivery Portal.

Everything comes from the environment through django-environ. With DEBUG=true and
nothing else the portal runs embedded: SQLite, background jobs in-process, e-mail
written to files under var/ (make run). Without DEBUG=true the settings are
production's, which refuse to start without a secret key and allowed hosts.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A developer's checkout keeps its own settings in .env (make setup writes DEBUG=true there
# if there is none), so `python manage.py ...` in a shell works as make's targets do. The
# environment wins over the file; the image never has one (.dockerignore); PORTAL_ENV_FILE=""
# reads none (the tests of production's defaults).
_ENV_FILE = env.str("PORTAL_ENV_FILE", default=str(BASE_DIR / ".env"))
if _ENV_FILE and Path(_ENV_FILE).is_file():
    environ.Env.read_env(_ENV_FILE)

# Production unless debug is asked for: make run, check, bench and load, the test suite
# (tests/settings.py) and .ci/api-schema set DEBUG=true themselves. A deployment that
# forgets every variable refuses to start rather than running in debug mode.
DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    # Only ever used on a developer's machine, with DEBUG=true asked for.
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-embedded-default-key-for-local-use-only")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    _ON_A_DEVELOPERS_MACHINE = "On a developer's machine set DEBUG=true instead (make run does)."
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: the portal will not start in production without its own key, "
            "50 or more random characters, for example from "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'. " + _ON_A_DEVELOPERS_MACHINE
        )
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            f"SECRET_KEY must be set to 50 or more random characters ({len(SECRET_KEY)} given). "
            + _ON_A_DEVELOPERS_MACHINE
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must be set when DEBUG is off: the portal's host name, for example "
            "ALLOWED_HOSTS=portal.example.gov.uk. " + _ON_A_DEVELOPERS_MACHINE
        )

# Demo data and its accounts are never made under production settings.
DEMO_DATA_ALLOWED = DEBUG

# The portal's date (see core.clock). Unset in production.
PORTAL_TODAY = env.str("PORTAL_TODAY", default="") or None

# The portal's own address, used in e-mails.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
PORTAL_NAME = env.str("PORTAL_NAME", default="ICT Strategy Delivery Portal")
PORTAL_ORGANISATION = env.str("PORTAL_ORGANISATION", default="Mid Kent Services")
# Who answers accessibility requests, on the accessibility statement (GOV.UK's sample
# statement; core.views.accessibility_statement). ACCESSIBILITY_ENFORCEMENT: "ehrc"
# (England, Scotland, Wales) or "ecni" (Northern Ireland).
ACCESSIBILITY_EMAIL = env.str("ACCESSIBILITY_EMAIL", default="ict-strategy@example.gov.uk")
ACCESSIBILITY_PHONE = env.str("ACCESSIBILITY_PHONE", default="")
ACCESSIBILITY_HOURS = env.str("ACCESSIBILITY_HOURS", default="Monday to Friday, 9am to 5pm")
ACCESSIBILITY_REPLY_DAYS = env.int("ACCESSIBILITY_REPLY_DAYS", default=5)
ACCESSIBILITY_ENFORCEMENT = env.str("ACCESSIBILITY_ENFORCEMENT", default="ehrc")

INSTALLED_APPS = [
    # Django's admin, on a site that also asks administrators for their second factor.
    "accounts.admin_app.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "crispy_forms",
    "crispy_forms_gds",
    # Before accounts: accounts.admin replaces the TOTP device admin django-otp registers.
    "django_otp",
    "accounts.admin_app.TwoFactorDevicesConfig",  # django_otp.plugins.otp_totp
    "core",
    "accounts",
    "themes",
    "actionplan",
    "reporting",
    "reminders",
    "api",
    "csp",
    "audit",
    "dashboard",
    "approvals",
    "indicators",
    "risks",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.security_headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store on everything a signed-in user (session or API token) is sent.
    "core.middleware.PrivateNoStoreMiddleware",
    # Gives request.user.is_verified(): has this session entered a code from its TOTP device?
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.session_timeout.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.security_log.PermissionRefusalLogMiddleware",
    "core.middleware.LoginRequiredMiddleware",
    # A session whose user has a TOTP device sees nothing but the code page until verified.
    "accounts.two_factor.TwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ictstrategy.urls"
WSGI_APPLICATION = "ictstrategy.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ictstrategy.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default keeps its database in var/: make it on first use.
    VAR_DIR.mkdir(exist_ok=True)
    # WAL lets readers carry on while an officer's update is written.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    # ASVS 2.1.2: passphrases of 64+ characters allowed, 128 at most.
    {"NAME": "core.password_validation.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Login throttling (django-axes): five failures lock the sign-in for 30 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
# Lock a username from one address: a whole council behind one NAT address is not
# locked out by one person, and one attacker cannot lock out every user.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# That holds only if the address is the client's. How many proxies in front of the portal
# append to X-Forwarded-For (the TLS proxy: 1). 0, the default, believes no header: behind a
# proxy every client would then have the proxy's address, and five wrong passwords from
# anywhere would lock a username out. Axes and the security log read the same function.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.security_log.client_ip"
AXES_VERBOSE = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Second factor (django-otp TOTP): optional for administrators; a session of anyone
# with a confirmed device must enter a code before any page. When true, administrators
# without a device must set one up before using /admin/ (accounts.two_factor).
ADMIN_TWO_FACTOR_REQUIRED = env.bool("ADMIN_TWO_FACTOR_REQUIRED", default=False)
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = PORTAL_NAME
# Each wrong code doubles the wait before the next try: 1, 2, 4, 8... seconds.
OTP_TOTP_THROTTLE_FACTOR = 1
# The admin's device pages never show a secret key (accounts.admin lists and removes only).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# E-mail: files under var/mail by default; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
    EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
else:
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ict-strategy@example.gov.uk")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: with no broker, tasks run in-process (eager); with one, on the worker.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/London"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Keep reconnecting for as long as the broker is away (a Redis restart), never exit.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Redis gives a job that was taken but not acknowledged (acks_late: its worker was
# killed) to another worker after the visibility timeout. It must be longer than
# the longest wait of a job held by a worker (a retry's countdown, at most an hour)
# plus the longest job, or a waiting retry is handed out twice (harmless, as every
# step is idempotent, but wasteful); and short enough that a killed worker's job
# comes back the same morning. docs/reports.md "Faults".
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 3600),
    "socket_timeout": 30,
    "socket_connect_timeout": 10,
    "health_check_interval": 30,
}
# Beat's jobs, in Europe/London time (CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE = {
    # Reminders and escalations: the calendar decides which step (if any) is today.
    "send-update-reminders": {
        "task": "reminders.tasks.send_due_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    # Sign-off: one e-mail a day to each approver with something waiting.
    "sign-off-digest": {
        "task": "approvals.tasks.send_sign_off_digests",
        "schedule": crontab(hour=8, minute=0),
    },
    # The board report: runs daily, and builds and sends the previous quarter's
    # report once BOARD_REPORT_DAYS_AFTER_QUARTER days have passed (any N works).
    "board-report": {
        "task": "reporting.tasks.schedule_board_report",
        "schedule": crontab(hour=env.int("BOARD_REPORT_HOUR", default=7), minute=0),
    },
    # What dead workers and lost jobs left behind (stale claims, reports stuck
    # building, queued or sending) is ended, retried or failed with the reason.
    "sweep-reports": {
        "task": "reporting.tasks.sweep_reports",
        "schedule": env.int("SWEEP_EVERY_SECONDS", default=300),
    },
    "sweep-reminders": {
        "task": "reminders.tasks.sweep_reminders",
        "schedule": env.int("SWEEP_EVERY_SECONDS", default=300),
    },
    # --- risks: risk reviews are reminded and escalated on the updates' calendar ---
    "send-review-reminders": {
        "task": "risks.tasks.send_due_review_reminders",
        "schedule": crontab(hour=7, minute=40),
    },
    "sweep-review-reminders": {
        "task": "risks.tasks.sweep_review_reminders",
        "schedule": env.int("SWEEP_EVERY_SECONDS", default=300),
    },
    # --- indicators ---
    # Owners reminded before each value is due; late values escalated (indicators.reminders).
    "indicator-value-reminders": {
        "task": "indicators.tasks.send_value_reminders",
        "schedule": crontab(hour=7, minute=45),
    },
    "sweep-indicator-value-reminders": {
        "task": "indicators.tasks.sweep_value_reminders",
        "schedule": env.int("SWEEP_EVERY_SECONDS", default=300),
    },
}
# Indicator values are due this many days after their month, quarter or year ends; owners are
# reminded this many days before, and administrators told this many days after (indicators.reminders).
INDICATOR_VALUE_DUE_DAYS = env.int("INDICATOR_VALUE_DUE_DAYS", default=10)
INDICATOR_REMINDER_DAYS_BEFORE = env.int("INDICATOR_REMINDER_DAYS_BEFORE", default=5)
INDICATOR_ESCALATION_DAYS_AFTER = env.int("INDICATOR_ESCALATION_DAYS_AFTER", default=5)

# Board reports (reporting.services): when the schedule sends, and how hard a
# failed send retries (backoff doubles from BOARD_REPORT_RETRY_BACKOFF seconds).
BOARD_REPORT_DAYS_AFTER_QUARTER = env.int("BOARD_REPORT_DAYS_AFTER_QUARTER", default=15)
BOARD_REPORT_SEND_RETRIES = env.int("BOARD_REPORT_SEND_RETRIES", default=5)
BOARD_REPORT_RETRY_BACKOFF = env.float("BOARD_REPORT_RETRY_BACKOFF", default=60)
# A claim older than this was made by a worker that died (reports and reminders).
BOARD_REPORT_STALE_CLAIM_SECONDS = env.int("BOARD_REPORT_STALE_CLAIM_SECONDS", default=15 * 60)
# A build started this many times without finishing (its worker killed each time) fails.
BOARD_REPORT_BUILD_ATTEMPTS = env.int("BOARD_REPORT_BUILD_ATTEMPTS", default=3)
# Past these, a report still building, or still sending, is failed by the sweeper.
BOARD_REPORT_BUILD_DEADLINE_SECONDS = env.int("BOARD_REPORT_BUILD_DEADLINE_SECONDS", default=3600)
BOARD_REPORT_SEND_DEADLINE_SECONDS = env.int("BOARD_REPORT_SEND_DEADLINE_SECONDS", default=6 * 3600)
# Reminder runs that failed (SMTP, the database) retry after this many seconds, doubling.
REMINDER_RETRY_BACKOFF = env.int("REMINDER_RETRY_BACKOFF", default=300)

REST_FRAMEWORK = {
    # Token first, so an anonymous request gets 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: any API view, DRF's root included, needs a portal role (anonymous: 401).
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasPortalRole"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.portal_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ICT Strategy Delivery Portal API",
    "DESCRIPTION": "Strategies, themes, action plans, actions, progress updates and board reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The API's map is for people with a role, like the rest of the portal (anonymous: 401).
    "SERVE_PERMISSIONS": ["api.permissions.HasPortalRole"],
    # Swagger UI from our own static files (no CDN), with no inline script (CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "StrategyStatusEnum": "themes.models.Strategy.Status",
        "PlanStatusEnum": "actionplan.models.ActionPlan.Status",
        "UpdateStatusEnum": "actionplan.models.ProgressUpdate.Status",
        "RagEnum": "actionplan.models.ProgressUpdate.Rag",
        "PriorityEnum": "actionplan.models.Action.Priority",
        "ReportStateEnum": "reporting.models.BoardReport.State",
    },
}

# Security: strict by default, and required by `check --deploy` in production.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# ASVS 3.3: signed out after 30 idle minutes and 8 hours in all (core.session_timeout).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=8 * 60 * 60)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
# Content-Security-Policy (django-csp): scripts and styles only from our own static
# files, never inline; nothing may frame the portal. docs/security.md says why.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "core.security_log.JSONFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "security": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint narrates every page of a PDF at INFO.
        "weasyprint.progress": {"level": "WARNING"},
        # Sign-ins, failures, lock-outs, time-outs, refusals: JSON lines, UTC times.
        "security": {"handlers": ["security"], "level": "INFO", "propagate": False},
    },
}
