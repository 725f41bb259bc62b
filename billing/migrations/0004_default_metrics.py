from django.db import migrations

DEFAULT_METRICS = [
    ("operations", "Operations", "operations"),
    ("storage-gb", "Storage", "GB"),
    ("bandwidth-gb", "Bandwidth", "GB"),
]


def add_metrics(apps, schema_editor):
    Metric = apps.get_model("billing", "Metric")
    for code, name, unit in DEFAULT_METRICS:
        Metric.objects.get_or_create(code=code, defaults={"name": name, "unit": unit})
    apps.get_model("billing", "BillingSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("billing", "0003_plans_subscriptions_invoices")]

    operations = [migrations.RunPython(add_metrics, migrations.RunPython.noop)]
