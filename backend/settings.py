"""Settings, all read from the environment (12-factor).

With nothing set, Consenso runs on the *embedded default*: a SQLite file in the
project directory and Celery tasks executed in-process, so a newcomer needs
nothing but Python. ``DATABASE_URL`` switches to PostgreSQL and ``REDIS_URL``
to a Redis broker with real workers.

``CONSENSO_ENV=production`` turns on the production profile, which refuses to
start without a real ``SECRET_KEY`` and ``ALLOWED_HOSTS``.
"""

from __future__ import annotations

import os
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Which profile, said explicitly and checked: a misspelt "Production" must
# not quietly start with DEBUG on and the public development key.
CONSENSO_ENV = env.str("CONSENSO_ENV", default="development")
if CONSENSO_ENV not in ("development", "production"):
    raise ImproperlyConfigured(f"CONSENSO_ENV={CONSENSO_ENV!r} is not a profile: use development or production.")
PRODUCTION = CONSENSO_ENV == "production"

# Never ship a guessable key: production must say it explicitly.
_DEV_SECRET = "consenso-dev-only-insecure-key-do-not-use-in-production-0123456789"
if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET:
        raise ImproperlyConfigured("CONSENSO_ENV=production needs SECRET_KEY: at least 50 random characters.")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("CONSENSO_ENV=production needs ALLOWED_HOSTS.")
    DEBUG = False
else:
    SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET)
    DEBUG = env.bool("DEBUG", default=True)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drafting",
    "workers",  # for its management commands (export_document)
    "axes",  # sign-in lockout per account and address (backend/api/auth.py)
    "backend.pages",  # the live room: server-rendered pages over the same services
]

MIDDLEWARE = [
    "backend.logs.RequestLogMiddleware",  # outermost: one log line per request, with its final status
    "django.middleware.security.SecurityMiddleware",
    "backend.api.middleware.ApiJsonErrorsMiddleware",  # /api/ answers JSON even where Django would answer HTML
    # Bodies over their endpoint's limit are refused from the headers, unread.
    "backend.body_limits.BodyLimitMiddleware",
    # Static files (Swagger UI, admin) from the app server itself: a
    # docker-compose deployment has no separate web server in front.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language: the switch's choice (cookie), else the browser's.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # a locked-out form sign-in → 429 (backend.api.auth.lockout_response)
    # A database, cache or broker outage in any view: JSON 503 with Retry-After.
    "backend.outages.OutageMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"  # what uvicorn serves (docker-compose.yml, dev.py serve)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["backend.pages.templatetags.consenso"],
        },
    }
]

# --- Database -------------------------------------------------------------
SQLITE_PATH = env.str("CONSENSO_SQLITE_PATH", default=str(BASE_DIR / "consenso.sqlite3"))
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take SQLite's write lock at BEGIN, so two writers
    # queue up instead of failing with "database is locked" when one of them
    # upgrades a read transaction; WAL lets readers go on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not :memory:, so tests that use several threads share one
    # database; one per test process, so parallel runs do not collide.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-consenso-{os.getpid()}.sqlite3")}
elif os.environ.get("CONSENSO_ASGI"):  # set by backend/asgi.py
    # Under ASGI each request runs its synchronous code in a thread of its own,
    # so persistent connections would pile up (one per thread, 200 open pages:
    # "too many clients"); Django's answer is psycopg's pool, bounded per process.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env.int("DB_POOL_MAX", default=8),
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# The few hand-written reads on every request's path are prepared statements on
# PostgreSQL (drafting/prepared.py says why). Turn off behind a PgBouncer in
# transaction-pooling mode that does not keep prepared statements (< 1.21).
CONSENSO_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)

