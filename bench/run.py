"""Benchmarks: ``make bench``. Uses its own database (clientele_bench) on the same server,
fills a tenant with 100,000 customers once, then prints p50/p95 server times and query counts.

Times are measured in-process through Django's full request stack (middleware, views,
templates, real PostgreSQL), which is what the server spends per request.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DATABASE_NAME", "clientele_bench")
os.environ["DEBUG"] = "false"

SECTIONS = (
    "provisioning",
    "customers",
    "lists",
    "imports",
    "worker",
    "billing",
    "tickets",
    "tenancy",
)
# Run only when named (make bench-tenants, in a database of its own): 1,000 tenants.
ON_REQUEST = ("tenancy",)


def chosen_sections() -> list[str] | None:
    """BENCH_ONLY=imports,worker: only those sections; by default all. ``None`` (after saying
    which names exist) when a name is unknown."""
    only = [name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()]
    chosen = only or [name for name in SECTIONS if name not in ON_REQUEST]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        print(f"Unknown BENCH_ONLY section(s): {', '.join(unknown)}; choose from {SECTIONS}")
        return None
    return chosen


def main() -> int:
    """Runs the sections (bench/sections/), each from the public schema as a fresh process
    would. Unknown BENCH_ONLY names are refused before the database is touched."""
    chosen = chosen_sections()
    if chosen is None:
        return 2
    from bench.harness import setup_django

    setup_django()
    from django.db import connection

    from bench.sections import (
        billing,
        customers,
        imports,
        lists,
        provisioning,
        tenancy,
        tickets,
        worker,
    )

    sections = {
        "provisioning": lambda: provisioning.bench_provisioning() or True,
        "customers": customers.bench_customers,
        "lists": lists.bench_lists,
        "imports": imports.bench_imports,
        "worker": worker.bench_worker,
        "billing": billing.bench_billing,
        "tickets": tickets.bench_tickets,
        "tenancy": tenancy.bench_tenancy,
    }
    ok = True
    for name in chosen:
        connection.set_schema_to_public()  # each section starts where a fresh process would
        ok &= sections[name]()
    print("All targets met." if ok else "Some targets missed (see OVER/UNDER above).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
