from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from core.events import register_event_sink

        from .services import webhook_sink

        register_event_sink(webhook_sink)
