"""The rating link of a resolved ticket's email: open to whoever holds the link (its secret
is the ticket's reply token). Opening it only shows the choice, so a mail scanner fetching it
rates nothing; pressing the button records the one rating."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render

from core.forms import add_service_errors

from .models import Rating
from .rating import ticket_by_link, ticket_rate


class RatingForm(forms.Form):
    score = forms.ChoiceField(
        label="How did we do?", choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="Anything to add? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def rate(request, pk: int, token: str):
    ticket = ticket_by_link(pk, token)
    context = {"ticket": ticket}
    if ticket.rated_at is not None:
        return render(request, "tickets/rated.html", context)
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            actor = request.user if request.user.is_authenticated else None
            try:
                ticket_rate(
                    ticket_id=ticket.pk,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                    actor=actor,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                ticket.refresh_from_db()
                return render(request, "tickets/rated.html", context)
        return render(request, "tickets/rate.html", {**context, "form": form}, status=400)
    score = request.GET.get("score", "")
    form = RatingForm(initial={"score": score} if score in Rating.values else {})
    return render(request, "tickets/rate.html", {**context, "form": form})