# Every password check (the API's token, the admin, every sign-in form) goes
# through django-axes first: see backend/api/auth.py.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # together: a room behind one address is never locked as one
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True  # failures count until the right password, not for ever
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lockout ends when it said it would
AXES_CLIENT_IP_CALLABLE = "backend.api.auth.client_address"  # same address as the throttles (NUM_PROXIES)
AXES_LOCKOUT_CALLABLE = "backend.api.auth.lockout_response"
AXES_VERBOSE = False  # our own log line per request says enough

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LOCALE_PATHS = [BASE_DIR / "locale"]
LOGIN_URL = "pages:sign-in"
LOGIN_REDIRECT_URL = "pages:home"
# The demo's users are listed on the sign-in page (only when the demo is loaded
# and this is not production).
CONSENSO_SHOW_DEMO_USERS = env.bool("CONSENSO_SHOW_DEMO_USERS", default=not PRODUCTION)
# How often an open page asks whether anything changed (see backend/pages/live.py).
CONSENSO_LIVE_POLL_MS = env.int("CONSENSO_LIVE_POLL_MS", default=700)
# ... and how long a web process reuses the meeting's change marker it read.
CONSENSO_LIVE_CACHE_MS = env.int("CONSENSO_LIVE_CACHE_MS", default=200)
# How long a web process remembers who a token is and a user's role in a
# meeting (0: not at all); the trade-off is in drafting/access_cache.py.
CONSENSO_ACCESS_CACHE_SECONDS = env.float("CONSENSO_ACCESS_CACHE_SECONDS", default=5.0)
# Pages hold an event stream instead of polling when served by ASGI (uvicorn)
# with REDIS_URL (backend/pages/stream.py): a heartbeat every so many seconds,
# each stream ended (the browser reconnects, authorised again) after so many,
# and each process re-reads its meetings' versions every so many in case a
# notice was lost.
CONSENSO_LIVE_STREAM = env.bool("CONSENSO_LIVE_STREAM", default=True)
CONSENSO_LIVE_HEARTBEAT_S = env.float("CONSENSO_LIVE_HEARTBEAT_S", default=15.0)
CONSENSO_LIVE_STREAM_MAX_S = env.float("CONSENSO_LIVE_STREAM_MAX_S", default=600.0)
CONSENSO_LIVE_RECHECK_S = env.float("CONSENSO_LIVE_RECHECK_S", default=5.0)
LANGUAGES = [("en", "English"), ("es", "Español")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Production serves what `collectstatic` gathered (the Dockerfile runs it);
# elsewhere straight from the apps, so nothing needs collecting first.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=not PRODUCTION)
if WHITENOISE_USE_FINDERS:
    # Then an uncollected STATIC_ROOT is the normal case, not worth a warning.
    warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)
MEDIA_URL = "media/"
# Export files go through Django's storage API: this local directory by
# default, any other storage backend through STORAGES.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

# --- Limits on text (see drafting/textnorm.py) ------------------------------
CONSENSO_MAX_PARAGRAPH_CHARS = env.int("CONSENSO_MAX_PARAGRAPH_CHARS", default=20_000)
CONSENSO_MAX_PARAGRAPHS_PER_REVISION = env.int("CONSENSO_MAX_PARAGRAPHS_PER_REVISION", default=3_000)
CONSENSO_MAX_NOTE_CHARS = env.int("CONSENSO_MAX_NOTE_CHARS", default=5_000)
# Whole request bodies: a 3,000-paragraph revision fits, a flood does not.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=8 * 1024 * 1024)
# Uploads are parsed in memory only, never into a temporary file: the body
# limits (backend/body_limits.py) bound them, so memory is bounded too.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

