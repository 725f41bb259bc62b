from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "activity"
    verbose_name = "Activity"

    def ready(self) -> None:
        from assets.panels import register_asset_panel
        from billing.attention import register_attention_source
        from customers.tabs import CustomerTab, register_tab
        from locations.views import register_location_panel

        from . import tasks  # noqa: F401  (the reminder job, for the worker)
        from .attention import tasks_due
        from .views import AssetActivityPanel, CustomerActivityView, LocationActivityPanel

        register_tab(
            CustomerTab("activity", "Activity", "customers:customer_activity", order=3),
            view=CustomerActivityView,
            route="activity/",
        )
        register_location_panel(LocationActivityPanel)
        register_asset_panel(AssetActivityPanel)
        register_attention_source(tasks_due)
