"""Contacts announce themselves to webhooks like customers do: contact.created,
contact.updated (fields, roles, portal invitation, back from having left) and
contact.archived (left the company), each with the contact's customer and its changes."""

import json

import pytest

from customers import services_contacts as contacts
from customers.models_contacts import ContactRole
from tests.factories import CustomerFactory
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

EVENTS = ["contact.created", "contact.updated", "contact.archived"]


def payloads() -> list[dict]:
    return [d.payload for d in WebhookDelivery.objects.order_by("pk")]


def test_contact_events_carry_the_customer_and_the_changes(in_tenant):
    WebhookEndpoint.objects.create(url="https://hooks.example/crm", events=EVENTS)
    customer = CustomerFactory(name="Acme")
    contact = contacts.contact_create(customer=customer, actor=None, name="Ada", email="a@acme.ex")
    contacts.contact_update(contact_id=contact.pk, data={"title": "CFO"}, actor=None)
    contacts.contact_update(contact_id=contact.pk, data={"title": "CFO"}, actor=None)  # no change
    contacts.contact_set_roles(
        contact_id=contact.pk, roles=[ContactRole.objects.get(key="billing")], actor=None
    )
    contacts.contact_set_archived(contact_id=contact.pk, archived=True, actor=None)
    contacts.contact_set_archived(contact_id=contact.pk, archived=False, actor=None)

    sent = payloads()
    assert [p["event"] for p in sent] == [
        "contact.created",
        "contact.updated",
        "contact.updated",
        "contact.archived",
        "contact.updated",
    ]
    assert all(
        p["object"]
        == {"type": "contact", "id": contact.pk, "name": "Ada", "customer_id": customer.pk}
        for p in sent
    )
    assert {"field": "title", "old": "", "new": "CFO"} in sent[1]["changes"]
    assert {"field": "roles_label", "old": "", "new": "Billing"} in sent[2]["changes"]
    assert {"field": "is_archived", "old": False, "new": True} in sent[3]["changes"]
    json.dumps(sent)  # plain JSON, as delivered


def test_no_endpoint_for_contacts_means_no_delivery(in_tenant):
    WebhookEndpoint.objects.create(url="https://hooks.example/crm", events=["customer.created"])
    contacts.contact_create(customer=CustomerFactory(), actor=None, name="Bo")
    assert not WebhookDelivery.objects.exists()