# API tokens (drafting/models/tokens.py): one per device, each expiring after this many days.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=30)
# One-time sign-in links the Secretariat hands delegates (drafting/models/tokens.py): valid this many hours.
SIGN_IN_LINK_HOURS = env.int("SIGN_IN_LINK_HOURS", default=24)

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "backend.api.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "backend.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backend.api.errors.exception_handler",
    # Sign-in requests per address, successes included: a flood cap only (a whole
    # room signs in through one address); guessing is the lockout's job (axes).
    "DEFAULT_THROTTLE_RATES": {"login": env.str("LOGIN_THROTTLE_RATE", default="120/min")},
    # Throttles count per client address: REMOTE_ADDR, unless NUM_PROXIES trusted
    # proxies in front add X-Forwarded-For (without this, a client could send a
    # new X-Forwarded-For with every password guess and never be throttled).
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Consenso API",
    "DESCRIPTION": (
        "Drafting and consensus for intergovernmental declarations. "
        "Authenticate with `Authorization: Token <key>` (POST /api/auth/token/). "
        "Decisions on proposals need the proposal's current `version` "
        "(in the body or as `If-Match`); a stale one gets 409."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.api.schema.add_error_responses",  # every operation's errors, in their one shape
    ],
    # Several models have a "kind" and a "status": name each enum after its owner.
    "ENUM_NAME_OVERRIDES": {
        "DelegationKindEnum": "drafting.models.organisation.Delegation.Kind",
        "DeclarationKindEnum": "drafting.models.texts.Declaration.Kind",
        "DeclarationStatusEnum": "drafting.models.texts.Declaration.Status",
        "SectionKindEnum": "drafting.models.texts.SectionKind",
        "ParagraphKindEnum": "drafting.models.texts.ParagraphKind",
        "ProposalKindEnum": "drafting.models.proposals.Proposal.Kind",
        "ProposalStatusEnum": "drafting.models.proposals.Proposal.Status",
        "StatementKindEnum": "drafting.models.adoption.Statement.Kind",
        "LibraryThemeEnum": "drafting.models.library.AgreedStatement.Theme",
        "LanguageEnum": "drafting.models.texts.Language",
        "AdoptionMethodEnum": "drafting.models.adoption.Adoption.Method",
        "AdoptionStatusEnum": "drafting.models.adoption.Adoption.Status",
        "ParagraphStateEnum": "drafting.states.State",
        "OriginalLanguageEnum": ["es", "en"],
        "ExportKindEnum": "drafting.models.export_jobs.ExportJob.Kind",
        "ExportFormatEnum": "drafting.models.export_jobs.ExportJob.Format",
        "ExportStatusEnum": "drafting.models.export_jobs.ExportJob.Status",
    },
}

# --- Celery -----------------------------------------------------------------
# No REDIS_URL: tasks run in-process (eager), so the embedded default needs no
# broker. With it: a real broker, real workers, and the reliability settings
# a job queue should have (late acks, one task at a time, time limits).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Publishing must not hang a web request when Redis is down: give up fast and
# let the caller report it (jobs that must survive an outage are stored rows
# re-dispatched by a sweep, not fire-and-forget messages).
# Imports have a queue of their own, consumed by a worker of their own
# (docker-compose.yml: ``importer``): a hostile upload that keeps its reader
# busy up to the reader's limits never sits in front of the silence-procedure
# sweep, which the default queue (``celery``) carries with exports.
CONSENSO_IMPORT_QUEUE = "imports"
CELERY_TASK_ROUTES = {"consenso.import_read": {"queue": CONSENSO_IMPORT_QUEUE}}
CELERY_BEAT_SCHEDULE = {
    "silence-sweep": {"task": "consenso.silence_sweep", "schedule": env.float("SILENCE_SWEEP_SECONDS", default=30.0)},
    "export-sweep": {"task": "consenso.export_sweep", "schedule": env.float("EXPORT_SWEEP_SECONDS", default=30.0)},
    "import-sweep": {"task": "consenso.import_sweep", "schedule": env.float("IMPORT_SWEEP_SECONDS", default=30.0)},
}
# Export jobs: a job queued this long without a worker picking it up is
# handed to the broker again (safe: rendering is idempotent); a rendering
# is stopped after the soft limit with a message, killed at the hard one.
CONSENSO_EXPORT_REDISPATCH_SECONDS = env.int("CONSENSO_EXPORT_REDISPATCH_SECONDS", default=60)
CONSENSO_EXPORT_SOFT_TIME_LIMIT = env.int("CONSENSO_EXPORT_SOFT_TIME_LIMIT", default=120)
CONSENSO_EXPORT_TIME_LIMIT = env.int("CONSENSO_EXPORT_TIME_LIMIT", default=150)
# At most this many renderings of one declaration at once (the others wait
# their turn, handed over again after the delay), so that one text's
# documents never take every worker.
CONSENSO_EXPORT_RENDERS_PER_DECLARATION = env.int("CONSENSO_EXPORT_RENDERS_PER_DECLARATION", default=2)
CONSENSO_EXPORT_BUSY_RETRY_SECONDS = env.float("CONSENSO_EXPORT_BUSY_RETRY_SECONDS", default=3.0)
# Imports: the largest upload taken, and how long a queued one waits before
# the sweep hands it to the broker again.
CONSENSO_MAX_IMPORT_BYTES = env.int("CONSENSO_MAX_IMPORT_BYTES", default=10 * 1024 * 1024)
CONSENSO_IMPORT_REDISPATCH_SECONDS = env.int("CONSENSO_IMPORT_REDISPATCH_SECONDS", default=60)
FILE_UPLOAD_MAX_MEMORY_SIZE = CONSENSO_MAX_IMPORT_BYTES + 64 * 1024  # every upload the body limits let through
# Reading an upload happens in a child process with these operating-system
# limits (drafting/importing/isolated.py); a file that exceeds them fails
# its job once, with the reason. A real draft reads in about a second; the
# wall-clock limit stays under the silence sweep's 30 s, so that even a worker
# with a single slot never holds a deadline back by more than one sweep.
CONSENSO_IMPORT_CPU_SECONDS = env.int("CONSENSO_IMPORT_CPU_SECONDS", default=15)
CONSENSO_IMPORT_MEMORY_MB = env.int("CONSENSO_IMPORT_MEMORY_MB", default=768)
CONSENSO_IMPORT_WALL_SECONDS = env.float("CONSENSO_IMPORT_WALL_SECONDS", default=25.0)
# Who runs import and export jobs (workers/runner.py): "celery" (REDIS_URL:
# real workers), "embedded" (no Redis: the web request only queues the job;
# `manage.py run_jobs`, which `dev.py serve` starts, runs it), or "inline"
# (tests only: run at once in the caller, as Celery's eager mode does).
CONSENSO_JOBS = env.str("CONSENSO_JOBS", default="celery" if REDIS_URL else "embedded")
if CONSENSO_JOBS not in ("celery", "embedded", "inline") or (CONSENSO_JOBS == "celery" and not REDIS_URL):
    raise ImproperlyConfigured(f"CONSENSO_JOBS={CONSENSO_JOBS!r}: use celery (needs REDIS_URL), embedded or inline.")
