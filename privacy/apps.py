from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Personal data on request: an owner looks a person up by email address, exports what
    is held about them and erases them; each erasure is recorded without the erased data.
    The registry and the erasure itself are core's (core/privacy.py), so a customer's purge
    (below this app) erases with the same code. A tenant app above every app it reads."""

    name = "privacy"
    verbose_name = "Personal data"
