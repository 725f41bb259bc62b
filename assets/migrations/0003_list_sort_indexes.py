"""Indexes for the list's sort keys, each with the primary key as the tie-break the keyset
pages use (core.pagination): ``(key, id) > (:key, :id)`` is one index range scan. Raw SQL
with no model state, so the models' Meta stays as it is (#20)."""

from django.db import migrations

TABLE = "assets_asset"
INDEXES = [
    ("asset_live_by_serial", "serial_number, id", "NOT is_archived"),
    ("asset_live_by_model", "model_name, id", "NOT is_archived"),
    ("asset_live_by_category_id", "category, id", "NOT is_archived"),
    ("asset_live_by_status_id", "status, id", "NOT is_archived"),
]


def create(name: str, columns: str, where: str) -> str:
    condition = f" WHERE {where}" if where else ""
    return f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} ({columns}){condition}"


class Migration(migrations.Migration):
    dependencies = [("assets", "0002_initial")]

    operations = [
        migrations.RunSQL(create(*index), reverse_sql=f"DROP INDEX IF EXISTS {index[0]}")
        for index in INDEXES
    ]
