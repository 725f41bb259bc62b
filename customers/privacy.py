"""Personal data held by customers (see core/privacy.py): the company's, its contact's and
its billing contact's email and phone, and notes and addresses about the customer."""

from core.privacy import Person, register

from .models import Contact, Customer, StaffCustomerAssignment

ADDRESS = (
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "billing_address_line1",
    "billing_address_line2",
    "billing_city",
    "billing_state",
    "billing_postal_code",
    "billing_country",
)

register(
    Customer,
    customer="id",
    people=[
        # A sole trader's company email and phone are theirs.
        Person(
            "company email and phone",
            ("company_email", "company_phone"),
            email="company_email",
            phone="company_phone",
        ),
    ],
    derived=("search_text", "phone_digits"),
    record=("description", "internal_notes", "custom_attributes", "custom_field_data", *ADDRESS),
    version="version",
    not_personal={
        "name": "the company's name: its projects and invoices keep it after a purge",
        "website": "the company's website",
        "external_id": "the company's id in the tenant's CRM",
    },
)

# Which customers a limited staff user was assigned: about them, exported with them.
register(
    StaffCustomerAssignment,
    people=[Person("customer assignment", (), user="user_id", account=True)],
)

# A customer's contacts: everything about the person; found by their email or through the
# customer (a purge).
register(
    Contact,
    customer="customer_id",
    people=[
        Person(
            "contact",
            # Custom fields on a contact are about the person (e.g. their birthday).
            (
                "name",
                "title",
                "email",
                "other_emails",
                "phone",
                "mobile",
                "notes",
                "custom_field_data",
            ),
            email="email",
            name=("name",),
            phone="phone",
        )
    ],
    derived=("search_text", "phone_digits"),
    not_personal={
        "roles_label": "the names of the contact's roles in the tenant's list",
        "portal_user": "a link to the portal user, whose own data the portal declares",
    },
)
