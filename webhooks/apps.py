from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from billing.attention import register_attention_source
        from core.events import register_event_sink

        from .attention import failed_deliveries
        from .services import webhook_sink

        register_event_sink(webhook_sink)
        register_attention_source(failed_deliveries)
