"""Asking to join a company by email domain, and admins deciding."""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from accounts.models import User
from accounts.services import queue_email
from core.querysets import access
from core.scope import scope_for
from portal import services
from portal.forms import JoinForm
from portal.models import JoinRequest, PortalPermission

from .base import PortalMixin, base_url

JOIN_SALT = "portal.join"
JOIN_MAX_AGE = 3 * 24 * 3600


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
