"""One settings module, driven by environment variables (see the README's table)."""

import os
from pathlib import Path

import dj_database_url

from skyvern_site import skyvern_names
from skyvern_site.env import env_bool, env_choice, env_int, env_list, env_str, secret_key_from

BASE_DIR = Path(__file__).resolve().parent.parent
# A `.env` beside manage.py (or at SKYVERN_ENV_FILE), as a Skyvern install keeps one; the environment wins.
skyvern_names.load_env_file(Path(os.environ.get("SKYVERN_ENV_FILE") or BASE_DIR / ".env"))
VAR_DIR = Path(env_str("SKYVERN_VAR_DIR", str(BASE_DIR / "var")))

# litellm fetches its price map from the internet at import unless told not to.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

SECRET_KEY = secret_key_from(VAR_DIR)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Where the dashboard is reachable; used for `app_url` and artifact links in API answers.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "ninja",  # serves /api/docs with its bundled Swagger UI instead of a CDN (no internet needed)
    "runs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "skyvern_site.errors.api_method_errors",  # a wrong method on an API path: JSON 405, or 501 and why
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "skyvern_site.urls"
ASGI_APPLICATION = "skyvern_site.asgi.application"
APPEND_SLASH = True

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat write to one file: wait for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    # A file, not memory, so the worker and web processes of the end-to-end tests share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_db.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "auth.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/discover"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request without it
WHITENOISE_USE_FINDERS = True  # serve static/ without a collectstatic step on a laptop

ARTIFACTS_DIR = Path(env_str("ARTIFACTS_DIR", str(VAR_DIR / "artifacts")))
STORAGES = {
    "default": {
        "BACKEND": env_str("ARTIFACTS_STORAGE", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": {"location": str(ARTIFACTS_DIR)} if not env_str("ARTIFACTS_STORAGE") else {},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Per-run working folders for the browser (video, downloads) before files go to storage.
RUNS_WORK_DIR = Path(env_str("RUNS_WORK_DIR", str(VAR_DIR / "work")))

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            # channels_redis polls with 5 s blocking reads; redis-py's default 5 s socket timeout would
            # fail those reads and drop every socket that is quiet for 5 s.
            "hosts": [{"address": REDIS_URL, "socket_timeout": 15}],
            "prefix": env_str("CHANNELS_PREFIX", "skyvern"),
        },
    }
}

# Celery: see skyvern_site/celery.py. Browser runs go to their own queue.
RUN_SOFT_TIME_LIMIT = env_int("RUN_SOFT_TIME_LIMIT", 30 * 60, minimum=10)
RUN_HARD_TIME_LIMIT = env_int("RUN_HARD_TIME_LIMIT", RUN_SOFT_TIME_LIMIT + 60, minimum=20)
RUN_HEARTBEAT_SECONDS = env_int("RUN_HEARTBEAT_SECONDS", 10, minimum=1)
RUN_STALE_AFTER_SECONDS = env_int("RUN_STALE_AFTER_SECONDS", 40, minimum=5)  # see "Reliability" below
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": RUN_HARD_TIME_LIMIT + 600,
    # Lets several deployments (or test sessions) share one Redis without taking each other's tasks.
    "global_keyprefix": env_str("CELERY_KEY_PREFIX"),
}
CELERY_TASK_ROUTES = {"runs.tasks.execute_run": {"queue": "browser"}}
CELERY_BEAT_SCHEDULE = {
    "reap-stale-runs": {"task": "runs.tasks.reap_stale_runs", "schedule": 30.0},
}

