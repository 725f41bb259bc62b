"""What every portal page shares: the access rules, the navigation, the landing redirect,
the suspended page and the list machinery."""

from __future__ import annotations

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.urls import reverse

from core.generic import ListMachinery
from core.querysets import access
from core.scope import scope_for
from customers.models import Customer
from portal.models import CompanyProfile, PortalPermission

from ..adoption import record_use
from ..policies import (
    is_customer_user,
    membership_of,
    portal_access_state,
    portal_can,
    portal_permissions,
)

PAGE_SIZE = 25
PORTAL_NAV = [
    ("overview", "Overview", "portal:overview", "speedometer2", PortalPermission.VIEW_OVERVIEW),
    ("users", "Users", "portal:users", "people", PortalPermission.VIEW_USERS),
    ("locations", "Locations", "portal:locations", "geo-alt", PortalPermission.VIEW_LOCATIONS),
    ("assets", "Assets", "portal:assets", "hdd-stack", PortalPermission.VIEW_ASSETS),
    ("billing", "Billing", "portal:billing", "receipt", PortalPermission.VIEW_BILLING),
    ("documents", "Documents", "portal:documents", "file-earmark", PortalPermission.VIEW_DOCUMENTS),
    ("activity", "Activity", "portal:activity", "journal-text", PortalPermission.VIEW_OVERVIEW),
    ("tickets", "Support", "portal:tickets", "life-preserver", PortalPermission.VIEW_TICKETS),
    ("settings", "Settings", "portal:settings", "gear", PortalPermission.MANAGE_SETTINGS),
]

RESELLER_NAV = [
    ("reseller_clients", "Clients", "portal:reseller_clients", "diagram-3"),
    ("reseller_commissions", "Commissions", "portal:reseller_statements", "cash-coin"),
]


def reseller_flag() -> Exists:
    """Whether a company is a reseller, for the navigation (no query of its own)."""
    from billing.models import BillingProfile

    return Exists(BillingProfile.objects.filter(customer=OuterRef("pk"), is_reseller=True))


def base_url(request) -> str:
    return request.build_absolute_uri("/")


class PortalMixin(AccessMixin):
    """Signed-in customer users only; the company in the URL must be theirs (or one of their
    sub-accounts), else 404; the page's permission is checked, else 403."""

    required_permission: str = PortalPermission.VIEW_OVERVIEW
    section = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_customer_user(request.user):
            raise PermissionDenied(
                "The portal is for your customers' users; you work in the console."
            )
        self.company = access(Customer, scope_for(request.user), kwargs["cid"])
        if self.required_permission and not portal_can(request.user, self.required_permission):
            raise PermissionDenied("Your role does not include this part of the portal.")
        if self.section and request.method == "GET":
            record_use(company_id=self.company.pk, user_id=request.user.pk, feature=self.section)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        permissions = portal_permissions(user)
        companies = list(
            Customer.objects.visible_to(user)
            .only("pk", "name", "parent_id")
            .annotate(is_reseller=reseller_flag())
            .order_by("name")
        )
        own = membership_of(user).customer
        profile = CompanyProfile.objects.filter(customer=own).first()
        context.update(
            company=self.company,
            own_company=own,
            companies=companies,
            profile=profile,
            section=self.section,
            perms=permissions,
            portal_nav=[
                {
                    "key": key,
                    "label": label,
                    "url": reverse(name, args=[self.company.pk]),
                    "icon": icon,
                }
                for key, label, name, icon, permission in PORTAL_NAV
                if permission in permissions
            ],
        )
        # A reseller's users with the billing permission: its clients and its commission.
        if PortalPermission.VIEW_BILLING in permissions and any(
            c.pk == self.company.pk and c.is_reseller for c in companies
        ):
            context["portal_nav"] += [
                {
                    "key": key,
                    "label": label,
                    "url": reverse(name, args=[self.company.pk]),
                    "icon": icon,
                }
                for key, label, name, icon in RESELLER_NAV
            ]
        return context


def portal_home(request):
    """/portal/ → the user's own company."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next=/portal/")
    membership = membership_of(request.user)
    if membership is None:
        raise PermissionDenied("The portal is for your customers' users; you work in the console.")
    company = request.GET.get("company", "")
    if company.isdigit():  # the company switcher without JavaScript; the overview checks access
        return redirect("portal:overview", cid=int(company))
    permissions = portal_permissions(request.user)
    for _key, _label, name, _icon, permission in PORTAL_NAV:
        if permission in permissions:
            return redirect(name, cid=membership.customer_id)
    raise PermissionDenied(
        "Your role does not include any part of the portal yet; ask your company admin."
    )


class PortalListView(PortalMixin, ListMachinery):
    """A portal list on the console's list machinery (filter → table → paginate → htmx
    partial → CSV/Excel export) behind the portal's access rules instead of the console's
    roles. Subclasses name the model, the company's records (``get_queryset``), the filter
    set, the model's one table (shown with ``portal_company``: portal links only) and the
    columns the portal leaves out."""

    template_name = "portal/object_list.html"
    table_exclude: tuple[str, ...] = ()
    # The portal permission that shows the table's Edit buttons ("" for none).
    edit_permission = ""

    def get_queryset(self):
        raise NotImplementedError

    def get_table(self, queryset):
        can_edit = bool(self.edit_permission) and portal_can(
            self.request.user, self.edit_permission
        )
        exclude = self.table_exclude if can_edit else (*self.table_exclude, "actions")
        return self.table_class(
            queryset, can_edit=can_edit, portal_company=self.company, exclude=exclude
        )


def suspended(request):
    """What a suspended company's users see instead of the portal."""
    state = portal_access_state(request.user) if request.user.is_authenticated else ""
    if state != "suspended":
        return redirect("portal:home")
    from billing.services.dunning import overdue_state

    company = membership_of(request.user).customer
    can_see_billing = portal_can(request.user, PortalPermission.VIEW_BILLING)
    return render(
        request,
        "portal/suspended.html",
        {
            "company": company,
            "reason": company.account_status_reason,
            "can_see_billing": can_see_billing,
            "overdue_state": overdue_state(company.pk) if can_see_billing else None,
        },
        status=403,
    )
