from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"

    def ready(self) -> None:
        from assets.panels import register_asset_panel
        from customers import reactions
        from customers.tabs import CustomerTab, register_tab
        from locations.views import register_location_panel

        from .services import documents_customer_purged
        from .views import AssetDocumentsPanel, CustomerDocumentsView, LocationDocumentsPanel

        register_tab(
            CustomerTab("documents", "Documents", "customers:customer_documents", order=70),
            view=CustomerDocumentsView,
            route="documents/",
        )
        register_location_panel(LocationDocumentsPanel)
        register_asset_panel(AssetDocumentsPanel)
        reactions.register(reactions.on_customer_purged, documents_customer_purged)
        # The customer's History tab shows its documents' uploads, versions and sharing.
        from . import customer_page

        customer_page.register()
