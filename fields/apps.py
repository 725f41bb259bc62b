from django.apps import AppConfig


class FieldsConfig(AppConfig):
    name = "fields"
    verbose_name = "Custom fields and tags"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from .values import end_request_cache, start_request_cache

        request_started.connect(start_request_cache, dispatch_uid="fields.definitions.start")
        request_finished.connect(end_request_cache, dispatch_uid="fields.definitions.end")
