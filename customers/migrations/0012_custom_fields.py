"""Typed custom fields and tags on customers and contacts (fields app), and the customers'
old key → value attributes copied into text custom fields (one per distinct key) without
loss. The old column stays for now; nothing reads or writes it any more."""

import django.contrib.postgres.indexes
import django.core.serializers.json
from django.db import migrations, models
from django.utils.text import slugify

BATCH = 1000


def field_key(name: str, taken: set[str]) -> str:
    base = slugify(name).replace("-", "_")[:36] or "attribute"
    if not base[0].isalpha():
        base = f"f_{base}"[:36]
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


def attributes_to_custom_fields(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    CustomField = apps.get_model("fields", "CustomField")
    holders = Customer._base_manager.exclude(custom_attributes={}).exclude(
        custom_attributes__isnull=True
    )
    names: list[str] = []
    for attributes in holders.values_list("custom_attributes", flat=True).iterator():
        if isinstance(attributes, dict):
            for name in attributes:
                if name not in names:
                    names.append(name)
    if not names:
        return
    taken = set(CustomField.objects.filter(object_kind="customer").values_list("key", flat=True))
    labels = {
        label.lower()
        for label in CustomField.objects.filter(object_kind="customer").values_list(
            "label", flat=True
        )
    }
    key_of = {}
    for order, name in enumerate(names, start=1):
        label, n = (name.strip() or "Attribute")[:100], 2
        while label.lower() in labels:
            label, n = f"{name.strip()[:94]} ({n})", n + 1
        labels.add(label.lower())
        key_of[name] = field_key(name, taken)
        CustomField.objects.create(
            object_kind="customer",
            key=key_of[name],
            label=label,
            field_type="text",
            help_text="Copied from the customer's custom attributes.",
            order=order * 10,
        )
    ids = list(holders.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = list(Customer._base_manager.filter(pk__in=ids[start : start + BATCH]))
        for customer in batch:
            data = dict(customer.custom_field_data or {})
            for name, value in (customer.custom_attributes or {}).items():
                if value not in (None, ""):
                    data[key_of[name]] = value if isinstance(value, str) else str(value)
            customer.custom_field_data = data
        Customer._base_manager.bulk_update(batch, ["custom_field_data"])


def json_field():
    return models.JSONField(
        blank=True,
        default=dict,
        encoder=django.core.serializers.json.DjangoJSONEncoder,
        verbose_name="custom fields",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0011_customer_merged_into"),
        ("fields", "0001_initial"),
    ]

    operations = [
        migrations.AddField("customer", "custom_field_data", json_field()),
        migrations.AddField("historicalcustomer", "custom_field_data", json_field()),
        migrations.AddField(
            "customer",
            "tags",
            models.ManyToManyField(blank=True, related_name="%(class)ss", to="fields.tag"),
        ),
        migrations.AddField("contact", "custom_field_data", json_field()),
        migrations.AddField("historicalcontact", "custom_field_data", json_field()),
        migrations.AddField(
            "contact",
            "tags",
            models.ManyToManyField(blank=True, related_name="%(class)ss", to="fields.tag"),
        ),
        migrations.AddIndex(
            "customer",
            django.contrib.postgres.indexes.GinIndex(
                fields=["custom_field_data"], name="customer_cf_data", opclasses=["jsonb_path_ops"]
            ),
        ),
        migrations.AddIndex(
            "contact",
            django.contrib.postgres.indexes.GinIndex(
                fields=["custom_field_data"], name="contact_cf_data", opclasses=["jsonb_path_ops"]
            ),
        ),
        migrations.RunPython(attributes_to_custom_fields, migrations.RunPython.noop),
    ]
