"""Settings shared by every environment. Values come from the environment with local defaults."""

import os
from pathlib import Path

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.contrib.messages import constants as message_constants

from config.database import database_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-local-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
# Unknown hosts are answered by the tenant middleware with a 404, so the host check is done there
# against the Domain table (custom domains included) rather than a static list.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "*")
PLATFORM_DOMAIN = os.environ.get("PLATFORM_DOMAIN", "localhost")
PLATFORM_NAME = "Clientele"
SITE_SCHEME = os.environ.get("SITE_SCHEME", "http")
SITE_PORT = os.environ.get("SITE_PORT", "8000")

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "simple_history",
    "procrastinate.contrib.django",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "phonenumber_field",
    "formtools",
    "import_export",
    "accounts",
    "core",
    "demo",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.admin",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "simple_history",
    "accounts",
    "fields",
    "customers",
    "locations",
    "assets",
    "billing",
    "portal",
    "webhooks",
    "imports",
    "privacy",
    "documents",
    "activity",
    "tickets",
    "contracts",
    "search",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# New tenants are cloned from this always-migrated schema instead of replaying every migration.
TENANT_BASE_SCHEMA = "tenant_template"
# migrate_schemas: one plan and its SQL for every schema at the same migrations, instead of
# Django's whole migrate command once per schema (tenants/migration_executor.py).
GET_EXECUTOR_FUNCTION = "tenants.migration_executor.get_executor"
TENANT_CREATION_FAKES_MIGRATIONS = True
# Migrated spare schemas kept ready, so provisioning renames one instead of cloning (0: off).
TENANT_SPARE_SCHEMAS = int(os.environ.get("TENANT_SPARE_SCHEMAS", "2"))
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# Set search_path once per schema switch instead of before every query.
TENANT_LIMIT_SET_CALLS = True

MIDDLEWARE = [
    "tenants.middleware.TenantHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.TextSafeInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.sessions.PrivilegeSessionMiddleware",  # a new session key when privileges change
    "core.middleware.PrivacyHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.mfa_policy.TwoFactorRequiredMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.BoostedPageMiddleware",  # after HtmxMiddleware: reads request.htmx
    "simple_history.middleware.HistoryRequestMiddleware",
    "portal.middleware.PortalAccessMiddleware",
    "tenants.middleware.TenantTimezoneMiddleware",
]

ROOT_URLCONF = "config.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.shell",
                "portal.context_processors.company",
            ],
        },
    },
]

# Widget templates live in templates/ with the rest.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "clientele_cache",
        # Keys carry the tenant's schema so one tenant's entries (rate limits among them)
        # never answer for another's.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # zxcvbn's estimate, told the user's email, name, company, workspace and the product name.
    {"NAME": "accounts.password_validation.StrengthValidator", "OPTIONS": {"min_score": 3}},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# django-allauth: email is the login; nobody signs themselves up to a tenant.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# A welcome or reset link signs the person in once the password is set (allauth still asks
# for a second factor when they have one; a required one is set up next).
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
# Signed values carry the tenant (core/tokens.py): reset keys, allauth's email confirmation
# keys (its ACCOUNT_SALT, through the setting getter) and the messages cookie.
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = "core.tokens.TenantPasswordResetTokenGenerator"
ALLAUTH_SETTING_GETTER = "core.tokens.allauth_setting"
MESSAGE_STORAGE = "core.tokens.TenantMessageStorage"
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("LOGIN_FAILED_RATE_LIMIT", "5/5m/ip,5/5m/key"),
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Clientele] "
ACCOUNT_FORMS = {
    "reset_password_from_key": "accounts.forms.SetPasswordFromKeyForm",
    "change_password": "accounts.forms.ChangePasswordForm",
    "set_password": "accounts.forms.SetPasswordForm",
}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Clientele"
# A code of the step before or after the current one is accepted too (RFC 6238, section 5.2:
# one step of clock drift or typing delay); a code still works once only.
MFA_TOTP_TOLERANCE = 1
# Passkeys sign in without a password. WebAuthn needs a secure origin; fido2 already treats
# http://localhost and http://*.localhost as one, so MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN (which
# would accept any origin at all) stays off everywhere.
MFA_PASSKEY_LOGIN_ENABLED = True
# Under a required second factor nobody removes their last one (accounts/mfa_policy.py).
MFA_ADAPTER = "accounts.mfa_policy.MFAAdapter"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Scripts only from our own static files: no inline scripts, handlers or eval anywhere (page
# behaviour lives in static/js/clientele.js, wired by data attributes). Inline styles stay
# allowed for style="" attributes (progress bars) and the API docs page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LANGUAGE_CODE = "en-us"
# Our wording over the packages' (allauth's Title Case headings become sentence case).
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["core.locale_formats"]  # the tenant locales' numbers and dates (core.formats)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".data" / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    # Uploads (company logos) go to MEDIA_ROOT/<schema>/ and are served only on that tenant's host.
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / ".data" / "media")
MEDIA_URL = "/media/"

