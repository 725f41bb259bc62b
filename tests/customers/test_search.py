import pytest

from customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(make_customer):
    make_customer(name="Globex Industries", company_phone="+1 202 555 0111")
    return make_customer(
        name="Acme Corporation",
        industry="Manufacturing",
        business_type="enterprise",
        website="https://www.acmecorp.example",
        company_email="admin@acmecorp.example",
        contact_name="Wile E. Coyote",
        contact_email="wile@acmecorp.example",
        company_phone="+1 202 555 0789",
    )


def names(term: str) -> set[str]:
    return set(Customer.objects.search(term).values_list("name", flat=True))


@pytest.mark.parametrize(
    "term",
    [
        "acme",
        "ACME",
        "acme corp",
        "Acme Corporatoin",
        "acmecorp.example",
        "wile@acme",
        "coyote",
        "manufact",
        "enterprise",
        "555-0789",
        "(202) 555 0789",
        "2025550789",
        "0789",
    ],
)
def test_search_finds_acme_by_what_users_type(acme, term):
    assert "Acme Corporation" in names(term)
    assert "Globex Industries" not in names(term)


@pytest.mark.parametrize(
    "term",
    [
        "%",
        "_",
        "\\",
        "'",
        '"',
        "<script>alert(1)</script>",
        "'; DROP TABLE customers_customer; --",
        "a%c",
    ],
)
def test_special_characters_are_searched_literally(acme, term):
    assert names(term) == set()
    assert Customer.objects.count() == 2


def test_blank_search_returns_everything(acme):
    assert len(names("   ")) == 2


def test_search_uses_the_trigram_indexes(acme):
    from django.db import connection

    with connection.cursor() as cursor:  # a tiny table: make the planner show it can use them
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = Customer.objects.search("acme").explain()
    assert "customer_search_trgm" in plan
