"""Indexes for the list's sort keys, each with the primary key as the tie-break the keyset
pages use (core.pagination): ``(key, id) > (:key, :id)`` is one index range scan. Raw SQL
with no model state, so the models' Meta stays as it is (#20)."""

from django.db import migrations

TABLE = "customers_customer"
INDEXES = [
    ("customer_by_name_id", "name, id", ""),
    ("customer_live_by_industry", "industry, id", "deleted_at IS NULL AND NOT is_archived"),
    ("customer_live_by_type_id", "business_type, id", "deleted_at IS NULL AND NOT is_archived"),
    ("customer_live_by_status_id", "status, id", "deleted_at IS NULL AND NOT is_archived"),
    ("customer_live_by_website", "website, id", "deleted_at IS NULL AND NOT is_archived"),
]


def create(name: str, columns: str, where: str) -> str:
    condition = f" WHERE {where}" if where else ""
    return f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} ({columns}){condition}"


class Migration(migrations.Migration):
    dependencies = [("customers", "0009_customer_account_status_index")]

    operations = [
        migrations.RunSQL(create(*index), reverse_sql=f"DROP INDEX IF EXISTS {index[0]}")
        for index in INDEXES
    ]
