"""Password strength: zxcvbn's offline estimate of how many guesses a password takes, told
about everything an attacker would try first for this person: their email, name, the
workspace's name and address, their company's name and the product's own name.

Apps above accounts that know more about a user (the portal: a customer user's companies)
register a context source here (``register_context_source``), so this module imports none
of them. Django's own validators (length, similarity, common list, numeric) still run
before this one (``AUTH_PASSWORD_VALIDATORS``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from zxcvbn import zxcvbn

# zxcvbn refuses to look at longer input; a password that long is not guessable anyway.
MAX_CHECKED_LENGTH = 72
STRENGTH_HELP = (
    "Choose a password that is hard to guess: a few unrelated words (a passphrase) work "
    "well. Common passwords, names of people, of your company or of this workspace, and "
    "predictable additions such as a year or “123!” are refused."
)

# What a context word is, as the refusal names it.
EMAIL, NAME, WORKSPACE, COMPANY, PRODUCT = (
    "your email address",
    "your name",
    "this workspace",
    "your company",
    "the product",
)
CONTEXT_ADVICE = {
    EMAIL: "Avoid your email address or parts of it.",
    NAME: "Avoid your own name.",
    WORKSPACE: "Avoid the name of your company or this workspace.",
    COMPANY: "Avoid the name of your company or this workspace.",
    PRODUCT: f"Avoid the name of this product ({settings.PLATFORM_NAME}).",
}

ContextSource = Callable[[object], Iterable[str]]
_context_sources: list[ContextSource] = []


def register_context_source(source: ContextSource) -> None:
    """``source(user)`` returns more names an attacker would try for ``user`` (the portal:
    the names of a customer user's companies)."""
    if source not in _context_sources:
        _context_sources.append(source)


def _pieces(text: str) -> list[str]:
    """The text, the text without separators, and each word of it (3+ characters)."""
    text = (text or "").strip().lower()
    if not text:
        return []
    words = [word for word in re.split(r"[^0-9a-z]+", text) if len(word) >= 3]
    joined = "".join(re.split(r"[^0-9a-z]+", text))
    return list(dict.fromkeys([text, joined, *words]))


def password_context(user=None) -> dict[str, str]:
    """Every context word for ``user`` (may be ``None`` or an unsaved probe), mapped to what
    it is (``EMAIL``, ``NAME``, …)."""
    context: dict[str, str] = {}

    def add(kind: str, *texts: str) -> None:
        for text in texts:
            for piece in _pieces(text):
                context.setdefault(piece, kind)

    tenant = getattr(connection, "tenant", None)
    if tenant is not None and getattr(tenant, "schema_name", "") != "public":
        add(WORKSPACE, getattr(tenant, "name", ""), getattr(tenant, "slug", ""))
    if user is not None and getattr(user, "pk", None):
        for source in _context_sources:
            add(COMPANY, *source(user))
    first, last = getattr(user, "first_name", ""), getattr(user, "last_name", "")
    add(NAME, first, last, f"{first}{last}")
    email = str(getattr(user, "email", "") or "")
    local, _, domain = email.partition("@")
    add(EMAIL, email, local, *domain.split(".")[:-1])
    add(PRODUCT, settings.PLATFORM_NAME)
    return context


class StrengthValidator:
    """Refuses passwords zxcvbn estimates below ``min_score`` (0–4; 3 means "safely
    unguessable": about 10^8 guesses or more), naming the reason."""

    def __init__(self, min_score: int = 3):
        self.min_score = min_score

    def validate(self, password: str, user=None) -> None:
        if len(password) > MAX_CHECKED_LENGTH:
            return
        context = password_context(user)
        result = zxcvbn(password, user_inputs=list(context))
        kinds = [
            context[match["matched_word"]]
            for match in result["sequence"]
            if match.get("dictionary_name") == "user_inputs" and match["matched_word"] in context
        ]
        if result["score"] >= self.min_score:
            # zxcvbn counts each extra part of a password as a big step, so a name plus a
            # year and a symbol can pass; what is left without the names must be strong.
            remainder, found = password, []
            for word in sorted(context, key=len, reverse=True):
                if len(word) >= 3 and word in remainder.lower():
                    found.append(context[word])
                    remainder = re.sub(re.escape(word), " ", remainder, flags=re.IGNORECASE)
            remainder = remainder.strip()
            if not found:
                return
            rest = zxcvbn(remainder, user_inputs=list(context)) if remainder else None
            if rest is not None and rest["score"] >= self.min_score:
                return
            result, kinds = rest or {"feedback": {}}, found
        raise ValidationError(self.reasons(result, kinds), code="password_too_guessable")

    def reasons(self, result: dict, kinds: list[str]) -> list[ValidationError]:
        feedback = result["feedback"]
        messages = ["This password is too easy to guess."]
        messages.extend(CONTEXT_ADVICE[kind] for kind in kinds)
        if feedback.get("warning"):
            messages.append(str(feedback["warning"]))
        messages.extend(str(suggestion) for suggestion in feedback.get("suggestions", []))
        if len(messages) == 1:
            messages.append("Add another word or two. Uncommon words are better.")
        unique = list(dict.fromkeys(messages))
        return [ValidationError(message, code="password_too_guessable") for message in unique]

    def get_help_text(self) -> str:
        return STRENGTH_HELP