# The agent and its browser.
# The model(s), steps and browser: SKYVERN_LLM_MODEL/_API_BASE/_API_KEY/_API_VERSION/_VISION, the secondary model,
# SKYVERN_DEFAULT_MAX_STEPS, SKYVERN_MAX_STEPS_LIMIT, CHROMIUM_PATH, BROWSER_TYPE, BROWSER_HEADLESS, BROWSER_LOCALE,
# BROWSER_CDP_URL... Each also answers to Skyvern's name (LLM_KEY, ENABLE_<PROVIDER>, MAX_STEPS_PER_RUN,
# BROWSER_TYPE, CHROME_EXECUTABLE_PATH...); a combination that cannot work stops here with one line.
globals().update(skyvern_names.settings_or_exit(os.environ))
# cdp-connect with CHROME_EXECUTABLE_PATH: the copy of the user's profile the server starts that browser with.
CHROME_PROFILE_DIR = Path(env_str("CHROME_PROFILE_DIR", str(VAR_DIR / "chrome-profile")))
# How often celery beat checks every configured model for the Discover page's banner (seconds).
SKYVERN_LLM_CHECK_SECONDS = env_int("SKYVERN_LLM_CHECK_SECONDS", 300, minimum=30)
CELERY_BEAT_SCHEDULE["check-models"] = {
    "task": "runs.tasks.check_models",
    "schedule": float(SKYVERN_LLM_CHECK_SECONDS),
}
BROWSER_RECORD_VIDEO = env_bool("BROWSER_RECORD_VIDEO", True)
PLAYWRIGHT_BROWSERS_PATH = env_str("PLAYWRIGHT_BROWSERS_PATH", str(VAR_DIR / "pw-browsers"))
os.environ.setdefault("PLAYWRIGHT_BROWSERS_PATH", PLAYWRIGHT_BROWSERS_PATH)
SKYVERN_DEFAULT_ENGINE = env_str("SKYVERN_DEFAULT_ENGINE", "skyvern-2.0")
# The coordinate engines bring their own model, base URL and key (README, "Coordinate engines"); a run's
# `model.model_name` overrides the model. Empty base URLs mean the provider's own.
SKYVERN_OPENAI_CUA_MODEL = env_str("SKYVERN_OPENAI_CUA_MODEL", "computer-use-preview")
SKYVERN_OPENAI_CUA_API_BASE = env_str("SKYVERN_OPENAI_CUA_API_BASE")
SKYVERN_OPENAI_CUA_API_KEY = env_str("SKYVERN_OPENAI_CUA_API_KEY") or env_str("OPENAI_API_KEY")
SKYVERN_ANTHROPIC_CUA_MODEL = env_str("SKYVERN_ANTHROPIC_CUA_MODEL", "claude-sonnet-4-5")
SKYVERN_ANTHROPIC_CUA_API_BASE = env_str("SKYVERN_ANTHROPIC_CUA_API_BASE")
SKYVERN_ANTHROPIC_CUA_API_KEY = env_str("SKYVERN_ANTHROPIC_CUA_API_KEY") or env_str("ANTHROPIC_API_KEY")
SKYVERN_UI_TARS_MODEL = env_str("SKYVERN_UI_TARS_MODEL", "ByteDance-Seed/UI-TARS-1.5-7B")
SKYVERN_UI_TARS_API_BASE = env_str("SKYVERN_UI_TARS_API_BASE")  # e.g. a vLLM server's http://host:8000/v1
SKYVERN_UI_TARS_API_KEY = env_str("SKYVERN_UI_TARS_API_KEY")
# How the deployment's positions map onto the screenshot (agent/engines/ui_tars.py explains each).
SKYVERN_UI_TARS_COORDINATES = env_choice(
    "SKYVERN_UI_TARS_COORDINATES", "relative", ("relative", "resized", "pixels")
)
# Hosts or CIDRs that runs, webhooks and TOTP URLs may reach although they are private.
SKYVERN_ALLOW_PRIVATE_HOSTS = env_list("SKYVERN_ALLOW_PRIVATE_HOSTS")
# proxy_location value -> proxy URL, e.g. "RESIDENTIAL=http://u:p@proxy:8000,RESIDENTIAL_GB=http://..."
SKYVERN_PROXY_MAP = dict(item.split("=", 1) for item in env_list("SKYVERN_PROXY_MAP") if "=" in item)
# One proxy URL with {country} {subdivision} {city} {name} placeholders (and *_lower), for exit selection by
# user name; and whether a proxy location with no proxy is refused (400) instead of running direct.
SKYVERN_PROXY_URL_TEMPLATE = env_str("SKYVERN_PROXY_URL_TEMPLATE")
SKYVERN_PROXY_STRICT = env_bool("SKYVERN_PROXY_STRICT", False)
ARTIFACT_LINK_SECONDS = env_int("ARTIFACT_LINK_SECONDS", 24 * 3600, minimum=60)

WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 3, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"LiteLLM": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}

