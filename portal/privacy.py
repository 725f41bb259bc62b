"""Personal data held by the portal (see core/privacy.py): a company's users (memberships),
people asking to join, and the admin address a domain verification was mailed to."""

from core.privacy import Person, register

from .models import CompanyDomain, JoinRequest, Membership, PortalUsage

register(
    Membership,
    customer="customer_id",
    members="user_id",
    people=[Person("portal user", (), user="user_id", account=True)],
)
register(
    JoinRequest,
    customer="customer_id",
    people=[
        Person(
            "join request",
            ("email", "first_name", "last_name"),
            email="email",
            name=("first_name", "last_name"),
        )
    ],
    # A request is nothing but the person asking: it goes (an approval could not create an
    # account for an erased address anyway).
    delete=True,
)
register(
    CompanyDomain,
    customer="customer_id",
    people=[Person("verification address", ("link_sent_to",), email="link_sent_to")],
    text=("verified_how",),
    secret=("token",),
)

# Which portal features a user opened on which days: nothing but their use of the portal,
# deleted with them.
register(
    PortalUsage,
    customer="customer_id",
    people=[Person("portal user", ("user",), user="user_id")],
    delete=True,
)
