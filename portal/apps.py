from functools import partial

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The company portal and customer users. A tenant app of its own because the user table
    is shared with the public schema, where no customer exists to point at."""

    name = "portal"
    verbose_name = "Company portal"

    def ready(self) -> None:
        from billing.company_users import register_company_users
        from billing.services import dunning
        from core.scope import register_customer_user_resolver
        from customers import reactions
        from customers.tabs import CustomerTab, register_tab

        from . import services
        from .company_users import PortalCompanyUsers
        from .policies import customer_user_grant

        register_customer_user_resolver(customer_user_grant)

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
        # Dunning tells the company's users why their portal is suspended, and stops when
        # the balance is paid; billing's figures and demo count the companies' users.
        dunning.register(dunning.on_portal_suspended, services.company_suspended_for_nonpayment)
        dunning.register(dunning.on_portal_restored, services.company_suspension_lifted)
        register_company_users(PortalCompanyUsers())
