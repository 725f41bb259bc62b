"""Indexes for the list's sort keys, each with the primary key as the tie-break the keyset
pages use (core.pagination): ``(key, id) > (:key, :id)`` is one index range scan. Raw SQL
with no model state, so the models' Meta stays as it is (#20)."""

from django.db import migrations

TABLE = "billing_invoice"
INDEXES = [
    ("invoice_customer_name_id", "customer_name, id", ""),
    ("invoice_status_id", "status, id", ""),
    ("invoice_issue_date_id", "issue_date, id", ""),
    ("invoice_due_date_id", "due_date, id", ""),
    ("invoice_total_id", "total, id", ""),
]


def create(name: str, columns: str, where: str) -> str:
    condition = f" WHERE {where}" if where else ""
    return f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} ({columns}){condition}"


class Migration(migrations.Migration):
    dependencies = [("billing", "0014_commission_basis_label")]

    operations = [
        migrations.RunSQL(create(*index), reverse_sql=f"DROP INDEX IF EXISTS {index[0]}")
        for index in INDEXES
    ]