# Documents (files on customers, locations, assets): served only through the app's download
# views, which check the scope. Their own storage alias, never under MEDIA_ROOT (the media
# route would serve them to anyone): a directory outside it, or an S3-compatible bucket with
# DOCUMENTS_STORAGE=s3 (django-storages; private objects, no public URL). Keys start with the
# tenant's schema name and a random token (documents/storage.py).
DOCUMENTS_STORAGE = os.environ.get("DOCUMENTS_STORAGE", "filesystem")
DOCUMENTS_ROOT = Path(os.environ.get("DOCUMENTS_ROOT") or BASE_DIR / ".data" / "documents")
DOCUMENTS_MAX_BYTES = int(os.environ.get("DOCUMENTS_MAX_BYTES", str(25 * 1024 * 1024)))
if DOCUMENTS_STORAGE == "s3":
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("DOCUMENTS_S3_BUCKET", ""),
            "endpoint_url": os.environ.get("DOCUMENTS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("DOCUMENTS_S3_REGION") or None,
            "access_key": os.environ.get("DOCUMENTS_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("DOCUMENTS_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("DOCUMENTS_S3_PREFIX", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    STORAGES["documents"] = {
        "BACKEND": "documents.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": DOCUMENTS_ROOT},
    }
# Every multipart upload is counted as it streams in: a file beyond the largest limit any form
# takes is skipped (not written to disk) and the view says so (documents/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "documents.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / ".data" / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Clientele <no-reply@clientele.localhost>"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
# Support mail in (tickets/mailbox.py): the mail server delivers each tenant's support address
# to the Maildir <root>/<schema>/, read every minute. TICKETS_REPLY_TO is the address ticket
# emails ask people to answer ("{slug}" is the tenant's), so replies come back as mail in;
# empty: ticket emails point to the portal only.
TICKETS_MAILDIR_ROOT = os.environ.get("TICKETS_MAILDIR_ROOT", str(BASE_DIR / ".data" / "mail-in"))
TICKETS_REPLY_TO = os.environ.get("TICKETS_REPLY_TO", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))

# Companies prove an email domain by a DNS TXT record (portal.domains): the nameservers asked
# ("host" or "host:port", comma-separated in the environment; empty: the system resolver)
# and how long the lookup may take, in seconds.
DOMAIN_VERIFICATION_NAMESERVERS = [
    entry.strip()
    for entry in os.environ.get("DOMAIN_VERIFICATION_NAMESERVERS", "").split(",")
    if entry.strip()
]
DOMAIN_VERIFICATION_DNS_TIMEOUT = float(os.environ.get("DOMAIN_VERIFICATION_DNS_TIMEOUT", "5"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Bootstrap 5 with rows rendered in Python (core.tables.render_rows) and data-label cells.
DJANGO_TABLES2_TEMPLATE = "django_tables2/clientele.html"

MESSAGE_TAGS = {message_constants.ERROR: "danger"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Email uniqueness is a case-insensitive unique index on Lower(email), stronger than unique=True.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

PHONENUMBER_DEFAULT_REGION = os.environ.get("PHONENUMBER_DEFAULT_REGION", "US")
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"

# Imports (CSV/XLSX): refused beyond these, with a message saying so. Request bodies other than
# file uploads stay small; uploads above 2.5 MB stream to a temporary file, not memory.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "100000"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Outbound requests (webhooks) reach public addresses only (core/outbound.py); these
# networks, addresses or host names (comma-separated) are allowed for every tenant as well.
# Per-tenant additions are the platform operator's, on the tenant's platform admin page.
OUTBOUND_ALLOWED_NETWORKS = env_list("OUTBOUND_ALLOWED_NETWORKS", "")
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)

# Background tasks: procrastinate, on the same PostgreSQL. Jobs live in the public schema.
TASKS_RUN_INLINE = env_bool("TASKS_RUN_INLINE", False)
# Payers per transaction of an invoice run (a payer's invoice is never split across chunks).
INVOICE_RUN_CHUNK = int(os.environ.get("INVOICE_RUN_CHUNK", "500"))
PROCRASTINATE_ON_APP_READY = "core.tasks.on_app_ready"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.policy.ConsolePermission"],
    "DEFAULT_PAGINATION_CLASS": "core.api.policy.IdCursorPagination",
    "DEFAULT_THROTTLE_CLASSES": ["core.api.policy.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("API_RATE_LIMIT", "2000/hour")},
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "core.api.base.api_exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "core.api.policy.TextSafeJSONParser",
        "core.api.policy.TextSafeFormParser",
        "core.api.policy.TextSafeMultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Clientele API",
    "DESCRIPTION": "Customers, locations, assets and projects of one tenant. Authenticate with "
    "`Authorization: Bearer <token>` (create tokens under Settings → API tokens).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CountryEnum": "django_countries.countries",
        "LocationStatusEnum": "locations.models.LocationStatus",
        "AssetStatusEnum": "assets.models.AssetStatus",
        "EntryKindEnum": "activity.models.EntryKind",
        "LinkedAccountKindEnum": "customers.models.LinkedAccount.Kind",
        "AssetCategoryEnum": "assets.models.AssetCategory",
        "TicketCategoryEnum": "tickets.models.TicketCategory",
        "TicketStatusEnum": "tickets.models.TicketStatus",
        "TicketPriorityEnum": "tickets.models.TicketPriority",
        "ContractKindEnum": "contracts.models.ContractKind",
        "ContractStateEnum": "contracts.models.ContractState",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.international_formats",
        "core.api.schema.error_components",
    ],
}
