import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import StaffRole
from tests.factories import CustomerFactory, MembershipFactory, UserFactory
from tickets import services

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "screenshot.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def staff(in_tenant):
    return UserFactory(role=StaffRole.STAFF, email="sam.staff@alpha.example", first_name="Sam")


@pytest.fixture
def admin(in_tenant):
    return UserFactory(role=StaffRole.ADMIN, email="ada.admin@alpha.example", first_name="Ada")


@pytest.fixture
def customer(in_tenant):
    return CustomerFactory(name="Acme Support")


@pytest.fixture
def requester(customer):
    return MembershipFactory(
        customer=customer, role="full", user__email="rita@acme.example", user__first_name="Rita"
    ).user


@pytest.fixture
def ticket(requester, customer):
    return services.ticket_open(
        actor=requester,
        customer_id=customer.pk,
        subject="Printer on fire",
        description="The **printer** in room 4 is on fire.",
        priority="high",
    )
