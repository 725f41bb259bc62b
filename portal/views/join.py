"""Asking to join a company by a verified email domain, and admins deciding."""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django.views.generic import FormView, TemplateView

from accounts.services import queue_email
from core.querysets import access
from core.scope import scope_for
from core.tokens import tenant_dumps, tenant_loads
from portal import services
from portal.forms import JoinForm
from portal.models import JoinRequest, PortalPermission

from .base import PortalMixin, base_url

JOIN_PURPOSE = "portal.join"
JOIN_MAX_AGE = 3 * 24 * 3600


class JoinView(FormView):
    """People with an address at a company's verified domain ask to join it (its admins
    approve). The answer is the same whatever the domain: nobody learns which may join."""

    template_name = "portal/join.html"
    form_class = JoinForm

    def form_valid(self, form):
        data = form.cleaned_data
        if services.companies_for_domain(data["email"]).exists():
            token = tenant_dumps(
                {
                    "email": data["email"].lower(),
                    "first": data["first_name"],
                    "last": data["last_name"],
                },
                purpose=JOIN_PURPOSE,
            )
            link = self.request.build_absolute_uri(reverse("portal:join_confirm", args=[token]))
            body = render_to_string(
                "portal/email/join_confirm_message.txt", {"link": link, "data": data}
            )
            queue_email(
                subject="[Clientele] Confirm your request to join", body=body, to=[data["email"]]
            )
        return render(self.request, "portal/join_sent.html", {"email": data["email"]})


@require_http_methods(["GET", "POST"])
def join_confirm(request, token: str):
    """The requester followed the mailed link (of this tenant, unexpired) and pressed its
    button: the company that verified their domain, and only it, gets the request. Opening the
    link only shows the button, so a mail scanner fetching it sends nothing."""
    try:
        data = tenant_loads(token, purpose=JOIN_PURPOSE, max_age=JOIN_MAX_AGE)
        email, first, last = str(data["email"]), str(data["first"]), str(data["last"])
    except (signing.BadSignature, KeyError, TypeError):
        return render(request, "portal/join_invalid.html", status=400)
    if request.method == "GET":
        return render(request, "portal/join_confirm.html", {"email": email})
    company = services.companies_for_domain(email).first()
    if company is not None:
        services.join_request_create(
            customer=company,
            email=email,
            first_name=first,
            last_name=last,
            base_url=base_url(request),
        )
    return render(request, "portal/join_requested.html", {"company": company})


class JoinDecisionView(PortalMixin, TemplateView):
    section = "users"
    required_permission = PortalPermission.MANAGE_USERS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if kwargs["decision"] not in ("approve", "decline"):
            raise Http404("Unknown decision")
        join_request = access(
            JoinRequest.objects.filter(customer=self.company),
            scope_for(request.user),
            kwargs["rid"],
            "change",
        )
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
