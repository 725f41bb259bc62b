"""The bench's settings plus bench/synthetic (a throwaway tenant migration) for the tenancy
section's ``migrate_schemas`` run; never used by the product."""

from config.settings.dev import *  # noqa: F403

TENANT_APPS = [*TENANT_APPS, "bench.synthetic"]  # noqa: F405
INSTALLED_APPS = [*INSTALLED_APPS, "bench.synthetic"]  # noqa: F405
