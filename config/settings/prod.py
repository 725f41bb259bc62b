"""Production: what ``make run`` and the container serve with (gunicorn, ``config/gunicorn.py``).

DEBUG is off, static files are served by whitenoise from ``collectstatic``'s output with
far-future cache headers, and the secret key is never the development one: ``SECRET_KEY`` from
the environment, else the file ``SECRET_KEY_FILE`` (default ``.data/secret_key``, which
``make run`` generates once, mode 600).

``SITE_SCHEME`` says how browsers reach the server. ``https`` (the default: behind a
TLS-terminating proxy) turns on the HTTPS-only settings: redirect to https, HSTS, secure cookies
and trusting the proxy's ``X-Forwarded-Proto``. ``make run`` is plain HTTP on loopback
(``SITE_SCHEME=http``), where those four cannot hold: ``check --deploy`` then warns about exactly
them (security.W004, W008, W012, W016) and nothing else (tests/core/test_deploy.py).
"""

import os
import stat
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False
DEVELOPMENT_KEY_PREFIXES = ("insecure-", "django-insecure-")
SECRET_KEY_FILE = Path(os.environ.get("SECRET_KEY_FILE") or BASE_DIR / ".data" / "secret_key")  # noqa: F405


def read_secret_key() -> str:
    """The environment's SECRET_KEY, else the key file; a missing, unreadable, empty or
    world-readable file stops the start with a message that says what to do."""
    key = os.environ.get("SECRET_KEY", "").strip()
    source = "SECRET_KEY"
    if not key:
        source = str(SECRET_KEY_FILE)
        try:
            mode = SECRET_KEY_FILE.stat().st_mode
            key = SECRET_KEY_FILE.read_text().strip()
        except FileNotFoundError:
            raise ImproperlyConfigured(
                f"No secret key: set SECRET_KEY in the environment or put one in {source} "
                "(make run generates it)."
            ) from None
        except OSError as error:
            raise ImproperlyConfigured(
                f"Cannot read the secret key file {source}: {error.strerror}."
            ) from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ImproperlyConfigured(
                f"The secret key file {source} is readable by other users: chmod 600 {source}"
            )
    if not key or key.startswith(DEVELOPMENT_KEY_PREFIXES):
        raise ImproperlyConfigured(
            f"{source} holds no usable secret key: set SECRET_KEY to a long random value for "
            "production (or delete the file and make run generates a new one)."
        )
    return key


SECRET_KEY = read_secret_key()

SITE_SCHEME = os.environ.get("SITE_SCHEME", "https")
if SITE_SCHEME == "https":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)  # noqa: F405
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# A connection kept between requests (CONN_MAX_AGE) is checked before reuse, so a restarted
# database costs one reconnect instead of an error page.
DATABASES = {"default": {**DATABASES["default"], "CONN_HEALTH_CHECKS": True}}  # noqa: F405

# Static files answer before anything else (no tenant lookup, no session): whitenoise right
# after SecurityMiddleware, which goes first so its headers are on static responses too.
SECURITY_MIDDLEWARE = "django.middleware.security.SecurityMiddleware"
MIDDLEWARE = [
    SECURITY_MIDDLEWARE,
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *(name for name in MIDDLEWARE if name != SECURITY_MIDDLEWARE),  # noqa: F405
]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
