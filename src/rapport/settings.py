"""Django settings, all from environment variables (see ``.env.example``).

With nothing set, Rapport runs as an embedded demo on SQLite under ``./var``. With
``RAPPORT_ENV=production`` it refuses to start unless the secrets and hosts are given.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from rapport.crypto import field_encryption_keys
from rapport.envvars import ConfigError, env, env_bool, env_int, env_list

PACKAGE_DIR = Path(__file__).resolve().parent
# The checkout root in a development install; node_modules and ./var live there by default.
PROJECT_DIR = PACKAGE_DIR.parent.parent

RAPPORT_ENV = env("RAPPORT_ENV", "development")
if RAPPORT_ENV not in {"development", "production", "test"}:
    raise ConfigError(f"RAPPORT_ENV={RAPPORT_ENV!r}: use development, production or test")
PRODUCTION = RAPPORT_ENV == "production"

DATA_DIR = Path(env("RAPPORT_DATA_DIR") or PROJECT_DIR / "var")
NODE_MODULES_DIR = Path(env("RAPPORT_NODE_MODULES") or PROJECT_DIR / "node_modules")


def _secret_key() -> str:
    """Use SECRET_KEY if given; outside production keep a generated key in the data folder."""
    key = env("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ConfigError("SECRET_KEY (or SECRET_KEY_FILE) must be set in production")
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
# Free text at rest (comments, notes) is encrypted with these Fernet keys: the first encrypts,
# all decrypt. Outside production an unset RAPPORT_FIELD_KEYS means a key derived from SECRET_KEY.
FIELD_ENCRYPTION_KEYS = field_encryption_keys(env("RAPPORT_FIELD_KEYS"), SECRET_KEY, PRODUCTION)
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigError("ALLOWED_HOSTS must be set in production")
# The absolute address clients' feedback links point to (links are sent by text or e-mail).
SITE_URL = (env("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rapport.accounts",
    "rapport.care",
    "rapport.feedback",
    "rapport.signals",
    "rapport.plans",
    "rapport.audit",
    "rapport.consent",
    "rapport.analysis",
    "rapport.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "rapport.web.methods.PageMethodsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rapport.accounts.idle.SessionIdleMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "rapport.accounts.two_factor.TwoFactorMiddleware",
    "rapport.feedback.tablet.TabletLockMiddleware",
    "rapport.audit.middleware.AuditMiddleware",
    # Last: turns a sign-in refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rapport.urls"
WSGI_APPLICATION = "rapport.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rapport.signals.context.risk_banner",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'rapport.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the form be submitted while a therapist reads the dashboard.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
if PRODUCTION and not env("DATABASE_URL"):
    raise ConfigError("DATABASE_URL must be set in production")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "caseload"
LOGOUT_REDIRECT_URL = "login"
# django-axes checks every authenticate() call (login form, admin, tablet unlock) for lockouts.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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

# Sign-in security (docs/configuration.md). Failed sign-ins are counted per username and address,
# known usernames or not; the login form, tablet unlock and wrong two-factor codes all count.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 30)
if LOGIN_FAILURE_LIMIT < 1 or LOGIN_LOCKOUT_MINUTES < 1:
    raise ConfigError("LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be 1 or more")
AXES_ENABLED = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Failures are forgotten after a complete sign-in (password and, if set up, code), not here.
AXES_RESET_ON_SUCCESS = False
# Attempts during a lockout do not extend it, so "try again in N minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "rapport.accounts.lockout.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
AXES_VERBOSE = False
# Reverse proxies in front of the app that append to X-Forwarded-For (rapport.client_address);
# sign-in lockout, every rate limit and the audit trail read the visitor's address through it.
# Lockout and limits count an IPv6 visitor's /64 (client_network), the audit trail the address.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
if not 0 <= TRUSTED_PROXIES <= 5:
    raise ConfigError(f"TRUSTED_PROXIES={TRUSTED_PROXIES} must be 0 to 5")
AXES_CLIENT_IP_CALLABLE = "rapport.client_address.client_network"
AXES_USERNAME_CALLABLE = "rapport.accounts.lockout.attempt_username"
# Two-factor sign-in with an authenticator app; a clinic admin can require it for the clinic.
OTP_TOTP_ISSUER = "Rapport"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Signed out after this long without activity; SESSION_COOKIE_AGE caps any sign-in.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
if SESSION_IDLE_MINUTES < 1:
    raise ConfigError(f"SESSION_IDLE_MINUTES={SESSION_IDLE_MINUTES} must be 1 or more")
# Password-reset links work once, for this long.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_MINUTES", 60) * 60
if PASSWORD_RESET_TIMEOUT < 60:
    raise ConfigError("PASSWORD_RESET_MINUTES must be 1 or more")
# At most this many reset links an hour for one email address, and from one network address.
PASSWORD_RESET_PER_ADDRESS = env_int("PASSWORD_RESET_PER_ADDRESS", 3)
PASSWORD_RESET_PER_NETWORK_ADDRESS = env_int("PASSWORD_RESET_PER_NETWORK_ADDRESS", 10)
if PASSWORD_RESET_PER_ADDRESS < 1 or PASSWORD_RESET_PER_NETWORK_ADDRESS < 1:
    raise ConfigError(
        "PASSWORD_RESET_PER_ADDRESS and PASSWORD_RESET_PER_NETWORK_ADDRESS must be 1 or more"
    )

# Outgoing email (password-reset links). Outside production it is printed to the console.
_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_EMAIL_BACKEND = env("EMAIL_BACKEND") or (
    _SMTP_BACKEND if PRODUCTION else "django.core.mail.backends.console.EmailBackend"
)
_SMTP_OPTIONS = {
    "host": env("EMAIL_HOST") or "localhost",
    "port": env_int("EMAIL_PORT", 25),
    "username": env("EMAIL_HOST_USER") or "",
    "password": env("EMAIL_HOST_PASSWORD") or "",
    "use_tls": env_bool("EMAIL_USE_TLS", default=False),
    "use_ssl": env_bool("EMAIL_USE_SSL", default=False),
    "timeout": 30,
}
if _SMTP_OPTIONS["use_tls"] and _SMTP_OPTIONS["use_ssl"]:
    raise ConfigError("EMAIL_USE_TLS and EMAIL_USE_SSL: set at most one of them to true")
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": _SMTP_OPTIONS if _EMAIL_BACKEND == _SMTP_BACKEND else {},
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL") or "rapport@localhost"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Chart.js and htmx come from npm at set-up time (package.json); nothing is fetched by pages.
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    ("vendor/chartjs", NODE_MODULES_DIR / "chart.js" / "dist"),
    ("vendor/htmx", NODE_MODULES_DIR / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production serve straight from the finders, so the demo needs no collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is absent
WHITENOISE_AUTOREFRESH = DEBUG

# Feedback links: how long a link stays valid before it must be re-sent.
FEEDBACK_LINK_HOURS = env_int("FEEDBACK_LINK_HOURS", 72)
# Feedback-link requests from one address: all of them per minute, and refused tokens (guesses)
# per 10 minutes, before the link answers 429.
FEEDBACK_LINK_RATE_PER_MINUTE = env_int("FEEDBACK_LINK_RATE_PER_MINUTE", 60)
FEEDBACK_LINK_FAILURES_PER_10_MINUTES = env_int("FEEDBACK_LINK_FAILURES_PER_10_MINUTES", 20)
# Sessions after which the treatment plan should be reviewed with the client again.
PLAN_REVIEW_SESSIONS = env_int("PLAN_REVIEW_SESSIONS", 6)
if PLAN_REVIEW_SESSIONS < 1:
    raise ConfigError(f"PLAN_REVIEW_SESSIONS={PLAN_REVIEW_SESSIONS} must be 1 or more")
# Licensed item text (SRS, ORS, WAI-SR, SAI) supplied by the clinic; see docs/instruments.md.
INSTRUMENT_TEXT_DIR = env("RAPPORT_INSTRUMENT_TEXT_DIR") or None

# Only the app's own origin: clients' private answers never reach a third party.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
