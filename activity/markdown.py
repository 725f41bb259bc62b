"""Markdown to safe HTML, done once when an entry is saved (``Entry.body_html``).

markdown-it renders CommonMark (raw HTML passes through it), then nh3 keeps only an allow-list
of tags and attributes: scripts and styles go with their content, event handlers and any
attribute not listed are dropped, and links keep only http(s) and mailto URLs (``javascript:``
and ``data:`` are removed). @mentions of staff users are resolved against the tenant's active
staff and shown as a name; the raw text keeps what was typed."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt

from accounts.models import User

_markdown = MarkdownIt("commonmark", {"html": True, "breaks": True}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "b", "em", "i", "del", "s", "code", "pre", "blockquote", "ul", "ol",
    "li", "a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}

# "@ana" (a staff user whose email starts "ana@") or "@ana@example.com" (the full email),
# not inside a word or an email address.
MENTION = re.compile(
    r"(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9._%+-]*(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)"
)
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
_SKIP_INSIDE = ("a", "code", "pre")


@dataclass(frozen=True)
class Rendered:
    html: str
    mentions: list[User]


def sanitize(raw_html: str) -> str:
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def staff_users():
    """Who may be mentioned or assigned: the tenant's active staff (customer users have no
    staff role)."""
    return User.objects.filter(is_active=True).exclude(role="")


def _handle(candidate: str) -> str:
    return candidate.rstrip(".").lower()


def resolve_mentions(text: str) -> dict[str, User]:
    """The staff users ``text`` mentions, by the handle typed (lower-cased), in one query.
    A short handle must name exactly one person; an unknown handle stays plain text."""
    handles = {_handle(m) for m in MENTION.findall(text or "")}
    if not handles:
        return {}
    emails = {h for h in handles if "@" in h}
    locals_ = {h for h in handles if "@" not in h}
    found: dict[str, User] = {}
    by_local: dict[str, list[User]] = {}
    candidates = staff_users().only("pk", "email", "first_name", "last_name")
    for user in candidates:
        email = user.email.lower()
        if email in emails:
            found[email] = user
        local = email.split("@", 1)[0]
        if local in locals_:
            by_local.setdefault(local, []).append(user)
    for local, users in by_local.items():
        if len(users) == 1:
            found[local] = users[0]
    return found


def _link_mentions(safe_html: str, mentioned: dict[str, User]) -> str:
    """Wrap each resolved @handle in the text (never in a tag, a link or code) in a span
    showing the person's name."""
    if not mentioned:
        return safe_html
    parts = _TAG_OR_TEXT.split(safe_html)
    depth = 0
    for index, part in enumerate(parts):
        if part.startswith("<"):
            name = part.strip("</>").split()[0].lower() if part.strip("</>") else ""
            if name in _SKIP_INSIDE:
                depth += -1 if part.startswith("</") else 1
            continue
        if depth or "@" not in part:
            continue

        def replace(match: re.Match) -> str:
            user = mentioned.get(_handle(match.group(1)))
            if user is None:
                return match.group(0)
            trailing = match.group(1)[len(match.group(1).rstrip(".")) :]
            name = html.escape(str(user))
            return (
                f'<span class="mention" title="{html.escape(user.email)}">@{name}</span>{trailing}'
            )

        parts[index] = MENTION.sub(replace, part)
    return "".join(parts)


def render(text: str) -> Rendered:
    """The body as safe HTML and the staff users it mentions."""
    text = text or ""
    mentioned = resolve_mentions(text)
    safe = sanitize(_markdown.render(text))
    users = list({user.pk: user for user in mentioned.values()}.values())
    return Rendered(html=_link_mentions(safe, mentioned), mentions=users)


def render_plain(text: str) -> str:
    """Markdown to safe HTML without resolving @mentions: text written by a company's users
    (a ticket), who must not learn the staff's addresses by typing handles."""
    return sanitize(_markdown.render(text or ""))
