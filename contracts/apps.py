from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contracts"

    def ready(self) -> None:
        from billing.attention import register_attention_source
        from billing.customer_page import register_value_source
        from billing.services.invoicing import register_line_source
        from customers.history import register_history_source
        from customers.tabs import CustomerTab, register_tab
        from tickets.models_sla import register_policy_source

        from . import tasks  # noqa: F401  (the renewal job, for the worker)
        from .customer_page import (
            contract_policies,
            contracts_history,
            contracts_value,
            renewals_attention,
        )
        from .drawdown import overage_lines
        from .views import CustomerContractsView

        register_tab(
            CustomerTab("contracts", "Contracts", "customers:customer_contracts", order=7),
            view=CustomerContractsView,
            route="contracts/",
        )
        register_value_source(contracts_value)
        register_history_source(contracts_history)
        register_attention_source(renewals_attention)
        register_policy_source(contract_policies)
        register_line_source(overage_lines)
