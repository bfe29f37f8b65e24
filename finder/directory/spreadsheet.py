"""CSV that opens as is in a French spreadsheet: UTF-8 with BOM, ``;``, CRLF, decimal comma.

Text cells a spreadsheet would run as a formula are neutralised (CSV injection).
"""

from __future__ import annotations

import csv
import io

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text) -> str:
    """Text a spreadsheet must not run as a formula: such cells get a leading '."""
    text = str(text)
    return "'" + text if text.startswith(FORMULA_START) else text


def decimal(x: float | None, digits: int = 3) -> str:
    """A number with a decimal comma ('' for None)."""
    return "" if x is None else f"{x:.{digits}f}".replace(".", ",")


def csv_text(rows, header=None) -> str:
    """Rows of cells (str cells are made safe, numbers written as is) as spreadsheet CSV text."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in ([header] if header else []) + list(rows):
        writer.writerow([safe_cell(c) if isinstance(c, str) else c for c in row])
    return out.getvalue()


def table_csv(table) -> str:
    """A bilan Table (rows × columns of counts) with the totals shown on screen: a Total row always;
    a Total column only when every cell counts the same thing ("cross"); a « Part » column (%) for
    "shares" tables; none for "summary" tables, whose columns count different things."""
    labels = [label for _, label in table.columns]
    totals = table.column_totals()
    if table.kind == "cross":
        header = [table.title, *labels, "Total"]
        rows = [[label, *cells, sum(cells)] for (_, label), cells in zip(table.rows, table.cells)]
        rows.append(["Total", *totals, sum(totals)])
    elif table.kind == "shares":
        header = [table.title, *labels, "Part (%)"]
        rows = [
            [label, *cells, decimal(100 * share, 1)]
            for (_, label), cells, share in zip(table.rows, table.cells, table.shares())
        ]
        rows.append(["Total", *totals, decimal(100.0 if table.total() else 0.0, 1)])
    else:
        header = [table.title, *labels]
        rows = [[label, *cells] for (_, label), cells in zip(table.rows, table.cells)]
        rows.append(["Total", *totals])
    return csv_text(rows, header)
