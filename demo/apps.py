from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data for ``make run``: no models, one command (``setup_demo``) that calls
    every app's demo builder, so it sits above all of them."""

    name = "demo"
    verbose_name = "Demo data"
