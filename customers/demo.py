"""Realistic demo customers for the demo tenant (deterministic: same data every time)."""

from __future__ import annotations

import random
import unicodedata

from django.db import transaction
from django.utils import timezone
from faker import Faker

from .models import BusinessType, Customer, CustomerStatus, LinkedAccount, PortalAccess

INDUSTRIES = {
    BusinessType.ENTERPRISE: [
        "Manufacturing",
        "Finance",
        "Retail",
        "Logistics",
        "Energy",
        "Telecom",
    ],
    BusinessType.SMB: [
        "Legal",
        "Accounting",
        "Construction",
        "Hospitality",
        "Real Estate",
        "Retail",
    ],
    BusinessType.STARTUP: ["Technology", "Fintech", "E-commerce", "Biotech", "Media"],
    BusinessType.GOVERNMENT: ["Public Administration", "Transport", "Defence", "Utilities"],
    BusinessType.EDUCATION: ["Higher Education", "Schools", "Research", "Training"],
    BusinessType.HEALTHCARE: ["Hospitals", "Clinics", "Pharma", "Medical Devices", "Care Homes"],
    BusinessType.OTHER: ["Non-profit", "Agriculture", "Sports", "Arts"],
}
TYPE_WEIGHTS = [22, 30, 14, 8, 9, 10, 7]
STATUS_WEIGHTS = [62, 10, 18, 10]
SUFFIXES = {
    BusinessType.ENTERPRISE: ["Corporation", "Group", "Holdings", "Industries", "International"],
    BusinessType.SMB: ["& Partners", "Ltd", "LLC", "Services", "& Co"],
    BusinessType.STARTUP: ["Labs", "AI", "io", "Technologies", "Studio"],
    BusinessType.GOVERNMENT: [
        "County Council",
        "Department of Transport",
        "City Authority",
        "Agency",
    ],
    BusinessType.EDUCATION: ["University", "Academy", "College", "School District"],
    BusinessType.HEALTHCARE: ["Hospital", "Health", "Medical Center", "Clinic"],
    BusinessType.OTHER: ["Foundation", "Club", "Cooperative", "Trust"],
}
LOCALES = [
    ("en_US", "US"),
    ("en_GB", "GB"),
    ("de_DE", "DE"),
    ("fr_FR", "FR"),
    ("nl_NL", "NL"),
    ("en_CA", "CA"),
]
# Prefix and how many random digits follow, giving valid numbers in fictional ranges.
PHONE_FORMATS = {
    "US": ("+1 202 555 01", 2),
    "CA": ("+1 613 555 01", 2),
    "GB": ("+44 20 7946 0", 3),
    "DE": ("+49 30 9018", 4),
    "FR": ("+33 1 7018", 4),
    "NL": ("+31 20 794", 4),
}


# What an account manager would write, not generated filler.
DESCRIPTIONS = {
    BusinessType.ENTERPRISE: [
        "{industry} group with offices in {n} countries; IT run by a central team.",
        "{industry} company with {k},000 staff; we run their service desk and network.",
        "Multinational in {industry_l}; consolidated billing for its regional entities.",
    ],
    BusinessType.SMB: [
        "{industry} firm with {m} staff across two offices.",
        "Family-run {industry_l} business; we look after their laptops, Wi-Fi and backups.",
        "{industry} practice, {m} people; Microsoft 365 and a small on-site server.",
    ],
    BusinessType.STARTUP: [
        "{industry} start-up, {m} people, fully remote; cloud only.",
        "Seed-funded {industry_l} company growing fast; onboarding new hires monthly.",
    ],
    BusinessType.GOVERNMENT: [
        "{industry} body; procurement through the public framework agreement.",
        "Public-sector customer ({industry_l}); security review every year.",
    ],
    BusinessType.EDUCATION: [
        "{industry}: {k},000 students; campus network and classroom devices.",
        "{industry} with {m} staff; term-time change freeze.",
    ],
    BusinessType.HEALTHCARE: [
        "{industry} provider with {n} sites; patient systems must stay up around the clock.",
        "{industry}, {m} staff; medical devices on a separate network.",
    ],
    BusinessType.OTHER: [
        "{industry} organisation run largely by volunteers; {m} staff.",
        "{industry}: small office, seasonal peaks in summer.",
    ],
}
NOTES = [
    "Prefers invoices by email to the accounts team, not to the main contact.",
    "Quarterly check-in booked for the first week of each quarter.",
    "Renewal discussion with the finance director planned before year end.",
    "Asked for a quote to replace the firewall next spring.",
    "Change freeze during their year-end close (mid-December to mid-January).",
    "Main contact is on leave until the end of the month; use the office manager meanwhile.",
    "Pays reliably but only on the 25th of the month.",
    "Interested in adding the security awareness training to their plan.",
]
# Why a company whose relationship is not active has no portal access.
CLOSED_REASONS = {
    CustomerStatus.PROSPECT: "Prospect: no portal until they sign",
    CustomerStatus.INACTIVE: "Relationship on hold",
    CustomerStatus.FORMER: "Former customer: the contract ended",
}


def _description(rng: random.Random, business_type: str, industry: str) -> str:
    return rng.choice(DESCRIPTIONS[business_type]).format(
        industry=industry,
        industry_l=industry.lower(),
        n=rng.randint(2, 14),
        k=rng.randint(2, 40),
        m=rng.randint(8, 180),
    )


def _phone(rng: random.Random, country: str) -> str:
    prefix, digits = PHONE_FORMATS[country]
    return prefix + "".join(str(rng.randint(0, 9)) for _ in range(digits))


