"""The company portal (/portal/…) and the console's view of a customer's users."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.models import SignInEvent, User
from accounts.policies import (
    Capability,
    is_customer_user,
    membership_of,
    portal_access_state,
    portal_can,
    portal_permissions,
    user_can,
)
from accounts.services import queue_email
from assets.models import Asset
from core.forms import add_service_errors
from core.generic import ObjectDetailView
from core.mixins import ConsoleAccessMixin
from core.views import ApiTokensMixin
from customers.models import Customer
from customers.views.detail import CustomerPageMixin
from locations.models import Location

from . import services
from .forms import (
    CompanyDetailsForm,
    CompanyProfileForm,
    CustomerUserInviteForm,
    JoinForm,
    PermissionSetForm,
    PortalLocationForm,
    RoleChangeForm,
)
from .models import CompanyProfile, JoinRequest, Membership, PermissionSet, PortalPermission

JOIN_SALT = "portal.join"
JOIN_MAX_AGE = 3 * 24 * 3600
PAGE_SIZE = 25
PORTAL_NAV = [
    ("overview", "Overview", "portal:overview", "speedometer2", PortalPermission.VIEW_OVERVIEW),
    ("users", "Users", "portal:users", "people", PortalPermission.VIEW_USERS),
    ("locations", "Locations", "portal:locations", "geo-alt", PortalPermission.VIEW_LOCATIONS),
    ("assets", "Assets", "portal:assets", "hdd-stack", PortalPermission.VIEW_ASSETS),
    ("billing", "Billing", "portal:billing", "receipt", PortalPermission.VIEW_BILLING),
    ("settings", "Settings", "portal:settings", "gear", PortalPermission.MANAGE_SETTINGS),
]


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
        self.company = get_object_or_404(
            Customer.objects.visible_to(request.user), pk=kwargs["cid"]
        )
        if self.required_permission and not portal_can(request.user, self.required_permission):
            raise PermissionDenied("Your role does not include this part of the portal.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        permissions = portal_permissions(user)
        companies = list(
            Customer.objects.visible_to(user).only("pk", "name", "parent_id").order_by("name")
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


class OverviewView(PortalMixin, TemplateView):
    template_name = "portal/overview.html"
    section = "overview"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        since = timezone.now() - timedelta(days=30)
        members = Membership.objects.filter(customer=self.company)
        context["users"] = members.aggregate(
            total=Count("pk"), active=Count("pk", filter=Q(user__last_login__gte=since))
        )
        context["sign_ins"] = SignInEvent.objects.filter(
            user__membership__customer=self.company, succeeded=True, created_at__gte=since
        ).count()
        context["locations"] = Location.objects.filter(
            customer=self.company, is_archived=False
        ).count()
        context["assets"] = Asset.objects.filter(
            Q(owner=self.company) | Q(location__customer=self.company), is_archived=False
        ).count()
        context["subaccounts"] = [c for c in context["companies"] if c.parent_id == self.company.pk]
        return context


class UsersView(PortalMixin, TemplateView):
    template_name = "portal/users.html"
    section = "users"
    required_permission = PortalPermission.VIEW_USERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        members = (
            Membership.objects.filter(customer=self.company)
            .select_related("user", "permission_set")
            .annotate(
                last_sign_in=Max(
                    "user__sign_in_events__created_at",
                    filter=Q(user__sign_in_events__succeeded=True),
                )
            )
            .order_by("user__first_name", "user__last_name", "user__email")
        )
        page = Paginator(members, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(page_obj=page, members=page.object_list)
        if PortalPermission.MANAGE_USERS in context["perms"]:
            context["join_requests"] = JoinRequest.objects.filter(
                customer=self.company, status=JoinRequest.Status.PENDING
            )
        return context


class UserInviteView(PortalMixin, FormView):
    template_name = "portal/user_form.html"
    section = "users"
    required_permission = PortalPermission.MANAGE_USERS
    form_class = CustomerUserInviteForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.request.user, "customer": self.company}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            membership = services.customer_user_create(
                customer=self.company,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                sections=data.get("sections"),
                permission_set=data.get("permission_set"),
                actor=self.request.user,
                base_url=base_url(self.request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Invitation sent to {membership.user.email}.")
        return redirect("portal:users", cid=self.company.pk)


class UserDetailView(PortalMixin, FormView):
    """A user of the company: recent activity; for admins, role and account actions."""

    template_name = "portal/user_detail.html"
    section = "users"
    required_permission = PortalPermission.VIEW_USERS
    form_class = RoleChangeForm

    def get_membership(self) -> Membership:
        return get_object_or_404(
            Membership.objects.select_related("user", "permission_set"),
            pk=self.kwargs["mid"],
            customer=self.company,
        )

    def get_form_kwargs(self):
        self.membership = self.get_membership()
        initial = {
            "role": self.membership.role,
            "sections": self.membership.sections,
            "permission_set": self.membership.permission_set_id,
        }
        return {
            **super().get_form_kwargs(),
            "actor": self.request.user,
            "customer": self.company,
            "initial": initial,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member"] = self.membership
        context["activity"] = SignInEvent.objects.filter(user=self.membership.user)[:10]
        context["is_self"] = self.membership.user_id == self.request.user.pk
        return context

    def post(self, request, *args, **kwargs):
        if not portal_can(request.user, PortalPermission.MANAGE_USERS):
            raise PermissionDenied("Your role does not include managing users.")
        action = request.POST.get("action", "role")
        if action == "role":
            return super().post(request, *args, **kwargs)
        membership = self.get_membership()
        try:
            if action in ("deactivate", "reactivate"):
                services.customer_user_set_active(
                    membership=membership, active=action == "reactivate", actor=request.user
                )
                messages.success(request, f"{membership.user.email} {action}d.")
            elif action == "remove":
                email = membership.user.email
                services.customer_user_remove(membership=membership, actor=request.user)
                messages.success(request, f"Removed {email}.")
                return redirect("portal:users", cid=self.company.pk)
            elif action == "reset":
                services.send_password_reset_link(user=membership.user, base_url=base_url(request))
                messages.success(request, f"Sent a password reset link to {membership.user.email}.")
            else:
                messages.error(request, "Unknown action; nothing changed.")
        except PermissionDenied as denied:
            messages.error(request, str(denied))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("portal:user_detail", cid=self.company.pk, mid=membership.pk)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.customer_user_change_role(
                membership=self.membership,
                role=data["role"],
                sections=data.get("sections"),
                permission_set=data.get("permission_set"),
                actor=self.request.user,
            )
        except PermissionDenied as denied:
            messages.error(self.request, str(denied))
            return redirect("portal:user_detail", cid=self.company.pk, mid=self.membership.pk)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Role saved.")
        return redirect("portal:user_detail", cid=self.company.pk, mid=self.membership.pk)


class PermissionSetsView(PortalMixin, TemplateView):
    template_name = "portal/permission_sets.html"
    section = "users"
    required_permission = PortalPermission.MANAGE_USERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["permission_sets"] = PermissionSet.objects.filter(customer=self.company).annotate(
            members=Count("membership")
        )
        context["labels"] = dict(PortalPermission.choices)
        return context


class PermissionSetEditView(PortalMixin, FormView):
    template_name = "portal/permission_set_form.html"
    section = "users"
    required_permission = PortalPermission.MANAGE_USERS
    form_class = PermissionSetForm

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "customer": self.company}
        if "sid" in self.kwargs:
            kwargs["instance"] = get_object_or_404(
                PermissionSet, pk=self.kwargs["sid"], customer=self.company
            )
        return kwargs

    def form_valid(self, form):
        permission_set = form.save(commit=False)
        permission_set.customer = self.company
        permission_set._history_user = self.request.user
        permission_set.save()
        messages.success(self.request, f"Saved the permission set “{permission_set.name}”.")
        return redirect("portal:permission_sets", cid=self.company.pk)


class PortalListView(PortalMixin, TemplateView):
    """A searchable, paginated portal list; subclasses say which records."""

    context_object_name = "records"

    def records(self, term: str):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        term = (self.request.GET.get("q") or "").strip()[:100]
        page = Paginator(self.records(term), PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(page_obj=page, term=term, **{self.context_object_name: page.object_list})
        return context


class LocationsView(PortalListView):
    template_name = "portal/locations.html"
    section = "locations"
    required_permission = PortalPermission.VIEW_LOCATIONS
    context_object_name = "locations"

    def records(self, term: str):
        locations = Location.objects.visible_to(self.request.user).filter(customer=self.company)
        return locations.live().search(term).order_by("name", "pk")


class LocationEditView(PortalMixin, FormView):
    template_name = "portal/location_form.html"
    section = "locations"
    required_permission = PortalPermission.MANAGE_LOCATIONS
    form_class = PortalLocationForm

    def get_form_kwargs(self):
        self.location = get_object_or_404(
            Location.objects.visible_to(self.request.user).filter(customer=self.company),
            pk=self.kwargs["lid"],
        )
        return {**super().get_form_kwargs(), "instance": self.location}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "location": self.location}

    def form_valid(self, form):
        from locations.services import location_update

        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        location_update(location_id=self.location.pk, data=fields, actor=self.request.user)
        messages.success(self.request, f"Saved {self.location.name}.")
        return redirect("portal:locations", cid=self.company.pk)


class AssetsView(PortalListView):
    template_name = "portal/assets.html"
    section = "assets"
    required_permission = PortalPermission.VIEW_ASSETS
    context_object_name = "assets"

    def records(self, term: str):
        return (
            Asset.objects.visible_to(self.request.user)
            .filter(Q(owner=self.company) | Q(location__customer=self.company))
            .live()
            .search(term)
            .select_related("owner", "location")
            .order_by("name", "pk")
        )


class ApiTokensView(PortalMixin, ApiTokensMixin, FormView):
    """A customer user's own API tokens (any portal role: a token can do only what the
    role allows, through /api/v1/portal/companies/<cid>/…)."""

    template_name = "portal/api_tokens.html"
    section = "api_tokens"
    required_permission = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["example_path"] = f"portal/companies/{self.company.pk}/users/"
        return context


class SettingsView(PortalMixin, TemplateView):
    template_name = "portal/settings.html"
    section = "settings"
    required_permission = PortalPermission.MANAGE_SETTINGS

    def forms(self, data=None, files=None):
        profile, _ = CompanyProfile.objects.get_or_create(customer=self.company)
        return (
            CompanyDetailsForm(
                data, instance=Customer.objects.get(pk=self.company.pk), prefix="details"
            ),
            CompanyProfileForm(data, files, instance=profile, prefix="profile"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "details_form" not in kwargs:
            context["details_form"], context["profile_form"] = self.forms()
        return context

    def post(self, request, *args, **kwargs):
        from customers.services import customer_update

        details_form, profile_form = self.forms(request.POST, request.FILES)
        if details_form.is_valid() and profile_form.is_valid():
            try:
                customer_update(
                    customer_id=self.company.pk,
                    data={
                        name: details_form.cleaned_data[name] for name in details_form.Meta.fields
                    },
                    expected_version=Customer.objects.get(pk=self.company.pk).version,
                    actor=request.user,
                )
            except ValidationError as error:
                details_form.add_error(None, error)
            else:
                profile = profile_form.save(commit=False)
                profile._history_user = request.user
                profile.save()
                messages.success(request, "Company settings saved.")
                return redirect("portal:settings", cid=self.company.pk)
        return self.render_to_response(
            self.get_context_data(details_form=details_form, profile_form=profile_form)
        )


def suspended(request):
    """What a suspended company's users see instead of the portal."""
    state = portal_access_state(request.user) if request.user.is_authenticated else ""
    if state != "suspended":
        return redirect("portal:home")
    from billing.models import Invoice

    company = membership_of(request.user).customer
    profile = CompanyProfile.objects.filter(customer=company).first()
    can_see_billing = portal_can(request.user, PortalPermission.VIEW_BILLING)
    return render(
        request,
        "portal/suspended.html",
        {
            "company": company,
            "reason": profile.suspension_reason if profile else "",
            "overdue": Invoice.objects.filter(customer=company, status="overdue")
            if can_see_billing
            else [],
        },
        status=403,
    )


