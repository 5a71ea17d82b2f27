"""Backstage settings: one file, read from the environment.

With no environment at all this is the embedded default: SQLite, Celery tasks run eagerly in
the web process, media in ./var/media, e-mail printed to the console, Stripe's offline sandbox.
Setting DATABASE_URL, REDIS_URL and S3_BUCKET switches to the full stack (docker-compose).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(os.getenv(name, str(default)))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def envsecret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file named by NAME_FILE (Docker secrets)."""
    path = os.getenv(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.getenv(name, default)


DEBUG = envbool("DEBUG", "true")
SECRET_KEY = envsecret("SECRET_KEY", "embedded-default-insecure-key-change-me-" + "x" * 20)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "Backstage"
# The designated agent for copyright notices, shown on /copyright/ (docs/copyright.md).
COPYRIGHT_AGENT_EMAIL = os.getenv("COPYRIGHT_AGENT_EMAIL", "copyright@localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "storages",
    "backstage",
    "artists",
    "tracks",
    "playlists",
    "analytics",
    "radio",
    "payments",
    "notifications",
    "credits",
    "collab",
    "messaging",
    "moderation",
    "takedowns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A session of a user suspended since signing in ends on its next request (after auth and
    # messages: it reads request.user and leaves a message).
    "backstage.signin.SuspendedSignOutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "backstage.suspension.SuspendedRefusalMiddleware",  # a service's Suspended → the 403 page
    # Last, so it is first to see a view's exception: a service down answers 503, not 500.
    "backstage.outages.OutageMiddleware",
]

ROOT_URLCONF = "backstage.urls"
WSGI_APPLICATION = "backstage.wsgi.application"

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
                "backstage.context_processors.site",
                "playlists.context_processors.library",
                "notifications.context_processors.notifications",
                "messaging.context_processors.messaging",
            ],
            "builtins": ["tracks.templatetags.music"],
        },
    },
]

# --- Data -------------------------------------------------------------------------------------

VAR_DIR = Path(os.getenv("VAR_DIR", BASE_DIR / "var"))
DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'backstage.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
        # A kept connection is checked before a request reuses it, so the first requests after
        # a PostgreSQL restart reconnect instead of failing on a dead socket.
        conn_health_checks=envint("DB_CONN_MAX_AGE", 0) > 0,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the eager "worker" write while a page reads; wait instead of failing on locks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "backstage.User"

REDIS_URL = os.getenv("REDIS_URL", "")
if REDIS_URL:
    # Redis down must not take pages down: the cache then misses and rate limits let requests
    # through (backstage/cache.py); half-second timeouts so a hung Redis cannot hold a page.
    CACHES = {
        "default": {
            "BACKEND": "backstage.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Whole-page cache for anonymous visitors (backstage/pagecache.py). It needs a cache shared by
# every web process, so it is off for a multi-process deployment without Redis.
PAGE_CACHE = envbool("PAGE_CACHE", "true" if (REDIS_URL or DEBUG) else "false")

# --- Media ------------------------------------------------------------------------------------
# Two storages: "default" for images shown on pages, "audio" for originals and renditions, which
# are only ever reached through short-lived signed URLs (tracks/streaming.py).

MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
S3_BUCKET = os.getenv("S3_BUCKET", "")
S3_ENDPOINT_URL = os.getenv("S3_ENDPOINT_URL") or None
S3_PUBLIC_ENDPOINT_URL = os.getenv("S3_PUBLIC_ENDPOINT_URL") or S3_ENDPOINT_URL
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]

if S3_BUCKET:
    _s3 = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": S3_ENDPOINT_URL,
        "custom_domain": None,
        "access_key": envsecret("S3_ACCESS_KEY"),
        "secret_key": envsecret("S3_SECRET_KEY"),
        "region_name": os.getenv("S3_REGION", "us-east-1"),
        "addressing_style": os.getenv("S3_ADDRESSING_STYLE", "path"),
        "signature_version": "s3v4",
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": envint("MEDIA_URL_TTL", 3600),
    }
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**_s3, "location": "public"},
        },
        "audio": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**_s3, "location": "audio"},
        },
    }
