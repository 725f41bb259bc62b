"""One way to write numbers, money and dates, from the tenant's locale (core.formats and the
``formats`` template filters): what a reader in the US and in Germany sees, money that never
wraps inside a figure, negative amounts, a currency without minor units, counts that say
"1 invoice" and "2 invoices", and CSV cells that stay machine-readable in every locale."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from core import formats
from core.formats import NBSP, locale_override

D = Decimal
MINUS = "\u2212"


def render(source: str, autoescape: bool = True, **context) -> str:
    return Template("{% load formats %}" + source).render(Context(context, autoescape=autoescape))


@pytest.mark.parametrize(
    ("locale", "value", "currency", "expected"),
    [
        ("en-US", "1234567.891", "USD", "$1,234,567.89"),
        ("en-US", "1234.5", "EUR", "€1,234.50"),
        ("en-US", "1234.5", "CHF", f"CHF{NBSP}1,234.50"),
        ("en-US", "-5", "USD", f"{MINUS}$5.00"),
        ("en-US", "-0.001", "USD", "$0.00"),  # never "−$0.00"
        ("en-US", "1234.5", "JPY", "¥1,234.50"),  # a fraction is never hidden
        ("en-US", "1235", "JPY", "¥1,235"),  # yen have no minor unit
        ("de-DE", "1234567.89", "EUR", f"1.234.567,89{NBSP}€"),
        ("de-DE", "1234.5", "USD", f"1.234,50{NBSP}$"),
        ("de-DE", "-1234.5", "EUR", f"{MINUS}1.234,50{NBSP}€"),
        ("de-DE", "1235", "JPY", f"1.235{NBSP}¥"),
        ("fr-FR", "1234567.89", "EUR", f"1\u202f234\u202f567,89{NBSP}€"),
        ("de-CH", "1234567.89", "CHF", f"CHF{NBSP}1\u2019234\u2019567.89"),
    ],
)
def test_money_in_each_locale(locale, value, currency, expected):
    with locale_override(locale):
        assert formats.money_text(D(value), currency) == expected


def test_numbers_in_en_us_and_de_de():
    with locale_override("en-US"):
        assert formats.count_text(5288) == "5,288"
        assert formats.amount_text(D("1234.5")) == "1,234.50"
        assert formats.qty_text(D("49000.000")) == "49,000"
        assert formats.qty_text(D("12.50")) == "12.5"
        assert formats.unit_price_text(D("0.0125")) == "0.0125"
        assert formats.unit_price_text(D("2")) == "2.00"
        assert formats.percent_text(D("19.000")) == "19%"
    with locale_override("de-DE"):
        assert formats.count_text(5288) == "5.288"
        assert formats.amount_text(D("1234.5")) == "1.234,50"
        assert formats.qty_text(D("49000.000")) == "49.000"
        assert formats.unit_price_text(D("0.0125")) == "0,0125"
        assert formats.percent_text(D("19")) == f"19{NBSP}%"


def test_money_is_never_a_float():
    with pytest.raises(TypeError):
        formats.money_text(1.5, "USD")
    with pytest.raises(ValueError):
        formats.amount_text("twelve")


def test_dates_are_unambiguous_in_each_locale():
    day = date(2026, 12, 1)
    with locale_override("en-US"):
        assert formats.date_text(day) == "Dec 1, 2026"
        assert render('{{ d|date }} · {{ d|date:"SHORT_DATE_FORMAT" }}', d=day) == (
            "Dec 1, 2026 · Dec 1, 2026"
        )
        assert formats.date_text(day, "YEAR_MONTH_FORMAT") == "December 2026"
    with locale_override("de-DE"):
        assert formats.date_text(day) == "01.12.2026"
        assert render("{{ d|date }}", d=day) == "01.12.2026"
        assert formats.date_text(datetime(2026, 12, 1, 15, 5), "DATETIME_FORMAT") == (
            "01.12.2026, 15:05"
        )
        # The interface stays English: month names are not translated.
        assert formats.date_text(day, "YEAR_MONTH_FORMAT") == "December 2026"


def test_a_moment_is_shown_in_the_active_timezone():
    moment = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    with locale_override("de-DE"), timezone.override("Europe/Berlin"):
        assert formats.date_text(moment, "SHORT_DATETIME_FORMAT") == "02.12.2026, 00:30"


def test_the_money_filter_never_wraps_inside_a_figure():
    with locale_override("de-DE"):
        html = render("{{ v|money:c }}", v=D("-9095724"), c="EUR")
    assert html == f'<span class="money text-nowrap">{MINUS}9.095.724,00{NBSP}€</span>'
    text = html.removeprefix('<span class="money text-nowrap">').removesuffix("</span>")
    assert " " not in text  # no ordinary space a line could break at


def test_the_money_filter_writes_plain_text_in_text_emails():
    with locale_override("en-US"):
        assert render("{{ v|money:'USD' }}", autoescape=False, v=D("400")) == "$400.00"
        assert render("{{ v|money:'USD' }}", v=None) == ""


def test_filters_for_amounts_counts_quantities_and_rates():
    with locale_override("de-DE"):
        out = render(
            "{{ a|amount }}|{{ n|count }}|{{ q|qty }}|{{ q|qty:1 }}|{{ p|unit_price }}|"
            "{{ r|percent }}|{{ a|negate|amount }}",
            a=D("1234.5"),
            n=1234567,
            q=D("1500.25"),
            p=D("0.0125"),
            r=D("7.5"),
        )
    assert out == f"1.234,50|1.234.567|1.500,25|1.500,3|0,0125|7,5{NBSP}%|{MINUS}1.234,50"


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (1, "invoice", "1 invoice"),
        (0, "invoice", "0 invoices"),
        (5288, "overdue invoice", "5,288 overdue invoices"),
        (1, "company,companies", "1 company"),
        (1000, "company,companies", "1,000 companies"),
    ],
)
def test_counts_are_pluralised_never_invoice_s(count, noun, expected):
    with locale_override("en-US"):
        assert render("{{ n|count_label:noun }}", n=count, noun=noun) == expected


def test_csv_cells_stay_machine_readable_in_every_locale():
    for locale in formats.LOCALES:
        with locale_override(locale):
            assert formats.csv_decimal(D("1234567.891")) == "1234567.89"
            assert formats.csv_decimal(D("-5")) == "-5.00"
            assert formats.csv_decimal(D("0.0125"), None) == "0.0125"
            assert formats.csv_date(date(2026, 12, 1)) == "2026-12-01"


def test_djangos_own_localisation_follows_the_locale():
    with locale_override("de-DE"):
        assert translation.get_language() == "en-de"
        assert render('{{ v|floatformat:"2g" }}', v=D("1234.5")) == "1.234,50"
        # Words stay English: the German catalogue is never activated.
        assert translation.gettext("Enter a valid date.") == "Enter a valid date."
    assert formats.current_locale().code == "en-US"


def test_an_unknown_locale_falls_back_to_en_us():
    with locale_override("xx-YY") as locale:
        assert locale.code == "en-US"
        assert formats.money_text(D("1"), "USD") == "$1.00"
