"""Sessions follow what their user may do.

The session remembers a fingerprint of its user's privileges (``core.scope.scope_for``: staff
role and capabilities, the customers a limited staff user reaches, a customer user's companies,
portal permissions and access; the user's admin flags). When it differs on a later request
(an owner changed the role, a team or customer-access limit, a portal role or permission set),
the session gets a new key before the request goes on: the user stays signed in, and the old
key (in a browser history, a log, another device's copy) signs nobody in any more.

Signing in already starts a new key (Django's ``login`` cycles it, after allauth's second
factor too) and remembers the fingerprint with it, so the first page writes nothing more. A
session without one (made before this, or by a test's ``force_login`` before any request loaded
this module) takes it with its next save. A session whose user was deactivated or removed is
ended for good, so reactivating the account does not bring old sessions back.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.dispatch import receiver

from core.scope import scope_for

FINGERPRINT_KEY = "_privileges"


def privilege_fingerprint(user) -> str:
    """What ``user`` may do, as a digest: equal digests, equal privileges."""
    scope = scope_for(user)

    def ids(values) -> list | None:
        return None if values is None else sorted(values)

    facts = [
        connection.schema_name,
        user.pk,
        user.is_active,
        user.is_staff,
        user.is_superuser,
        scope.role,
        sorted(str(capability) for capability in scope.capabilities),
        ids(scope.customer_ids),
        scope.company_id,
        ids(scope.company_ids),
        sorted(scope.portal_permissions),
        scope.portal_access,
    ]
    return hashlib.sha256(json.dumps(facts, default=str).encode()).hexdigest()


# Connected when the middleware is loaded, which is before any request signs anyone in.
@receiver(user_logged_in, dispatch_uid="accounts.sessions.remember_privileges")
def remember_privileges(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[FINGERPRINT_KEY] = privilege_fingerprint(user)


class PrivilegeSessionMiddleware:
    """After ``AuthenticationMiddleware``: cycles the session key when its user's privileges
    changed since the last request, and ends the session of a user who may no longer sign in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None:
            self.check(request, session)
        return self.get_response(request)

    @staticmethod
    def check(request, session) -> None:
        user = request.user
        if user.is_authenticated:
            fingerprint = privilege_fingerprint(user)
            stored = session.get(FINGERPRINT_KEY)
            if stored == fingerprint:
                return
            if stored is None:  # kept with the session's next save, not written for this
                modified = session.modified
                session[FINGERPRINT_KEY] = fingerprint
                session.modified = modified
                return
            session.cycle_key()
            session[FINGERPRINT_KEY] = fingerprint
        elif SESSION_KEY in session:
            # Signed in once, nobody now: deactivated or removed since (Django's backend
            # refuses inactive users). End the session instead of keeping it for a comeback.
            session.flush()
