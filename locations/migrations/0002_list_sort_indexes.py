"""Indexes for the list's sort keys, each with the primary key as the tie-break the keyset
pages use (core.pagination): ``(key, id) > (:key, :id)`` is one index range scan. Raw SQL
with no model state, so the models' Meta stays as it is (#20)."""

from django.db import migrations

TABLE = "locations_location"
INDEXES = [
    ("location_by_name_id", "name, id", ""),
    ("location_live_by_city", "city, id", "NOT is_archived"),
    ("location_live_by_country", "country, id", "NOT is_archived"),
    ("location_live_by_type_id", "location_type, id", "NOT is_archived"),
    ("location_live_by_status_id", "status, id", "NOT is_archived"),
]


def create(name: str, columns: str, where: str) -> str:
    condition = f" WHERE {where}" if where else ""
    return f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} ({columns}){condition}"


class Migration(migrations.Migration):
    dependencies = [("locations", "0001_initial")]

    operations = [
        migrations.RunSQL(create(*index), reverse_sql=f"DROP INDEX IF EXISTS {index[0]}")
        for index in INDEXES
    ]
