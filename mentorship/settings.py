"""Settings, read from the environment.

Every value an operator may change comes from an environment variable read by
a strict helper. The defaults are for a developer's laptop with nothing
installed: SQLite, email to the console and to files, Celery on kombu's
filesystem transport. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY,
ALLOWED_HOSTS, the email provider and DEBUG=False.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

_TRUE = {"true"}
_FALSE = {"false"}


def env_bool(name: str, default: bool) -> bool:
    """A boolean from the environment: ``true`` or ``false`` (any case), else an error; unset is ``default``."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


DEBUG = env_bool("DEBUG", default=True)
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789")
else:
    SECRET_KEY = env.str("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")  # what `make run` serves (Procfile.dev)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.saml",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "anymail",
    "rules.apps.AutodiscoverRulesConfig",
    "template_partials",
    "csp",
    "mentorship",
    "mentorship.devtools",
    "mentorship.portal",
    "accounts",
    "organizations",
    "matching",
    "sessions_app",
    "mentorship.oversight",
    "mentorship.pairings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # platform staff without a second factor set one up before the Django admin and the staff pages
    "organizations.sso.middleware.StaffSecondFactorMiddleware",
    "organizations.middleware.TenantMiddleware",
]

ROOT_URLCONF = "mentorship.urls"
WSGI_APPLICATION = "mentorship.wsgi.application"
SITE_ID = 1

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
                "mentorship.portal.context_processors.program_navigation",
            ],
        },
    },
]

# Django's form renderer, with the plain <input> and <textarea> templates rendered in Python (same HTML).
FORM_RENDERER = "accounts.renderers.FormRenderer"

# Database: SQLite by default, PostgreSQL (psycopg 3) through DATABASE_URL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
# Persistent connections: opening a PostgreSQL connection costs more than a small page (issue 9). Each
# connection is checked before a request reuses it, so a restarted database costs one failed check, not a 500.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, with a check of kept connections that asks the kernel, not the server (mentorship/postgresql).
    DATABASES["default"]["ENGINE"] = "mentorship.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("CONN_HEALTH_CHECKS", default=True)
# Or psycopg's connection pool (DB_POOL=true, PostgreSQL only; needs psycopg-pool): each process keeps up to
# DB_POOL_SIZE connections and hands one to each request; persistent connections are then off (Django refuses
# both). Measured by bench_web against CONN_MAX_AGE: see the README's Production section.
if env_bool("DB_POOL", default=False) and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env.int("DB_POOL_SIZE", default=4),
        "timeout": 10,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="mentorship"),
            # Redis down is a cache miss, not a 500: pages keep answering (tests/faults).
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered fragments that only their key decides (the pairing page's suggestions): in each process, never
# shared, so a new release renders them again with its templates and words.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_ENTRIES": 2000},
}
# Sessions are read on every request: from Redis when there is one (kept in the database too, so a flushed
# cache logs nobody out).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
# The web benchmark's tiny views (mentorship/devtools/bench_views.py), mounted only when it asks for them.
BENCH_VIEWS = env_bool("BENCH_VIEWS", default=False)

# Accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "landing"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_FORMS = {
    # organizations.sso: an address of an organization whose single sign-on is required is sent to it.
    "login": "organizations.sso.forms.LoginForm",
    "signup": "organizations.sso.forms.SignupForm",
    "reset_password": "organizations.sso.forms.ResetPasswordForm",
    # accounts.links: a used, expired or made-up reset link logs a link_reuse security event.
    "user_token": "accounts.links.LoggedUserTokenForm",
}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_RATE_LIMITS_ENABLED = env_bool("ACCOUNT_RATE_LIMITS_ENABLED", default=True)
# allauth's limits are counted in the cache (Redis with REDIS_URL, shared by every web node). Failed logins:
# per address (IP) and per account; an account that reaches its limit pauses its password login, and its owner
# gets in by an emailed code or a password reset (the login page offers both; a reset clears the count).
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("RATE_LIMIT_LOGIN_FAILED", default="10/m/ip,5/5m/key"),
    "request_login_code": env.str("RATE_LIMIT_REQUEST_LOGIN_CODE", default="20/m/ip,3/m/key"),
}
# Every action that sends email to someone else, per person ("user") and per address ("ip"), in allauth's rate
# syntax (amount/period/per, period in s, m, h or d); mentorship.ratelimits applies them. An exceeded limit is a
# 429 page in the site's layout that says when to try again.
RATE_LIMITS = {
    "invitation_send": env.str("RATE_LIMIT_INVITATION_SEND", default="60/h/user,120/h/ip"),
    "invitation_upload": env.str("RATE_LIMIT_INVITATION_UPLOAD", default="10/h/user,20/h/ip"),
    "invitation_resend": env.str("RATE_LIMIT_INVITATION_RESEND", default="30/h/user,60/h/ip"),
    "selection_confirm": env.str("RATE_LIMIT_SELECTION_CONFIRM", default="10/h/user,30/h/ip"),
    "session_request": env.str("RATE_LIMIT_SESSION_REQUEST", default="20/h/user,60/h/ip"),
    "mentor_offer": env.str("RATE_LIMIT_MENTOR_OFFER", default="20/h/user,60/h/ip"),
    "booking": env.str("RATE_LIMIT_BOOKING", default="30/h/user,60/h/ip"),
    "message": env.str("RATE_LIMIT_MESSAGE", default="60/h/user,120/h/ip"),
    "access_request": env.str("RATE_LIMIT_ACCESS_REQUEST", default="10/h/user,20/h/ip"),
    "organization_submit": env.str("RATE_LIMIT_ORGANIZATION_SUBMIT", default="5/h/ip"),
    # Answers and changes that email the other side (a request answered, a pairing made or ended, an
    # agreement sent or decided, a session published, changed or cancelled, a booking given up).
    "request_answer": env.str("RATE_LIMIT_REQUEST_ANSWER", default="60/h/user,120/h/ip"),
    # The same by the emailed link, with no account signed in: per address only.
    "request_answer_by_link": env.str("RATE_LIMIT_REQUEST_ANSWER_BY_LINK", default="60/h/ip"),
    "pairing_change": env.str("RATE_LIMIT_PAIRING_CHANGE", default="60/h/user,120/h/ip"),
    "session_change": env.str("RATE_LIMIT_SESSION_CHANGE", default="60/h/user,120/h/ip"),
    "selection_open": env.str("RATE_LIMIT_SELECTION_OPEN", default="10/h/user,30/h/ip"),
    "onboarding_signup": env.str("RATE_LIMIT_ONBOARDING_SIGNUP", default="10/h/user,20/h/ip"),
    "staff_review": env.str("RATE_LIMIT_STAFF_REVIEW", default="120/h/user,240/h/ip"),
}
ACCOUNT_RATE_LIMITS.update(RATE_LIMITS)  # counted by allauth's limiter (allauth.core.ratelimit)
if not ACCOUNT_RATE_LIMITS_ENABLED:
    ACCOUNT_RATE_LIMITS = False
    RATE_LIMITS = {}
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60  # seconds the emailed code is good for
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
# Single sign-on per organization (organizations/sso/, issue 17): allauth's SAML and OpenID Connect apps.
SOCIALACCOUNT_ADAPTER = "organizations.sso.adapter.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"  # the organization's identity provider vouches for its domains
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never sign in to an account by email alone: the adapter decides
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
# Fetching an IdP's metadata or OpenID configuration is refused for private and loopback addresses and plain
# http (SSRF), unless this is on (the tests' local identity provider).
SSO_ALLOW_PRIVATE_URLS = env_bool("SSO_ALLOW_PRIVATE_URLS", default=False)
SSO_FETCH_TIMEOUT = 5
SSO_FETCH_MAX_BYTES = 1_000_000
# Email domain verification reads a TXT record: from this name server ("host" or "host:port") when set,
# else from the system's resolvers (the tests point it at a DNS server of their own).
SSO_DNS_NAMESERVER = env.str("SSO_DNS_NAMESERVER", default="")
SSO_DNS_TIMEOUT = 4
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
TERMS_VERSION = env.str("TERMS_VERSION", default="2026-11-01")
SITE_NAME = env.str("SITE_NAME", default="Mentorship platform")

