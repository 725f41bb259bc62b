"""Personal data held by billing (see core/privacy.py).

What accounting law keeps: an issued invoice is a bookkeeping record that must be retained
unchanged for the statutory period (EU VAT Directive 2006/112/EC art. 226 and 244-246: the
customer's full name and address on the invoice, copies kept; e.g. Germany §147 AO / §257
HGB and §14b UStG: 10 years; the UK: 6 years) and GDPR art. 17(3)(b) lets that obligation win
over erasure. So an issued invoice (one with a number) keeps its recipient block and billing
email as printed, also after its customer's purge or its contact's erasure; drafts are no
bookkeeping record yet and lose them. Projects keep the company's name (not a person's)."""

from core.privacy import Person, register

from .models import Invoice, Payment, Project, SellerProfile
from .models_credit import CreditNote
from .models_dunning import DunningNotice

register(
    Invoice,
    customer="customer_id",
    people=[
        Person(
            "invoice recipient",
            ("billing_address", "billing_email"),
            email="billing_email",
            keep_where='"number" IS NOT NULL',
            keep_reason="issued invoices are kept as issued for the statutory period",
        )
    ],
    text=("void_reason",),
    not_personal={"customer_name": "the company's name, required on the invoice"},
)
register(
    Project,
    text=("notes",),
    not_personal={"customer_name": "the company's name, kept when the customer is purged"},
)
register(Payment, text=("reference",))
# Credit notes are issued documents like invoices (kept for the statutory period); the reason
# is free text that may name someone.
register(
    CreditNote,
    customer="customer_id",
    text=("reason",),
    not_personal={"customer_name": "the company's name, required on the credit note"},
)
# Which address a reminder or final notice went to (the billing contact's, usually): found and
# erased by that email address.
register(DunningNotice, people=[Person("dunning notice recipient", ("sent_to",), email="sent_to")])
register(
    SellerProfile,
    not_personal={
        "contact_email": "the seller's (the workspace's own business) billing address, "
        "printed on every invoice",
        "contact_phone": "the seller's business phone, printed on every invoice",
        "email_reply_to": "the seller's business mailbox for replies to invoice emails",
    },
)
