"""One settings module, driven by environment variables (see the README's table)."""

import os
from pathlib import Path

import dj_database_url

from skyvern_site.env import env_bool, env_int, env_list, env_str, secret_key_from

BASE_DIR = Path(__file__).resolve().parent.parent
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
RUN_STALE_AFTER_SECONDS = env_int("RUN_STALE_AFTER_SECONDS", 90, minimum=5)
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
CHROMIUM_PATH = env_str("CHROMIUM_PATH", "/usr/bin/chromium")
BROWSER_HEADLESS = env_bool("BROWSER_HEADLESS", True)
BROWSER_RECORD_VIDEO = env_bool("BROWSER_RECORD_VIDEO", True)
PLAYWRIGHT_BROWSERS_PATH = env_str("PLAYWRIGHT_BROWSERS_PATH", str(VAR_DIR / "pw-browsers"))
os.environ.setdefault("PLAYWRIGHT_BROWSERS_PATH", PLAYWRIGHT_BROWSERS_PATH)
SKYVERN_LLM_MODEL = env_str("SKYVERN_LLM_MODEL")
SKYVERN_LLM_API_BASE = env_str("SKYVERN_LLM_API_BASE")
SKYVERN_LLM_API_KEY = env_str("SKYVERN_LLM_API_KEY")
SKYVERN_DEFAULT_ENGINE = env_str("SKYVERN_DEFAULT_ENGINE", "skyvern-1.0")
SKYVERN_MAX_STEPS_LIMIT = env_int("SKYVERN_MAX_STEPS_LIMIT", 75, minimum=1)
SKYVERN_DEFAULT_MAX_STEPS = env_int("SKYVERN_DEFAULT_MAX_STEPS", 10, minimum=1)
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
