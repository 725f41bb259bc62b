"""What documents adds to the customer page's History tab: uploads, new versions, sharing,
archiving and deletion of the documents of the customer and of its locations. Registered by
DocumentsConfig.ready(): customers imports nothing of documents."""

from __future__ import annotations

from django.db.models import Q

from core.history import HistorySource
from customers.history import register_history_source
from locations.models import Location

from .models import Document


def documents_history(customer) -> HistorySource:
    locations = Location.objects.filter(customer_id=customer.pk).values("pk")
    return HistorySource(
        "Document",
        Document,
        Document.history.filter(Q(customer_id=customer.pk) | Q(location_id__in=locations)),
    )


def register() -> None:
    register_history_source(documents_history)
