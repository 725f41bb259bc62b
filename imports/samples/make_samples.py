"""Writes the sample customer files (deterministic: run it again, get the same bytes).

    .venv/bin/python imports/samples/make_samples.py

customers-1000.csv has exactly two rows in error (line 138: an invalid email; line 643: an
unknown country); customers-1000-fixed.csv is the same file corrected."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

from faker import Faker

HERE = Path(__file__).resolve().parent
COLUMNS = [
    "name",
    "external_id",
    "industry",
    "business_type",
    "status",
    "website",
    "company_email",
    "company_phone",
    "contact_name",
    "contact_email",
    "address_line1",
    "city",
    "postal_code",
    "country",
]
TYPES = ["Enterprise", "SMB", "Startup", "Government", "Education", "Healthcare", "Other"]
STATUSES = ["Active", "Active", "Active", "Prospect", "Inactive", "Former"]
INDUSTRIES = ["Manufacturing", "Retail", "Finance", "Logistics", "Technology", "Legal", "Energy"]
BAD_EMAIL_LINE, BAD_COUNTRY_LINE = 138, 643


def rows(count: int = 1000) -> list[dict]:
    fake = Faker("en_US")
    fake.seed_instance(2026)
    rng = random.Random(2026)
    result = []
    for index in range(count):
        company = f"{fake.last_name()} {rng.choice(['Group', 'Ltd', 'Labs', 'Partners', 'Industries'])} {index + 1:04d}"
        domain = company.split()[0].lower() + f"{index + 1}.example"
        result.append(
            {
                "name": company,
                "external_id": f"SAMPLE-{index + 1:05d}",
                "industry": rng.choice(INDUSTRIES),
                "business_type": rng.choice(TYPES),
                "status": rng.choice(STATUSES),
                "website": f"www.{domain}",
                "company_email": f"info@{domain}",
                "company_phone": f"+1 202 555 {rng.randrange(100, 200):04d}",
                "contact_name": fake.name(),
                "contact_email": f"{fake.first_name().lower()}@{domain}",
                "address_line1": fake.street_address(),
                "city": fake.city(),
                "postal_code": fake.postcode(),
                "country": rng.choice(["US", "US", "CA", "GB", "DE", "FR", "NL"]),
            }
        )
    return result


def write(path: Path, data: list[dict]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(data)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def main() -> None:
    fixed = rows()
    broken = [dict(row) for row in fixed]
    broken[BAD_EMAIL_LINE - 2]["company_email"] = (
        "accounts@@" + fixed[BAD_EMAIL_LINE - 2]["company_email"].split("@")[1]
    )
    broken[BAD_COUNTRY_LINE - 2]["country"] = "Atlantis"
    write(HERE / "customers-1000.csv", broken)
    write(HERE / "customers-1000-fixed.csv", fixed)


if __name__ == "__main__":
    main()
