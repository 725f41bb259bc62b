"""A company proves an email domain (a DNS TXT record, asked of a DNS server this module starts
on loopback, or a link mailed to an admin address at the domain) before anyone may join it by
that domain; one company per verified domain; webmail never."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.tokens import tenant_dumps
from portal import domains
from portal.domain_names import normalize_domain
from portal.models import CompanyDomain, CompanyProfile
from tests.factories import CustomerFactory, MembershipFactory
from tests.portal.loopback_dns import LoopbackDns

pytestmark = pytest.mark.django_db


@pytest.fixture
def dns_server(settings):
    server = LoopbackDns()
    settings.DOMAIN_VERIFICATION_NAMESERVERS = [f"127.0.0.1:{server.port}"]
    settings.DOMAIN_VERIFICATION_DNS_TIMEOUT = 1.0
    yield server
    server.close()


def domains_url(company) -> str:
    return reverse("portal:domains", kwargs={"cid": company.pk})


def action_url(row) -> str:
    return reverse("portal:domain_action", kwargs={"cid": row.customer_id, "did": row.pk})


def page_messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def add_domain(admin, company, domain: str) -> CompanyDomain:
    response = admin.post(domains_url(company), {"domain": domain})
    assert response.status_code == 302, response.content.decode()[:2000]
    return CompanyDomain.objects.get(customer=company, domain=normalize_domain(domain))


# --- DNS ------------------------------------------------------------------------------


def test_the_right_txt_record_verifies_the_domain(portal_client, company, dns_server):
    admin = portal_client(company, "admin")
    row = add_domain(admin, company, "Acme.example")
    assert not row.is_verified
    dns_server.records["acme.example"] = ["v=spf1 -all", row.txt_record]
    response = admin.post(action_url(row), {"action": "check"}, follow=True)
    assert "acme.example is verified" in page_messages(response)
    row.refresh_from_db()
    assert row.is_verified and row.method == "dns" and row.verified_by == admin.user
    assert row.verified_how == "DNS TXT record at acme.example"
    assert dns_server.questions == ["acme.example"]
    latest = row.history.first()
    assert latest.history_user == admin.user
    assert latest.history_change_reason == "Verified by DNS TXT record at acme.example"
    assert "Verified" in admin.get(domains_url(company)).content.decode()


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ({"acme.example": ["clientele-verification=not-the-code"]}, "(there is one with another"),
        ({"acme.example": ["v=spf1 -all"]}, "no TXT record clientele-verification="),
        ({"acme.example": []}, "acme.example has no TXT records."),
        ({}, "acme.example does not exist in DNS."),
    ],
)
def test_a_wrong_or_missing_record_verifies_nothing_and_says_why(
    portal_client, company, dns_server, records, message
):
    admin = portal_client(company, "admin")
    row = add_domain(admin, company, "acme.example")
    dns_server.records.update(records)
    response = admin.post(action_url(row), {"action": "check"}, follow=True)
    shown = page_messages(response)
    assert "Not verified:" in shown and message in shown
    assert row.txt_record in shown  # what to add
    row.refresh_from_db()
    assert not row.is_verified and row.history.count() == 1


def test_a_dns_server_that_does_not_answer_times_out_cleanly(portal_client, company, dns_server):
    admin = portal_client(company, "admin")
    row = add_domain(admin, company, "acme.example")
    dns_server.records["acme.example"] = [row.txt_record]
    dns_server.silent = True
    started = time.monotonic()
    response = admin.post(action_url(row), {"action": "check"}, follow=True)
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    assert "did not answer for acme.example in time" in page_messages(response)
    assert dns_server.questions  # it was asked
    row.refresh_from_db()
    assert not row.is_verified


def test_international_domains_are_stored_and_asked_in_their_ascii_form(
    portal_client, company, dns_server
):
    admin = portal_client(company, "admin")
    row = add_domain(admin, company, "xn--bcher-kva.example")  # what "Bücher.example" becomes
    assert admin.post(domains_url(company), {"domain": "Bücher.example"}).status_code == 200
    assert CompanyDomain.objects.filter(customer=company).count() == 1  # the same domain
    dns_server.records["xn--bcher-kva.example"] = [row.txt_record]
    admin.post(action_url(row), {"action": "check"})
    row.refresh_from_db()
    assert row.is_verified and row.display == "bücher.example"


# --- A mailed link --------------------------------------------------------------------


def mailed_link(message) -> str:
    return re.search(r"http://alpha\.localhost(/portal/domains/verify/\S+)", message.body).group(1)


def test_a_link_mailed_to_an_admin_address_verifies_once(
    portal_client, company, tenant_client, django_capture_on_commit_callbacks
):
    admin = portal_client(company, "admin", user__email="it@acme.example")
    row = add_domain(admin, company, "acme.example")
    page = admin.get(domains_url(company)).content.decode()
    assert 'value="it@acme.example"' in page and 'value="hostmaster@acme.example"' in page
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(action_url(row), {"action": "send", "address": "hostmaster@acme.example"})
    (message,) = mail.outbox
    assert message.to == ["hostmaster@acme.example"]
    link = mailed_link(message)
    # Opening it (a mail scanner would) changes nothing; the button does.
    assert "belong to Acme" in tenant_client.get(link).content.decode()
    row.refresh_from_db()
    assert not row.is_verified
    done = tenant_client.post(link)
    assert done.status_code == 200 and "acme.example is verified" in done.content.decode()
    row.refresh_from_db()
    assert row.is_verified and row.method == "email" and row.verified_by is None
    assert row.verified_how == "a link mailed to hostmaster@acme.example"
    assert row.history.first().history_change_reason.startswith("Verified by a link mailed")
    # A second use does nothing.
    assert tenant_client.get(link).status_code == 400
    again = tenant_client.post(link)
    assert again.status_code == 400
    assert row.history.count() == 3  # added, link sent, verified


def test_links_go_only_to_admin_addresses_at_the_domain(
    portal_client, company, django_capture_on_commit_callbacks
):
    admin = portal_client(company, "admin", user__email="boss@elsewhere.example")
    row = add_domain(admin, company, "acme.example")
    for address in ["boss@elsewhere.example", "attacker@acme.example", "admin@acme.example.evil"]:
        with django_capture_on_commit_callbacks(execute=True):
            response = admin.post(
                action_url(row), {"action": "send", "address": address}, follow=True
            )
        assert "Choose one of the admin addresses at acme.example" in page_messages(response)
    assert mail.outbox == []
    row.refresh_from_db()
    assert row.link_sent_to == ""


def test_a_newer_link_replaces_the_older_one(
    portal_client, company, tenant_client, django_capture_on_commit_callbacks
):
    admin = portal_client(company, "admin")
    row = add_domain(admin, company, "acme.example")
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(action_url(row), {"action": "send", "address": "admin@acme.example"})
        too_soon = admin.post(
            action_url(row), {"action": "send", "address": "webmaster@acme.example"}, follow=True
        )
    assert "wait a minute" in page_messages(too_soon) and len(mail.outbox) == 1
    CompanyDomain.objects.filter(pk=row.pk).update(
        link_sent_at=timezone.now() - timedelta(seconds=domains.LINK_RESEND_AFTER)
    )
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(action_url(row), {"action": "send", "address": "webmaster@acme.example"})
    old, new = (mailed_link(m) for m in mail.outbox)
    assert tenant_client.post(old).status_code == 400
    assert tenant_client.post(new).status_code == 200
    row.refresh_from_db()
    assert row.verified_how == "a link mailed to webmaster@acme.example"


def test_a_link_minted_at_another_tenant_verifies_nothing_here(
    portal_client, company, tenant_client, other_tenant, django_capture_on_commit_callbacks
):
    admin = portal_client(company, "admin")
    row = add_domain(admin, company, "acme.example")
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(action_url(row), {"action": "send", "address": "admin@acme.example"})
    row.refresh_from_db()
    # Exactly what this tenant would sign, signed at the other tenant.
    payload = {
        "d": row.pk,
        "t": row.token,
        "to": row.link_sent_to,
        "s": row.link_sent_at.isoformat(),
    }
    tenant = connection.tenant
    connection.set_tenant(other_tenant)
    forged = tenant_dumps(payload, purpose=domains.VERIFY_PURPOSE)
    connection.set_tenant(tenant)
    link = reverse("portal:domain_verify", args=[forged])
    assert tenant_client.get(link).status_code == 400
    assert tenant_client.post(link).status_code == 400
    row.refresh_from_db()
    assert not row.is_verified
    # The same payload signed here works: only the tenant differed.
    genuine = reverse(
        "portal:domain_verify", args=[tenant_dumps(payload, purpose="portal.domain_verify")]
    )
    assert tenant_client.post(genuine).status_code == 200


# --- What may not be claimed ----------------------------------------------------------


@pytest.mark.parametrize(
    "domain",
    ["gmail.com", "Outlook.com", "yahoo.co.uk", "mail.yandex.ru", "mailinator.com", "gmx.de"],
)
def test_webmail_and_throwaway_domains_are_refused(portal_client, company, domain):
    admin = portal_client(company, "admin")
    response = admin.post(domains_url(company), {"domain": domain})
    assert response.status_code == 200
    assert "is a public email service" in response.content.decode()
    assert not CompanyDomain.objects.exists()
    with pytest.raises(ValidationError, match="public email service"):
        domains.domain_add(customer=company, domain=domain, actor=None)


@pytest.mark.parametrize(
    "domain", ["not a domain", "acme", "jo@acme.example", "https://acme.example/", "-acme.example"]
)
def test_what_is_not_a_domain_is_refused_with_a_message(portal_client, company, domain):
    admin = portal_client(company, "admin")
    response = admin.post(domains_url(company), {"domain": domain})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not CompanyDomain.objects.exists()


def test_a_domain_verified_by_one_company_cannot_be_verified_by_another(
    portal_client, company, dns_server
):
    globex = CustomerFactory(name="Globex")
    acme_admin, globex_admin = portal_client(company, "admin"), portal_client(globex, "admin")
    ours = add_domain(acme_admin, company, "acme.example")
    theirs = add_domain(globex_admin, globex, "acme.example")  # both claim, neither proved yet
    dns_server.records["acme.example"] = [ours.txt_record, theirs.txt_record]
    acme_admin.post(action_url(ours), {"action": "check"})
    response = globex_admin.post(action_url(theirs), {"action": "check"}, follow=True)
    assert "already verified by another company; contact support" in page_messages(response)
    theirs.refresh_from_db()
    assert not theirs.is_verified
    # Nor can anyone claim it afresh, nor send themselves a link for it.
    late = CustomerFactory(name="Initech")
    response = portal_client(late, "admin").post(domains_url(late), {"domain": "acme.example"})
    assert "already verified by another company; contact support" in response.content.decode()
    with pytest.raises(ValidationError, match="already verified by another company"):
        domains.domain_send_verification_link(
            company_domain=theirs, address="admin@acme.example", actor=None, base_url="http://x/"
        )


def test_the_database_holds_one_verified_company_per_domain(company):
    globex = CustomerFactory(name="Globex")
    now = timezone.now()
    CompanyDomain.objects.create(
        customer=company, domain="acme.example", token="a", verified_at=now
    )
    CompanyDomain.objects.create(
        customer=globex, domain="acme.example", token="b"
    )  # unverified: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyDomain.objects.create(
            customer=CustomerFactory(), domain="acme.example", token="c", verified_at=now
        )


def test_removing_a_domain_is_recorded(portal_client, company):
    admin = portal_client(company, "admin")
    row = add_domain(admin, company, "acme.example")
    response = admin.post(action_url(row), {"action": "remove"}, follow=True)
    assert "acme.example removed." in page_messages(response)
    assert not CompanyDomain.objects.exists()
    removed = CompanyDomain.history.filter(id=row.pk).first()
    assert removed.history_type == "-" and removed.history_user == admin.user


def test_only_customer_admins_manage_domains(portal_client, company):
    full = portal_client(company, "full")  # may change settings, not users
    assert full.get(domains_url(company)).status_code == 403
    assert full.post(domains_url(company), {"domain": "acme.example"}).status_code == 403
    assert not CompanyDomain.objects.exists()


# --- Joining --------------------------------------------------------------------------


def ask_to_join(client, email: str, first: str = "Jo"):
    return client.post(
        reverse("portal:join"), {"first_name": first, "last_name": "Iner", "email": email}
    )


def test_an_unverified_domain_lets_nobody_join(
    portal_client, company, tenant_client, django_capture_on_commit_callbacks
):
    CompanyProfile.objects.create(customer=company, allow_domain_join=True)
    admin = portal_client(company, "admin")
    add_domain(admin, company, "acme.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_to_join(tenant_client, "jo@acme.example")
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


def test_a_verified_domain_lets_nobody_join_while_joining_is_off(
    company, tenant_client, django_capture_on_commit_callbacks
):
    CompanyProfile.objects.create(customer=company, allow_domain_join=False)
    CompanyDomain.objects.create(
        customer=company, domain="acme.example", token="t", verified_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        ask_to_join(tenant_client, "jo@acme.example")
    assert mail.outbox == []


def test_a_company_verifies_its_domain_by_dns_and_a_colleague_joins_by_it(
    portal_client, company, tenant_client, dns_server, django_capture_on_commit_callbacks
):
    # Acme's admin allows joining, adds acme.example and proves it through the DNS server.
    admin = portal_client(company, "admin", user__email="boss@acme.example")
    admin.post(
        reverse("portal:settings", kwargs={"cid": company.pk}),
        {
            "details-country": "US",
            "profile-accent_colour": "#000000",
            "profile-usage_alert_percent": 80,
            "profile-allow_domain_join": "on",
        },
    )
    assert CompanyProfile.objects.get(customer=company).allow_domain_join
    row = add_domain(admin, company, "acme.example")
    dns_server.records["acme.example"] = [row.txt_record]
    admin.post(action_url(row), {"action": "check"})
    row.refresh_from_db()
    assert row.is_verified
    # Globex claimed the same domain (never proved it) and allows joining too.
    globex = CustomerFactory(name="Globex")
    CompanyProfile.objects.create(customer=globex, allow_domain_join=True)
    MembershipFactory(customer=globex, role="admin", user__email="chief@globex.example")
    CompanyDomain.objects.create(customer=globex, domain="acme.example", token="g")

    with django_capture_on_commit_callbacks(execute=True):
        answer = ask_to_join(tenant_client, "Jo@Acme.example").content.decode()
        outsider = ask_to_join(tenant_client, "x@nowhere.example").content.decode()
    assert "Check your email" in answer and "Check your email" in outsider
    (confirm,) = mail.outbox
    assert confirm.to == ["Jo@Acme.example"]
    link = re.search(r"http://alpha\.localhost(/portal/join/confirm/\S+)", confirm.body).group(1)
    opened = tenant_client.get(link)  # a mail scanner opening the link sends nothing
    assert "Send my request" in opened.content.decode() and not company.join_requests.exists()
    with django_capture_on_commit_callbacks(execute=True):
        requested = tenant_client.post(link)
    assert "An admin of Acme will review it" in requested.content.decode()
    assert [m.to for m in mail.outbox[1:]] == [["boss@acme.example"]]  # nobody at Globex
    assert "jo@acme.example" in mail.outbox[1].body
    join_request = company.join_requests.get()
    assert not globex.join_requests.exists()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            reverse(
                "portal:join_decision",
                kwargs={"cid": company.pk, "rid": join_request.pk, "decision": "approve"},
            )
        )
    colleague = User.objects.get(email="jo@acme.example")
    assert colleague.membership.customer == company and colleague.membership.role == "read_only"
    assert all("chief@globex.example" not in m.to for m in mail.outbox)


def test_a_join_link_minted_at_another_tenant_does_nothing_here(
    company, tenant_client, other_tenant, django_capture_on_commit_callbacks
):
    CompanyProfile.objects.create(customer=company, allow_domain_join=True)
    CompanyDomain.objects.create(
        customer=company, domain="acme.example", token="t", verified_at=timezone.now()
    )
    MembershipFactory(customer=company, role="admin", user__email="boss@acme.example")
    tenant = connection.tenant
    connection.set_tenant(other_tenant)
    forged = tenant_dumps(
        {"email": "jo@acme.example", "first": "Jo", "last": "Iner"}, purpose="portal.join"
    )
    connection.set_tenant(tenant)
    with django_capture_on_commit_callbacks(execute=True):
        response = tenant_client.post(reverse("portal:join_confirm", args=[forged]))
    assert response.status_code == 400
    assert mail.outbox == [] and not company.join_requests.exists()


# --- The API --------------------------------------------------------------------------


def test_the_api_lists_the_companys_domains_read_only(portal_client, company, api_as):
    admin = portal_client(company, "admin")
    row = add_domain(admin, company, "acme.example")
    CompanyDomain.objects.create(customer=CustomerFactory(), domain="globex.example", token="g")
    api = api_as(user=admin.user)
    url = f"/api/v1/portal/companies/{company.pk}/domains/"
    body = api.get(url).json()
    (shown,) = body["results"]
    assert shown["domain"] == "acme.example" and shown["verified"] is False
    assert shown["txt_record"] == row.txt_record
    assert api.post(url, {"domain": "other.example"}).status_code == 405
    reader = api_as(user=portal_client(company, "read_only").user)
    assert reader.get(url).status_code == 403


def claim(company, count: int, *, verified: bool, by=None) -> None:
    for n in range(count):
        CompanyDomain.objects.create(
            customer=company,
            domain=f"d{n}-{'v' if verified else 'u'}-{company.pk}.example",
            token=f"t{n}",
            verified_at=timezone.now() if verified else None,
            verified_by=by,
        )


def test_the_domains_pages_query_counts_stay_flat(portal_client, client_as, company):
    admin = portal_client(company, "admin")
    staff = client_as("admin")
    claim(company, 1, verified=True, by=admin.user)
    claim(company, 1, verified=False)
    pages = [
        (admin, domains_url(company)),
        (staff, reverse("portal:customer_domains", kwargs={"pk": company.pk})),
    ]
    counts = []
    for client, url in pages:
        client.get(url)  # the first request of a session does some bookkeeping
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    MembershipFactory.create_batch(3, customer=company)
    for n in range(10):
        CompanyDomain.objects.create(
            customer=company,
            domain=f"more{n}.example",
            token=f"m{n}",
            verified_at=timezone.now() if n % 2 else None,
            verified_by=MembershipFactory(customer=company).user if n % 2 else None,
        )
    for (client, url), before in zip(pages, counts, strict=True):
        with CaptureQueriesContext(connection) as queries:
            content = client.get(url).content.decode()
        assert "more9.example" in content
        assert len(queries) == before, url


# --- The console ----------------------------------------------------------------------


def test_staff_admins_manage_a_companys_domains_from_the_console(
    client_as, company, django_capture_on_commit_callbacks
):
    url = reverse("portal:customer_domains", kwargs={"pk": company.pk})
    admin = client_as("admin")
    response = admin.post(url, {"action": "add", "domain": "acme.example"}, follow=True)
    assert "acme.example added, not verified yet." in page_messages(response)
    row = CompanyDomain.objects.get(customer=company)
    assert row.requested_by == admin.user
    # Admin addresses at the domain only; the staff member's own address is not offered.
    page = admin.get(url).content.decode()
    assert (
        'value="postmaster@acme.example"' in page
        and admin.user.email not in page.split("Email domains")[-1].split("Add a domain")[0]
    )
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(url, {"action": "send", "did": row.pk, "address": "postmaster@acme.example"})
    assert [m.to for m in mail.outbox] == [["postmaster@acme.example"]]
    # A domain claimed by the wrong company ("contact support"): an admin removes it.
    wrong = CustomerFactory(name="Globex")
    taken = CompanyDomain.objects.create(
        customer=wrong, domain="globex.example", token="w", verified_at=timezone.now()
    )
    wrong_url = reverse("portal:customer_domains", kwargs={"pk": wrong.pk})
    admin.post(wrong_url, {"action": "remove", "did": taken.pk})
    assert not CompanyDomain.objects.filter(pk=taken.pk).exists()
    assert CompanyDomain.history.filter(id=taken.pk, history_type="-").get().history_user == (
        admin.user
    )
    # Staff see the list; only admins change it.
    staff = client_as("staff")
    assert "acme.example" in staff.get(url).content.decode()
    assert staff.post(url, {"action": "remove", "did": row.pk}).status_code == 403
    assert CompanyDomain.objects.filter(pk=row.pk).exists()


# --- The migration --------------------------------------------------------------------


def migrate(target=None) -> object:
    """Migrate this tenant's schema to ``target`` (default: the portal's latest) inside the
    test's transaction; the apps of that state."""
    from django.db.migrations.executor import MigrationExecutor

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = [target] if target else executor.loader.graph.leaf_nodes("portal")
    executor.migrate(targets)
    return executor.loader.project_state(targets[0]).apps