# Internationalization
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads go through Django's storage API, so that any number of web nodes share them:
# MEDIA_ROOT on a shared filesystem (the default), or an S3-compatible bucket.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")  # filesystem | s3
if MEDIA_STORAGE == "s3":
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,  # photos are shown by short-lived signed links
            "file_overwrite": False,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# Email: console and files by default; anymail's provider in production.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="mentorship.mail_backends.ConsoleAndFileBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Mentorship <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ANYMAIL = {
    key: value
    for key, value in {
        "MAILGUN_API_KEY": env.str("MAILGUN_API_KEY", default=""),
        "MAILGUN_SENDER_DOMAIN": env.str("MAILGUN_SENDER_DOMAIN", default=""),
        "POSTMARK_SERVER_TOKEN": env.str("POSTMARK_SERVER_TOKEN", default=""),
        "SENDGRID_API_KEY": env.str("SENDGRID_API_KEY", default=""),
        "BREVO_API_KEY": env.str("BREVO_API_KEY", default=""),
    }.items()
    if value
}
# How long a worker may take to send one outbox row before the retry sweep presumes it died.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)
# A provider that hangs holds a worker no longer than this; the outbox retries the message later.
ANYMAIL["REQUESTS_TIMEOUT"] = env.float("ANYMAIL_REQUESTS_TIMEOUT", default=15.0)

# Celery: kombu's filesystem transport needs no server; REDIS_URL switches to Redis. The transport ignores the
# host, but kombu warns "No hostname was supplied" at each connection when the URL has none.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),  # else kombu writes ./control/ in the project
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        (_queue_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    # Day-before session reminders; each is claimed once, so an extra or overlapping run sends nothing twice.
    "session-reminders": {"task": "sessions_app.tasks.send_reminders", "schedule": 15 * 60},
    # Conversation emails held back by the 15-minute batching window; each window is claimed once.
    "conversation-emails": {"task": "pairings.tasks.sweep_conversations", "schedule": 5 * 60},
    # Feedback requests after ended sessions; one request per session and person (a constraint).
    "feedback-requests": {"task": "pairings.tasks.request_feedback", "schedule": 60 * 60},
    # Pairs that went quiet: reminded once, then their program's admins told (claimed by conditional updates).
    "quiet-pairs": {"task": "pairings.tasks.check_quiet_pairs", "schedule": 24 * 60 * 60},
    # Program cycles: end-of-program surveys (once a person and cycle), completed pairings at the end.
    "program-cycles": {"task": "pairings.tasks.program_cycles", "schedule": 24 * 60 * 60},
    # The email outbox: rows a down broker, a failing provider or a killed worker left unsent (mentorship.outbox).
    "retry-outbox": {"task": "mentorship.tasks.retry_outbox", "schedule": 60},
    # Deleted people and organizations past their 30 days (issue 14): erased; safe to run twice.
    "erase-deleted": {"task": "organizations.tasks.erase_deleted", "schedule": 24 * 60 * 60},
    # Ranked mentor requests: deadlines passed move on, reminders go; safe to overlap (matching.services.requests).
    "expire-requests": {"task": "matching.tasks.expire_requests", "schedule": 5 * 60},
}
# A person sends at most this many messages a minute in pair conversations.
PAIRINGS_MESSAGES_PER_MINUTE = env.int("PAIRINGS_MESSAGES_PER_MINUTE", default=10)

# Security: strict by default outside DEBUG; `manage.py check --deploy` is clean.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_traceback_below_500": {"()": "mentorship.log.NoTracebackBelow500"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's default config gives "django" a console handler of its own under DEBUG: with ours on the root,
        # every line (each 403, the reloader's "Watching for file changes") was printed twice.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"filters": ["no_traceback_below_500"]},
    },
}

# Invitations and emailed links (used by the onboarding and invitation flows).
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)
