"""Numbers as text have one home (qimaturity._core.numbers), and one rule: what rounds to zero is written as zero.

Before, `-0.00001` was `-0` in a CSV and `0` in a trace, `-0.004` was `-0.00` in a terminal table and a report's
changes and `0` in the report's values. tests/data/numbers/ holds a rubric whose scale runs from -1 to 1, with
weights that put one domain at -0.00001 and another at -0.004 (the arithmetic is in its comments).
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from qimaturity._core.numbers import (
    decimals,
    fixed,
    full,
    given_number,
    percent,
    signed,
    table_number,
    trace_number,
)

from .conftest import DATA, run_main

NUMBERS = DATA / "numbers"
RUBRIC = str(NUMBERS / "rubric.yaml")
NOW = str(NUMBERS / "now.yaml")
THEN = str(NUMBERS / "then.yaml")


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        # Each function with -0.00001, -0.004, 2/3 and 2.5; by hand: -0.00001 is 0 at 4 places and fewer,
        # -0.004 is -0.004 at 4 places and 0 at 2 or fewer; 2/3 is 0.6667 at 4 places, 0.67 at 2. CSV cells are for
        # machines and round nothing: 2/3 is the float 0.6666666666666666 (16 sixes: repr's shortest round trip).
        (lambda v: decimals(v, 4), ["0", "-0.004", "0.6667", "2.5"]),
        (lambda v: decimals(v, 2), ["0", "0", "0.67", "2.5"]),
        (lambda v: decimals(v, 0), ["0", "0", "1", "2"]),  # 2.5 is 2 (to even), as Python rounds
        (trace_number, ["0", "-0.004", "0.6667", "2.5"]),
        (table_number, ["-1e-05", "-0.004", "0.6666666666666666", "2.5"]),
        (fixed, ["0.00", "0.00", "0.67", "2.50"]),
        (lambda v: fixed(v, 1), ["0.0", "0.0", "0.7", "2.5"]),
        (lambda v: fixed(v, 1, halves_up=True), ["0.0", "0.0", "0.7", "2.5"]),
        (signed, ["0.00", "0.00", "+0.67", "+2.50"]),
        (lambda v: signed(v, 1), ["0.0", "0.0", "+0.7", "+2.5"]),
        (percent, ["0%", "0%", "67%", "250%"]),  # -0.4% is 0%
        (given_number, ["-1e-05", "-0.004", "0.666667", "2.5"]),  # six significant digits: neither rounds to zero
    ],
)
def test_each_function_writes_what_rounds_to_zero_as_zero(function, expected):
    assert [function(v) for v in (-0.00001, -0.004, 2 / 3, 2.5)] == expected


def test_zero_itself_and_the_values_around_it():
    # -0.0049 rounds to zero at 2 places; -0.005 does not (stored a little beyond -0.005, it rounds to -0.01).
    assert [decimals(v, 2) for v in (0.0, -0.0, -0.0049, -0.005, 0.004)] == ["0", "0", "0", "-0.01", "0"]
    assert [fixed(v) for v in (0.0, -0.0, -0.0049, -0.005)] == ["0.00", "0.00", "0.00", "-0.01"]
    assert [signed(v) for v in (0.0, -0.0, 0.004, -0.0051, 0.0051)] == ["0.00", "0.00", "0.00", "-0.01", "+0.01"]
    assert [signed(v, 0) for v in (0, 2, -1)] == ["0", "+2", "-1"]  # whole numbers: the gaps to a target
    assert [percent(v) for v in (-0.0, -0.004, -0.005, -0.006)] == ["0%", "0%", "0%", "-1%"]  # -0.5% to even: 0
    assert given_number(-0.0) == "0" and given_number(0.35) == "0.35" and given_number(4.0) == "4"
    assert trace_number(None) == "none" and table_number(None) == ""
    assert [decimals(v, 2) for v in (float("inf"), float("-inf"))] == ["inf", "-inf"]


def test_halves_rounded_up_where_asked():
    # 3.25 and 2.675 are stored a little off their decimal (2.675 a little under): halves_up rounds the decimal
    # a person reads, Python's own rounding the binary value.
    assert [fixed(v, 1, halves_up=True) for v in (3.25, 2.25, -0.05, -0.04)] == ["3.3", "2.3", "-0.1", "0.0"]
    assert [fixed(v, 1) for v in (3.25, 2.25)] == ["3.2", "2.2"]
    assert fixed(2.675, 2, halves_up=True) == "2.68" and fixed(2.675, 2) == "2.67"


def test_json_numbers_and_records_are_full_floats_without_a_negative_zero():
    assert [full(v) for v in (-0.00001, -0.004, 2 / 3, 22 / 3, None)] == [-0.00001, -0.004, 2 / 3, 22 / 3, None]
    assert str(full(-0.0)) == "0.0" and str(full(0.0)) == "0.0" and full(3) == 3.0
    # A CSV cell writes the same float, whole numbers without ".0", zero without its sign; the text reads back.
    assert [table_number(v) for v in (-0.0, 3.0, -2.0, 22 / 3, 0.1 + 0.2)] == [
        "0",
        "3",
        "-2",
        "7.333333333333333",
        "0.30000000000000004",
    ]
    for value in (22 / 3, 0.1 + 0.2, -1e-05, 1 / 7, 49.999500000000005):
        assert float(table_number(value)) == value


def test_the_helpers_of_each_medium_keep_the_rule():
    from qimaturity.cli.display import _num
    from qimaturity.report.charts.heatmap import _one_decimal
    from qimaturity.report.charts.svg import _fmt
    from qimaturity.report.charts.svg import _num as coordinate
    from qimaturity.report.templating import number_text, percent_text, signed_text

    assert [_num(-0.00001), _num(-0.004), _num(None)] == ["0.00", "0.00", "-"]
    assert [coordinate(-0.00001), coordinate(-0.04), coordinate(12.0), coordinate(12.25)] == ["0", "0", "12", "12.2"]
    assert [_fmt(-0.00001), _fmt(-0.004), _fmt(2 / 3)] == ["0", "0", "0.67"]
    assert [_one_decimal(-0.00001), _one_decimal(-0.04), _one_decimal(3.25)] == ["0.0", "0.0", "3.3"]
    assert [number_text(-0.00001), number_text(-0.004), number_text(-0.004, 3), number_text(None)] == [
        "0",
        "0",
        "-0.004",
        "-",
    ]
    assert [percent_text(-0.004), percent_text(None)] == ["0%", "-"]
    assert [signed_text(-0.00001), signed_text(-0.004), signed_text(0.25), signed_text(None)] == [
        "0.00",
        "0.00",
        "+0.25",
        "-",
    ]


# --- through the command ----------------------------------------------------------------------------------------
def test_the_terminal_table_writes_values_near_zero_as_0_00():
    result = run_main("score", RUBRIC, NOW)
    assert result.returncode == 0, result.stderr
    # tiny -0.00001, small -0.004, overall (-0.00001 - 0.004) / 2 = -0.002005: each 0.00 at two places.
    values = {row.split("│")[1].strip(): row.split("│")[2].strip() for row in result.stdout.splitlines() if "│" in row}
    assert values == {"Tiny": "0.00", "Small": "0.00", "Overall": "0.00"}
    assert "-0.00" not in result.stdout


def test_the_csv_writes_values_near_zero_in_full_and_never_minus_0():
    result = run_main("score", RUBRIC, NOW, "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    # In full (CSV is for machines): -0.00001 is -1e-05 (repr's form), -0.004 stays, and the overall
    # (-0.00001 + -0.004) / 2 = -0.002005; before, at 4 places, they were 0, -0.004 and -0.002.
    assert (rows["tiny"]["value"], rows["small"]["value"], rows["overall"]["value"]) == (
        "-1e-05",
        "-0.004",
        "-0.002005",
    )
    assert not re.search(r",-0(?:\.0*)?,", result.stdout)


def test_the_trace_writes_minus_0_00001_as_0():
    result = run_main("explain", RUBRIC, NOW, "--domain", "tiny")
    assert result.returncode == 0, result.stderr
    assert "arithmetic: (1×-1 + 99999×0) / 100000 = 0\n" in result.stdout


def test_the_report_writes_values_and_changes_near_zero_as_zero(tmp_path):
    html = tmp_path / "report.html"
    result = run_main("report", RUBRIC, NOW, "--history", THEN, "-o", str(html), "--report-date", "2026-10-01")
    assert result.returncode == 0, result.stderr
    text = html.read_text(encoding="utf-8")
    # "Since last time": every value was 0 a year before, so the changes are -0.00001 and -0.004: 0.00 each.
    since = text[text.index('id="since-last-time"') :]
    changes = re.findall(r"<td class=\"num\">([^<]*)</td><td>[^<]*</td></tr>", since[: since.index("</tbody>")])
    assert changes == ["0.00", "0.00"]
    assert not re.search(r">-0(?:\.0+)?%?<", text)


def test_dates_read_as_the_nhs_writes_them_whatever_the_locale():
    import locale
    from datetime import date

    from qimaturity._core.dates import day_in_words, iso_in_words

    # The month's name from our own table, not the locale's (%B would follow LC_TIME); no leading zero.
    assert day_in_words(date(2026, 4, 1)) == "1 April 2026"
    assert iso_in_words("2026-09-30") == "30 September 2026"
    assert iso_in_words("last spring") == "last spring"  # not a date: kept as written
    try:
        locale.setlocale(locale.LC_TIME, "fr_FR.UTF-8")
    except locale.Error:
        return  # no French locale on this machine: the table above is the check
    try:
        assert day_in_words(date(2026, 12, 2)) == "2 December 2026"
    finally:
        locale.setlocale(locale.LC_TIME, "C")