class BillingView(PortalMixin, TemplateView):
    """Invoices and receipts, subscription and seats, usage and its cost this period, the
    payment method label and the billing contact."""

    template_name = "portal/billing.html"
    section = "billing"
    required_permission = PortalPermission.VIEW_BILLING

    def get_context_data(self, **kwargs):
        from billing import figures
        from billing.models import BillingProfile, Invoice, Subscription

        context = super().get_context_data(**kwargs)
        subscription = (
            Subscription.objects.filter(customer=self.company).live().select_related("plan").first()
        )
        invoices = Invoice.objects.visible_to(self.request.user).filter(customer=self.company)
        seats_used = Membership.objects.filter(customer=self.company, user__is_active=True).count()
        context.update(
            subscription=subscription,
            seats_label=f"{seats_used} of {subscription.seats}" if subscription else seats_used,
            usage=figures.current_usage(subscription),
            period=figures.current_period(subscription) if subscription else None,
            invoices=invoices.exclude(status="draft")[:24],
            totals=figures.invoice_totals(invoices.exclude(status="draft")),
            billing_profile=BillingProfile.objects.filter(customer=self.company).first(),
            paid_by_parent=BillingProfile.objects.filter(
                customer_id=self.company.parent_id, consolidated_billing=True
            ).exists()
            if self.company.parent_id
            else False,
        )
        return context


