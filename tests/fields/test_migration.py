"""The customers' old key → value attributes become text custom fields, without loss."""

import importlib

import pytest
from django.apps import apps

from fields.models import CustomField
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("customers.migrations.0012_custom_fields")


def test_every_attribute_key_becomes_a_text_field_and_every_value_is_copied(in_tenant):
    acme = CustomerFactory(custom_attributes={"Account manager": "Jane Doe", "Tier": "Gold"})
    globex = CustomerFactory(custom_attributes={"tier": "Silver", "2nd site": "Leeds"})
    plain = CustomerFactory(custom_attributes={})
    migration.attributes_to_custom_fields(apps, None)
    fields = {f.label: f for f in CustomField.objects.filter(object_kind="customer")}
    assert set(fields) == {"Account manager", "Tier", "tier (2)", "2nd site"}
    assert all(f.field_type == "text" for f in fields.values())
    for customer in (acme, globex, plain):
        customer.refresh_from_db()
    manager, tier = fields["Account manager"].key, fields["Tier"].key
    assert acme.custom_field_data == {manager: "Jane Doe", tier: "Gold"}
    assert globex.custom_field_data == {
        fields["tier (2)"].key: "Silver",
        fields["2nd site"].key: "Leeds",
    }
    assert fields["2nd site"].key == "f_2nd_site"
    assert plain.custom_field_data == {}
    # The old column is kept for now.
    assert acme.custom_attributes == {"Account manager": "Jane Doe", "Tier": "Gold"}
