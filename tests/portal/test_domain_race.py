"""Companies proving one email domain at the same moment, on the real PostgreSQL with real
commits: exactly one wins, the others are told it is taken (the partial unique index and the
lock behind the check). Like tests/billing/test_concurrency.py, it needs another database test
in the same run (e.g. ``pytest tests/portal``), which has pytest-django create the database."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from portal import domains
from portal.models import CompanyDomain
from tests.factories import CustomerFactory
from tests.portal.loopback_dns import LoopbackDns


@pytest.fixture
def dns_server(settings):
    server = LoopbackDns()
    settings.DOMAIN_VERIFICATION_NAMESERVERS = [f"127.0.0.1:{server.port}"]
    settings.DOMAIN_VERIFICATION_DNS_TIMEOUT = 2.0
    yield server
    server.close()


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Real commits (each thread has its own connection); the rows are removed after."""
    from tenants.models import Tenant

    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="alpha")
        connection.set_tenant(tenant)
        yield tenant
        connection.set_tenant(tenant)
        CompanyDomain.history.filter(domain="race.example").delete()
        CompanyDomain.objects.filter(domain="race.example").delete()
        from customers.models import Customer

        Customer.objects.filter(name__startswith="Racer ").delete()
        connection.set_schema_to_public()


def test_of_companies_proving_one_domain_at_once_exactly_one_wins(committed, dns_server):
    rows = [
        domains.domain_add(
            customer=CustomerFactory(name=f"Racer {n}"), domain="race.example", actor=None
        )
        for n in range(6)
    ]
    dns_server.records["race.example"] = [row.txt_record for row in rows]
    start, outcomes = threading.Barrier(len(rows)), []

    def verify(row):
        try:
            connection.set_tenant(committed)
            start.wait()
            domains.domain_verify_by_dns(company_domain=row, actor=None)
            outcomes.append("verified")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        except Exception as error:  # anything else is a failure of the test
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=verify, args=(row,)) for row in rows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    taken = "race.example is already verified by another company; contact support."
    assert sorted(outcomes) == sorted(["verified"] + [taken] * (len(rows) - 1)), outcomes
    assert CompanyDomain.objects.filter(domain="race.example").verified().count() == 1