class BillingDocumentView(PortalMixin, View):
    """An invoice or receipt PDF of this company (drafts are never shown to customers)."""

    required_permission = PortalPermission.VIEW_BILLING
    receipt = False

    def get(self, request, cid, iid):
        from billing.models import Invoice
        from billing.views import pdf_response

        invoice = get_object_or_404(
            Invoice.objects.visible_to(request.user)
            .filter(customer=self.company)
            .exclude(status="draft"),
            pk=iid,
        )
        return pdf_response(invoice, receipt=self.receipt)


class JoinView(FormView):
    """People with an address at a company's domain ask to join it (admins approve)."""

    template_name = "portal/join.html"
    form_class = JoinForm

    def form_valid(self, form):
        data = form.cleaned_data
        if services.companies_for_domain(data["email"]).exists():
            token = signing.dumps(
                {
                    "email": data["email"].lower(),
                    "first": data["first_name"],
                    "last": data["last_name"],
                },
                salt=JOIN_SALT,
            )
            link = self.request.build_absolute_uri(reverse("portal:join_confirm", args=[token]))
            body = render_to_string(
                "portal/email/join_confirm_message.txt", {"link": link, "data": data}
            )
            queue_email(
                subject="[Clientele] Confirm your request to join", body=body, to=[data["email"]]
            )
        # The same answer either way: nobody learns which domains may join.
        return render(self.request, "portal/join_sent.html", {"email": data["email"]})


