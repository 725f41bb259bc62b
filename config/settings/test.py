import atexit
import os
import shutil
import tempfile

from .base import *  # noqa: F403

DEBUG = False
# Durability is traded for speed only here: test sessions don't wait for their commits to reach
# the disk (the cluster itself keeps fsync on for make run's data; config/database.py).
DATABASES = {
    "default": {
        **DATABASES["default"],  # noqa: F405
        "OPTIONS": {
            **DATABASES["default"].get("OPTIONS", {}),  # noqa: F405
            "options": "-c synchronous_commit=off",
        },
    }
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The browser tests' server writes emails to files the test then reads.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads made by tests go to a throwaway directory, not .data/media.
MEDIA_ROOT = tempfile.mkdtemp(prefix="clientele-test-media-")
# Documents too (unless a test run points them at a bucket with DOCUMENTS_STORAGE=s3).
DOCUMENTS_ROOT = tempfile.mkdtemp(prefix="clientele-test-documents-")
# Each process that loads these settings (a test worker, the browser test server) removes its
# own throwaway directories when it ends.
for _throwaway in (MEDIA_ROOT, DOCUMENTS_ROOT):
    atexit.register(shutil.rmtree, _throwaway, ignore_errors=True)
if DOCUMENTS_STORAGE != "s3":  # noqa: F405
    STORAGES["documents"] = {**STORAGES["documents"], "OPTIONS": {"location": DOCUMENTS_ROOT}}
# Tests run tasks in-process when their transaction commits; tests/core/test_tasks.py
# also runs them through the real queue and a worker.
TASKS_RUN_INLINE = os.environ.get("TASKS_RUN_INLINE", "true") == "true"
TENANT_SPARE_SCHEMAS = 0  # tests provision by cloning; tests/tenants/test_spares.py turns it on
# DNS lookups for domain verification never leave the machine: tests that check a record
# start their own DNS server on loopback; nothing answers on port 9 (a quick timeout).
DOMAIN_VERIFICATION_NAMESERVERS = ["127.0.0.1:9"]
DOMAIN_VERIFICATION_DNS_TIMEOUT = 0.5