else:
    STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": MEDIA_ROOT / "public", "base_url": MEDIA_URL},
        },
        "audio": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": MEDIA_ROOT / "audio", "base_url": None},
        },
    }
STORAGES["staticfiles"] = {
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    if not DEBUG
    else "django.contrib.staticfiles.storage.StaticFilesStorage"
}

# Audio delivery: signed stream URLs live this long; the embedded default serves them with
# Range support, nginx deployments set MEDIA_ACCEL_PREFIX so Django only answers with
# X-Accel-Redirect, and S3 deployments redirect to a presigned URL.
STREAM_URL_TTL = envint("STREAM_URL_TTL", 4 * 3600)
STREAM_REDIRECT_TTL = envint("STREAM_REDIRECT_TTL", 300)
# Download links to purchased originals (payments/downloads.py) live this long.
PURCHASE_DOWNLOAD_TTL = envint("PURCHASE_DOWNLOAD_TTL", 15 * 60)
MEDIA_ACCEL_PREFIX = os.getenv("MEDIA_ACCEL_PREFIX", "")

UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", 1024 * 1024 * 1024)
IMAGE_MAX_BYTES = envint("IMAGE_MAX_BYTES", 10 * 1024 * 1024)
UPLOAD_TTL = envint("UPLOAD_TTL", 24 * 3600)
FILE_UPLOAD_TEMP_DIR = os.getenv("FILE_UPLOAD_TEMP_DIR") or None
FFMPEG_BINARY = os.getenv("FFMPEG_BINARY", "")
PROCESSING_TIMEOUT = envint("PROCESSING_TIMEOUT", 30 * 60)

# --- Tasks ------------------------------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
if REDIS_URL:  # kombu's Redis transport, with the fix that keeps a worker alive (broker.py)
    CELERY_BROKER_TRANSPORT = "backstage.broker:Transport"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker died without acknowledging it (SIGKILL, OOM, power) goes back to the queue
# after this long. It must outlast the longest task (else a slow one runs twice; every task is
# idempotent, so that costs time, not correctness) and come well before the processing watchdog
# (PROCESSING_TIMEOUT) would fail an upload a dead worker was holding. Redis' default is 1 h.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 900)}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "tracks.*": {"queue": "audio"},
    "analytics.*": {"queue": "analytics"},
    "payments.*": {"queue": "payments"},
}
CELERY_BEAT_SCHEDULE = {
    # The supporter pool of the month just ended, shared out (payments/distribution.py), and,
    # every day, any ended month's money booked after its run (late invoice.paid events).
    "payments-distribute-supporters": {
        "task": "payments.distribute_supporters",
        "schedule": crontab(hour=3, minute=0),
    },
    "radio-refresh-pools": {"task": "radio.refresh_pools", "schedule": 600.0},
    "radio-refresh-exposure": {"task": "radio.refresh_exposure", "schedule": 3600.0},
    "radio-live-tick": {"task": "radio.tick_live", "schedule": 60.0},
    # Artist radio's neighbours (radio/similarity.py), from the last 90 days.
    "radio-refresh-similarity": {
        "task": "radio.refresh_similarity",
        "schedule": crontab(hour=1, minute=15),
    },
    # Anonymous listeners' stations and affinities, two days after they were last heard.
    "radio-prune-anonymous": {
        "task": "radio.prune_anonymous",
        "schedule": crontab(hour=1, minute=45),
    },
    "fail-stale-processing": {"task": "tracks.fail_stale_processing", "schedule": 300.0},
    # Uploads accepted while Redis was down, queued once it is back (tracks/services).
    "requeue-unqueued-uploads": {"task": "tracks.requeue_unqueued", "schedule": 30.0},
    "purge-abandoned-uploads": {"task": "tracks.purge_abandoned_uploads", "schedule": 3600.0},
    "drain-beacons": {"task": "analytics.drain_beacons", "schedule": 10.0},
    "create-play-partitions": {"task": "analytics.create_partitions", "schedule": 86400.0},
    # Audience segments of the 28 days that just ended (analytics/segments.py).
    "compute-segments": {
        "task": "analytics.compute_segments",
        "schedule": crontab(hour=0, minute=30),
    },
    # Stripe events whose task gave up, queued again with backoff (payments/webhooks.py).
    "payments-sweep-webhooks": {"task": "payments.sweep_failed_webhooks", "schedule": 300.0},
    # Calls whose deadline day has ended, closed and their waiting applicants told (collab/).
    "collab-close-expired-calls": {
        "task": "collab.close_expired_calls",
        "schedule": crontab(minute=5),
    },
    # Artists' balances to their connected accounts (payments/payouts.py), on the 1st.
    "run-payouts": {
        "task": "payments.run_payouts",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
    },
    # Payouts and clawbacks a dead worker left pending, looked up at Stripe before asking again
    # (payments/payouts.py): within hours, well inside Stripe's 24 h idempotency window.
    "payments-retry-pending-payouts": {
        "task": "payments.retry_pending_payouts",
        "schedule": crontab(minute=20),
    },
}