def join_confirm(request, token: str):
    try:
        data = signing.loads(token, salt=JOIN_SALT, max_age=JOIN_MAX_AGE)
    except signing.BadSignature:
        return render(request, "portal/join_invalid.html", status=400)
    companies = list(services.companies_for_domain(data["email"]))
    for company in companies:
        join_request = services.join_request_create(
            customer=company, email=data["email"], first_name=data["first"], last_name=data["last"]
        )
        if join_request is not None:
            admins = User.objects.filter(
                membership__customer=company, membership__role="admin", is_active=True
            ).values_list("email", flat=True)
            if admins:
                body = render_to_string(
                    "portal/email/join_request_message.txt",
                    {
                        "request": join_request,
                        "company": company,
                        "url": request.build_absolute_uri(
                            reverse("portal:users", args=[company.pk])
                        ),
                    },
                )
                queue_email(
                    subject=f"[Clientele] {join_request.email} asks to join {company.name}",
                    body=body,
                    to=list(admins),
                )
    return render(request, "portal/join_requested.html", {"companies": companies})


class JoinDecisionView(PortalMixin, TemplateView):
    section = "users"
    required_permission = PortalPermission.MANAGE_USERS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if kwargs["decision"] not in ("approve", "decline"):
            raise Http404("Unknown decision")
        join_request = get_object_or_404(JoinRequest, pk=kwargs["rid"], customer=self.company)
        approve = kwargs["decision"] == "approve"
        try:
            services.join_request_decide(
                request_obj=join_request,
                approve=approve,
                actor=request.user,
                base_url=base_url(request),
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request, f"{'Approved' if approve else 'Declined'} {join_request.email}."
            )
        return redirect("portal:users", cid=self.company.pk)


