from functools import partial

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The company portal and customer users. A tenant app of its own because the user table
    is shared with the public schema, where no customer exists to point at."""

    name = "portal"
    verbose_name = "Company portal"

    def ready(self) -> None:
        from billing.company_users import register_company_users
        from core.scope import register_customer_user_resolver
        from customers import account_status, reactions
        from customers.tabs import CustomerTab, register_tab

        from . import services
        from .company_users import PortalCompanyUsers
        from .policies import customer_user_grant

        register_customer_user_resolver(customer_user_grant)
        # Feature adoption on the analytics pages.
        from billing.analytics_sections import AnalyticsSection, register_analytics_section

        from .adoption import adoption_figures

        register_analytics_section(
            AnalyticsSection("adoption", "portal/_adoption.html", adoption_figures, order=20)
        )
        # Support mail from a company's users or its verified domains opens its tickets.
        from tickets.inbound import DOMAIN, USER, register_sender_resolver

        from .domains import companies_of_domain, companies_of_user

        register_sender_resolver(companies_of_user, strength=USER)
        register_sender_resolver(companies_of_domain, strength=DOMAIN)

        # Accounts asks which company requires a user's second factor, and which company
        # names their password must not be built from.
        from accounts.mfa_policy import register_requirement_resolver
        from accounts.password_validation import register_context_source

        from .security import company_names, company_two_factor_requirement

        register_requirement_resolver(company_two_factor_requirement)
        register_context_source(company_names)

        register_tab(CustomerTab("users", "Users", "portal:customer_users", order=50))

        # A deleted company's users lose access, a restored one's get it back, a purged
        # one's are deleted; the add-customer wizard invites the company's first admin.
        reactions.register(reactions.on_customer_deleted, services.company_deleted)
        reactions.register(reactions.on_customer_restored, services.company_restored)
        reactions.register(reactions.on_customer_purged, services.company_purged)
        reactions.register(
            reactions.admin_inviters, partial(services.customer_user_create, role="admin")
        )
        # A change of the company's account status (by staff or by dunning): tokens of an
        # inactive company are revoked, its admins are told; billing's figures and demo count
        # the companies' users.
        account_status.register(services.company_account_status_changed)
        register_company_users(PortalCompanyUsers())
        # Merging two customers: how the portal's one-per-company rows are combined.
        from . import merging

        merging.register()