# --- Plays (analytics/tokens.py, analytics/counting.py) ------------------------------------
PLAY_TOKEN_TTL = envint("PLAY_TOKEN_TTL", 6 * 3600)  # seconds
PLAY_CAP_PER_LISTENER = envint("PLAY_CAP_PER_LISTENER", 20)  # per track per day
PLAY_CAP_PER_IP = envint("PLAY_CAP_PER_IP", 50)  # per track per day
# Beacons a drain read but never acknowledged (it died) are claimed by another after this long.
BEACON_REDELIVER_AFTER = envint("BEACON_REDELIVER_AFTER", 60)  # seconds
BEACON_STREAM_KEY = "analytics:beacons"  # the Redis stream (tests use one of their own)
BEACON_DRAIN_BATCH = envint("BEACON_DRAIN_BATCH", 5000)  # beacons per drain transaction

# --- Payments (payments/stripe_api.py, docs/payments.md) ------------------------------------
# With no key configured, payments run against the Stripe-compatible sandbox (payments/sandbox/)
# in this process, its hosted pages mounted at /_sandbox/stripe/: no real money moves.
STRIPE_SANDBOX_KEY = "sk_test_sandbox"
STRIPE_SECRET_KEY = envsecret("STRIPE_SECRET_KEY", STRIPE_SANDBOX_KEY)
# Published in this repository: fine for the sandbox, refused by a deploy check otherwise.
STRIPE_SANDBOX_WEBHOOK_SECRET = "whsec_sandbox_backstage_embedded"
STRIPE_WEBHOOK_SECRET = envsecret("STRIPE_WEBHOOK_SECRET", STRIPE_SANDBOX_WEBHOOK_SECRET)
# "" = Stripe itself with a real key, the embedded sandbox otherwise; or the URL of a sandbox
# served on its own (python -m payments.sandbox).
STRIPE_API_BASE = os.getenv("STRIPE_API_BASE", "").rstrip("/")
# Any real key — secret (sk_) or restricted (rk_), live or test — talks to Stripe itself.
STRIPE_REAL_KEY_PREFIXES = ("sk_live_", "sk_test_", "rk_live_", "rk_test_")
PAYMENTS_SANDBOX = STRIPE_SECRET_KEY == STRIPE_SANDBOX_KEY or not STRIPE_SECRET_KEY.startswith(
    STRIPE_REAL_KEY_PREFIXES
)
# Where the embedded sandbox keeps its objects between restarts ("" = memory only).
STRIPE_SANDBOX_STATE = os.getenv("STRIPE_SANDBOX_STATE", str(VAR_DIR / "stripe-sandbox.json"))
PLATFORM_CUT_BASIS_POINTS = 1500  # 15 %
PAYMENTS_CURRENCY = "eur"
# Balances below this (minor units) are carried to the next monthly payout.
PAYOUT_MINIMUM = envint("PAYOUT_MINIMUM", 1000)
# Webhook events still unprocessed once their task's retries ran out are queued again by the
# sweep (beat, below) after WEBHOOK_SWEEP_BACKOFF seconds, doubling each time, at most
# WEBHOOK_SWEEP_LIMIT times (10 min … ~21 h: about 42 hours in all); then an admin decides.
WEBHOOK_SWEEP_BACKOFF = envint("WEBHOOK_SWEEP_BACKOFF", 600)
WEBHOOK_SWEEP_LIMIT = envint("WEBHOOK_SWEEP_LIMIT", 8)