def build_customer(rng: random.Random, fakers: dict[str, Faker], index: int) -> Customer:
    business_type = rng.choices(BusinessType.values, TYPE_WEIGHTS)[0]
    locale, country = rng.choice(LOCALES)
    fake = fakers[locale]
    base = fake.last_name() if rng.random() < 0.5 else fake.word().capitalize()
    name = f"{base} {rng.choice(SUFFIXES[business_type])}"
    if index % 97 == 0:
        name = f"Acme {rng.choice(['Corporation', 'Logistics', 'Health', 'Labs'])} {fake.city()}"
    ascii_base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    slug = "".join(ch for ch in ascii_base.lower() if ch.isalnum()) or "company"
    domain = f"{slug}{index}.example"
    contact = fake.name()
    # "Prof. Jörg Weiß" → "jorg": an ASCII mailbox name (bulk_create skips validation).
    words = [w for w in contact.split() if not w.endswith(".")] or ["contact"]
    ascii_first = unicodedata.normalize("NFKD", words[0]).encode("ascii", "ignore").decode()
    first = "".join(ch for ch in ascii_first.lower() if ch.isalnum() or ch == "-").strip("-")
    first = first or "contact"
    industry = rng.choice(INDUSTRIES[business_type])
    status = rng.choices(CustomerStatus.values, STATUS_WEIGHTS)[0]
    customer = Customer(
        name=name,
        industry=industry,
        business_type=business_type,
        status=status,
        # Only an active relationship has a working portal (no inactive company with users in it).
        portal_access=PortalAccess.ACTIVE
        if status == CustomerStatus.ACTIVE
        else PortalAccess.DEACTIVATED,
        account_status_reason=CLOSED_REASONS.get(status, ""),
        website=f"https://www.{domain}",
        description=_description(rng, business_type, industry),
        company_email=f"info@{domain}",
        company_phone=_phone(rng, country),
        address_line1=fake.street_address(),
        city=fake.city(),
        state=fake.state() if locale == "en_US" else (fake.province() if locale == "en_CA" else ""),
        postal_code=fake.postcode(),
        country=country,
        custom_attributes={
            "Account manager": fakers["en_US"].first_name(),
            "Tier": rng.choice(["Gold", "Silver", "Bronze"]),
        }
        if rng.random() < 0.6
        else {},
        internal_notes=rng.choice(NOTES) if rng.random() < 0.4 else "",
        external_id=f"CRM-{10000 + index}",
    )
    # The primary and billing contact, made contacts once the customers have ids.
    customer.people = {
        "contact_name": contact,
        "contact_email": f"{first}@{domain}",
        "contact_phone": _phone(rng, country),
    }
    if rng.random() < 0.2:
        customer.people.update(billing_contact_name=fake.name(), billing_email=f"accounts@{domain}")
    customer.refresh_search_fields()
    return customer


@transaction.atomic
def create_demo_customers(count: int = 300, seed: int = 2026) -> int:
    """Fill the current tenant with ``count`` varied customers, some archived, some with
    parents, with an initial history record each. Does nothing if customers exist."""
    if Customer.objects.exists():
        return 0
    rng = random.Random(seed)
    fakers = {locale: Faker(locale) for locale, _ in LOCALES}
    for fake in fakers.values():
        fake.seed_instance(seed)
    customers = [build_customer(rng, fakers, index) for index in range(count)]
    Customer.objects.bulk_create(customers, batch_size=500)
    created = list(Customer.objects.order_by("pk"))
    # Groups are live relationships: an active parent with active sub-accounts.
    active = [c for c in created if c.status == CustomerStatus.ACTIVE]
    parents = [c for c in active if c.business_type == BusinessType.ENTERPRISE][:12]
    children = []
    for parent in parents:
        for child in rng.sample(active, 3):
            if child.pk != parent.pk and child.parent_id is None and child not in parents:
                child.parent = parent
                children.append(child)
    Customer.objects.bulk_update(children, ["parent"])
    archived = rng.sample(created, max(1, count // 25))
    now = timezone.now()
    for customer in archived:
        customer.is_archived, customer.archived_at = True, now
    Customer.objects.bulk_update(archived, ["is_archived", "archived_at"])
    LinkedAccount.objects.bulk_create(
        [
            LinkedAccount(
                customer=customer,
                provider=rng.choice(["AWS", "Azure", "Google Cloud", "Salesforce"]),
                kind=rng.choice(LinkedAccount.Kind.values),
                external_id=f"{rng.randint(100000000000, 999999999999)}",
                name=f"{customer.name} production",
            )
            for customer in created[::7]
        ]
    )
    history = Customer.history.model
    history.objects.bulk_create(
        [
            history(
                **{
                    f.attname: getattr(c, f.attname)
                    for f in Customer._meta.concrete_fields
                    if f.attname not in ("search_text", "phone_digits", "updated_at")
                },
                history_date=now,
                history_type="+",
                history_change_reason="Created (demo data)",
            )
            for c in Customer.objects.order_by("pk")
        ],
        batch_size=500,
    )
    # Their primary and billing contacts as contacts with roles, written by the data
    # migration's bulk pass (with history) that made them for customers older than contacts.
    from importlib import import_module

    from .models_contacts import Contact, ContactRole

    migration = import_module("customers.migrations.0008_contacts_from_fields")
    migration._make(
        [{"id": customer.pk, **customer.people} for customer in customers],
        Contact,
        Contact.roles.through,
        Contact.history.model,
        migration.seed_roles(ContactRole),
    )
    return count
