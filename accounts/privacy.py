"""Personal data held by accounts (see core/privacy.py): users, their sign-ins and tokens,
and allauth's rows about them (email addresses, second factors), which go with the person."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry

from core.privacy import Person, register

from .models import ApiToken, SignInEvent, User

register(
    User,
    people=[
        Person(
            "user account",
            ("email", "first_name", "last_name"),
            email="email",
            user="id",
            name=("first_name", "last_name"),
            account=True,
        )
    ],
    # The address must stay unique (and look like an address) on the live row.
    erase_as={"email": "'erased-' || \"id\" || '@erased.invalid'"},
    secret=("password",),
)
register(
    SignInEvent,
    people=[
        Person(
            "sign-in",
            ("email", "ip_address", "user_agent"),
            email="email",
            user="user_id",
            account=True,
        )
    ],
)
register(
    ApiToken,
    # The name a user gave a token ("Alice's laptop") may name them.
    people=[Person("API token", ("name",), user="user_id", account=True)],
    secret=("key_hash",),
)
register(
    EmailAddress,
    people=[Person("email address", ("email",), email="email", user="user_id", account=True)],
    delete=True,
)
register(
    Authenticator,
    people=[Person("second factor", (), user="user_id", account=True)],
    secret=("data",),
    delete=True,
)
# The tenant admin site's log repeats what it changed (a user's name or email).
register(LogEntry, text=("object_repr", "change_message"))
