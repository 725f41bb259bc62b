from .policies import membership_of


def company(request) -> dict:
    """A customer user's company, for the portal's layout on every page (account pages such
    as password and 2FA too): ``None`` for staff, anonymous visitors and the platform host.
    The membership is the one the user's scope was built from (cached on the user)."""
    membership = membership_of(getattr(request, "user", None))
    return {"portal_company": membership.customer if membership else None}