# --- Console: a customer's users -------------------------------------------------------


class CustomerUsersView(CustomerPageMixin, ObjectDetailView):
    """The customer page's Users tab: who can sign in to the company's portal, and the
    troubleshooting staff need (resend the welcome, reset link, unlock, a new admin)."""

    template_name = "portal/console_customer_users.html"
    tab = "users"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = (
            Membership.objects.filter(customer=self.object)
            .select_related("user")
            .annotate(
                last_sign_in=Max(
                    "user__sign_in_events__created_at",
                    filter=Q(user__sign_in_events__succeeded=True),
                )
            )
        )
        context["troubleshooting"] = [
            ("resend", "Resend the welcome email"),
            ("reset", "Send a password reset link"),
            ("unlock", "Unlock sign-in (after too many failed attempts)"),
        ]
        if user_can(self.request.user, Capability.MANAGE_RECORDS) and not self.object.deleted_at:
            context["form"] = kwargs.get("form") or CustomerUserInviteForm(
                actor=self.request.user,
                customer=self.object,
                allow_password=True,
                initial={"role": "admin"},
            )
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not user_can(request.user, Capability.MANAGE_RECORDS):
            raise PermissionDenied("Only admins create customer users.")
        form = CustomerUserInviteForm(
            request.POST, actor=request.user, customer=self.object, allow_password=True
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                membership = services.customer_user_create(
                    customer=self.object,
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    role=data["role"],
                    sections=data.get("sections"),
                    permission_set=data.get("permission_set"),
                    password=data.get("password") or None,
                    actor=request.user,
                    base_url=base_url(request),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, f"Created {membership.user.email}; the welcome email is on its way."
                )
                return redirect("portal:customer_users", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(form=form))


class CustomerUserActionView(ConsoleAccessMixin, TemplateView):
    required_capability = Capability.MANAGE_RECORDS
    http_method_names = ["post"]

    def post(self, request, pk: int, mid: int):
        customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
        membership = get_object_or_404(
            Membership.objects.select_related("user"), pk=mid, customer=customer
        )
        user, action = membership.user, request.POST.get("action")
        try:
            if action == "resend":
                services.customer_user_resend_invitation(
                    membership=membership, actor=request.user, base_url=base_url(request)
                )
                messages.success(request, f"Sent a new welcome email to {user.email}.")
            elif action == "reset":
                services.send_password_reset_link(user=user, base_url=base_url(request))
                messages.success(request, f"Sent a password reset link to {user.email}.")
            elif action == "unlock":
                services.unlock_sign_in(request=request, user=user)
                messages.success(request, f"{user.email} can try to sign in again.")
            elif action == "change_email":
                services.change_email_with_verification(
                    request=request, user=user, new_email=request.POST.get("email", "")
                )
                messages.success(
                    request,
                    "Sent a verification link to the new address; the old one works until it is confirmed.",
                )
            else:
                messages.error(request, "Unknown action; nothing changed.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("portal:customer_users", pk=customer.pk)
