"""How a chart reaches a page: the Chart.js payload (labels, series, which period is still
running), and the same figures as a table and a sentence for those who cannot see the chart.

A series' values are numbers of one kind: ``count`` (whole numbers), ``money`` (Decimal, sent
as strings so nothing becomes a float), ``ratio`` (Decimal, one decimal) or ``quantity`` (as
measured: 1,500 or 12.5); None is a gap ("—"). Tables and
sentences write them with core.formats in the active (the tenant's) locale."""

from __future__ import annotations

from decimal import Decimal

from core.formats import amount_text, count_text, csv_decimal, percent_text, qty_text

PARTIAL_MONTH = "partial month"
PARTIAL_WEEK = "partial week"
KINDS = ("count", "money", "ratio", "quantity")


def formatted(value, kind: str) -> str:
    if value is None or value == "":
        return "—"
    if kind == "money":
        return amount_text(Decimal(value))
    if kind == "ratio":
        return qty_text(Decimal(value), 1)
    if kind == "quantity":
        return qty_text(Decimal(value))
    return count_text(Decimal(value))


def csv_figure(value, kind: str) -> str:
    """The same figure for a CSV cell: plain decimal point, no grouping, empty for a gap."""
    if value is None or value == "":
        return ""
    places = {"money": 2, "ratio": 1, "quantity": None}.get(kind, 0)
    return csv_decimal(Decimal(value), places)


def series_chart(
    chart_type: str,
    labels: list[str],
    series: dict[str, list],
    *,
    kinds: dict[str, str] | None = None,
    partial_last: bool = False,
    partial_label: str = PARTIAL_MONTH,
) -> dict:
    """A bar or line chart over periods; ``partial_last`` marks the last period as still
    running (drawn hatched or dashed, and named in the legend and the table)."""
    kinds = {name: (kinds or {}).get(name, "count") for name in series}
    return {
        "type": chart_type,
        "labels": labels,
        "series": {
            name: [str(v) if kinds[name] != "count" and v is not None else v for v in values]
            for name, values in series.items()
        },
        "kinds": kinds,
        "partial": len(labels) - 1 if partial_last and labels else None,
        "partial_label": partial_label if partial_last and labels else "",
    }


def share_chart(labels: list[str], counts: list[int], name: str = "Customers") -> dict:
    """A doughnut of counts whose legend shows each slice's count and share."""
    total = sum(counts)
    shares = [Decimal(100 * count) / total if total else Decimal(0) for count in counts]
    return {
        "type": "doughnut",
        "labels": labels,
        "series": {name: counts},
        "kinds": {name: "count"},
        "shares": [str(share.quantize(Decimal("0.1"))) for share in shares],
        "legend_labels": [
            f"{label}: {count_text(count)} ({percent_text(share, 1)})"
            for label, count, share in zip(labels, counts, shares, strict=True)
        ],
        "partial": None,
        "partial_label": "",
    }


def chart_entry(key: str, title: str, chart: dict) -> dict:
    """What _chart.html renders: the payload, the table's columns and formatted rows (the
    running period marked), and a one-sentence text alternative."""
    kinds = chart.get("kinds") or dict.fromkeys(chart["series"], "count")
    names = list(chart["series"])
    partial = chart.get("partial")
    rows = []
    for index, label in enumerate(chart["labels"]):
        cells = [formatted(chart["series"][name][index], kinds[name]) for name in names]
        if chart.get("shares"):
            cells.append(percent_text(Decimal(chart["shares"][index]), 1))
        shown = f"{label} ({chart['partial_label']}, so far)" if index == partial else label
        rows.append((shown, cells))
    columns = names + (["Share"] if chart.get("shares") else [])
    return {
        "key": key,
        "title": title,
        "data": chart,
        "columns": columns,
        "rows": rows,
        "partial_note": (
            f"{chart['labels'][partial]} is a {chart['partial_label']}: figures so far"
            if partial is not None
            else ""
        ),
        "summary": summary(title, chart, rows, columns),
    }


def summary(title: str, chart: dict, rows: list, columns: list[str]) -> str:
    """One sentence a screen reader says instead of the picture."""
    if not rows:
        return f"{title}: no figures yet."
    if chart["type"] == "doughnut":
        parts = [f"{label} {cells[0]} ({cells[-1]})" for label, cells in rows]
        return f"{title}: " + ", ".join(parts) + "."
    last_label, last_cells = rows[-1]
    latest = ", ".join(f"{name} {value}" for name, value in zip(columns, last_cells, strict=True))
    return (
        f"{title}, {chart['labels'][0]} to {chart['labels'][-1]}; latest, {last_label}: {latest}. "
        "Every period is in the table."
    )