# The supporter plan (docs/payments.md "Supporter plan"): a month's price, the platform's cut of
# it, and how many counted plays of one artist by one fan count in a month at most.
SUPPORTER_PRICE = 500
SUPPORTER_CUT_BASIS_POINTS = 1000  # 10 %
SUPPORTER_PLAY_CAP = 100

# --- Accounts ---------------------------------------------------------------------------------

# Django's and allauth's backends, both refusing suspended users (backstage/signin.py).
AUTHENTICATION_BACKENDS = [
    "backstage.signin.ModelBackendRefusingSuspended",
    "backstage.signin.AllauthBackendRefusingSuspended",
]
ACCOUNT_ADAPTER = "backstage.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.getenv("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# Sign-in limits (docs/security.md "Signing in"): a failed sign-in counts against the address it
# came from (10 a minute: one address trying many accounts) and against the account (5 in 5
# minutes, from any address: many addresses trying one account). Over either, even the right
# password is refused until the window has passed. Counted in the cache: Redis on the full
# stack, so every web process shares the counts. The admin signs in here too (/admin/login/).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "reset_password": "20/h/ip,5/h/key",
    "confirm_email": "1/3m/key",
}
# Behind nginx every request arrives from the proxy's address: rate limits per IP would count
# all visitors as one. The number of proxies in front (1 in docker-compose) tells allauth which
# X-Forwarded-For entry is the visitor's.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
LOGIN_REDIRECT_URL = "/"
# Where a suspended person is told to write (the refusal page and the sign-in form say it).
SUPPORT_EMAIL = os.getenv("SUPPORT_EMAIL", "support@localhost")
LOGIN_URL = "account_login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Console e-mail unless EMAIL_HOST names an SMTP server (Django 6.1's MAILERS setting).
if os.getenv("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.getenv("EMAIL_HOST"),
                "port": envint("EMAIL_PORT", 587),
                "username": os.getenv("EMAIL_HOST_USER", ""),
                "password": envsecret("EMAIL_HOST_PASSWORD"),
                "use_tls": envbool("EMAIL_USE_TLS", "true"),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "Backstage <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ---------------------------------------------------------------------------------

SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false" if DEBUG else "true")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"


# Content Security Policy (Django's own middleware; docs/security.md "CSP"). Scripts come only
# from our static files: no inline script, no event-handler attributes, no eval (htmx's eval
# features are switched off in base.html). Style *attributes* are allowed (colour hues and
# banners set per artist), <style> elements are not. Pictures, audio and browser uploads may
# also reach the S3 endpoint browsers see; forms may lead to Stripe's hosted pages (or the
# sandbox's, when it runs on its own origin). No page may be framed, except the embeddable
# players (playlists/embed.py relaxes frame-ancestors only).
def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


STORAGE_ORIGINS = [o for o in [origin(S3_PUBLIC_ENDPOINT_URL or "")] if S3_BUCKET and o] or (
    ["https://*.amazonaws.com"] if S3_BUCKET else []
)
STRIPE_SANDBOX_PUBLIC_URL = os.getenv("STRIPE_SANDBOX_PUBLIC_URL", "")
if not PAYMENTS_SANDBOX:
    PAYMENT_ORIGINS = [
        "https://checkout.stripe.com",
        "https://connect.stripe.com",
        "https://billing.stripe.com",
    ]
else:
    # A sandbox on its own (STRIPE_API_BASE) serves its hosted pages where browsers reach it.
    PAYMENT_ORIGINS = [o for o in [origin(STRIPE_SANDBOX_PUBLIC_URL or STRIPE_API_BASE)] if o]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, *STORAGE_ORIGINS],
    "media-src": [CSP.SELF, *STORAGE_ORIGINS],
    "connect-src": [CSP.SELF, *STORAGE_ORIGINS],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF, *PAYMENT_ORIGINS],
    "frame-ancestors": [CSP.NONE],
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "stripe": {"level": "WARNING"}},
}
