"""Charts drawn on the server as SVG: no JavaScript, no inline style (the strict CSP); colours come from
classes in static/css/dashboard.css. Each chart shows a table's numbers, and the page prints the table under it.
"""

from datetime import date

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from mentorship.portal.dashboard import Table

WIDTH = 640
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 28, 30
HEIGHT = 240
MAX_LABELS = 8

# Which columns each table charts, and how: "columns" (one bar per row and column) or "rows" (one bar a row).
CHARTS = {
    "people": ("rows", [1]),
    "questionnaire": ("rows", [3]),
    "pairings": ("columns", [1]),
    "sessions": ("columns", [1, 2, 3]),
    "attendance": ("rows", [4]),
}


def _n(number: float) -> str:
    return f"{number:.1f}"


def _label(value) -> str:
    return date_format(value, "j M") if isinstance(value, date) else str(value)


def _nice_max(values: list[int]) -> int:
    top = max([v for v in values if v is not None] + [1])
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top <= step * 4:
            return -(-top // step) * step
    return top


def chart(table: Table) -> SafeString:
    kind, columns = CHARTS.get(table.key, ("", []))
    if not kind or not table.rows:
        return SafeString("")
    title_id = f"chart-{table.key}-title"
    body = _vertical(table, columns) if kind == "columns" else _horizontal(table, columns[0])
    height = HEIGHT if kind == "columns" else TOP + 30 * len(table.rows) + 8
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}" focusable="false">'
        '<title id="{}">{}</title>{}</svg>',
        WIDTH,
        height,
        title_id,
        title_id,
        table.title,
        body,
    )


def _legend(table: Table, columns: list[int]) -> SafeString:
    return format_html_join(
        "",
        '<rect class="bar series-{}" x="{}" y="6" width="12" height="12"></rect>'
        '<text class="legend" x="{}" y="16">{}</text>',
        ((n, LEFT + 150 * n, LEFT + 150 * n + 16, table.columns[c]) for n, c in enumerate(columns)),
    )


def _vertical(table: Table, columns: list[int]) -> SafeString:
    values = [row[c] or 0 for row in table.rows for c in columns]
    top = _nice_max(values)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / len(table.rows)
    bar_w = group_w * 0.8 / len(columns)
    every = max(1, -(-len(table.rows) // MAX_LABELS))
    parts = [
        format_html(
            '<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"></line>',
            LEFT,
            TOP + plot_h,
            WIDTH - RIGHT,
            TOP + plot_h,
        ),
        format_html('<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>', LEFT - 4, TOP + 4, top),
        format_html('<text class="tick" x="{}" y="{}" text-anchor="end">0</text>', LEFT - 4, TOP + plot_h),
        format_html('<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"></line>', LEFT, TOP, WIDTH - RIGHT, TOP),
    ]
    for g, row in enumerate(table.rows):
        x0 = LEFT + g * group_w + group_w * 0.1
        for n, c in enumerate(columns):
            value = row[c] or 0
            h = plot_h * value / top
            parts.append(
                format_html(
                    '<rect class="bar series-{}" x="{}" y="{}" width="{}" height="{}"><title>{}: {} {}</title></rect>',
                    n,
                    _n(x0 + n * bar_w),
                    _n(TOP + plot_h - h),
                    _n(max(bar_w - 1, 1)),
                    _n(h),
                    _label(row[0]),
                    value,
                    table.columns[c],
                )
            )
        if g % every == 0:
            parts.append(
                format_html(
                    '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                    _n(LEFT + g * group_w + group_w / 2),
                    HEIGHT - 10,
                    _label(row[0]),
                )
            )
    parts.append(_legend(table, columns))
    return format_html_join("", "{}", ((part,) for part in parts))


def _horizontal(table: Table, column: int) -> SafeString:
    percent = "percent" in table.columns[column].lower() or "%" in table.columns[column]
    top = 100 if percent else _nice_max([row[column] for row in table.rows])
    label_w = 200
    plot_w = WIDTH - label_w - 60
    parts = [format_html('<text class="legend" x="{}" y="16">{}</text>', label_w, table.columns[column])]
    for i, row in enumerate(table.rows):
        value = row[column]
        y = TOP + 30 * i
        w = 0 if value is None else plot_w * value / top
        shown = "–" if value is None else (f"{value} %" if percent else str(value))
        parts.append(
            format_html(
                '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect class="bar series-0" x="{}" y="{}" width="{}" height="20"></rect>'
                '<text class="value" x="{}" y="{}">{}</text>',
                label_w - 8,
                y + 15,
                _label(row[0]),
                label_w,
                y,
                _n(w),
                _n(label_w + w + 6),
                y + 15,
                shown,
            )
        )
    return format_html_join("", "{}", ((part,) for part in parts))
