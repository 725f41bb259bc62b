"""Typed custom fields and tags on locations (fields app)."""

import django.contrib.postgres.indexes
import django.core.serializers.json
from django.db import migrations, models


def json_field():
    return models.JSONField(
        blank=True,
        default=dict,
        encoder=django.core.serializers.json.DjangoJSONEncoder,
        verbose_name="custom fields",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("locations", "0002_list_sort_indexes"),
        ("fields", "0001_initial"),
    ]

    operations = [
        migrations.AddField("location", "custom_field_data", json_field()),
        migrations.AddField("historicallocation", "custom_field_data", json_field()),
        migrations.AddField(
            "location",
            "tags",
            models.ManyToManyField(blank=True, related_name="%(class)ss", to="fields.tag"),
        ),
        migrations.AddIndex(
            "location",
            django.contrib.postgres.indexes.GinIndex(
                fields=["custom_field_data"], name="location_cf_data", opclasses=["jsonb_path_ops"]
            ),
        ),
    ]
