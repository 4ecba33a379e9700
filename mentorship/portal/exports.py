"""CSV exports of the dashboard's tables: UTF-8 with a byte order mark (spreadsheets then read accents right),
and every text cell that a spreadsheet would run as a formula escaped."""

import csv
import io
from datetime import date

from mentorship.portal.dashboard import Table

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell as text; one starting with = + - @ or a tab (or carriage return) is prefixed with a quote."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def table_csv(table: Table) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in table.columns])
    writer.writerows([safe_cell(cell) for cell in row] for row in table.rows)
    return out.getvalue()