# --- Security (README "Security"): egress, limits, throttling, stored secrets, production switches. ---------------
from csp.constants import NONE, SELF, UNSAFE_INLINE  # noqa: E402

from skyvern_site.env import encryption_keys_from  # noqa: E402

# Every browser connection goes through a policy-enforcing proxy (agent/browser/egress.py); off only to debug.
SKYVERN_EGRESS_PROXY = env_bool("SKYVERN_EGRESS_PROXY", True)

# Request limits: a body over SKYVERN_MAX_BODY_BYTES is a 413; a prompt or one JSON field over its limit a 422.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("SKYVERN_MAX_BODY_BYTES", 1024 * 1024, minimum=64 * 1024)
SKYVERN_MAX_PROMPT_CHARS = env_int("SKYVERN_MAX_PROMPT_CHARS", 100_000, minimum=1_000)
SKYVERN_MAX_JSON_FIELD_BYTES = env_int("SKYVERN_MAX_JSON_FIELD_BYTES", 64 * 1024, minimum=1_024)
# POST /v1/upload_file: a file part up to this size (a file sent as a plain form field counts as body).
SKYVERN_MAX_UPLOAD_BYTES = env_int("SKYVERN_MAX_UPLOAD_BYTES", 50 * 1024 * 1024, minimum=1024 * 1024)
# A page of runs (API and dashboard) holds at most this many bytes of run bodies; long text is shortened.
SKYVERN_LIST_PAGE_BYTES = env_int("SKYVERN_LIST_PAGE_BYTES", 2 * 1024 * 1024, minimum=64 * 1024)

# Failed logins and failed API keys per client address ("N per M minutes"), counted in Redis (limits library).
SKYVERN_LOGIN_FAILURE_LIMIT = env_str("SKYVERN_LOGIN_FAILURE_LIMIT", "10 per 5 minutes")
SKYVERN_KEY_FAILURE_LIMIT = env_str("SKYVERN_KEY_FAILURE_LIMIT", "30 per 5 minutes")
SKYVERN_THROTTLE_STORAGE = env_str("SKYVERN_THROTTLE_STORAGE", REDIS_URL)
SKYVERN_THROTTLE_PREFIX = env_str(
    "SKYVERN_THROTTLE_PREFIX", env_str("CHANNELS_PREFIX", "skyvern") + ":throttle"
)
# Behind N reverse proxies the client is the Nth address from the right of X-Forwarded-For.
SKYVERN_TRUSTED_PROXY_HOPS = env_int("SKYVERN_TRUSTED_PROXY_HOPS", 0, minimum=0)

# Encrypted copies of raw API keys (to sign webhooks as Skyvern does) and of webhook secrets: see env.py.
SKYVERN_ENCRYPTION_KEYS = encryption_keys_from(
    Path(env_str("XDG_CONFIG_HOME") or Path.home() / ".config") / "skyvern-django" / "encryption.key"
)

# Production: HTTPS=true behind TLS turns on HSTS, the SSL redirect and secure cookies (each can be overridden);
# SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto when a proxy terminates TLS. `manage.py check --deploy` is clean.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^api/v1/heartbeat/?$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
SESSION_COOKIE_HTTPONLY = True
# Scripts only from this server; inline styles stay allowed (the admin's widgets use them). Swagger UI is left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "media-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
MIDDLEWARE += [
    "csp.middleware.CSPMiddleware",
    "skyvern_site.security.refuse_nul_bytes",  # 400 for NUL in a path or query (PostgreSQL cannot store it)
    "skyvern_site.security.throttle_logins",  # 429 + Retry-After after too many failed logins
]

# --- Reliability and throughput (README "Production"): queues, sweeps, reconnects. ----------------------------------
from redis.asyncio.retry import Retry as AsyncRetry  # noqa: E402
from redis.backoff import ExponentialBackoff  # noqa: E402
from redis.exceptions import ConnectionError as RedisConnectionError  # noqa: E402
from redis.exceptions import TimeoutError as RedisTimeoutError  # noqa: E402