def test_old_join_domains_become_unverified_domains_that_let_nobody_join(
    company, tenant_client, django_capture_on_commit_callbacks
):
    globex, initech = CustomerFactory(name="Globex"), CustomerFactory(name="Initech")
    old = migrate(("portal", "0002_company_require_two_factor"))
    OldProfile = old.get_model("portal", "CompanyProfile")
    for customer, value in [
        (company, " @Acme.example. "),
        (globex, "acme.example"),  # the same claim: both carried over, unverified
        (initech, "not a domain"),
    ]:
        OldProfile.objects.create(
            customer_id=customer.pk, allow_domain_join=True, join_domain=value
        )
    migrate()  # 0003_company_domains and anything after it
    rows = CompanyDomain.objects.order_by("customer_id")
    assert [(r.customer_id, r.domain, r.is_verified) for r in rows] == [
        (company.pk, "acme.example", False),
        (globex.pk, "acme.example", False),
    ]
    assert len({r.token for r in rows}) == 2 and all(len(r.token) >= 32 for r in rows)
    (created,) = rows[0].history.all()
    assert created.history_change_reason == "Carried over from the join domain setting, unverified"
    assert CompanyProfile.objects.get(customer=company).allow_domain_join
    with django_capture_on_commit_callbacks(execute=True):
        ask_to_join(tenant_client, "jo@acme.example")
    assert mail.outbox == []
