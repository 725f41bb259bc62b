"""Demo assets and projects for the demo tenant: some hosted at other customers' sites
(hardware as a service), some back with us for repair, projects past, active and upcoming."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from faker import Faker

from billing.models import Project
from customers.models import Customer, CustomerStatus
from locations.demo import build_locations
from locations.models import Location

from .models import Asset, AssetCategory, AssetStatus

MODELS = {
    AssetCategory.SERVER: ["Dell PowerEdge R750", "HPE ProLiant DL380", "Lenovo ThinkSystem SR650"],
    AssetCategory.LAPTOP: ["Lenovo ThinkPad T14", "Dell Latitude 7440", "Apple MacBook Pro 14"],
    AssetCategory.NETWORK: [
        "Cisco Catalyst 9300",
        "Ubiquiti UniFi USW-Pro",
        "Fortinet FortiGate 60F",
    ],
    AssetCategory.VEHICLE: ["Ford Transit", "Renault Kangoo E-Tech", "Toyota Hilux"],
    AssetCategory.MACHINERY: ["Atlas Copco GA 30", "Kärcher B 150", "Linde E20 forklift"],
    AssetCategory.OTHER: ["APC Smart-UPS 3000", "Axis P3265 camera", "Zebra ZT411 printer"],
}
PREFIX = {
    AssetCategory.SERVER: "SRV",
    AssetCategory.LAPTOP: "LAP",
    AssetCategory.NETWORK: "NET",
    AssetCategory.VEHICLE: "VEH",
    AssetCategory.MACHINERY: "MCH",
    AssetCategory.OTHER: "AST",
}
VALUES = {
    AssetCategory.SERVER: 9000,
    AssetCategory.LAPTOP: 1600,
    AssetCategory.NETWORK: 2500,
    AssetCategory.VEHICLE: 32000,
    AssetCategory.MACHINERY: 18000,
    AssetCategory.OTHER: 1200,
}


def build_asset(rng: random.Random, index: int, *, owner, location, project=None) -> Asset:
    category = rng.choice(AssetCategory.values)
    asset = Asset(
        name=f"{PREFIX[category]}-{index:06d}",
        serial_number=f"{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{rng.randint(10**8, 10**9 - 1)}{index:06d}",
        model_name=rng.choice(MODELS[category]),
        category=category,
        status=rng.choices(AssetStatus.values, [15, 70, 6, 6, 3])[0],
        owner=owner,
        location=location,
        project=project,
        purchase_date=timezone.localdate() - timedelta(days=rng.randint(30, 2000)),
        value=Decimal(VALUES[category] * rng.randint(60, 140)) / 100,
    )
    asset.refresh_search_fields()
    return asset


def build_projects(rng: random.Random, customer: Customer, count: int) -> list[Project]:
    """A prospect's only project is one it may sign (upcoming); an inactive or former
    customer's are over; an active customer's run in every phase."""
    today = timezone.localdate()
    phases = {
        CustomerStatus.PROSPECT: ["upcoming"],
        CustomerStatus.INACTIVE: ["past"],
        CustomerStatus.FORMER: ["past"],
    }.get(customer.status, ["past", "active", "active", "upcoming"])
    if customer.status == CustomerStatus.PROSPECT:
        count = min(count, 1)
    projects = []
    for number in range(count):
        phase = rng.choice(phases)
        if phase == "past":
            start = today - timedelta(days=rng.randint(400, 900))
            end = start + timedelta(days=rng.randint(60, 300))
        elif phase == "active":
            start = today - timedelta(days=rng.randint(10, 300))
            end = None if rng.random() < 0.4 else today + timedelta(days=rng.randint(30, 400))
        else:
            start = today + timedelta(days=rng.randint(10, 120))
            end = start + timedelta(days=rng.randint(90, 365))
        monthly = Decimal(rng.randint(5, 120) * 50)
        months = 12 if end is None else max(1, (end - start).days // 30)
        projects.append(
            Project(
                customer=customer,
                customer_name=customer.name,
                name=rng.choice(
                    [
                        "Managed IT",
                        "Network refresh",
                        "Cloud migration",
                        "Device fleet",
                        "Security audit",
                        "Data center move",
                        "Helpdesk",
                    ]
                )
                + f" {number + 1}",
                start_date=start,
                end_date=end,
                monthly_fee=monthly,
                contract_value=monthly * months,
            )
        )
    return projects


@transaction.atomic
def create_demo_operations(seed: int = 2026) -> int:
    """Locations, assets and projects for every demo customer. Does nothing if any exist."""
    if Location.objects.exists():
        return 0
    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    customers = list(Customer.objects.filter(deleted_at__isnull=True).order_by("pk"))
    Location.objects.bulk_create(
        [loc for c in customers for loc in build_locations(rng, fake, c, rng.randint(1, 4))],
        batch_size=1000,
    )
    Project.objects.bulk_create(
        [p for c in customers for p in build_projects(rng, c, rng.choice([0, 1, 2, 3]))],
        batch_size=1000,
    )
    sites_by_customer: dict[int, list[Location]] = {}
    for location in Location.objects.order_by("pk"):
        sites_by_customer.setdefault(location.customer_id, []).append(location)
    projects_by_customer: dict[int, list[Project]] = {}
    for project in Project.objects.order_by("pk"):
        projects_by_customer.setdefault(project.customer_id, []).append(project)
    all_sites = [site for sites in sites_by_customer.values() for site in sites]
    assets, index = [], 0
    for customer in customers:
        sites = sites_by_customer.get(customer.pk, [])
        projects = projects_by_customer.get(customer.pk, [])
        for _ in range(rng.randint(0, 8)):
            index += 1
            roll = rng.random()
            if roll < 0.6:  # theirs, at their site
                owner, location = customer, rng.choice(sites)
            elif roll < 0.8:  # hardware as a service: ours, at their site
                owner, location = None, rng.choice(sites)
            elif roll < 0.9:  # theirs, hosted at another customer's site
                owner, location = customer, rng.choice(all_sites)
            else:  # theirs, back with us for repair
                owner, location = customer, None
            asset = build_asset(
                rng,
                index,
                owner=owner,
                location=location,
                project=rng.choice(projects) if projects and rng.random() < 0.3 else None,
            )
            if owner is not None and location is None:
                asset.status = AssetStatus.IN_REPAIR
            assets.append(asset)
    Asset.objects.bulk_create(assets, batch_size=1000)
    now = timezone.now()
    for model, exclude in (
        (Location, {"search_text", "updated_at"}),
        (Asset, {"search_text", "updated_at"}),
        (Project, {"updated_at"}),
    ):
        history = model.history.model
        history.objects.bulk_create(
            [
                history(
                    **{
                        f.attname: getattr(obj, f.attname)
                        for f in model._meta.concrete_fields
                        if f.attname not in exclude
                    },
                    history_date=now,
                    history_type="+",
                    history_change_reason="Created (demo data)",
                )
                for obj in model.objects.order_by("pk")
            ],
            batch_size=1000,
        )
    return len(assets)