# Deadlines are driven by this sweep, not by ETA tasks: on Redis an ETA task
# longer than the visibility timeout is redelivered early, and raising that
# timeout would delay redelivery of every task after a worker crash.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


def _cache_url(broker: str) -> str:
    """The Redis database after the broker's: cache.clear() flushes a whole
    database, which must never take the broker's queues with it."""
    parts = urlsplit(broker)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(db + 1) % 16}"))


CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("CACHE_URL", default=_cache_url(REDIS_URL)),
            "KEY_PREFIX": "consenso",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# One line per request (backend/logs.py) and nothing twice: runserver's own
# request lines and django.request's 4xx warnings are turned down (5xx
# tracebacks still come through). LOG_FORMAT: text, or json (one object a line).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"()": "backend.logs.TextFormatter"},
        "json": {"()": "backend.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": env.str("LOG_FORMAT", default="text")}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.server": {"level": "ERROR"},
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},  # lockouts, not every attempt
    },
}

# Error reports to Sentry (web and workers alike) when SENTRY_DSN is set; the
# sentry-sdk package is optional (pip install "consenso[sentry]"; the image has it).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    try:
        import sentry_sdk
    except ImportError as exc:
        raise ImproperlyConfigured(
            'SENTRY_DSN is set but sentry-sdk is not installed: pip install "consenso[sentry]".'
        ) from exc
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production" if PRODUCTION else "development"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,  # delegates' names and addresses stay here
    )

# Forms (admin, sign-in pages) posted from these origins pass the CSRF check:
# the room's address as the browser sees it, e.g. https://consenso.lan.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

if PRODUCTION:
    # CONSENSO_HTTPS: the room is served over TLS (by the compose file's Caddy,
    # or another proxy that sets X-Forwarded-Proto). Set it to false only to
    # serve a closed LAN over plain HTTP: then cookies cannot be Secure (a
    # browser would never send them back, and no one could sign in).
    HTTPS = env.bool("CONSENSO_HTTPS", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
    # Health checks call the app directly, inside the compose network.
    SECURE_REDIRECT_EXEMPT = [r"^api/health/$"]
    SESSION_COOKIE_SECURE = HTTPS
    CSRF_COOKIE_SECURE = HTTPS
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30 if HTTPS else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = ["rest_framework.renderers.JSONRenderer"]
