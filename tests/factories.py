import factory
from allauth.account.models import EmailAddress

from accounts.models import StaffRole, User

PASSWORD = "Sturdy-pass-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = StaffRole.STAFF
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        if create:
            user.save()
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "customers.Customer"

    name = factory.Sequence(lambda n: f"Customer {n:04d}")
    industry = "Technology"
    business_type = "smb"
    status = "active"
    website = factory.Sequence(lambda n: f"https://www.customer{n}.example")
    company_email = factory.Sequence(lambda n: f"info@customer{n}.example")
    country = "US"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """``contact_name=``, ``billing_email=``… (the add-customer wizard's contact step):
        the customer's contacts with the Primary and Billing roles."""
        from customers.models_contacts import PEOPLE_FIELDS
        from customers.services_contacts import contacts_from_customer_fields

        people = {name: kwargs.pop(name) for name in PEOPLE_FIELDS if name in kwargs}
        customer = super()._create(model_class, *args, **kwargs)
        if any(people.values()):
            contacts_from_customer_fields(customer=customer, fields=people, actor=None)
        return customer


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "locations.Location"

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Site {n:04d}")
    location_type = "office"
    status = "active"
    city = "Springfield"
    country = "US"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "billing.Project"

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Project {n:04d}")
    start_date = factory.LazyFunction(lambda: __import__("datetime").date.today())
    monthly_fee = 100
    contract_value = 1200


class AssetFactory(factory.django.DjangoModelFactory):
    """By default owned by the customer of the location it sits at."""

    class Meta:
        model = "assets.Asset"

    location = factory.SubFactory(LocationFactory)
    owner = factory.LazyAttribute(lambda asset: asset.location.customer if asset.location else None)
    name = factory.Sequence(lambda n: f"SRV-{n:05d}")
    serial_number = factory.Sequence(lambda n: f"SN{n:08d}")
    model_name = "PowerEdge R750"
    category = "server"
    status = "deployed"


class MembershipFactory(factory.django.DjangoModelFactory):
    """A customer user: a User without a staff role plus their membership."""

    class Meta:
        model = "portal.Membership"

    user = factory.SubFactory(UserFactory, role="")
    customer = factory.SubFactory(CustomerFactory)
    role = "read_only"


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "billing.Plan"

    name = factory.Sequence(lambda n: f"Plan {n:03d}")
    monthly_fee = __import__("decimal").Decimal("100.00")
    seat_fee = __import__("decimal").Decimal("10.00")


def subscribe(customer, plan, *, seats=1, start_date, anchor_day=1, trial_end=None):
    """A subscription through the real service (it also writes the first term)."""
    from billing.services.subscriptions import subscription_create

    return subscription_create(
        customer=customer,
        plan=plan,
        seats=seats,
        start_date=start_date,
        anchor_day=anchor_day,
        trial_end=trial_end,
        actor=None,
    )


class ImportJobFactory(factory.django.DjangoModelFactory):
    """An uploaded customers CSV, not yet checked."""

    class Meta:
        model = "imports.ImportJob"

    kind = "customers"
    file_name = "customers.csv"
    file_format = "csv"
    data = b"name,external_id\nFactory Import Co,FAC-1\n"
    size = factory.LazyAttribute(lambda job: len(job.data))
    total_rows = 1
    created_by = factory.SubFactory(UserFactory)


# --- Added for tests/isolation: one of every record a route can name ----------------------


class LinkedAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "customers.LinkedAccount"

    customer = factory.SubFactory(CustomerFactory)
    provider = "AWS"
    kind = "account"
    external_id = factory.Sequence(lambda n: f"acct-{n:06d}")


class InvoiceFactory(factory.django.DjangoModelFactory):
    """An issued invoice of January 2026 (``status="draft", number=None`` for a draft)."""

    class Meta:
        model = "billing.Invoice"

    customer = factory.SubFactory(CustomerFactory)
    customer_name = factory.LazyAttribute(lambda invoice: invoice.customer.name)
    number = factory.Sequence(lambda n: f"FAC-{n:06d}")
    status = "issued"
    period_start = __import__("datetime").date(2026, 1, 1)
    period_end = __import__("datetime").date(2026, 1, 31)
    issue_date = __import__("datetime").date(2026, 2, 1)
    due_date = __import__("datetime").date(2099, 1, 1)
    total = 100
    amount_paid = 0


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "billing.Payment"

    invoice = factory.SubFactory(InvoiceFactory)
    amount = 10
    method = "cheque"
    paid_on = __import__("datetime").date(2026, 2, 2)


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """A bare subscription row (``subscribe()`` goes through the service and writes terms)."""

    class Meta:
        model = "billing.Subscription"

    customer = factory.SubFactory(CustomerFactory)
    plan = factory.SubFactory(PlanFactory)
    seats = 10
    start_date = __import__("datetime").date(2026, 1, 1)


class UsageRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "billing.UsageRecord"

    customer = factory.SubFactory(CustomerFactory)
    metric = factory.LazyFunction(
        lambda: __import__("billing.models", fromlist=["Metric"]).Metric.objects.order_by("pk")[0]
    )
    day = __import__("datetime").date(2026, 1, 15)
    quantity = 5


class PermissionSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "portal.PermissionSet"

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Permission set {n:03d}")
    permissions = ["view_assets", "manage_settings"]


class JoinRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "portal.JoinRequest"

    customer = factory.SubFactory(CustomerFactory)
    email = factory.Sequence(lambda n: f"joiner{n}@example.com")
    first_name = "Jo"
    last_name = "Iner"


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "webhooks.WebhookEndpoint"

    url = "http://127.0.0.1:9/hook"
    events = factory.LazyFunction(lambda: ["customer.created"])


class SignInEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.SignInEvent"

    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda event: event.user.email if event.user else "")
    succeeded = True


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "customers.Team"

    name = factory.Sequence(lambda n: f"Team {n:03d}")


class MetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "billing.Metric"

    code = factory.Sequence(lambda n: f"metric-{n}")
    name = factory.Sequence(lambda n: f"Metric {n}")
    unit = "GB"