# Small tasks (webhooks, the sweep, the reaper, model checks) have their own queue and worker processes, so they
# never wait behind browser runs: `celery worker -Q small` beside the browser workers' `-Q browser`.
CELERY_TASK_DEFAULT_QUEUE = "small"
# The database says what must run. Beat (its own process, `celery beat`) runs two sweeps every RUN_SWEEP_SECONDS:
# runs queued for over RUN_DISPATCH_GRACE_SECONDS that the broker holds no message for are sent again (a broker
# restart or outage delays them, never loses them), and running runs whose heartbeat is older than
# RUN_STALE_AFTER_SECONDS fail, so a dead worker's run ends within about a minute.
RUN_SWEEP_SECONDS = env_int("RUN_SWEEP_SECONDS", 10, minimum=1)
RUN_DISPATCH_GRACE_SECONDS = env_int("RUN_DISPATCH_GRACE_SECONDS", 15, minimum=1)
CELERY_BEAT_SCHEDULE["reap-stale-runs"]["schedule"] = float(RUN_SWEEP_SECONDS)
CELERY_BEAT_SCHEDULE["sweep-queued-runs"] = {
    "task": "runs.tasks.sweep_queued_runs",
    "schedule": float(RUN_SWEEP_SECONDS),
}
# A worker whose database connection drops reconnects and retries its writes for this long before the run fails
# saying its records could not be saved (runs/execution/db.py).
DB_RETRY_SECONDS = env_int("DB_RETRY_SECONDS", 30, minimum=1)
# Redis restarts: the channel layer's connections (and the live counters', runs/live/redis.py) reconnect and
# retry a command a few times with a short backoff instead of failing it, so open sockets keep receiving after a
# restart (about 1.5 s of retries; a longer outage closes the sockets and the pages reconnect).
CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0].update(
    retry=AsyncRetry(ExponentialBackoff(cap=0.5, base=0.05), 6),
    retry_on_error=[RedisConnectionError, RedisTimeoutError],
    health_check_interval=10,
    socket_connect_timeout=2,
)
# PostgreSQL connections come from a pool in each process (psycopg_pool) instead of a new connection per request:
# at most DB_POOL_MAX_SIZE per process; 0 = no pool. `scripts/web` turns it on for the web processes (workers fork
# their pool processes, so they keep plain connections).
DB_POOL_MAX_SIZE = env_int("DB_POOL_MAX_SIZE", 0, minimum=0)
# Threads per web process that run API requests, each in one hop from the event loop (skyvern_site/api_http.py);
# 0 = Django's own ASGI handler, as for the dashboard.
API_THREADS = env_int("API_THREADS", 4, minimum=0)
if DB_POOL_MAX_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The pool checks each connection before handing it out, so a database restart fails no request.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": 10,
    }

# --- Persistent browser sessions (runs/execution/browser_sessions.py, README "Browser sessions"). ------------------
# The host a session's browser_address names (the worker machine's address as callers reach it) and the address
# Chromium's DevTools listens on: anything but loopback gives whoever reaches it full control of that browser.
BROWSER_SESSION_HOST = env_str("BROWSER_SESSION_HOST", "127.0.0.1")
BROWSER_SESSION_BIND = env_str("BROWSER_SESSION_BIND", "127.0.0.1")
# The worker refreshes its sessions' heartbeat this often; a session unheard of for BROWSER_SESSION_STALE_SECONDS
# (its worker died) is failed by the reaper, which also closes expired ones every RUN_SWEEP_SECONDS.
BROWSER_SESSION_HEARTBEAT_SECONDS = env_int("BROWSER_SESSION_HEARTBEAT_SECONDS", 10, minimum=1)
BROWSER_SESSION_STALE_SECONDS = env_int("BROWSER_SESSION_STALE_SECONDS", 60, minimum=3)
# POST /v1/browser_sessions waits this long for the browser to start before answering (status "created").
BROWSER_SESSION_START_WAIT_SECONDS = env_int("BROWSER_SESSION_START_WAIT_SECONDS", 30, minimum=0)
# POST /v1/sdk/run_action waits this long for the session's worker to answer.
SDK_ACTION_TIMEOUT_SECONDS = env_int("SDK_ACTION_TIMEOUT_SECONDS", 180, minimum=5)
CELERY_BEAT_SCHEDULE["reap-browser-sessions"] = {
    "task": "runs.tasks.reap_browser_sessions",
    "schedule": float(RUN_SWEEP_SECONDS),
}
