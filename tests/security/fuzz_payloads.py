"""The hostile values the fuzz sends, and what each may legitimately become once stored.

A payload is text (a form field, a query parameter, a JSON string) or raw bytes (invalid
UTF-8: sent as raw bytes in a multipart body, percent-encoded in a query string or a
urlencoded body). Django decodes invalid UTF-8 in query strings and form bodies with
``errors="replace"``: the bad bytes become U+FFFD, so ``stored`` is that replacement, never a
500. In a JSON body the bytes make the whole body undecodable: a JSON 400 (see the API test).
"""

from __future__ import annotations

from dataclasses import dataclass

SCRIPT = "<script>alert(1)</script>"


@dataclass(frozen=True)
class Payload:
    key: str
    value: str | bytes
    # "text": stored as given (less NUL); "number"/"date": meant for numeric/date fields
    kind: str = "text"
    # A LIKE pattern that finds the payload in a column even if it was mangled (truncated,
    # escaped on save…): a match that is not the expected value is a failure.
    marker: str = ""

    @property
    def text(self) -> str:
        """The value as a str (bytes decoded the way Django decodes a form or query)."""
        if isinstance(self.value, bytes):
            return self.value.decode("utf-8", errors="replace")
        return self.value

    @property
    def stored(self) -> str:
        """What an accepted write must store: the text without NUL characters."""
        return self.text.replace("\x00", "")

    def form_value(self) -> str | bytes:
        return self.value

    def json_value(self):
        """The payload as a JSON value: numbers as JSON numbers, the rest as strings."""
        if self.kind == "number":
            return JSON_NUMBERS.get(self.key, self.text)
        return self.text


PAYLOADS = (
    Payload("script", SCRIPT, marker="%alert(1)%"),
    Payload("sql", "' OR 1=1 --", marker="%OR 1=1%"),
    Payload("nul", "fuzz\x00text", marker="fuzz%text"),
    Payload("long", "L" + "x" * 9_999, marker="Lxxxxxxxxxx%"),
    # 4-byte characters, a ZWJ family, a flag with a variation selector, a skin tone.
    Payload("emoji", "emo 😀 👩‍👩‍👧‍👦 🏳️‍🌈 👍🏽 𝕏 ji", marker="emo %ji"),
    Payload("bad_utf8", b"bad \xff\xfe\xc3\x28 utf8", marker="bad %utf8"),
    # Control characters PostgreSQL stores but XML (a worksheet, an email header) refuses.
    Payload("control", "ctl \x01\x0b\x1b[31m chars", marker="ctl %chars"),
    Payload("huge", "99999999999999999999999", kind="number"),
    Payload("negative", "-1", kind="number"),
    Payload("huge_negative", "-99999999999999999999999", kind="number"),
    Payload("inf", "1e309", kind="number"),
    Payload("feb30", "2026-02-30", kind="date"),
    Payload("zero_date", "0000-00-00", kind="date"),
    Payload("nines_date", "9999-99-99", kind="date"),
)
PAYLOAD_BY_KEY = {payload.key: payload for payload in PAYLOADS}
TEXT_PAYLOADS = tuple(p for p in PAYLOADS if p.kind == "text")

# JSON literals (not strings): 1e309 parses to infinity in Python's json module.
JSON_NUMBERS = {
    "huge": 99999999999999999999999,
    "negative": -1,
    "huge_negative": -99999999999999999999999,
    "inf": "__raw__1e309",  # written into the body as a bare literal, see api_body()
}
