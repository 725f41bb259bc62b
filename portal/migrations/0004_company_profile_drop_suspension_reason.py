"""The company's suspension reason lives on the customer's account status
(Customer.account_status_reason, customers 0005); the old portal copy goes. A reason still
held only here, for a company that is suspended, moves to the customer first."""

from django.db import migrations


def keep_reasons(apps, schema_editor):
    CompanyProfile = apps.get_model("portal", "CompanyProfile")
    Customer = apps.get_model("customers", "Customer")
    for customer_id, reason in CompanyProfile.objects.exclude(suspension_reason="").values_list(
        "customer_id", "suspension_reason"
    ):
        Customer.objects.filter(
            pk=customer_id, portal_access="suspended", account_status_reason=""
        ).update(account_status_reason=reason[:300])


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_company_domains"),
        ("customers", "0005_account_status"),
    ]

    operations = [
        migrations.RunPython(keep_reasons, migrations.RunPython.noop),
        migrations.RemoveField(model_name="companyprofile", name="suspension_reason"),
        migrations.RemoveField(model_name="historicalcompanyprofile", name="suspension_reason"),
    ]
