from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "assets"

    def ready(self) -> None:
        from customers import reactions

        from .services import assets_customer_purged

        reactions.register(reactions.on_customer_purged, assets_customer_purged)
