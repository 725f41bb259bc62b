import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from accounts.models import StaffRole, User
from tenants.models import Domain, Tenant
from tenants.services import tenant_provision

pytestmark = pytest.mark.django_db


def test_provisioning_creates_schema_domain_and_owner_with_set_password_email(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        tenant = tenant_provision(
            slug="gamma-it", name="Gamma IT", owner_email="Boss@Gamma.example"
        )

    assert tenant.schema_name == "gamma_it"
    assert schema_exists("gamma_it")
    assert Domain.objects.get(tenant=tenant).domain == "gamma-it.localhost"
    with schema_context("gamma_it"):
        owner = User.objects.get()
        assert owner.email == "boss@gamma.example"
        assert owner.role == StaffRole.OWNER
        assert not owner.has_usable_password()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["boss@gamma.example"]
    assert "http://gamma-it.localhost:8000/accounts/password/reset/key/" in message.body


def test_provisioned_schema_is_complete_and_empty_of_template_data():
    tenant_provision(slug="delta", name="Delta", owner_email="owner@delta.example")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
            ["delta"],
        )
        delta_tables = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
            ["tenant_template"],
        )
        template_tables = cursor.fetchone()[0]
    assert delta_tables == template_tables > 10
    with schema_context("delta"):
        assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("public", "reserved"),
        ("www", "reserved"),
        ("admin", "reserved"),
        ("pg-catalog", "reserved"),
        ("acme!", "lowercase"),
        ("9lives", "starting with a letter"),
        ("acme_corp", "lowercase letters, digits and hyphens"),
        ("acme-", "not ending with a hyphen"),
        ("a" * 41, "2 to 40"),
        ("", "2 to 40"),
        ("acme; drop schema public", "lowercase"),
        ("alpha", "already exists"),
    ],
)
def test_bad_slugs_are_refused_and_nothing_is_created(slug, message):
    tenants_before = Tenant.objects.count()
    domains_before = Domain.objects.count()
    with pytest.raises(ValidationError) as error:
        tenant_provision(slug=slug, name="Whatever", owner_email="owner@whatever.example")
    assert message in " ".join(error.value.message_dict["slug"])
    assert Tenant.objects.count() == tenants_before
    assert Domain.objects.count() == domains_before
    assert len(mail.outbox) == 0


@pytest.mark.parametrize("email", ["not-an-email", "a@", "", "two@@example.com"])
def test_malformed_owner_email_is_refused(email):
    with pytest.raises(ValidationError) as error:
        tenant_provision(slug="epsilon", name="Epsilon", owner_email=email)
    assert "owner_email" in error.value.message_dict
    assert not schema_exists("epsilon")


def test_a_failure_half_way_leaves_no_tenant_schema_or_domain(monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr("accounts.services.staff_invite", explode)
    with pytest.raises(RuntimeError):
        tenant_provision(slug="zeta", name="Zeta", owner_email="owner@zeta.example")
    assert not Tenant.objects.filter(slug="zeta").exists()
    assert not Domain.objects.filter(domain="zeta.localhost").exists()
    assert not schema_exists("zeta")


def test_command_provisions_and_reports(capsys):
    call_command(
        "provision_tenant", "eta", "--name", "Eta Ops", "--owner-email", "owner@eta.example"
    )
    assert "Provisioned Eta Ops in" in capsys.readouterr().out
    assert Tenant.objects.filter(slug="eta").exists()


def test_command_refuses_the_same_slug_twice_with_a_clear_message():
    call_command("provision_tenant", "theta", "--name", "Theta", "--owner-email", "o@theta.example")
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "provision_tenant", "theta", "--name", "Theta", "--owner-email", "o@theta.example"
        )
    assert Tenant.objects.filter(slug="theta").count() == 1


def test_platform_operator_provisions_from_the_admin(public_client):
    operator = User.objects.create_superuser(email="op@platform.example", password="x")
    public_client.force_login(operator)
    response = public_client.post(
        "/admin/tenants/tenant/add/",
        {"name": "Iota", "slug": "iota", "owner_email": "owner@iota.example"},
    )
    assert response.status_code == 302, response.content
    assert Tenant.objects.get(slug="iota").name == "Iota"

    response = public_client.post(
        "/admin/tenants/tenant/add/",
        {"name": "Iota again", "slug": "iota", "owner_email": "owner@iota.example"},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Tenant.objects.filter(slug="iota").count() == 1


def test_platform_admin_lists_and_deactivates_tenants(public_client):
    operator = User.objects.create_superuser(email="op@platform.example", password="x")
    public_client.force_login(operator)
    response = public_client.get("/admin/tenants/tenant/")
    assert b"Alpha Services" in response.content
    assert b"tenant_template" not in response.content
    beta = Tenant.objects.get(slug="beta")
    public_client.post(
        "/admin/tenants/tenant/",
        {"action": "deactivate", "_selected_action": [beta.pk]},
    )
    beta.refresh_from_db()
    assert beta.is_active is False
