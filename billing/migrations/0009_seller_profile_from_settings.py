"""The seller profile starts with the payment instructions the billing settings held."""

from django.db import migrations


def copy_instructions(apps, schema_editor):
    BillingSettings = apps.get_model("billing", "BillingSettings")
    SellerProfile = apps.get_model("billing", "SellerProfile")
    row = BillingSettings.objects.filter(pk=1).first()
    if row is not None and row.payment_instructions:
        SellerProfile.objects.update_or_create(
            pk=1, defaults={"payment_instructions": row.payment_instructions}
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0008_seller_profile_and_tax")]

    operations = [migrations.RunPython(copy_instructions, migrations.RunPython.noop)]
