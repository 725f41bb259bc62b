from django.db import migrations
from django.db.models import Sum
from django.db.models.functions import TruncMonth


def backfill(apps, schema_editor):
    Payment = apps.get_model("billing", "Payment")
    MonthlyCollections = apps.get_model("billing", "MonthlyCollections")
    rows = (
        Payment.objects.annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(total=Sum("amount"))
        .values_list("month", "total")
    )
    MonthlyCollections.objects.all().delete()
    MonthlyCollections.objects.bulk_create(
        MonthlyCollections(month=month, amount=total) for month, total in rows
    )


class Migration(migrations.Migration):
    dependencies = [("billing", "0005_dashboard_figures")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
