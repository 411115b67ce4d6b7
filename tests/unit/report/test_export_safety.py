"""The per-segment CSV exports are opened in spreadsheets: text a spreadsheet would run as a
formula is neutralised with a leading apostrophe; numbers stay numbers."""

from __future__ import annotations

import pandas as pd

from models_py.report.build import spreadsheet_safe


def test_formula_text_gets_an_apostrophe_and_numbers_are_untouched() -> None:
    frame = pd.DataFrame(
        {
            "customer_id": [
                '=HYPERLINK("http://x","click")',
                "+33 1 23",
                "-2+3",
                "@SUM(A1)",
                "\tTAB",
                "\rCR",
                "C000001",
                None,
            ],
            "delta": [-1.5, -2.0, 3.0, 0.0, -7.25, 1.0, 2.0, -0.5],
            "orders": [-1, 2, 3, 4, 5, 6, 7, 8],
        }
    )
    safe = spreadsheet_safe(frame)
    assert list(safe["customer_id"][:7]) == [
        '\'=HYPERLINK("http://x","click")',
        "'+33 1 23",
        "'-2+3",
        "'@SUM(A1)",
        "'\tTAB",
        "'\rCR",
        "C000001",
    ]
    assert pd.isna(safe["customer_id"][7])
    pd.testing.assert_frame_equal(safe[["delta", "orders"]], frame[["delta", "orders"]])
    assert frame["customer_id"][0].startswith("=")  # the input frame is not changed
    csv_text = safe.to_csv(index=False)
    assert ",-1.5,-1\n" in csv_text  # a negative number is written as a number
